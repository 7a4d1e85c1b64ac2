"""Anonymous readers get a stored copy of each public page; nobody ever gets a stale one."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance import caching
from performance.models import PriorityAreaCommentary, ReportingPeriod, SiteSettings

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
    assert "private" in response["Cache-Control"]


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
    with mock.patch("performance.caching._read_version", side_effect=OperationalError("down")):
        response = client.get(URL)
    assert response.status_code == 503


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
