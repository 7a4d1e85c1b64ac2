"""The staff admin works in a real browser under the site's Content-Security-Policy."""

import pytest
from django.urls import reverse

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_member(django_user_model):
    """Signed in (``signed_in``) through the admin's form."""
    return django_user_model.objects.create_superuser(username="boss", password=PASSWORD)


HEADINGS = {  # each page's heading, as a person reads it
    "admin:index": "Staff home",
    "admin:performance_callanswermonth_changelist": "999 months",
    "admin:performance_callanswermonth_add": "Add 999 call month",
    "admin:performance_callanswermonth_import": "Import",
    "admin:performance_reportingperiod_changelist": "NCPM quarters",
}


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:index",
        "admin:performance_callanswermonth_changelist",
        "admin:performance_callanswermonth_add",
        "admin:performance_callanswermonth_import",
        "admin:performance_reportingperiod_changelist",
    ],
)
def test_admin_pages_load_without_policy_violations(site, signed_in, url_name):
    response = signed_in.goto(site.url + reverse(url_name))
    assert response.status == 200
    assert signed_in.locator("h1").inner_text() == HEADINGS[url_name]
    assert "content-security-policy" in response.headers
    assert [e for e in signed_in.console_errors if "Content Security Policy" in e] == []
