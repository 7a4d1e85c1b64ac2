"""After a confirmed import, staff land on its result page: what it created and changed, each
linked to its page (read here from the database, not written out), what waits for a Publisher,
and what this member of staff does next."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from performance.models import (
    CallAnswerMonth,
    ImportLog,
    Measure,
    MeasureFigure,
    MeasureFigureRevision,
    RecordedCrimePeriod,
    ReportingPeriod,
    SiteSettings,
)
from tests.factories import staff
from tests.helpers import signed_in, upload

CALLS_HEADER = (
    "Force,Month,Total calls,Mean answer time (seconds),% of calls answered in under 10 seconds,"
    "% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over\r\n"
)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def imported(client, release: str, name: str, data: str):
    """Upload, preview and confirm ``data``; the page the confirm lands on (followed)."""
    preview = upload(client, reverse(f"admin:performance_{release}_import"), data.encode(), name, format="0")
    confirm = preview.context["confirm_form"]
    return client.post(
        reverse(f"admin:performance_{release}_process_import"),
        {field.html_name: field.value() for field in confirm},
        follow=True,
    )


def link(obj) -> str:
    return reverse(f"admin:performance_{obj._meta.model_name}_change", args=[obj.pk])


def calls_file() -> str:
    return (
        CALLS_HEADER + "Suffolk,2015-01,7000,8.1,85.0,14.0,1.0\r\nNorfolk,2015-01,11000,7.5,88.0,11.0,1.0\r\n"
    )


@pytest.mark.parametrize("role", ["Editor", "Publisher"])
def test_a_999_import_lists_its_new_draft_months_home_force_first_and_the_next_step(
    demo_data, django_user_model, role
):
    client = signed_in(staff(django_user_model, role))
    page = imported(client, "callanswermonth", "999.csv", calls_file())

    log = ImportLog.objects.latest("pk")
    assert page.redirect_chain[-1][0] == reverse(
        "admin:performance_callanswermonth_import_result", args=[log.pk]
    )
    months = list(CallAnswerMonth.objects.filter(month=datetime.date(2015, 1, 1)).select_related("force"))
    home = SiteSettings.objects.get().home_force
    assert {month.force.name for month in months} == {"Norfolk", "Suffolk"} and home.name == "Norfolk"
    text = text_of(page)
    assert "2 new draft 999 months" in text
    assert text.index("Norfolk (home force), January 2015") < text.index("Suffolk, January 2015")
    for month in months:
        assert f'href="{link(month)}"' in page.content.decode()
    # One draft to open for the month, not one per force: a month is reviewed for every force.
    home_month = next(month for month in months if month.force == home)
    if role == "Editor":
        assert "999 calls, January 2015, every force's figures" in text
        assert (
            'Open the draft, check its figures, then choose "Save and submit for review" on its page' in text
        )
        steps = lxml_html.fromstring(page.content.decode()).find_class("import-next")[0]
        assert [a.get("href") for a in steps.iter("a")] == [link(home_month)]
    else:
        assert "Review and publish the draft this import created or changed." in text
        assert 'href="/admin/performance/callanswermonth/?publication=draft"' in page.content.decode()

    again = imported(client, "callanswermonth", "999.csv", calls_file())
    assert "Nothing was imported: every row of the file is already held with the same figures." in text_of(
        again
    )


def test_a_999_import_that_changes_a_draft_says_what_changed(demo_data, django_user_model):
    client = signed_in(staff(django_user_model, "Editor"))
    imported(client, "callanswermonth", "999.csv", calls_file())
    page = imported(client, "callanswermonth", "999.csv", calls_file().replace("11000", "11700"))
    month = CallAnswerMonth.objects.get(force__name="Norfolk", month=datetime.date(2015, 1, 1))
    assert month.total_calls == 11700
    assert "1 999 month changed" in text_of(page)
    assert "Norfolk (home force), January 2015 (draft): total calls 11,000 → 11,700" in text_of(page)
    assert f'href="{link(month)}"' in page.content.decode()


def ons_file(period_end: datetime.date, total: int) -> str:
    return (
        f"Table P1: Police recorded crime by police force area, year ending {period_end:%B %Y}\r\n"
        "Area Code,Area Name,Total recorded crime (excluding fraud)\r\n"
        f"E23000024,Norfolk,{total}\r\n"
    )


@pytest.mark.parametrize("role", ["Editor", "Publisher"])
def test_a_table_p1_import_lists_its_draft_period_figures_and_revisions_waiting(
    demo_data, django_user_model, role
):
    published = RecordedCrimePeriod.objects.exclude(publish_at=None).order_by("period_end").first()
    year_end = datetime.date(published.period_end.year - 1, published.period_end.month, 1)
    period_end = (year_end + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    RecordedCrimePeriod.objects.filter(period_end=period_end).delete()
    client = signed_in(staff(django_user_model, role))

    page = imported(client, "recordedcrimefigure", "ons.csv", ons_file(period_end, 61234))

    period = RecordedCrimePeriod.objects.get(period_end=period_end)
    figure = period.figures.get(force__name="Norfolk")
    text, content = text_of(page), page.content.decode()
    assert "1 ONS period created (draft)" in text and f'href="{link(period)}"' in content
    assert "1 new figure" in text and f'href="{link(figure)}"' in content
    waiting = list(published.revisions.pending())
    if role == "Editor":  # an Editor's import does not change the published year before: it waits
        assert waiting, "the published period's year before is recomputed from the new period"
        assert "1 revision waits on published figures for a Publisher" in text
        assert f'href="{link(published)}"' in content
        assert 'Open the draft, check its figures, then choose "Save and submit for review"' in text
    else:  # a Publisher's own import writes it
        assert waiting == []
        assert "Review and publish the draft this import created or changed." in text


def test_an_ncpm_import_into_a_published_quarter_names_the_revision_waiting(demo_data, django_user_model):
    quarter = ReportingPeriod.objects.exclude(publish_at=None).order_by("period_end").first()
    measure = (
        Measure.objects.filter(offence_subgroups=[], offence_codes=[]).first() or Measure.objects.first()
    )
    other = Measure.objects.exclude(pk=measure.pk).first()
    MeasureFigureRevision.objects.create(period=quarter, measure=other, latest=10, previous=8)
    client = signed_in(staff(django_user_model, "Publisher"))
    data = (
        "Measure,12 months ending,Latest 12 months,Previous 12 months,2019 baseline\r\n"
        f"{measure.name},{quarter.period_end:%d/%m/%Y},4,3,5\r\n"
    )

    page = imported(client, "measurefigure", "ncpm.csv", data)

    figure = MeasureFigure.objects.get(period=quarter, measure=measure)
    text, content = text_of(page), page.content.decode()
    assert "1 NCPM quarter changed" in text and f'href="{link(quarter)}"' in content
    assert ("1 new figure" in text or "1 figure changed" in text) and f'href="{link(figure)}"' in content
    assert f"{other}, {quarter} (published or scheduled)" in text
    assert "1 revision waits on published figures: open the published page and publish it again" in text


@pytest.mark.parametrize("role", ["Editor", "Publisher"])
def test_an_ncpm_import_creates_a_draft_quarter(demo_data, django_user_model, role):
    measure = Measure.objects.first()
    client = signed_in(staff(django_user_model, role))
    data = (
        "Measure,12 months ending,Latest 12 months,Previous 12 months,2019 baseline\r\n"
        f"{measure.name},31/03/2020,4,3,5\r\n"
    )
    ReportingPeriod.objects.filter(period_end=datetime.date(2020, 3, 31)).delete()
    page = imported(client, "measurefigure", "ncpm.csv", data)
    quarter = ReportingPeriod.objects.get(period_end=datetime.date(2020, 3, 31))
    figure = MeasureFigure.objects.get(period=quarter, measure=measure)
    text, content = text_of(page), page.content.decode()
    assert "1 NCPM quarter created (draft)" in text and f'href="{link(quarter)}"' in content
    assert "1 new figure" in text and f'href="{link(figure)}"' in content
    step = "Open the draft" if role == "Editor" else "Review and publish the draft"
    assert step in text


def test_the_result_page_is_for_staff_who_may_import(demo_data, django_user_model):
    importer = signed_in(staff(django_user_model, "Editor"))
    imported(importer, "callanswermonth", "999.csv", calls_file())
    url = reverse("admin:performance_callanswermonth_import_result", args=[ImportLog.objects.latest("pk").pk])
    assert signed_in(staff(django_user_model, "Publisher")).get(url).status_code == 200  # a colleague's
    assert signed_in(staff(django_user_model, "Site administrator")).get(url).status_code == 403
    assert signed_in(staff(django_user_model, None)).get(url).status_code == 403
    other = reverse("admin:performance_measurefigure_import_result", args=[ImportLog.objects.latest("pk").pk])
    assert importer.get(other).status_code == 404  # another release's import


def test_the_staff_home_links_each_import_to_its_result_page(demo_data, django_user_model):
    client = signed_in(staff(django_user_model, "Editor"))
    imported(client, "callanswermonth", "999.csv", calls_file())
    home = client.get(reverse("admin:index"))
    url = reverse("admin:performance_callanswermonth_import_result", args=[ImportLog.objects.latest("pk").pk])
    assert f'href="{url}"' in home.content.decode()
