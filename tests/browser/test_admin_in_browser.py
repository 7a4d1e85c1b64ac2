"""The staff admin works in a real browser under the site's Content-Security-Policy."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(site, page, django_user_model):
    django_user_model.objects.create_superuser(username="boss", password="a-long-test-password")
    page.goto(site.url + reverse("admin:login"))
    page.fill("#id_username", "boss")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_url(site.url + reverse("admin:index"))
    return page


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
    assert "content-security-policy" in response.headers
    assert [e for e in signed_in.console_errors if "Content Security Policy" in e] == []
