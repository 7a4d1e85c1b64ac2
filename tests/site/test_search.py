"""The site's search: every kind of public content found by its own words, with its kind and
link; drafts and scheduled content never; title matches before summary and text matches across
kinds; the demo data's searches; pages of results; and a fixed number of queries.

Run on SQLite (a plain match of every word) and on PostgreSQL (full-text search: set
DATABASE_URL); the tests of what only full-text search does are marked ``postgresql``.
"""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from performance.models import (
    CallAnswerMonth,
    CommissionerStatement,
    Document,
    DocumentCategory,
    Force,
    LibraryPage,
    Measure,
    MeasureFigure,
    Meeting,
    PageSection,
    PriorityArea,
    PriorityAreaCommentary,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingPeriod,
    SiteSettings,
)
from performance.site import search
from tests.factories import PUBLISHED
from tests.library import test_library
from tests.library.test_library import make_document

media = test_library.media  # uploaded files go to a temporary folder

SEARCH = reverse("performance:search")
RESULT = re.compile(
    r'<h2 class="search-result-title"><a href="(?P<url>[^"]*)">(?P<title>.*?)</a></h2>\s*'
    r'<p class="search-result-kind">(?P<kind>.*?)</p>\s*'
    r'(?:<p class="search-result-snippet">(?P<snippet>.*?)</p>)?',
    re.S,
)
FUTURE = timezone.now() + datetime.timedelta(days=30)


def results(client, words: str, **query) -> list[dict]:
    """The results the search page lists for ``words``, in order: title, kind, link, snippet."""
    response = client.get(SEARCH, {"q": words, **query})
    assert response.status_code == 200
    return [
        {
            key: html.unescape(value or "") if key != "snippet" else (value or "")
            for key, value in m.groupdict().items()
        }
        for m in RESULT.finditer(response.content.decode())
    ]


def found(client, words: str) -> list[tuple[str, str, str]]:
    return [(result["kind"], result["title"], result["url"]) for result in results(client, words)]


@pytest.fixture
def category(db):
    return DocumentCategory.objects.create(name="Reports", slug="reports")


def page(title="A page", *, slug="a-page", publish_at=PUBLISHED, **fields):
    return LibraryPage.objects.create(
        title=title, slug=slug, summary=fields.pop("summary", "A page."), publish_at=publish_at, **fields
    )


# --------------------------------------------------------------------------------------------
# Each kind, found by a word only it has, with its kind and link; never as a draft
# --------------------------------------------------------------------------------------------


def test_a_page_is_found_by_words_in_its_intro_body_and_sections_not_its_tags(client, db):
    library_page = page(
        "Victims' services",
        intro="<p>Support for <strong>kingfisher</strong> victims.</p>",
        body="<ul><li>The <em>heron</em> scheme</li></ul>",
    )
    PageSection.objects.create(
        page=library_page, slot="reporting", heading="Otters", body="<p>The osprey line.</p>"
    )
    url = reverse("performance:library-page", args=["a-page"])
    for word in ("kingfisher", "heron", "otters", "osprey", "victims"):
        assert found(client, word) == [("Page", "Victims' services", url)], word
    assert found(client, "strong") == []  # a tag, not a word of the page
    assert found(client, "ul") == []


def test_the_police_data_page_links_to_its_own_address(client, db):
    page("Police Data", slug="police-data", template=LibraryPage.Template.POLICE_DATA, body="<p>Figures.</p>")
    assert found(client, "police data") == [("Page", "Police Data", reverse("performance:police-data"))]


def test_a_meeting_is_found_by_its_title_and_summary(client, db):
    meeting = Meeting.objects.create(
        title="Pelican Panel",
        held_on=datetime.date(2024, 3, 5),
        summary="The puffin budget.",
        publish_at=PUBLISHED,
    )
    expected = [("Meeting", "Pelican Panel, 5 March 2024", meeting.get_absolute_url())]
    assert found(client, "pelican") == expected
    assert found(client, "puffin") == expected


def test_a_document_is_found_by_its_title_summary_and_text(client, media, category):
    document = make_document(
        "Avocet report", category=category, summary="On lapwings.", text="Curlew figures."
    )
    expected = [("Document", "Avocet report", document.get_absolute_url())]
    for word in ("avocet", "lapwings", "curlew"):
        assert found(client, word) == expected, word


def test_a_quarter_is_found_by_its_measures_priority_areas_commentary_and_statement(client, db):
    period = ncpm_quarter(datetime.date(2024, 3, 31), publish_at=PUBLISHED)
    expected = [
        (
            "NCPM quarter",
            "National Crime and Policing Measures: 12 months to 31 March 2024",
            period.get_absolute_url(),
        )
    ]
    for word in ("wagtail", "nuthatch", "treecreeper", "bittern", "dunnock"):
        assert found(client, word) == expected, word
    assert found(client, "blockquote") == []


def test_the_999_archive_is_found_by_its_years_and_its_words(client, demo_data):
    archive = reverse("performance:calls-999-archive")
    years = CallAnswerMonth.objects.published().dates("month", "year")
    assert years
    for words in ("999 calls", "answering", str(years[0].year)):
        assert ("999 calls archive", "999 call performance data, every year", archive) in found(
            client, words
        ), words


def test_the_ons_headline_is_found_by_its_period_and_recorded_crime(client, demo_data):
    latest = RecordedCrimePeriod.objects.published().first()
    expected = (
        "ONS recorded crime",
        f"Police recorded crime, year ending {latest.period_end:%B %Y}",
        reverse("performance:police-data") + "#ons",
    )
    assert found(client, "recorded crime")[0] == expected
    assert expected in found(client, f"year ending {latest.period_end:%B %Y}")


def ncpm_quarter(period_end, *, publish_at) -> ReportingPeriod:
    """A quarter with a measure of its own (Wagtail thefts, in the Nuthatch priority area), a
    commentary (treecreeper) in another area (Bittern) and a statement (dunnock)."""
    area = PriorityArea.objects.create(name=f"Nuthatch {period_end:%Y%m}", order=90)
    measure = Measure.objects.create(name=f"Wagtail thefts {period_end:%Y%m}", priority_area=area)
    period = ReportingPeriod.objects.create(period_end=period_end, publish_at=publish_at)
    MeasureFigure.objects.create(period=period, measure=measure, latest=Decimal(10), previous=Decimal(12))
    other = PriorityArea.objects.create(name=f"Bittern {period_end:%Y%m}", order=91)
    PriorityAreaCommentary.objects.create(
        period=period, priority_area=other, body="<blockquote><p>A <b>treecreeper</b> note.</p></blockquote>"
    )
    CommissionerStatement.objects.create(period=period, body="<p>The dunnock statement.</p>")
    return period


def draft_of_each_kind(category):
    """One draft of each kind, each with the word "zzyzx" (the 999 month: its year, 2031)."""
    force_month = CallAnswerMonth.objects.published().order_by("-month").first()
    month = CallAnswerMonth.objects.get(pk=force_month.pk)
    month.pk, month.month, month.publish_at = None, datetime.date(2031, 1, 1), None
    month.save()
    latest = RecordedCrimePeriod.objects.published().first()
    ons = RecordedCrimePeriod.objects.create(
        period_end=datetime.date(2031, 3, 31), published_on=datetime.date(2031, 4, 20)
    )
    figure = RecordedCrimeFigure.objects.get(period=latest, force=SiteSettings.objects.get().home_force)
    figure.pk, figure.period = None, ons
    figure.save()
    return {
        "Page": page("Zzyzx page", slug="zzyzx", publish_at=None),
        "Meeting": Meeting.objects.create(title="Zzyzx panel", held_on=datetime.date(2031, 1, 9)),
        "Document": make_document("Zzyzx report", category=category, publish_at=None),
        "NCPM quarter": ReportingPeriod.objects.create(period_end=datetime.date(2031, 3, 31)),
        "999 calls archive": month,
        "ONS recorded crime": ons,
    }


def test_drafts_and_scheduled_content_of_every_kind_are_never_found_until_published(client, media, demo_data):
    category = DocumentCategory.objects.first()
    drafts = draft_of_each_kind(category)
    quarter = drafts["NCPM quarter"]
    PriorityAreaCommentary.objects.create(
        period=quarter, priority_area=PriorityArea.objects.first(), body="<p>A zzyzx note.</p>"
    )
    searches = {"999 calls archive": "2031", "ONS recorded crime": "March 2031"}

    def kinds_found():
        return {
            kind
            for kind in drafts
            for result_kind, title, _ in found(client, searches.get(kind, "zzyzx"))
            if result_kind == kind and (kind != "ONS recorded crime" or "2031" in title)
        }

    assert kinds_found() == set()
    for row in drafts.values():
        type(row).objects.filter(pk=row.pk).update(publish_at=FUTURE)  # scheduled: not yet public
    assert kinds_found() == set()
    for row in drafts.values():
        type(row).objects.filter(pk=row.pk).update(publish_at=PUBLISHED)
    assert kinds_found() == set(drafts)


def test_a_document_dated_in_the_future_is_not_found(client, media, category):
    make_document(
        "Zzyzx report", category=category, published_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    assert found(client, "zzyzx") == []


# --------------------------------------------------------------------------------------------
# Order, extracts and pages
# --------------------------------------------------------------------------------------------


def test_title_matches_come_before_summary_matches_before_text_matches_across_kinds(client, media, category):
    # The newest mentions are in text only, the oldest in titles.
    page("Road safety", slug="roads", body="<p>The egret plan.</p>", publish_at=PUBLISHED)
    make_document(
        "Annual report", category=category, summary="Our egret work.", published_on=datetime.date(2023, 5, 1)
    )
    make_document("Spending", category=category, text="egret money", published_on=datetime.date(2023, 9, 1))
    make_document("Egret review", category=category, published_on=datetime.date(2019, 1, 1))
    Meeting.objects.create(title="Egret panel", held_on=datetime.date(2020, 1, 8), publish_at=PUBLISHED)
    order = [(kind, title) for kind, title, _ in found(client, "egret")]
    assert set(order[:2]) == {("Meeting", "Egret panel, 8 January 2020"), ("Document", "Egret review")}
    assert order[2:] == [
        ("Document", "Annual report"),
        ("Page", "Road safety"),  # text matches: newest first
        ("Document", "Spending"),
    ]


def test_each_result_has_an_extract_with_the_words_marked_and_text_escaped(client, db):
    page("Safety", body="<p>Figures &lt;script&gt; show that the ibis scheme worked.</p>")
    (result,) = results(client, "ibis")
    assert "<mark>ibis</mark>" in result["snippet"]
    assert "&lt;script&gt;" in result["snippet"] and "<script>" not in result["snippet"]


def test_results_come_in_pages_of_25_in_one_order_without_repeats(client, media, category):
    for number in range(20):
        make_document(
            f"Plover report {number}", category=category, published_on=datetime.date(2023, 1, 1 + number)
        )
    for number in range(12):
        Meeting.objects.create(
            title=f"Panel {number}",
            held_on=datetime.date(2022, 1, 1 + number),
            summary="Plover.",
            publish_at=PUBLISHED,
        )
    first, second = results(client, "plover"), results(client, "plover", page=2)
    assert len(first) == search.RESULTS_PER_PAGE and len(second) == 32 - search.RESULTS_PER_PAGE
    titles = [result["title"] for result in first + second]
    assert len(set(titles)) == 32
    # Titles first (the documents, newest first), then the meetings' summaries, newest first.
    assert titles[:20] == [f"Plover report {number}" for number in reversed(range(20))]
    assert titles[20:] == [f"Panel {number}, {1 + number} January 2022" for number in reversed(range(12))]
    page_two = client.get(SEARCH, {"q": "plover", "page": 2}).content.decode()
    assert "Showing 26 to 32 of 32 results for “plover”" in page_two
    assert client.get(SEARCH, {"q": "plover", "page": 3}).status_code == 404
    assert client.get(SEARCH, {"q": "plover", "page": "x"}).status_code == 404


def test_a_search_that_finds_nothing_says_so(client, db):
    body = client.get(SEARCH, {"q": "unicorn"}).content.decode()
    assert "Nothing matches “unicorn”. Try other or fewer words." in body
    assert "search-results" not in body


@pytest.mark.parametrize(
    "words", ['"unfinished quote', "!!! & | ( ) :*", "-", "or or", "'; drop table --", "é ü ß 日本"]
)
def test_odd_searches_are_answered_not_errors(client, demo_data, words):
    assert client.get(SEARCH, {"q": words}).status_code == 200


def test_a_search_too_long_is_an_error_the_reader_can_correct(client, db):
    body = client.get(SEARCH, {"q": "x" * 201}).content.decode()
    assert 'id="site-q-error"' in body and 'aria-describedby="site-q-error"' in body
    assert "Correct the search above to see results." in body


def test_the_library_offers_the_site_search(client, db):
    body = client.get(reverse("performance:library")).content.decode()
    assert f'action="{SEARCH}"' in body and 'aria-label="Search the site"' in body


def test_a_document_search_that_finds_nothing_offers_the_site_search(client, db):
    page("Police Data", slug="police-data", template=LibraryPage.Template.POLICE_DATA)
    body = client.get(reverse("performance:library"), {"q": "police data & more"}).content.decode()
    link = re.search(r'<a href="([^"]*)">search the pages, figures and meetings too</a>', body)
    assert link and html.unescape(link[1]) == f"{SEARCH}?q=police%20data%20%26%20more"
    assert found(client, "police data") == [("Page", "Police Data", reverse("performance:police-data"))]


# --------------------------------------------------------------------------------------------
# The demo data
# --------------------------------------------------------------------------------------------


def test_police_data_finds_the_police_data_page_first(client, demo_data):
    assert found(client, "police data")[0] == ("Page", "Police Data", reverse("performance:police-data"))


def test_burglary_finds_the_quarters_that_count_it(client, demo_data):
    quarters = (
        ReportingPeriod.objects.published().filter(figures__measure__name__icontains="burglary").distinct()
    )
    assert quarters
    expected = {("NCPM quarter", period.get_absolute_url()) for period in quarters}
    assert expected <= {(kind, url) for kind, _, url in found(client, "burglary")}


def test_999_finds_the_archive_first_and_the_police_data_page(client, demo_data):
    results_999 = found(client, "999")
    assert results_999[0] == (
        "999 calls archive",
        "999 call performance data, every year",
        reverse("performance:calls-999-archive"),
    )
    assert ("Page", "Police Data", reverse("performance:police-data")) in results_999
    documents = {title for kind, title, _ in results_999 if kind == "Document"}
    assert documents == {
        d.title for d in Document.objects.published() if "999" in f"{d.title} {d.summary} {d.text}"
    }


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def more_content(category, number: int) -> None:
    for n in range(number):
        page(f"Plover page {n}", slug=f"plover-{n}", body="<p>plover</p>")
        Meeting.objects.create(
            title=f"Plover panel {n}", held_on=datetime.date(2022, 1, 1 + n), publish_at=PUBLISHED
        )
        make_document(f"Plover report {n}", category=category, text="plover")
        ncpm_quarter(datetime.date(1990 + n, 3, 31), publish_at=PUBLISHED)


# The office's settings (three, as every page), the pages and their sections, the 999 years, the
# quarters with their figures and commentaries, the ONS headline, the meetings; the documents'
# page (with the count), the page's documents with their extracts; one more on PostgreSQL for the
# other kinds' matches, and four to use the text index (``library.search.text_index_used``).
QUERIES = 13 if connection.vendor == "sqlite" else 18


@pytest.mark.parametrize("number", [2, 20])
def test_a_search_runs_a_fixed_number_of_queries_however_much_it_finds(
    client, media, demo_data, django_assert_max_num_queries, number
):
    more_content(DocumentCategory.objects.first(), number)
    client.get(SEARCH, {"q": "plover"})  # the session, the settings: as every page
    with django_assert_max_num_queries(QUERIES):
        response = client.get(SEARCH, {"q": "plover"})
    assert len(RESULT.findall(response.content.decode())) == min(25, 3 * number)
    with django_assert_max_num_queries(QUERIES):
        client.get(SEARCH, {"q": "wagtail", "page": 1})


# --------------------------------------------------------------------------------------------
# Only full-text search
# --------------------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_full_text_search_finds_other_forms_of_a_word_in_every_kind(client, media, category):
    page("Safety", body="<p>Burglaries fell.</p>")
    Meeting.objects.create(
        title="Panel", held_on=datetime.date(2024, 1, 9), summary="On burglaries.", publish_at=PUBLISHED
    )
    make_document("Report", category=category, text="Burglaries in the county.")
    assert {kind for kind, _, _ in found(client, "burglary")} == {"Page", "Meeting", "Document"}


@pytest.mark.postgresql
def test_full_text_search_understands_web_search_syntax_across_kinds(client, media, category):
    page("Safety", body="<p>Rural crime and burglary.</p>")
    Meeting.objects.create(
        title="Panel", held_on=datetime.date(2024, 1, 9), summary="Rural crime.", publish_at=PUBLISHED
    )
    make_document("Report", category=category, text="rural burglary")
    assert {title for _, title, _ in found(client, '"rural crime" -burglary')} == {"Panel, 9 January 2024"}


def test_with_the_page_cache_on_a_publication_and_a_withdrawal_show_at_once(client, db, settings):
    """What is searched besides documents is kept for the content version, which each change moves."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    force = Force.objects.create(name="Testshire", full_name="Testshire Police")
    SiteSettings.objects.create(office_name="Office of the PCC for Testshire", home_force=force)
    meeting = Meeting.objects.create(title="Zzyzx panel", held_on=datetime.date(2024, 1, 9))
    assert found(client, "zzyzx") == []
    meeting.publish_at = timezone.now()
    meeting.save()
    assert found(client, "zzyzx") == [("Meeting", "Zzyzx panel, 9 January 2024", meeting.get_absolute_url())]
    assert found(client, "zzyzx") == [("Meeting", "Zzyzx panel, 9 January 2024", meeting.get_absolute_url())]
    meeting.publish_at = None
    meeting.save()
    assert found(client, "zzyzx") == []
    cache.clear()
