"""deploy/nginx.conf as shipped, in front of a live server: nginx keeps anonymous readers' pages,
passes staff by, shows a published change within max-age and forwards what the app trusts.

Never skipped: `make install-test` installs nginx, and a missing nginx is a failure.
"""

import http.client
import re
import time
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import cache

from performance.management.commands.bench_http import deploy_config, free_port, nginx
from performance.models import PriorityAreaCommentary

PAGE = "/document-library/police-data/"
MAX_AGE, S_MAXAGE, STALE = 4, 2, 1
# nginx counts in whole seconds: a copy it keeps for s-maxage=2 is fresh for 2 to 3 seconds.
NGINX_ROUNDING = 1


@pytest.fixture
def proxy(live_server, demo_data, settings):
    """The address of nginx, with the shipped configuration, in front of the live server."""
    settings.PAGE_CACHE_SECONDS = 600
    settings.PUBLIC_CACHE_MAX_AGE, settings.PUBLIC_CACHE_S_MAXAGE = MAX_AGE, S_MAXAGE
    settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE = STALE
    settings.TRUSTED_PROXIES = 1  # nginx alone, as deploy/nginx.conf says
    cache.clear()
    port = free_port()
    config = deploy_config(app_port=urlsplit(live_server.url).port, port=port)
    with nginx(config, [port]):
        yield port
    cache.clear()


def request(port, path, *, method="GET", headers=None, body=None, source="127.0.0.1"):
    """(status, headers, body) from nginx, with no redirect followed, sent from ``source``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def test_anonymous_pages_and_data_files_are_kept_by_nginx(proxy):
    for path in (PAGE, "/document-library/police-data/data/ncpm.csv"):
        status, first, body = request(proxy, path)
        assert (status, first["X-Cache-Status"]) == (200, "MISS")
        status, again, cached = request(proxy, path)
        assert (status, again["X-Cache-Status"], cached) == (200, "HIT", body)
        assert (
            again["Cache-Control"]
            == f"public, max-age={MAX_AGE}, s-maxage={S_MAXAGE}, stale-while-revalidate={STALE}"
        )
        assert again["ETag"] == first["ETag"] and again["Last-Modified"] == first["Last-Modified"]
        assert "camera=()" in again["Permissions-Policy"]


def test_nginx_keeps_no_copy_for_a_made_up_address(proxy):
    request(proxy, PAGE)
    for _ in range(2):
        status, headers, _ = request(proxy, f"{PAGE}?utm_source=made-up")
        assert (status, headers["X-Cache-Status"]) == (200, "MISS")  # answered by the app's copy
    assert request(proxy, PAGE)[1]["X-Cache-Status"] == "HIT"


def test_an_expired_copy_is_revalidated_with_the_app(proxy):
    request(proxy, PAGE)
    time.sleep(S_MAXAGE + NGINX_ROUNDING + 0.2)
    status, headers, body = request(proxy, PAGE)
    assert (status, headers["X-Cache-Status"]) == (200, "REVALIDATED")  # the app said 304
    assert "for the 12 months to" in body


def test_staff_sessions_are_never_answered_or_stored_by_nginx(proxy, client, django_user_model):
    request(proxy, PAGE)  # kept for the public
    staff = django_user_model.objects.create_user(username="staff", password="unused", is_staff=True)
    client.force_login(staff)
    cookie = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    status, headers, _ = request(proxy, PAGE, headers=cookie)
    assert (status, headers["X-Cache-Status"], headers["Cache-Control"]) == (
        200,
        "BYPASS",
        "private, no-store",
    )
    for _ in range(2):
        status, headers, body = request(proxy, f"{PAGE}?preview=1", headers=cookie)
        assert (status, headers["X-Cache-Status"]) == (200, "BYPASS")
        assert headers["Cache-Control"] == "private, no-store"
        assert "This page includes drafts" in body
    _, headers, body = request(proxy, f"{PAGE}?preview=1")  # the same address, no session
    assert headers["Cache-Control"].startswith("public")
    assert "This page includes drafts" not in body
    _, headers, _ = request(proxy, PAGE, headers={"Cookie": "sessionid=made-up"})
    assert headers["X-Cache-Status"] == "BYPASS"  # to the app, which answers from its own cache
    assert headers["Cache-Control"].startswith("public")


def test_a_published_change_is_shown_through_nginx_within_max_age(proxy):
    request(proxy, PAGE)
    assert request(proxy, PAGE)[1]["X-Cache-Status"] == "HIT"
    commentary = PriorityAreaCommentary.objects.first()
    commentary.body = "A correction, published."
    commentary.save()
    changed = time.monotonic()
    while "A correction, published." not in request(proxy, PAGE)[2]:
        assert time.monotonic() - changed <= MAX_AGE, "nginx still shows the page from before the change"
        time.sleep(0.1)


def test_nginx_forwards_the_client_address_scheme_and_host_the_app_trusts(proxy, django_user_model):
    from axes.models import AccessAttempt

    django_user_model.objects.create_user(username="staff", password="right-password-123", is_staff=True)
    _, headers, form = request(proxy, "/admin/login/")
    assert headers["X-Cache-Status"] != "HIT"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    status, _, _ = request(
        proxy,
        "/admin/login/",
        method="POST",
        body=urlencode({"username": "staff", "password": "wrong", "csrfmiddlewaretoken": token}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "X-Forwarded-For": "203.0.113.9",  # made up by the client
        },
        source="127.0.0.2",  # nginx passes the request on from 127.0.0.1
    )
    assert status == 200  # the form again, with an error
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [
        "127.0.0.2"
    ]  # as nginx saw it

    # The scheme and host as nginx received them, whatever the client claims: the feed's links.
    _, _, feed = request(
        proxy, "/document-library/feed/", headers={"Host": "localhost", "X-Forwarded-Proto": "https"}
    )
    assert "http://localhost/document-library/" in feed
    assert "https://" not in feed.split("<entry>")[0]
