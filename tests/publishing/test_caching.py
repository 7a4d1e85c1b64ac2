"""Anonymous readers get a stored copy of each public page; nobody ever gets a stale one."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from performance.models import PriorityAreaCommentary, ReportingPeriod, SiteSettings
from performance.publishing import caching
from tests.helpers import status_and_heading

URL = "/document-library/police-data/"


@pytest.fixture
def page_cache(settings, demo_data):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    caching.forget_version()
    yield
    cache.clear()


def test_a_cached_page_costs_no_query(client, page_cache, django_assert_num_queries):
    first = client.get(URL)
    caching.content_version(fresh=True)
    with django_assert_num_queries(0):
        again = client.get(URL)
    assert again.content == first.content
    assert again["Last-Modified"] == first["Last-Modified"]


def test_a_change_is_shown_at_once(client, page_cache):
    client.get(URL)
    commentary = PriorityAreaCommentary.objects.first()
    commentary.body = "A correction."
    commentary.save()
    assert "A correction." in client.get(URL).content.decode()


def test_a_scheduled_publication_appears_at_its_time(client, page_cache):
    release = timezone.now() + datetime.timedelta(hours=1)
    ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30), publish_at=release)
    assert "12 months to 30 September 2023" not in client.get(URL).content.decode()  # now cached

    later = release + datetime.timedelta(seconds=5)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch("time.monotonic", return_value=10**9),
    ):
        page = client.get(URL).content.decode()
    assert "for the 12 months to 30 September 2023" in page


def test_the_office_settings_are_read_once_per_content_version(client, page_cache):
    client.get(URL)
    caching.content_version(fresh=True)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("performance:library")).status_code == 200  # not cached yet
    assert not [query for query in queries if '"performance_sitesettings"."office_name"' in query["sql"]]

    office = SiteSettings.objects.get()
    office.office_name = "Office of the Police, Fire and Crime Commissioner"
    office.save()
    assert "Office of the Police, Fire and Crime Commissioner" in client.get(URL).content.decode()


def test_the_police_data_page_is_built_once_per_content_version(
    client, page_cache, django_assert_num_queries
):
    first = client.get(URL)
    cache.clear()  # the stored page is gone: the page is rendered again, from its kept content
    caching.content_version(fresh=True)
    with django_assert_num_queries(0):
        again = client.get(URL)
    assert again.content == first.content

    commentary = PriorityAreaCommentary.objects.first()
    commentary.body = "A correction."
    commentary.save()
    cache.clear()
    assert "A correction." in client.get(URL).content.decode()


def test_staff_are_never_served_a_stored_copy(client, page_cache, django_user_model):
    client.get(URL)  # stored for the public
    PriorityAreaCommentary.objects.update(body="Changed without a signal.")  # the cache cannot know
    staff = django_user_model.objects.create_user(username="staff", password="unused", is_staff=True)
    client.force_login(staff)
    response = client.get(URL)
    assert "Changed without a signal." in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_previews_are_never_stored(client, page_cache, django_user_model):
    staff = django_user_model.objects.create_user(username="staff", password="unused", is_staff=True)
    client.force_login(staff)
    client.get(URL, {"preview": "1"})
    client.logout()
    assert "This page includes drafts" not in client.get(URL, {"preview": "1"}).content.decode()


def test_the_cache_is_shared_through_redis_when_configured(monkeypatch):
    import importlib

    import pcc_site.settings as site_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    reloaded = importlib.reload(site_settings)
    try:
        assert reloaded.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        assert reloaded.CACHES["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(site_settings)
    assert reverse("performance:police-data") == URL


def test_with_the_cache_on_a_lost_database_still_answers_503(client, page_cache):
    from django.db.utils import OperationalError

    caching.forget_version()
    with mock.patch("performance.publishing.caching._read_version", side_effect=OperationalError("down")):
        response = client.get(URL)
    assert status_and_heading(response) == (503, "Sorry, the figures are temporarily unavailable")


def test_data_files_are_not_answered_304_once_a_scheduled_publication_arrives(client, demo_data):
    from performance.models import Measure, MeasureFigure

    url = reverse("performance:data-ncpm-csv")
    release = timezone.now() + datetime.timedelta(hours=1)
    september = ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30), publish_at=release)
    MeasureFigure.objects.create(period=september, measure=Measure.objects.first(), latest=3, previous=15)
    caching.forget_version()
    before = client.get(url)  # scheduled, so not in the file yet
    assert "2023-09-30" not in before.content.decode()

    later = release + datetime.timedelta(seconds=5)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch("time.monotonic", return_value=10**9),
    ):
        again = client.get(url, headers={"if-modified-since": before["Last-Modified"]})
    assert again.status_code == 200  # nothing was saved at release time, yet the file has changed
    assert "2023-09-30" in again.content.decode()


# --------------------------------------------------------------------------------------------
# Query strings: only the parameters a view reads, and a bounded number of variants
# --------------------------------------------------------------------------------------------

LIBRARY = "/document-library/"


def test_parameters_a_page_does_not_read_are_answered_from_the_one_stored_copy(
    client, page_cache, django_assert_num_queries
):
    first = client.get(URL)
    caching.content_version(fresh=True)
    with django_assert_num_queries(0):
        for number in range(50):
            again = client.get(URL, {"utm_source": f"random-{number}", "preview": "1"})
            assert again.content == first.content
            assert "s-maxage=0" in again["Cache-Control"]  # a proxy in front need not keep it there


def test_only_a_page_under_its_own_address_may_be_kept_by_a_shared_cache(client, page_cache):
    for query in ("", "?sort=title", "?q=&category=&year=&type="):  # the form sends every field
        assert "s-maxage=30" in client.get(f"{LIBRARY}{query}")["Cache-Control"]
    for query in ("?sort=title&fbclid=1", "?page=1&sort=title", "?sort=title&sort=title"):
        assert "s-maxage=0" in client.get(f"{LIBRARY}{query}")["Cache-Control"]


def test_an_unknown_parameter_never_reaches_the_page_or_its_links(client, page_cache):
    page = client.get(LIBRARY, {"sort": "title", "evil": "injected"}).content.decode()
    assert "injected" not in page  # the sort links would have kept it …
    assert 'href="?sort=-title"' in page  # … as they keep the sort
    assert client.get(LIBRARY, {"sort": "title"}).content.decode() == page  # one stored copy


def test_each_parameter_a_page_reads_gives_its_own_page(client, page_cache):
    newest = client.get(LIBRARY).content.decode()
    by_title = client.get(LIBRARY, {"sort": "title"}).content.decode()
    assert by_title != newest
    assert client.get(LIBRARY).content.decode() == newest  # each from its own stored copy
    assert client.get(f"{LIBRARY}?sort=-title&x=1&sort=title").content.decode() == by_title  # the last value


def test_a_data_file_keeps_its_documented_filters_and_drops_the_rest(
    client, page_cache, django_assert_num_queries
):
    url = reverse("performance:data-calls-999-csv")
    norfolk = client.get(url, {"force": "norfolk"})
    assert norfolk["Content-Disposition"] == 'attachment; filename="999-calls-norfolk.csv"'
    caching.content_version(fresh=True)
    with django_assert_num_queries(0):
        noise = client.get(url, {"force": "norfolk", "fields": "all", "cb": "123"})
    assert noise.content == norfolk.content
    assert client.get(url, {"force": "nowhere"}).status_code == 404  # a filter still applies


def test_variants_with_a_query_are_bounded_per_address(client, page_cache, settings):
    settings.PAGE_CACHE_VARIANTS = 2
    client.get(LIBRARY)
    for word in ("alpha", "bravo", "charlie", "delta"):
        client.get(LIBRARY, {"q": word})
    caching.content_version(fresh=True)
    with CaptureQueriesContext(connection) as stored:
        answers = {word: client.get(LIBRARY, {"q": word}) for word in ("alpha", "bravo")}
        answers[""] = client.get(LIBRARY)  # the address itself is always stored
    with CaptureQueriesContext(connection) as not_stored:
        answers["delta"] = client.get(LIBRARY, {"q": "delta"})
    assert (len(stored), len(not_stored) > 0) == (0, True)
    # Each answer, stored or not, is the page asked for: the library, or its search for the word.
    assert status_and_heading(answers[""]) == (200, "Document library")
    assert "search results for" not in answers[""].content.decode()
    for word in ("alpha", "bravo", "delta"):
        assert status_and_heading(answers[word]) == (200, "Document library")
        assert f"search results for “{word}”" in answers[word].content.decode()


# --------------------------------------------------------------------------------------------
# Who gets the stored copy: only signed-in staff are passed by
# --------------------------------------------------------------------------------------------


def test_a_session_cookie_that_is_not_a_staff_session_still_gets_the_stored_copy(client, page_cache):
    client.get(URL)
    PriorityAreaCommentary.objects.update(body="Changed without a signal.")  # the cache cannot know
    client.cookies["sessionid"] = "made-up-to-get-past-the-cache"
    response = client.get(URL)
    assert "Changed without a signal." not in response.content.decode()
    assert response["Cache-Control"].startswith("public")


def test_a_signed_in_account_that_is_not_staff_gets_the_stored_copy(client, page_cache, django_user_model):
    client.get(URL)
    PriorityAreaCommentary.objects.update(body="Changed without a signal.")
    client.force_login(django_user_model.objects.create_user(username="reader", password="unused"))
    assert "Changed without a signal." not in client.get(URL).content.decode()


def test_a_staff_preview_is_kept_nowhere(client, page_cache, django_user_model):
    staff = django_user_model.objects.create_user(username="staff", password="unused", is_staff=True)
    client.force_login(staff)
    response = client.get(URL, {"preview": "1"})
    assert "This page includes drafts" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


# --------------------------------------------------------------------------------------------
# HEAD and conditional requests
# --------------------------------------------------------------------------------------------


def test_head_and_get_share_the_stored_copy_with_its_validators(client, page_cache):
    head = client.head(URL)  # stores the page
    get = client.get(URL)
    assert get.content and get["ETag"] == head["ETag"]
    assert get["Last-Modified"] == head["Last-Modified"]
    cache.clear()
    assert client.get(URL)["ETag"] == get["ETag"]  # the ETag a GET would have had
    again = client.head(URL)
    assert (again["ETag"], again["Last-Modified"]) == (get["ETag"], get["Last-Modified"])


@pytest.mark.parametrize("header", ["if-none-match", "if-modified-since"])
def test_a_stored_copy_answers_a_conditional_request_with_304(client, page_cache, header):
    first = client.get(URL)
    validator = first["ETag"] if header == "if-none-match" else first["Last-Modified"]
    caching.content_version(fresh=True)
    again = client.get(URL, headers={header: validator})
    assert again.status_code == 304
    assert (again["ETag"], again["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    assert again["Cache-Control"] == first["Cache-Control"]


def test_a_stored_copy_newer_than_if_modified_since_is_sent_in_full(client, page_cache):
    first = client.get(URL)
    earlier = http_date(parse_http_date(first["Last-Modified"]) - 1)
    again = client.get(URL, headers={"if-modified-since": earlier})
    assert again.status_code == 200 and again.content == first.content


# --------------------------------------------------------------------------------------------
# Cache-Control for a shared cache in front
# --------------------------------------------------------------------------------------------

PUBLIC = "public, max-age=60, s-maxage=30, stale-while-revalidate=30"


@pytest.mark.parametrize("url", [URL, "/document-library/police-data/data/ncpm.csv", "/sitemap.xml"])
def test_anonymous_answers_may_be_kept_by_a_shared_cache(client, demo_data, settings, url):
    settings.PUBLIC_CACHE_MAX_AGE, settings.PUBLIC_CACHE_S_MAXAGE = 60, 30
    settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE = 30
    response = client.get(url)
    assert response["Cache-Control"] == PUBLIC
    assert response["ETag"] and response["Last-Modified"]
    revalidated = client.get(url, headers={"if-none-match": response["ETag"]})
    assert (revalidated.status_code, revalidated["Cache-Control"]) == (304, PUBLIC)


def test_the_shared_cache_headers_follow_the_settings(client, demo_data, settings):
    settings.PUBLIC_CACHE_MAX_AGE, settings.PUBLIC_CACHE_S_MAXAGE = 10, 5
    settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE = 2
    assert client.get(URL)["Cache-Control"] == "public, max-age=10, s-maxage=5, stale-while-revalidate=2"


def test_settings_that_would_let_a_proxy_lag_behind_browsers_are_refused(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import pcc_site.settings as site_settings

    monkeypatch.setenv("PUBLIC_CACHE_MAX_AGE", "60")
    monkeypatch.setenv("PUBLIC_CACHE_S_MAXAGE", "60")
    try:
        with pytest.raises(ImproperlyConfigured, match="must not exceed PUBLIC_CACHE_MAX_AGE"):
            importlib.reload(site_settings)
    finally:
        monkeypatch.delenv("PUBLIC_CACHE_S_MAXAGE")
        importlib.reload(site_settings)
