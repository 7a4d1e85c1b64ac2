"""A staff member's month, clicked through in Chromium: sign in, import the new 999 month, check the
preview, confirm, review the drafts and publish them, then see them on the public page.

The staff member is a plain staff account holding only the 999 permissions an Editor and a
Publisher hold between them (no superuser): the groups the migrations create do not survive the
live server's flushed database, so the permissions are given to the account directly.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse

from performance.models import CallAnswerMonth
from tests.browser.conftest import PASSWORD, axe_violations

pytestmark = pytest.mark.browser


# The demo data holds Norfolk's months up to September 2023, all published: October 2023 is the
# next month, long over by the time the tests run.
NEW_MONTH = datetime.date(2023, 10, 1)
HEADINGS = [
    "Force",
    "Month",
    "Total calls",
    "Mean answer time (seconds)",
    "% of calls answered in under 10 seconds",
    "% of calls answered in 10 to under 60 seconds",
    "% of calls answered in 60 seconds and over",
]
ROWS = [
    ["Norfolk", "2023-10", "11700", "7.62", "86.4", "12.9", "0.7"],
    ["Suffolk", "2023-10", "8450", "9.15", "83.0", "15.8", "1.2"],
]
# What the preview table shows for each row, under its headings.
PREVIEW_CELLS = [
    {
        "Change": "New Home force",  # the home force's row: marked in words, and listed first
        "Force": "Norfolk",
        "Month": "October 2023",
        "Total calls": "11,700",
        "Mean answer time (s)": "7.62",
        "% under 10 s": "86.4%",
        "% 10 to 60 s": "12.9%",
        "% 60 s and over": "0.7%",
    },
    {
        "Change": "New",
        "Force": "Suffolk",
        "Month": "October 2023",
        "Total calls": "8,450",
        "Mean answer time (s)": "9.15",
        "% under 10 s": "83.0%",
        "% 10 to 60 s": "15.8%",
        "% 60 s and over": "1.2%",
    },
]
# The 999 months and their ranks: what an Editor and a Publisher may do with them together.
PERMISSIONS = {
    "callanswermonth": [
        "view_callanswermonth",
        "add_callanswermonth",
        "change_callanswermonth",
        "delete_callanswermonth",
        "import_callanswermonth",
        "export_callanswermonth",
        "publish_callanswermonth",
    ],
    "callanswerrank": [
        "view_callanswerrank",
        "add_callanswerrank",
        "change_callanswerrank",
        "delete_callanswerrank",
    ],
}
PUBLISH_ACTION = "Publish the selected items now (with their figures and commentary)"


@pytest.fixture
def staff_member(site, django_user_model):
    user = django_user_model.objects.create_user(username="analyst", password=PASSWORD, is_staff=True)
    for model, codenames in PERMISSIONS.items():
        found = Permission.objects.filter(content_type__app_label="performance", codename__in=codenames)
        assert sorted(found.values_list("codename", flat=True)) == sorted(codenames), model
        user.user_permissions.add(*found)
    assert not user.is_superuser
    return user


@pytest.fixture
def reader(browser):
    """A member of the public, never signed in, in a browser of their own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def release_file(tmp_path):
    """The month's release as staff would save it: a small CSV with the headings they type."""
    path = tmp_path / "999-calls-october-2023.csv"
    lines = [",".join(f'"{cell}"' for cell in row) for row in [HEADINGS, *ROWS]]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def open_import_page(site, page):
    response = page.goto(site.url + reverse("admin:performance_callanswermonth_import"))
    assert response.status == 200
    return response


def upload_for_preview(site, page, release_file):
    """Choose the file on the import page and submit it; the preview page is then shown."""
    open_import_page(site, page)
    page.set_input_files("input[type=file][name=import_file]", str(release_file))
    # The admin offers one format (CSV and Excel are told apart by content), so there is no format
    # to choose: the form carries it in a hidden field.
    assert page.locator("select[name=format]").count() == 0
    page.click("form[enctype='multipart/form-data'] input[type=submit]")
    page.wait_for_selector("table.import-preview")


def cells_by_heading(table, row) -> dict[str, str]:
    """A table row's cells keyed by their column headings' full wording (a short heading's is
    the text given to screen readers)."""
    headings = table.locator("thead th").evaluate_all(
        "(cells) => cells.map((th) => (th.querySelector('.visually-hidden') || th).textContent.trim())"
    )
    cells = [text.strip() for text in row.locator("th, td").all_text_contents()]
    assert len(cells) == len(headings)
    return dict(zip(headings, cells, strict=True))


def public_table(page, year: int):
    """The public page's table of the home force's 999 months in ``year``."""
    return page.locator(
        "table.data-table",
        has=page.locator("caption", has_text=f"Norfolk Constabulary 999 Call Performance Data ({year})"),
    )


def public_row(page, year: int, month_name: str):
    """The row for ``month_name`` in the public page's table of the home force's ``year``."""
    return public_table(page, year).locator(
        "tbody tr", has=page.locator("th[scope=row]", has_text=month_name)
    )


def test_staff_import_preview_confirm_review_and_publish_a_new_month(
    site, signed_in, reader, release_file, settings
):
    page = signed_in
    # The public pages' cache on, as in production, so the test sees it move on to the new month.
    settings.PAGE_CACHE_SECONDS = 600
    settings.PUBLIC_CACHE_MAX_AGE = 0  # the reader's browser asks again each time
    cache.clear()
    latest_held = CallAnswerMonth.objects.order_by("-month").values_list("month", flat=True).first()
    assert latest_held < NEW_MONTH <= datetime.date.today()
    assert not CallAnswerMonth.objects.filter(month=NEW_MONTH).exists()

    # A reader, not signed in, sees September 2023 as the latest month (and primes the cache).
    police_data_url = site.url + reverse("performance:police-data")
    first_look = reader.goto(police_data_url)
    assert first_look.status == 200
    assert "private" not in (first_look.headers.get("cache-control") or "")  # a page the cache keeps
    assert public_row(reader, 2023, "September 2023").count() == 1
    assert public_row(reader, 2023, "October 2023").count() == 0

    # 2. The import page lists the headings to type and offers an example file.
    open_import_page(site, page)
    columns = page.locator("table.import-columns tbody th[scope=row]").all_inner_texts()
    for heading in ("Force", "Month", "Total calls", "Mean answer time (seconds)"):
        assert heading in columns
    example = page.get_by_role("link", name="Download an example file (CSV) with these headings")
    assert example.count() == 1
    assert example.get_attribute("href") == reverse("admin:performance_callanswermonth_import_template")

    # 3. Upload the month's file.
    upload_for_preview(site, page, release_file)

    # 4. The preview shows each row's figures and the totals; nothing is imported yet.
    assert page.locator("p.import-totals").inner_text().startswith("2 new, 0 updated, 0 unchanged")
    preview = page.locator("table.import-preview")
    preview_rows = preview.locator("tbody tr")
    assert preview_rows.count() == 2
    for index, expected in enumerate(PREVIEW_CELLS):
        shown = cells_by_heading(preview, preview_rows.nth(index))
        assert {heading: shown.get(heading) for heading in expected} == expected
    assert not CallAnswerMonth.objects.filter(month=NEW_MONTH).exists()

    # 5. Confirm: the import's result page lists the new drafts and links to them.
    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_url(site.url + reverse("admin:performance_callanswermonth_changelist") + "import/result/**")
    success = page.locator("ul.messagelist li.success")
    assert success.count() == 1
    message = success.inner_text()
    assert "Imported 999-calls-october-2023.csv: 2 new, 0 updated, 0 unchanged." in message
    assert "2 new draft 999 months" in page.locator("#content").inner_text()
    assert CallAnswerMonth.objects.filter(month=NEW_MONTH, publish_at=None).count() == 2

    # The drafts are not public yet.
    assert reader.goto(police_data_url).status == 200
    assert public_row(reader, 2023, "October 2023").count() == 0

    page.get_by_role("link", name="Review and publish the drafts").click()
    page.wait_for_url("**publication=draft**")
    draft_rows = page.locator("#result_list tbody tr")
    assert draft_rows.count() == 2
    assert sorted(draft_rows.locator("th.field-force, td.field-force").all_inner_texts()) == [
        "Norfolk",
        "Suffolk",
    ]
    assert draft_rows.locator("td.field-month_display").all_inner_texts() == ["October 2023"] * 2
    states = draft_rows.locator("td.field-publication_state")
    assert [text.strip() for text in states.all_inner_texts()] == ["Draft", "Draft"]
    # The publication state is on screen at 1280 px, without scrolling sideways.
    header = page.locator("#result_list thead th.column-publication_state")
    assert header.count() == 1
    for box in [header.bounding_box(), *(states.nth(i).bounding_box() for i in range(2))]:
        assert box is not None
        assert box["x"] + box["width"] <= 1280

    # 6. Publish both with the admin action.
    for index in range(2):
        draft_rows.nth(index).locator("input.action-select").check()
    page.select_option("select[name=action]", label=PUBLISH_ACTION)
    with page.expect_navigation():
        page.locator("#changelist-form button[name=index]").click()
    published_message = page.locator("ul.messagelist li.success")
    assert published_message.count() == 1
    assert published_message.inner_text().strip() == "2 published."
    assert page.locator("#result_list tbody tr").count() == 0  # no drafts left to review

    now = datetime.datetime.now(datetime.UTC)
    new_months = CallAnswerMonth.objects.filter(month=NEW_MONTH).select_related("force")
    assert sorted(m.force.name for m in new_months) == ["Norfolk", "Suffolk"]
    for month in new_months:
        assert month.publish_at is not None
        assert month.publish_at <= now
        assert month.is_published

    # The public page, cached a moment ago, now shows the new month's figures.
    response = reader.goto(police_data_url)
    assert response.status == 200
    october = public_row(reader, 2023, "October 2023")
    assert october.count() == 1
    figures = cells_by_heading(public_table(reader, 2023), october)
    assert figures["Total Calls"] == "11,700"
    assert figures["Mean Answer Time (seconds)"] == "7.62"
    assert figures["% 999 calls answered in under 10 seconds"].startswith("86.4%")
    archive = reader.goto(site.url + reverse("performance:calls-999-archive"))
    assert archive.status == 200
    october = public_row(reader, 2023, "October 2023")
    assert cells_by_heading(public_table(reader, 2023), october)["Total Calls"] == "11,700"

    assert page.console_errors == []


def test_import_preview_page_has_no_axe_violations(site, signed_in, release_file):
    page = signed_in
    upload_for_preview(site, page, release_file)
    assert page.locator("table.import-preview tbody tr").count() == 2
    assert axe_violations(page) == []
