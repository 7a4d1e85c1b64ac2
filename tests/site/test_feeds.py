"""The Atom feed of new and revised publications, and sitemap.xml: public content only, each
entry or page with when it last changed, and both served like every public page."""

import datetime
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from performance.models import (
    Document,
    DocumentCategory,
    LibraryPage,
    MeasureFigure,
    Meeting,
    ReportingPeriod,
)
from performance.publishing import caching
from performance.site import feeds
from tests.factories import PUBLISHED

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FEED_URL = "/document-library/feed/"
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def category(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return DocumentCategory.objects.create(name="Test decisions", slug="test-decisions")


def document(
    category, title: str, *, publish_at=PUBLISHED, published_on=datetime.date(2023, 10, 19)
) -> Document:
    return Document.objects.create(
        title=title,
        file=ContentFile(b"Decision,Date\r\n", name="decision.csv"),
        category=category,
        publish_at=publish_at,
        published_on=published_on,
        summary=f"The {title.lower()}.",
    )


def meeting(title: str, *, publish_at=PUBLISHED, held_on=datetime.date(2023, 10, 5)) -> Meeting:
    return Meeting.objects.create(title=title, held_on=held_on, publish_at=publish_at)


def feed(client) -> ET.Element:
    response = client.get(FEED_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def entry_titles(root: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


def entry_named(root: ET.Element, title: str) -> ET.Element:
    return next(entry for entry in root.iter(f"{ATOM}entry") if entry.findtext(f"{ATOM}title") == title)


def atom_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def sitemap(client) -> dict[str, str | None]:
    """Each listed address with its lastmod."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root.iter(f"{SITEMAP}url")
    }


# --------------------------------------------------------------------------------------------
# The feed
# --------------------------------------------------------------------------------------------


def test_the_feed_is_valid_atom_with_unique_ids_and_absolute_links(client, demo_data, category):
    document(category, "Decision 2023/14")
    meeting("PCC Accountability Meeting")

    root = feed(client)

    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title").endswith("new and revised publications")
    assert root.findtext(f"{ATOM}id") and root.findtext(f"{ATOM}updated")
    assert {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")} == {
        "alternate": "http://testserver/document-library/",
        "self": "http://testserver/document-library/feed/",
    }
    entries = list(root.iter(f"{ATOM}entry"))
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(ids) == len(set(ids)) and all(id.startswith("tag:testserver,") for id in ids)
    for entry in entries:
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}summary")
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/")
        assert atom_time(entry.findtext(f"{ATOM}updated")) >= atom_time(entry.findtext(f"{ATOM}published"))
    updated = [atom_time(entry.findtext(f"{ATOM}updated")) for entry in entries]
    assert updated == sorted(updated, reverse=True)
    assert {"Decision 2023/14", "PCC Accountability Meeting, 5 October 2023"} <= set(entry_titles(root))
    assert {"999 call answering data", "National Crime and Policing Measures figures"} <= set(
        entry_titles(root)
    )
    assert any(
        title.startswith("National Crime and Policing Measures: 12 months to") for title in entry_titles(root)
    )


def test_each_kind_of_entry_links_to_its_page(client, category):
    decision = document(category, "Decision 2023/14")
    accountability = meeting("PCC Accountability Meeting")
    quarter = ReportingPeriod.objects.create(period_end=datetime.date(2023, 6, 30), publish_at=PUBLISHED)

    root = feed(client)

    links = {
        entry.findtext(f"{ATOM}title"): entry.find(f"{ATOM}link").get("href")
        for entry in root.iter(f"{ATOM}entry")
    }
    assert links == {
        "Decision 2023/14": f"http://testserver{decision.get_absolute_url()}",
        "PCC Accountability Meeting, 5 October 2023": f"http://testserver{accountability.get_absolute_url()}",
        "National Crime and Policing Measures: 12 months to 30 June 2023": "http://testserver"
        "/document-library/police-data/ncpm/2023-06/",
        "National Crime and Policing Measures figures": "http://testserver/document-library/police-data/data/#ncpm",
    }
    assert quarter.get_absolute_url() == "/document-library/police-data/ncpm/2023-06/"


def test_drafts_scheduled_and_future_dated_publications_never_appear(client, category, django_user_model):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    later = timezone.now() + HOUR
    document(category, "Published decision")
    document(category, "Draft decision", publish_at=None)
    document(category, "Scheduled decision", publish_at=later)
    document(category, "Decision dated tomorrow", published_on=tomorrow)
    meeting("Draft meeting", publish_at=None)
    meeting("Scheduled meeting", publish_at=later)
    ReportingPeriod.objects.create(period_end=datetime.date(2023, 6, 30), publish_at=None)
    ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30), publish_at=later)

    assert entry_titles(feed(client)) == ["Published decision"]

    # Nor for staff asking for a preview: the feed is what the public see.
    staff = django_user_model.objects.create_user(username="staff", password="unused", is_staff=True)
    client.force_login(staff)
    assert entry_titles(ET.fromstring(client.get(f"{FEED_URL}?preview=1").content)) == ["Published decision"]


def test_a_revised_document_shows_its_new_updated_time_under_the_same_id(client, category):
    decision = document(category, "Decision 2023/14")
    before = entry_named(feed(client), "Decision 2023/14")
    revised_at = timezone.now().replace(microsecond=0) + HOUR

    with mock.patch("django.utils.timezone.now", return_value=revised_at):
        decision.title = "Decision 2023/14 (corrected)"
        decision.save()
    after = entry_named(feed(client), "Decision 2023/14 (corrected)")

    assert atom_time(after.findtext(f"{ATOM}updated")) == revised_at
    assert after.findtext(f"{ATOM}published") == before.findtext(f"{ATOM}published")
    assert atom_time(after.findtext(f"{ATOM}published")) == PUBLISHED
    assert after.findtext(f"{ATOM}id") == before.findtext(f"{ATOM}id")


def test_a_document_dated_ahead_of_its_publication_is_new_on_its_date(category):
    """Published on 20 March, dated 1 April: public, and new in the feed, from 1 April."""
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime.datetime(2024, 3, 20, tzinfo=datetime.UTC)
    ):
        plan = document(
            category,
            "Police and Crime Plan",
            publish_at=datetime.datetime(2024, 3, 20, tzinfo=datetime.UTC),
            published_on=datetime.date(2024, 4, 1),
        )
    start_of_day = timezone.make_aware(datetime.datetime(2024, 4, 1))  # 23:00 UTC on 31 March

    assert feeds.feed_entries(authority="opcc.example", now=start_of_day - HOUR) == []
    [entry] = feeds.feed_entries(authority="opcc.example", now=start_of_day + HOUR)
    assert entry.published == entry.updated == start_of_day
    assert entry.id == f"tag:opcc.example,2024-04-01:document/{plan.pk}"


def test_a_revised_quarter_figure_revises_the_quarter_and_the_ncpm_dataset(demo_data):
    figure = MeasureFigure.objects.filter(period__in=ReportingPeriod.objects.published()).first()
    revised_at = timezone.now().replace(microsecond=0) + HOUR

    with mock.patch("django.utils.timezone.now", return_value=revised_at):
        figure.latest += 1
        figure.save()
    entries = {entry.title: entry for entry in feeds.feed_entries(authority="opcc.example", now=revised_at)}

    assert entries[f"National Crime and Policing Measures: {figure.period}"].updated == revised_at
    assert entries["National Crime and Policing Measures figures"].updated == revised_at
    assert set(list(entries)[:2]) == {  # newest first
        f"National Crime and Policing Measures: {figure.period}",
        "National Crime and Policing Measures figures",
    }


def test_at_most_50_entries_newest_first(category):
    for day in range(1, 56):
        meeting(f"Panel meeting {day}", publish_at=PUBLISHED + datetime.timedelta(days=day))

    entries = feeds.feed_entries(authority="opcc.example")

    assert len(entries) == 50
    assert entries[0].title.startswith("Panel meeting 55,")
    assert entries[-1].title.startswith("Panel meeting 6,")


def test_the_feed_takes_the_same_queries_however_many_publications(client, category):
    document(category, "Decision 1")
    meeting("Panel meeting")
    with CaptureQueriesContext(connection) as few:
        first = client.get(FEED_URL)
    for number in range(2, 12):
        document(category, f"Decision {number}")
        meeting(f"Panel meeting {number}")
    with CaptureQueriesContext(connection) as many:
        again = client.get(FEED_URL)

    assert len(many) == len(few)
    assert len(entry_titles(ET.fromstring(first.content))) == 2
    titles = entry_titles(ET.fromstring(again.content))
    assert len(titles) == 22 and "Decision 11" in titles  # every publication, the newest included


def test_a_summary_is_shown_as_the_text_it_is(client, category):
    decision = document(category, "Decision 2023/14")
    Document.objects.filter(pk=decision.pk).update(summary="Fees <b>& charges</b>")

    summary = entry_named(feed(client), "Decision 2023/14").find(f"{ATOM}summary")

    assert summary.get("type") == "html"
    assert summary.text == "Fees &lt;b&gt;&amp; charges&lt;/b&gt;"


# --------------------------------------------------------------------------------------------
# The sitemap
# --------------------------------------------------------------------------------------------


def test_the_sitemap_lists_the_public_pages_with_their_lastmod(client, demo_data, category):
    accountability = meeting("PCC Accountability Meeting")
    LibraryPage.objects.create(slug="about", title="About us", summary="Who we are.", publish_at=PUBLISHED)

    listed = sitemap(client)

    site = "http://testserver"
    assert {
        f"{site}/document-library/",
        f"{site}/document-library/police-data/",
        f"{site}/document-library/police-data/999-calls/",
        f"{site}/document-library/police-data/ncpm/",
        f"{site}/document-library/police-data/data/",
        f"{site}/document-library/about/",
        f"{site}{accountability.get_absolute_url()}",
        f"{site}/document-library/category/test-decisions/",
    } <= set(listed)
    quarters = [f"{site}{period.get_absolute_url()}" for period in ReportingPeriod.objects.published()]
    assert quarters and set(quarters) <= set(listed)
    unknown = {address for address, lastmod in listed.items() if not lastmod}
    # Only a category nobody has changed since it was set up, with no public documents, has none.
    assert all("/category/" in address for address in unknown)
    assert f"{site}/document-library/category/test-decisions/" not in unknown
    assert not any("/documents/" in address for address in listed)  # pages only, not files
    assert len(listed) == len(set(listed))


def test_drafts_and_scheduled_pages_are_never_listed(client, category):
    later = timezone.now() + HOUR
    meeting("Draft meeting", publish_at=None)
    meeting("Scheduled meeting", publish_at=later)
    ReportingPeriod.objects.create(period_end=datetime.date(2023, 6, 30), publish_at=None)
    ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30), publish_at=later)
    LibraryPage.objects.create(slug="draft", title="Draft", summary="Not yet.")
    LibraryPage.objects.create(slug="soon", title="Soon", summary="Not yet.", publish_at=later)

    listed = " ".join(sitemap(client))

    for hidden in (
        "draft-meeting",
        "scheduled-meeting",
        "/ncpm/2023-",
        "/document-library/draft/",
        "/document-library/soon/",
    ):
        assert hidden not in listed


def test_a_pages_lastmod_is_its_last_change(client, category):
    accountability = meeting("PCC Accountability Meeting")
    revised_at = timezone.now() + datetime.timedelta(days=3)
    with mock.patch("django.utils.timezone.now", return_value=revised_at):
        accountability.summary = "Questions on 999 answering."
        accountability.save()

    assert sitemap(client)[f"http://testserver{accountability.get_absolute_url()}"] == str(
        timezone.localdate(revised_at)
    )


def test_a_categorys_lastmod_is_its_newest_public_document(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)
    ):
        category = DocumentCategory.objects.create(name="Test decisions", slug="test-decisions")
    document(
        category, "Decision 2024/02", publish_at=datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC)
    )
    document(category, "Draft decision", publish_at=None)

    assert sitemap(client)["http://testserver/document-library/category/test-decisions/"] == "2024-03-01"


def test_the_police_data_page_is_listed_once_at_its_own_address(client, db):
    LibraryPage.objects.create(
        slug="police-data",
        title="Police Data",
        summary="Figures.",
        template=LibraryPage.Template.POLICE_DATA,
        publish_at=PUBLISHED,
    )

    listed = list(sitemap(client))

    assert listed.count("http://testserver/document-library/police-data/") == 1


# --------------------------------------------------------------------------------------------
# Served like every public page
# --------------------------------------------------------------------------------------------


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    caching.forget_version()
    yield
    cache.clear()


@pytest.mark.parametrize("url", [FEED_URL, "/sitemap.xml"])
def test_anonymous_readers_get_a_stored_copy_that_follows_the_content_version(
    client, demo_data, category, page_cache, django_assert_num_queries, url
):
    document(category, "Decision 2023/14")
    first = client.get(url)
    caching.content_version(fresh=True)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content
    assert first["Last-Modified"] == http_date(caching.content_version().timestamp())

    meeting("PCC Accountability Meeting")  # publishing moves the content version

    assert b"pcc-accountability-meeting" in client.get(url).content
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_feed_answers_a_conditional_request_with_304(client, demo_data, category):
    document(category, "Decision 2023/14")
    first = client.get(FEED_URL)

    assert "Decision 2023/14" in entry_titles(ET.fromstring(first.content))  # the feed, with the entry
    assert client.get(FEED_URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(FEED_URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_scheduled_meeting_moves_the_content_version_when_its_time_comes(demo_data):
    import datetime

    from django.utils import timezone

    from performance.models import Meeting
    from performance.publishing.caching import content_version

    soon = timezone.now() + datetime.timedelta(hours=1)
    Meeting.objects.create(title="Police and Crime Panel", held_on=datetime.date(2030, 1, 1), publish_at=soon)
    before = content_version(fresh=True)
    assert before < soon

    with_time_passed = soon + datetime.timedelta(minutes=1)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=with_time_passed):
        assert content_version(fresh=True) == soon
