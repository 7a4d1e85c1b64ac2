"""The staff home as a Publisher sees it in a browser: its headings, axe, and nothing wider than
the screen on a phone or a desktop."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.browser.conftest import PASSWORD, axe_violations
from tests.browser.test_layout import OUTSIDE_THE_SCREEN
from tests.factories import staff

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_member(django_user_model, site):
    # The groups the migrations create do not survive the live server's flushed database: the
    # Publisher role again, with the app's permissions.
    role, _ = Group.objects.get_or_create(name="Publisher")
    role.permissions.set(Permission.objects.filter(content_type__app_label="performance"))
    publisher = staff(django_user_model, "Publisher", "home_publisher")
    publisher.set_password(PASSWORD)
    publisher.save()
    return publisher


def test_a_publishers_home_reads_in_order_passes_axe_and_fits_the_screen(site, signed_in):
    page = signed_in
    page.goto(site.url + reverse("admin:index"))
    assert page.locator("h1").inner_text() == "Staff home"
    assert page.locator("#content-main h2").all_inner_texts() == [
        "What is due",
        "What waits for me",
        "My recent imports",
        "Pages by task",
    ]
    assert page.locator("details#technical").get_attribute("open") is None
    assert axe_violations(page) == []
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(site.url + reverse("admin:index"))
        assert page.evaluate(OUTSIDE_THE_SCREEN) == [], width
    assert page.console_errors == []
