"""The import's mapping step, clicked through in Chromium: a 999 file whose total-calls column is
headed "Calls offered" is asked about ("Which column holds the total calls?"), the choice previews
and imports it, the next file with the same headings previews without asking, and the stored
choice shows in the admin. The step's page is checked with axe and at a phone's width.

The staff member is a plain staff account (no superuser) holding the 999 permissions of
``test_staff_import_flow`` and the column choices' view, change and delete permissions, given to
the account directly: the groups the migrations create do not survive the live server's flushed
database.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from performance.models import CallAnswerMonth, ColumnMapping
from tests.browser.conftest import PASSWORD, axe_violations
from tests.browser.test_staff_import_flow import PERMISSIONS as IMPORT_PERMISSIONS
from tests.browser.test_staff_import_flow import cells_by_heading, open_import_page

pytestmark = pytest.mark.browser

# The demo data holds Norfolk's months up to September 2023: October and November are new.
OCTOBER = datetime.date(2023, 10, 1)
NOVEMBER = datetime.date(2023, 11, 1)
HEADINGS = [
    "Force",
    "Month",
    "Calls offered",
    "Mean answer time (seconds)",
    "% of calls answered in under 10 seconds",
    "% of calls answered in 10 to under 60 seconds",
    "% of calls answered in 60 seconds and over",
]
OCTOBER_ROWS = [
    ["Norfolk", "2023-10", "11700", "7.62", "86.4", "12.9", "0.7"],
    ["Suffolk", "2023-10", "8450", "9.15", "83.0", "15.8", "1.2"],
]
NOVEMBER_ROWS = [
    ["Norfolk", "2023-11", "10950", "7.40", "87.1", "12.3", "0.6"],
    ["Suffolk", "2023-11", "8120", "8.80", "84.2", "14.9", "0.9"],
]
PERMISSIONS = {
    **IMPORT_PERMISSIONS,
    "columnmapping": ["view_columnmapping", "change_columnmapping", "delete_columnmapping"],
}
QUESTION = "Which column holds the total calls?"
SUBMIT = "Use these columns and preview the file"
WARNING_START = 'Column "Calls offered" is read as "Total calls", as chosen by analyst on '
PHONE_WIDTH = 375
SCREENSHOT_WIDE = "/tmp/column-choice-1280.png"
SCREENSHOT_PHONE = "/tmp/column-choice-375.png"


@pytest.fixture
def staff_member(site, django_user_model):
    user = django_user_model.objects.create_user(username="analyst", password=PASSWORD, is_staff=True)
    for model, codenames in PERMISSIONS.items():
        found = Permission.objects.filter(content_type__app_label="performance", codename__in=codenames)
        assert sorted(found.values_list("codename", flat=True)) == sorted(codenames), model
        user.user_permissions.add(*found)
    assert not user.is_superuser
    assert not user.groups.exists()
    return user


def release_file(tmp_path, name: str, rows: list[list[str]]):
    """A month's release as staff would save it, its total-calls column headed "Calls offered"."""
    path = tmp_path / name
    lines = [",".join(f'"{cell}"' for cell in row) for row in [HEADINGS, *rows]]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture
def october_file(tmp_path):
    return release_file(tmp_path, "999-calls-october-2023.csv", OCTOBER_ROWS)


@pytest.fixture
def november_file(tmp_path):
    return release_file(tmp_path, "999-calls-november-2023.csv", NOVEMBER_ROWS)


def upload(site, page, path):
    """Choose the file on the import page and submit it; the next page (the mapping step or the
    preview) has loaded when this returns."""
    open_import_page(site, page)
    page.set_input_files("input[type=file][name=import_file]", str(path))
    with page.expect_navigation():
        page.click("form[enctype='multipart/form-data'] input[type=submit]")
    page.wait_for_selector("form.import-columns-form, table.import-preview, ul.import-problems")


def mapping_form(page):
    return page.locator("form.import-columns-form")


def ask_for_columns(site, page, path):
    """Upload a file the import cannot read by its headings alone: the mapping step is shown."""
    upload(site, page, path)
    form = mapping_form(page)
    assert form.count() == 1
    assert form.is_visible()
    assert page.locator("table.import-preview").count() == 0
    return form


def total_calls_by_force(month: datetime.date) -> dict[str, int]:
    rows = CallAnswerMonth.objects.filter(month=month).values_list("force__name", "total_calls")
    return dict(rows)


def tab_to(page, selector: str, limit: int = 300) -> int:
    """Press Tab from where the focus is until the element matching ``selector`` has it; the
    number of presses, or a failed assertion if it is never reached."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return presses
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def test_a_column_chosen_at_the_mapping_step_previews_imports_and_is_remembered(
    site, signed_in, october_file, november_file
):
    page = signed_in
    assert not CallAnswerMonth.objects.filter(month__in=[OCTOBER, NOVEMBER]).exists()
    assert not ColumnMapping.objects.exists()

    # 2. The October file: its total calls are under "Calls offered", so the page asks.
    form = ask_for_columns(site, page, october_file)
    assert form.get_attribute("action") == reverse("admin:performance_callanswermonth_import_columns")
    assert form.get_attribute("method") == "post"
    label = form.locator("label", has_text=QUESTION)
    assert label.count() == 1
    assert label.is_visible()
    select = page.get_by_label(QUESTION)  # the label names the select (for= its id)
    assert select.count() == 1
    assert select.evaluate("e => e.tagName") == "SELECT"
    assert select.is_visible()
    assert select.evaluate("e => e.closest('form.import-columns-form') !== null")
    offered = [text.strip() for text in select.locator("option").all_inner_texts()]
    assert "Calls offered" in offered
    assert not {"Force", "Month", "Mean answer time (seconds)"} & set(offered)  # read by their headings
    assert select.input_value() == ""  # nothing chosen for the person
    assert not CallAnswerMonth.objects.filter(month=OCTOBER).exists()

    # The select is reached from the top of the page with the keyboard alone, then the button.
    select_id = select.get_attribute("id")
    assert select_id
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    tab_to(page, f"#{select_id}")
    assert page.evaluate("() => document.activeElement.id") == select_id
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.type, document.activeElement.value]")
    assert focused == ["submit", SUBMIT]

    select.select_option("Calls offered")
    assert select.input_value() == "Calls offered"
    with page.expect_navigation():
        form.get_by_role("button", name=SUBMIT).click()
    page.wait_for_selector("table.import-preview")

    # 3. The preview reads "Calls offered" as the total calls, and says so.
    assert mapping_form(page).count() == 0
    assert page.locator("p.import-totals").inner_text().startswith("2 new, 0 updated, 0 unchanged")
    preview = page.locator("table.import-preview")
    rows = preview.locator("tbody tr")
    assert rows.count() == 2
    shown = [cells_by_heading(preview, rows.nth(index)) for index in range(2)]
    assert [(row["Force"], row["Month"], row["Total calls"]) for row in shown] == [
        ("Norfolk", "October 2023", "11,700"),
        ("Suffolk", "October 2023", "8,450"),
    ]
    warnings = [text.strip() for text in page.locator("ul.import-warnings li").all_inner_texts()]
    assert any('is read as "Total calls"' in warning for warning in warnings), warnings
    assert any(warning.startswith(WARNING_START) for warning in warnings), warnings
    remembered = ColumnMapping.objects.get()
    assert remembered.choices == {"total_calls": "Calls offered"}
    assert remembered.headings == HEADINGS
    assert remembered.updated_by.username == "analyst"
    assert not CallAnswerMonth.objects.filter(month=OCTOBER).exists()  # not until confirmed

    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_url(site.url + reverse("admin:performance_callanswermonth_changelist") + "**")
    success = page.locator("ul.messagelist li.success")
    assert success.count() == 1
    assert "Imported 999-calls-october-2023.csv: 2 new, 0 updated, 0 unchanged." in success.inner_text()
    assert total_calls_by_force(OCTOBER) == {"Norfolk": 11700, "Suffolk": 8450}

    # 4. The November file, with the same headings, previews at once with the same warning.
    upload(site, page, november_file)
    assert mapping_form(page).count() == 0
    assert page.get_by_label(QUESTION).count() == 0
    preview = page.locator("table.import-preview")
    assert preview.is_visible()
    rows = preview.locator("tbody tr")
    assert rows.count() == 2
    shown = [cells_by_heading(preview, rows.nth(index)) for index in range(2)]
    assert [(row["Force"], row["Month"], row["Total calls"]) for row in shown] == [
        ("Norfolk", "November 2023", "10,950"),
        ("Suffolk", "November 2023", "8,120"),
    ]
    warnings = [text.strip() for text in page.locator("ul.import-warnings li").all_inner_texts()]
    assert any(warning.startswith(WARNING_START) for warning in warnings), warnings
    assert page.get_by_role("button", name="Confirm import").is_visible()
    assert ColumnMapping.objects.count() == 1
    assert not CallAnswerMonth.objects.filter(month=NOVEMBER).exists()

    # 5. The stored choice, found through the admin's list of column choices.
    response = page.goto(site.url + reverse("admin:performance_columnmapping_changelist"))
    assert response.status == 200
    listed = page.locator("#result_list tbody tr")
    assert listed.count() == 1
    assert 'read as "Total calls"' in listed.inner_text()
    with page.expect_navigation():
        listed.locator("a").first.click()
    change_url = site.url + reverse("admin:performance_columnmapping_change", args=[remembered.pk])
    assert page.url == change_url
    chosen = page.get_by_label(QUESTION)
    assert chosen.count() == 1
    assert chosen.input_value() == "Calls offered"
    assert chosen.evaluate("s => s.selectedOptions[0].textContent.trim()") == "Calls offered"

    assert page.console_errors == []


def overflowing(page) -> list[dict]:
    """Visible elements reaching past the viewport's right edge (or its left), leaving out those
    inside an element that scrolls or clips sideways (a scrollable table wrapper, say), with
    where in the page each is."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const clipped = (element) => {
                for (let a = element.parentElement; a && a !== document.body; a = a.parentElement) {
                    if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) {
                        return true;
                    }
                }
                return false;
            };
            const found = [];
            for (const element of document.body.querySelectorAll('*')) {
                const box = element.getBoundingClientRect();
                if (box.width === 0 || box.height === 0) continue;
                if (getComputedStyle(element).visibility === 'hidden') continue;
                if (box.right <= width + 0.5 && box.left >= -0.5) continue;
                if (clipped(element)) continue;
                found.push({
                    element: element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
                        + (element.className && typeof element.className === 'string'
                           ? '.' + element.className.trim().split(/\\s+/).join('.') : ''),
                    left: Math.round(box.left),
                    right: Math.round(box.right),
                    inContent: element.closest('#content') !== null,
                    inStep: element.closest('form.import-columns-form') !== null,
                });
            }
            return found;
        }"""
    )


def test_the_mapping_step_page_passes_axe_and_fits_a_phone(site, signed_in, october_file):
    page = signed_in
    form = ask_for_columns(site, page, october_file)
    assert page.get_by_label(QUESTION).is_visible()
    assert page.console_errors == []  # before axe, whose own inline styles the page's CSP refuses

    assert axe_violations(page) == []

    page.screenshot(path=SCREENSHOT_WIDE, full_page=True)

    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.wait_for_function(f"() => document.documentElement.clientWidth <= {PHONE_WIDTH}")
    assert form.is_visible()
    page.screenshot(path=SCREENSHOT_PHONE, full_page=True)

    # Nothing reaches past the sides of a 375 px screen, but inside an element that scrolls sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert overflowing(page) == []
    select_box = page.get_by_label(QUESTION).bounding_box()
    button_box = form.get_by_role("button", name=SUBMIT).bounding_box()
    for box in (select_box, button_box):
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE_WIDTH
