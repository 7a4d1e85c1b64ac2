"""Rich text in the admin, as a Publisher writes it: the quarter's commentary written with the
keyboard alone in the prose editor, kept as clean HTML, shown in the page's preview; the quarter's
form passes axe and fits a desktop and a phone, under the site's content security policy."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.browser.conftest import PASSWORD, axe_violations
from tests.browser.test_layout import OUTSIDE_THE_SCREEN
from tests.factories import staff

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/screenshots"))

# Wider than the screen: the whole page (it must never be), then anything but a labelled region.
PAGE_SCROLLS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


def settle(page):
    """Let the editor read the browser's selection (it does so when the browser says it changed)."""
    page.wait_for_timeout(150)


@pytest.fixture
def staff_member(django_user_model, site):
    # The live server's database was flushed: the Publisher role again, with the app's permissions.
    role, _ = Group.objects.get_or_create(name="Publisher")
    role.permissions.set(Permission.objects.filter(content_type__app_label="performance"))
    publisher = staff(django_user_model, "Publisher", "richtext_publisher")
    publisher.set_password(PASSWORD)
    publisher.save()
    return publisher


@pytest.fixture
def draft_quarter(site):
    from performance.models import ReportingPeriod

    period = ReportingPeriod.objects.get()
    ReportingPeriod.objects.filter(pk=period.pk).update(publish_at=None)
    return period


def test_a_publisher_writes_commentary_with_the_keyboard_and_the_preview_shows_it(
    site, signed_in, draft_quarter
):
    from performance.models import PriorityAreaCommentary

    page = signed_in
    url = site.url + reverse("admin:performance_reportingperiod_change", args=[draft_quarter.pk])
    page.goto(url)
    editor = page.locator("#commentaries-0 [contenteditable=true]")
    editor.wait_for()
    commentary = PriorityAreaCommentary.objects.get(pk=page.input_value("input[name='commentaries-0-id']"))

    # The editor takes the focus as any field does; from there, the keyboard alone.
    editor.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    keys = page.keyboard
    keys.type("Homicide fell sharply.", delay=20)
    keys.press("ArrowLeft")
    for _ in "sharply":  # the word chosen, letter by letter
        keys.press("Shift+ArrowLeft")
    settle(page)
    keys.press("Control+B")
    settle(page)
    keys.press("ArrowRight")  # to the word's end
    keys.press("ArrowRight")  # past the full stop
    settle(page)
    keys.press("Enter")
    keys.press("Control+Shift+8")  # a bullet list
    keys.type("fewer victims", delay=20)
    keys.press("Enter")
    keys.type("fewer offenders", delay=20)
    page.screenshot(path=SCREENSHOTS / "quarter-editing-1280.png")
    page.locator("input[name=_continue]").press("Enter")
    page.wait_for_load_state()

    commentary.refresh_from_db()
    assert "<strong>sharply</strong>" in commentary.body
    assert "<ul><li><p>fewer victims</p></li><li><p>fewer offenders</p></li></ul>" in commentary.body

    page.goto(site.url + draft_quarter.get_absolute_url() + "?preview=1")
    assert page.locator("strong", has_text="sharply").count() == 1
    assert page.locator("li", has_text="fewer offenders").count() == 1
    assert page.console_errors == [], "\n".join(page.console_errors)


def test_the_quarters_form_passes_axe_and_fits_a_desktop_and_a_phone(site, signed_in, draft_quarter):
    page = signed_in
    url = site.url + reverse("admin:performance_reportingperiod_change", args=[draft_quarter.pk])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.locator("[contenteditable=true]").first.wait_for()
        page.screenshot(path=SCREENSHOTS / f"quarter-form-{width}.png", full_page=True)
        for part in ("figures-group", "commentaries-0"):
            page.locator(f"#{part}").scroll_into_view_if_needed()
            page.screenshot(path=SCREENSHOTS / f"quarter-form-{width}-{part}.png")
        assert page.evaluate(OUTSIDE_THE_SCREEN) == [], width
        assert not page.evaluate(PAGE_SCROLLS), width
        if width == 1280:
            violations = axe_violations(page)
            assert violations == [], "\n".join(map(str, violations))
    assert page.console_errors == [], "\n".join(page.console_errors)
