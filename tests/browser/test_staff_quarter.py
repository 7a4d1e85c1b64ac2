"""A staff member's quarter, clicked through in Chromium by a new Editor and a new Publisher, each
in their own browser, from signing in to the published page: import the 999 month and the Home
Office open data, write the quarter's commentary and the Commissioner's statement, submit both for
review, then review and publish them.

Every click is counted (choosing a file counts as one), and every page load. The goal is at most
25 clicks, no address typed by hand after the first (the staff admin's, from the README) and no
markup typed. The counts are printed in the test's output.

The roles are made again with the permissions the migrations give them: the live server's
database is flushed, and the groups with it.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from performance.calls.models import CallAnswerMonth
from performance.crime.models.ncpm import CommissionerStatement, PriorityAreaCommentary, ReportingPeriod
from performance.publishing.models import ReviewStep
from tests.browser.conftest import PASSWORD, axe_violations
from tests.browser.test_import_progress_in_browser import DATABASE_BACKEND, Worker
from tests.browser.test_layout import OUTSIDE_THE_SCREEN
from tests.browser.test_staff_import_flow import HEADINGS  # the 999 release's headings
from tests.data import make_recorded_crime_files as files

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/screenshots"))
GOAL_CLICKS = 25
NEW_MONTH = datetime.date(2023, 10, 1)  # the demo's 999 months end in September 2023, published
NEW_QUARTER = datetime.date(2023, 9, 30)  # its NCPM quarters end in June 2023, published
CALLS_ROWS = [
    ["Norfolk", "2023-10", "11700", "7.62", "86.4", "12.9", "0.7"],
    ["Suffolk", "2023-10", "8450", "9.15", "83.0", "15.8", "1.2"],
]
COMMENTARY = "Burglary fell again this quarter, with more offenders charged."
STATEMENT = "These figures show steady progress against the national priorities."


class Journey:
    """One person's clicks and page loads in their own browser."""

    def __init__(self, page, who: str):
        self.page, self.who = page, who
        self.clicks = 0
        self.loads = 0
        self.addresses_typed = 0
        page.on("load", lambda _: self.count_load())

    def count_load(self):
        self.loads += 1

    def start(self, url: str):
        """The one address typed: the staff admin's, as the README gives it."""
        self.addresses_typed += 1
        self.page.goto(url)

    def click(self, locator):
        locator.first.wait_for()  # the page it is on has loaded
        assert locator.count() == 1, f"{self.who}: {locator} matched {locator.count()} elements"
        self.clicks += 1
        locator.click()

    def choose_file(self, locator, path):
        self.clicks += 1  # the "Choose file" button and the file picked in its dialog
        locator.set_input_files(str(path))

    def sign_in(self, site, username: str):
        self.start(site.url + reverse("admin:index"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.click(self.page.get_by_role("button", name="Log in"))
        self.page.wait_for_url(site.url + reverse("admin:index"))


def roles():
    """Editor and Publisher, as the migrations make them (performance/migrations/0004_roles.py):
    an Editor everything but publishing; a Publisher everything."""
    performance = Permission.objects.filter(content_type__app_label="performance")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.set(performance.exclude(codename__startswith="publish_"))
    publisher, _ = Group.objects.get_or_create(name="Publisher")
    publisher.permissions.set(performance)
    return editor, publisher


def new_staff(django_user_model, username: str, first: str, last: str, role):
    user = django_user_model.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@office.example",
        first_name=first,
        last_name=last,
        is_staff=True,
    )
    user.groups.add(role)
    return user


@pytest.fixture
def calls_file(tmp_path):
    """The month's 999 release as staff save it from police.uk."""
    path = tmp_path / "999-calls-october-2023.csv"
    lines = [",".join(f'"{cell}"' for cell in row) for row in [HEADINGS, *CALLS_ROWS]]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture
def open_data_file(tmp_path):
    """The open data in its published layout, up to the quarter to September 2023: its newest
    quarter is the one the office reports on next."""
    sheets = files.release_sheets(years=["2021_22", "2022_23", "2023_24"])
    header, *rows = sheets["2023_24"]
    sheets["2023_24"] = [header, *(row for row in rows if row[1] in (1, 2))]
    return files.write_xlsx(sheets, tmp_path / "prc-pfa-mar2013-onwards-tables-25jan24.xlsx")


def fits_and_passes_axe(page, where: str):
    """axe on the page as loaded, and nothing wider than a phone's or a laptop's screen (with a
    screenshot of each, to look at)."""
    assert axe_violations(page) == [], where
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(OUTSIDE_THE_SCREEN) == [], f"{where} at {width} px"
        name = re.sub(r"[^a-z0-9]+", "-", where.lower()).strip("-")
        page.screenshot(path=str(SCREENSHOTS / f"staff-quarter-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_new_editor_and_a_new_publisher_do_the_quarter_in_few_clicks(
    site, browser, django_user_model, calls_file, open_data_file, settings
):
    settings.TASKS = DATABASE_BACKEND
    editor_role, publisher_role = roles()
    editor = new_staff(django_user_model, "eve", "Eve", "Editor", editor_role)
    publisher = new_staff(django_user_model, "pat", "Pat", "Publisher", publisher_role)
    assert not CallAnswerMonth.objects.filter(month=NEW_MONTH).exists()
    assert not ReportingPeriod.objects.filter(period_end=NEW_QUARTER).exists()

    # ---------------------------------------------------------------------------------------
    # The Editor, in their own browser
    # ---------------------------------------------------------------------------------------
    editor_browser = browser.new_context(viewport={"width": 1280, "height": 900})
    page = editor_browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    eve = Journey(page, "Editor")
    eve.sign_in(site, editor.username)

    # The home says what is due: the next 999 month.
    eve.click(page.get_by_role("link", name="Import the 999 figures for October 2023"))
    eve.choose_file(page.locator("input[type=file][name=import_file]"), calls_file)
    eve.click(page.get_by_role("button", name="Preview the file"))
    page.locator("table.import-preview").wait_for()
    assert "Home force" in page.locator("table.import-preview tbody tr").first.inner_text()
    eve.click(page.get_by_role("button", name="Confirm import"))
    page.get_by_role("heading", name="What to do next").wait_for()
    assert CallAnswerMonth.objects.filter(month=NEW_MONTH, publish_at=None).count() == 2
    fits_and_passes_axe(page, "the 999 import's result page")
    eve.click(page.get_by_role("link", name="999 calls, October 2023, every force's figures"))
    eve.click(page.get_by_role("button", name="Save and submit for review"))
    page.fill("#id_note", "October's 999 figures: Norfolk answered 86.4% within 10 seconds.")
    fits_and_passes_axe(page, "the page to submit for review")
    eve.click(page.get_by_role("button", name="Submit for review"))
    page.wait_for_url(site.url + reverse("admin:index"))
    assert "You sent for review" in page.locator("#content-main").inner_text()

    # Then the quarter's open data, due since its usual release month.
    eve.click(
        page.get_by_role(
            "link", name="Import the recorded crime open data for the 12 months to 30 September 2023"
        )
    )
    eve.choose_file(page.locator("input[type=file][name=import_file]"), open_data_file)
    eve.click(page.get_by_role("button", name="Preview the file"))
    page.locator("h1", has_text=f"Reading {open_data_file.name}").wait_for()
    with Worker():
        pass
    page.locator("h1", has_text=f"Preview of {open_data_file.name}").wait_for(timeout=30_000)
    eve.click(page.get_by_role("button", name="Confirm import"))
    page.locator("h1", has_text=f"Importing {open_data_file.name}").wait_for()
    with Worker():
        pass
    page.locator("h1", has_text=f"Imported {open_data_file.name}").wait_for(timeout=30_000)
    quarter = ReportingPeriod.objects.get(period_end=NEW_QUARTER)
    assert quarter.publish_at is None
    eve.click(page.locator("ul.import-next").get_by_role("link", name=str(quarter), exact=True))

    # The quarter's form: a commentary box for each priority area, and the statement's.
    page.locator("#commentaries-0 [contenteditable=true]").wait_for()
    eve.click(page.locator("#commentaries-0 [contenteditable=true]"))
    page.keyboard.type(COMMENTARY)
    eve.click(page.locator("#statement-0 [contenteditable=true]"))
    page.keyboard.type(STATEMENT)
    eve.click(page.get_by_role("button", name="Save and submit for review"))
    page.fill("#id_note", "Commentary on burglary and the statement are ready.")
    eve.click(page.get_by_role("button", name="Submit for review"))
    page.wait_for_url(site.url + reverse("admin:index"))
    commentary = PriorityAreaCommentary.objects.get(period=quarter)
    assert commentary.body == f"<p>{COMMENTARY}</p>"
    assert CommissionerStatement.objects.get(period=quarter).body == f"<p>{STATEMENT}</p>"
    assert ReviewStep.objects.waiting().count() == 2
    told = [message for message in mail.outbox if publisher.email in message.to]
    assert sorted(message.subject for message in told) == sorted(
        ["For review: 999 calls, October 2023: Norfolk and 1 other force", f"For review: {quarter}"]
    )
    assert errors == []

    # ---------------------------------------------------------------------------------------
    # The Publisher, in their own browser
    # ---------------------------------------------------------------------------------------
    publisher_browser = browser.new_context(viewport={"width": 1280, "height": 900})
    page = publisher_browser.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    pat = Journey(page, "Publisher")
    pat.sign_in(site, publisher.username)
    waiting = page.locator("#content-main").inner_text()
    assert "Sent to you for review" in waiting and "sent by Eve Editor" in waiting
    fits_and_passes_axe(page, "the Publisher's home")

    pat.click(page.locator(".review-list").get_by_role("link", name=str(quarter), exact=True))
    assert "Commentary on burglary and the statement are ready." in page.locator("#content-main").inner_text()
    fits_and_passes_axe(page, "the review page")
    decide_to_publish(page, pat)
    page.wait_for_url(site.url + reverse("admin:review_queue"))
    fits_and_passes_axe(page, "the review queue")
    pat.click(page.get_by_role("link", name=re.compile(r"^999 calls, October 2023")))
    decide_to_publish(page, pat)
    pat.click(page.get_by_role("link", name=re.compile(r"on the public site$")))

    # The published page: October's figures for every force, as a resident sees them.
    page.wait_for_url(site.url + reverse("performance:calls-999-national", args=["2023-10"]))
    assert "86.4%" in page.locator("main").inner_text()
    quarter.refresh_from_db()
    assert quarter.is_published
    assert not CallAnswerMonth.objects.filter(month=NEW_MONTH, publish_at=None).exists()
    assert [step.action for step in ReviewStep.objects.filter(action__in=["published"])] == [
        "published",
        "published",
    ]
    assert sorted(m.subject for m in mail.outbox if editor.email in m.to) == sorted(
        ["Published: 999 calls, October 2023: Norfolk and 1 other force", f"Published: {quarter}"]
    )
    assert errors == []

    # A resident's view of the quarter's page: the commentary and the statement, as written.
    reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    reader.goto(site.url + quarter.get_absolute_url())
    text = reader.locator("main").inner_text()
    assert COMMENTARY in text and STATEMENT in text

    clicks = eve.clicks + pat.clicks
    print(
        f"\nThe staff quarter: {clicks} clicks (Editor {eve.clicks}, Publisher {pat.clicks}), "
        f"{eve.loads + pat.loads} page loads (Editor {eve.loads}, Publisher {pat.loads}), "
        f"{eve.addresses_typed + pat.addresses_typed} addresses typed (each person's sign-in page), "
        "no markup typed."
    )
    assert clicks <= GOAL_CLICKS
    editor_browser.close()
    publisher_browser.close()


def decide_to_publish(page, journey: Journey):
    """On a review page: publish now (chosen already), giving a reason when the checks found
    something."""
    assert page.get_by_role("radio", name="Publish it now").is_checked()
    reason = page.locator("#id_publication_reason")
    if reason.count():
        reason.fill("Checked against the release; force-supplied figures to follow.")
    journey.click(page.get_by_role("button", name="Confirm your decision"))
