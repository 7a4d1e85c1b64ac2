"""A staff member's monthly update, as they do it: the import page says which headings the file
needs and offers an example file; the preview shows each row's figures and what an update
changes; the result says how many rows wait as drafts, with a link to them."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from performance.models import CallAnswerMonth
from tests.factories import staff
from tests.helpers import signed_in, upload

IMPORT = "admin:performance_callanswermonth_import"


@pytest.fixture
def publisher(demo_data, django_user_model) -> Client:
    return signed_in(staff(django_user_model, "Publisher"))


def text_of(response) -> str:
    """The page's words, tags left out."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def preview(client: Client, name: str, data: bytes):
    return upload(client, reverse(IMPORT), data, name, format="0")


@pytest.mark.parametrize(
    ("release", "headings"),
    [
        ("callanswermonth", ["Force", "Month", "Total calls", "Mean answer time (seconds)"]),
        ("recordedcrimefigure", ["Area Code", "Area Name", "Total recorded crime (excluding fraud)"]),
        ("measurefigure", ["Measure", "12 months ending", "Latest 12 months", "Previous 12 months"]),
    ],
)
def test_the_import_page_lists_the_headings_a_person_types_not_field_names(publisher, release, headings):
    page = publisher.get(reverse(f"admin:performance_{release}_import"))
    table = page.context["import_columns"]
    assert [column.label for column in table][: len(headings)] == headings
    text = text_of(page)
    assert "force_id" not in text and "period_id" not in text
    assert "Download an example file (CSV) with these headings" in text


@pytest.mark.parametrize("release", ["callanswermonth", "recordedcrimefigure", "measurefigure"])
def test_each_example_file_previews_without_a_problem(publisher, release):
    example = publisher.get(reverse(f"admin:performance_{release}_import_template"))
    assert example.status_code == 200
    assert example["Content-Type"] == "text/csv; charset=utf-8"
    if release == "measurefigure":
        return  # the NCPM template is a form to fill in, one empty row per measure
    response = upload(
        publisher, reverse(f"admin:performance_{release}_import"), example.content, "example.csv", format="0"
    )
    assert response.context["confirm_form"] is not None, text_of(response)


def test_the_preview_shows_each_rows_figures_and_what_an_update_changes(publisher):
    data = (
        b"Force,Month,Total calls,Mean answer time (seconds),% of calls answered in under 10 seconds,"
        b"% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over\r\n"
        b"Norfolk,2023-09,11700,7.57,87.1,12.2,0.7\r\n"
        b"Norfolk,2023-10,11000,7.2,87.0,12.4,0.6\r\n"
    )
    response = preview(publisher, "999.csv", data)
    assert response.context["preview_rows"][0][1] == [
        "Norfolk",
        "September 2023",
        "11,700",
        "7.57",
        "–",  # no median in this file
        "87.1%",
        "12.2%",
        "0.7%",
        "–",  # no ranks in this file
    ]
    row, _ = response.context["preview_rows"][0]
    assert row.changes == ["total calls 11,628 → 11,700"]
    text = text_of(response)
    assert (
        "Update Home force Norfolk September 2023 11,700 7.57 – 87.1% 12.2% 0.7% – "
        "total calls 11,628 → 11,700" in text
    )
    assert "New Home force Norfolk October 2023 11,000 7.20 – 87.0% 12.4% 0.6% –" in text  # the home force


def test_the_result_says_how_many_rows_are_drafts_and_links_to_them(publisher):
    data = (
        b"Force,Month,Total calls,Mean answer time (seconds),% of calls answered in under 10 seconds,"
        b"% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over\r\n"
        b"Norfolk,2023-10,11000,7.2,87.0,12.4,0.6\r\nNorfolk,2023-11,10500,7.1,87.5,12.0,0.5\r\n"
    )
    confirm = preview(publisher, "999.csv", data).context["confirm_form"]
    response = publisher.post(
        reverse("admin:performance_callanswermonth_process_import"),
        {field.html_name: field.value() for field in confirm},
        follow=True,
    )
    assert [str(message) for message in response.context["messages"]] == [
        "Imported 999.csv: 2 new, 0 updated, 0 unchanged."
    ]
    assert "2 new draft 999 months" in text_of(response)  # the import's result page
    assert "Review and publish the 2 drafts this import created or changed." in text_of(response)
    assert 'href="/admin/performance/callanswermonth/?publication=draft"' in response.content.decode()
    drafts = publisher.get(reverse("admin:performance_callanswermonth_changelist"), {"publication": "draft"})
    assert sorted(str(month) for month in drafts.context["cl"].result_list) == [
        "Norfolk November 2023",
        "Norfolk October 2023",
    ]
    assert CallAnswerMonth.objects.filter(publish_at=None).count() == 2


def test_the_999_changelist_shows_the_publication_state_before_the_figures(publisher):
    changelist = publisher.get(reverse("admin:performance_callanswermonth_changelist"))
    columns = changelist.context["cl"].list_display
    assert columns.index("publication_state") < columns.index("total_calls_display")
