"""Sign-in throttling counts failures per username and client address: the address must be one the
client cannot choose, and a client without one must not share a count with everybody else."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from pcc_site.admin import NO_STAFF_ROLE
from pcc_site.client_ip import UNRESOLVABLE, client_ip_address
from tests.helpers import SIGN_IN_LOCKED, SIGN_IN_REFUSED

RIGHT_PASSWORD = "right-password-123"
PROXY = "10.0.0.2"  # the reverse proxy's own address, as gunicorn sees it


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_user(username="staff", password=RIGHT_PASSWORD, is_staff=True)


def sign_in(client, password, **headers) -> int:
    """The status of the answer to signing in, once the answer says the same: the form again with
    its error (200), locked out (429), or signed in and sent on (302)."""
    response = client.post(reverse("admin:login"), {"username": "staff", "password": password}, **headers)
    if response.status_code == 200:
        assert SIGN_IN_REFUSED in response.content.decode()
    elif response.status_code == 429:
        assert response.content.decode() == SIGN_IN_LOCKED
    else:
        assert response.status_code == 302 and client.session["_auth_user_id"]
    return response.status_code


@pytest.fixture
def no_role(db, django_user_model):
    """An account with the right password but no staff role (so not staff)."""
    return django_user_model.objects.create_user(username="staff", password=RIGHT_PASSWORD)


def test_the_right_password_for_an_account_with_no_role_says_what_is_missing(client, no_role):
    response = client.post(
        reverse("admin:login"), {"username": "staff", "password": RIGHT_PASSWORD}, REMOTE_ADDR="203.0.113.5"
    )
    content = response.content.decode()
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert NO_STAFF_ROLE == (
        "Your account has no staff role yet: ask your site administrator to give you the Editor or "
        "Publisher role."
    )
    assert NO_STAFF_ROLE in content and SIGN_IN_REFUSED not in content


def test_a_wrong_password_for_an_account_with_no_role_reveals_nothing_and_is_counted(client, no_role):
    """The generic message, as for any wrong password, and locked out after five."""
    statuses = [sign_in(client, "wrong", REMOTE_ADDR="203.0.113.5") for _ in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert sign_in(client, RIGHT_PASSWORD, REMOTE_ADDR="203.0.113.5") == 429  # not the role message


def test_a_switched_off_account_gets_the_generic_message(client, no_role):
    no_role.is_active = False
    no_role.save()
    assert sign_in(client, RIGHT_PASSWORD, REMOTE_ADDR="203.0.113.5") == 200
    assert "_auth_user_id" not in client.session


def test_rotating_x_forwarded_for_without_a_trusted_proxy_is_still_locked_out(client, staff, settings):
    settings.TRUSTED_PROXIES = 0
    statuses = [
        sign_in(client, "wrong", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert sign_in(client, RIGHT_PASSWORD, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.1") == 429


def test_a_spoofed_left_most_entry_behind_a_trusted_proxy_is_still_locked_out(client, staff, settings):
    settings.TRUSTED_PROXIES = 1
    statuses = [
        sign_in(client, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9")
        for n in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert sign_in(client, RIGHT_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9") == 429


def test_someone_elses_failures_behind_a_trusted_proxy_do_not_lock_out_a_user_elsewhere(
    client, staff, settings
):
    settings.TRUSTED_PROXIES = 1
    for _ in range(6):
        sign_in(client, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert sign_in(client, RIGHT_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9") == 429
    assert sign_in(client, RIGHT_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7") == 302


def test_failures_from_an_unresolvable_address_do_not_lock_out_a_user_elsewhere(client, staff, settings):
    settings.TRUSTED_PROXIES = 0
    for _ in range(6):
        sign_in(client, "wrong", REMOTE_ADDR="")
    assert sign_in(client, RIGHT_PASSWORD, REMOTE_ADDR="198.51.100.7") == 302


def test_a_client_without_an_address_cannot_sign_in_even_with_the_right_password(client, staff, settings):
    """Otherwise its guesses would go unthrottled."""
    settings.TRUSTED_PROXIES = 0
    for remote_addr in ("", "unix:/run/gunicorn.sock"):
        assert sign_in(client, RIGHT_PASSWORD, REMOTE_ADDR=remote_addr) == 200  # the form again
        assert "_auth_user_id" not in client.session
    assert sign_in(client, RIGHT_PASSWORD, REMOTE_ADDR="198.51.100.7") == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.parametrize(
    ("trusted_proxies", "forwarded_for", "remote_addr", "client"),
    [
        pytest.param(
            0, "198.51.100.1", "203.0.113.5", "203.0.113.5", id="no-trusted-proxy-ignores-the-header"
        ),
        pytest.param(1, "198.51.100.1, 203.0.113.9", PROXY, "203.0.113.9", id="one-proxy-right-most-entry"),
        pytest.param(
            2, "198.51.100.1, 203.0.113.9, 10.0.0.1", PROXY, "203.0.113.9", id="two-proxies-second-from-right"
        ),
        pytest.param(1, "203.0.113.9", PROXY, "203.0.113.9", id="one-proxy-one-entry"),
        pytest.param(2, "203.0.113.9", PROXY, PROXY, id="fewer-entries-than-proxies-uses-remote-addr"),
        pytest.param(1, None, PROXY, PROXY, id="no-header-uses-remote-addr"),
        pytest.param(1, "198.51.100.1, unknown", PROXY, PROXY, id="not-an-address-uses-remote-addr"),
        pytest.param(1, "198.51.100.1,", PROXY, PROXY, id="empty-entry-uses-remote-addr"),
        pytest.param(1, "2001:DB8:0:0::1", PROXY, "2001:db8::1", id="ipv6-written-one-way"),
        pytest.param(0, None, "::ffff:203.0.113.5", "203.0.113.5", id="ipv4-mapped-ipv6-is-ipv4"),
        pytest.param(0, None, "", UNRESOLVABLE, id="empty-remote-addr"),
        pytest.param(1, "unknown", "unix:/run/gunicorn.sock", UNRESOLVABLE, id="nothing-usable"),
    ],
)
def test_client_address_is_the_one_the_outermost_trusted_proxy_saw(
    settings, trusted_proxies, forwarded_for, remote_addr, client
):
    settings.TRUSTED_PROXIES = trusted_proxies
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().post("/admin/login/", **headers)
    assert client_ip_address(request) == client


def test_a_request_with_no_remote_addr_at_all_is_unresolvable(settings):
    settings.TRUSTED_PROXIES = 0
    request = RequestFactory().post("/admin/login/")
    del request.META["REMOTE_ADDR"]
    assert client_ip_address(request) == UNRESOLVABLE
