"""deploy/nginx.conf as shipped, in front of a live server: nginx keeps anonymous readers' pages,
answers every reader from them whatever cookies they send, passes the admin, previews and other
methods to the app and keeps none of their answers, shows a published change within max-age and
forwards what the app trusts.

Never skipped: `make install-test` installs nginx, and a missing nginx is a failure.
"""

import http.client
import http.server
import re
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import cache

from performance.management.commands.bench_http import deploy_config, free_port, nginx
from performance.models import LibraryPage, PriorityAreaCommentary
from tests.helpers import SIGN_IN_REFUSED

PAGE = "/document-library/police-data/"
LIBRARY = "/document-library/"
DRAFT = "Plans not yet published"
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


def staff_cookie(client, django_user_model) -> dict:
    """The Cookie header of a signed-in staff member's browser."""
    staff = django_user_model.objects.create_user(username="staffer", password="unused", is_staff=True)
    client.force_login(staff)
    return {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}


@pytest.fixture
def draft(db):
    return LibraryPage.objects.create(slug="plans", title=DRAFT, summary="Not yet.")


def test_a_made_up_session_cookie_is_answered_from_the_shared_copy(proxy):
    made_up = [
        {"Cookie": "sessionid=x"},  # too short for a session key: the app, sent it, would delete it
        {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"},  # shaped like one, names none
        {"Cookie": "sessionid=y; csrftoken=z; theme=dark"},
    ]
    status, first, body = request(proxy, PAGE, headers=made_up[0])
    assert (status, first["X-Cache-Status"]) == (200, "MISS")
    assert first["Cache-Control"].startswith("public") and "Set-Cookie" not in first  # stored
    for cookie in [*made_up, {}]:
        status, headers, cached = request(proxy, PAGE, headers=cookie)
        assert (status, headers["X-Cache-Status"], cached) == (200, "HIT", body)


def test_a_signed_in_staff_member_is_given_the_public_page(proxy, client, django_user_model, draft):
    cookie = staff_cookie(client, django_user_model)
    status, headers, body = request(proxy, LIBRARY, headers=cookie)  # sent to the app without it
    assert (status, headers["X-Cache-Status"]) == (200, "MISS")
    assert headers["Cache-Control"].startswith("public") and DRAFT not in body
    status, headers, cached = request(proxy, LIBRARY)
    assert (status, headers["X-Cache-Status"], cached) == (200, "HIT", body)
    assert request(proxy, LIBRARY, headers=cookie)[1]["X-Cache-Status"] == "HIT"


def test_staff_see_their_preview_through_nginx_and_no_one_else_does(proxy, client, django_user_model, draft):
    public = request(proxy, LIBRARY)[2]  # kept for the public
    assert DRAFT not in public
    cookie = staff_cookie(client, django_user_model)
    for _ in range(2):
        status, headers, body = request(proxy, f"{LIBRARY}?preview=1", headers=cookie)
        assert (status, headers["X-Cache-Status"]) == (200, "BYPASS")
        assert headers["Cache-Control"] == "private, no-store"
        assert DRAFT in body and "preview-banner" in body
    for path in (f"{LIBRARY}?preview=1", f"{LIBRARY}?q=&preview=1", LIBRARY):  # no session
        status, headers, body = request(proxy, path)
        assert status == 200 and headers["Cache-Control"].startswith("public")
        assert DRAFT not in body and "preview-banner" not in body
    status, headers, body = request(proxy, f"{LIBRARY}?preview=1", headers={"Cookie": "sessionid=made-up"})
    assert (status, headers["X-Cache-Status"]) == (200, "BYPASS")  # to the app, which knows no such session
    assert DRAFT not in body


def test_previews_and_the_admin_are_never_kept(proxy, client, django_user_model):
    for path in (f"{PAGE}?preview=1", f"{PAGE}?sort=rank&preview=1", "/admin/login/"):
        for _ in range(2):
            assert request(proxy, path)[1]["X-Cache-Status"] == "BYPASS", path
    status, headers, body = request(proxy, "/admin/", headers=staff_cookie(client, django_user_model))
    assert (status, headers["X-Cache-Status"]) == (200, "BYPASS")
    assert "Staff home" in body and "staffer" in body
    status, headers, body = request(proxy, "/admin/")
    assert (status, headers["X-Cache-Status"], headers["Location"]) == (
        302,
        "BYPASS",
        "/admin/login/?next=/admin/",
    )
    assert "staffer" not in body


def test_only_get_and_head_are_answered_from_the_shared_copy(proxy):
    _, _, body = request(proxy, PAGE)
    status, headers, _ = request(proxy, PAGE, method="POST", body="a=1")
    assert status == 403 and "X-Cache-Status" not in headers  # the app refused it (no CSRF token)
    status, headers, empty = request(proxy, PAGE, method="HEAD")
    assert (status, headers["X-Cache-Status"], empty) == (200, "HIT", "")
    status, headers, cached = request(proxy, PAGE)
    assert (status, headers["X-Cache-Status"], cached) == (200, "HIT", body)


class Upstream(http.server.BaseHTTPRequestHandler):
    """An app that marks every answer public, sets a cookie on /sets-a-cookie, and records the
    Cookie header of each request it receives."""

    received: list[tuple[str, str | None]] = []

    def do_GET(self):
        Upstream.received.append((self.path, self.headers["Cookie"]))
        body = b"an answer"
        self.send_response(200)
        self.send_header("Cache-Control", "public, max-age=60, s-maxage=60")
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/sets-a-cookie":
            self.send_header("Set-Cookie", "sessionid=new; Path=/; HttpOnly")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_proxy():
    """The shipped configuration in front of ``Upstream``."""
    Upstream.received = []
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    port = free_port()
    try:
        with nginx(deploy_config(app_port=app.server_address[1], port=port), [port]):
            yield port
    finally:
        app.shutdown()
        app.server_close()


def test_an_answer_that_sets_a_cookie_is_never_kept(stub_proxy):
    assert [request(stub_proxy, "/public")[1]["X-Cache-Status"] for _ in range(2)] == ["MISS", "HIT"]
    statuses = [request(stub_proxy, "/sets-a-cookie")[1]["X-Cache-Status"] for _ in range(2)]
    assert statuses == ["MISS", "MISS"]
    assert [path for path, _ in Upstream.received] == ["/public", "/sets-a-cookie", "/sets-a-cookie"]


def test_cookies_reach_the_app_only_with_requests_whose_answers_are_never_kept(stub_proxy):
    cookie = {"Cookie": "sessionid=abc"}
    for path in ("/page", "/page?preview=1", "/admin/", "/admin", "/administrators"):
        request(stub_proxy, path, headers=cookie)
    assert Upstream.received == [
        ("/page", None),
        ("/page?preview=1", "sessionid=abc"),
        ("/admin/", "sessionid=abc"),
        ("/admin", "sessionid=abc"),
        ("/administrators", None),
    ]


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
    status, _, again = request(
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
    assert status == 200 and SIGN_IN_REFUSED in again  # the form again, with an error
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [
        "127.0.0.2"
    ]  # as nginx saw it

    # The scheme and host as nginx received them, whatever the client claims: the feed's links.
    _, _, feed = request(
        proxy, "/document-library/feed/", headers={"Host": "localhost", "X-Forwarded-Proto": "https"}
    )
    assert "http://localhost/document-library/" in feed
    assert "https://" not in feed.split("<entry>")[0]
