"""The document library's public pages: the index's sortable, paginated table of documents, its
filters, the category and meeting pages, and what the public never sees (drafts, scheduled and
future-dated documents)."""

import datetime
import html
import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.library import search
from performance.library.documents import DOCUMENT_KINDS
from performance.library.views import DOCUMENTS_PER_PAGE, FILE_TYPES, KIND_NAMES
from performance.models import Document, DocumentCategory, Force, Meeting, SiteSettings
from performance.publishing.caching import content_version
from tests.factories import PUBLISHED, staff
from tests.helpers import status_and_heading

LIBRARY = reverse("performance:library")
KINDS = ["pdf", "docx", "xlsx", "csv", "odt", "ods"]
STATES = {7: "draft", 8: "scheduled", 9: "future-dated"}  # by the document's number % 10
TODAY = datetime.date.today()


# --------------------------------------------------------------------------------------------
# A generated library
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One generated document, as the tests expect to see it."""

    number: int
    category: str  # slug
    kind: str  # file extension
    state: str  # published, draft, scheduled or future-dated
    published_on: datetime.date
    title: str
    summary: str
    text: str
    meeting_part: str = ""  # set for documents of the generated meeting

    @property
    def public(self) -> bool:
        return self.state == "published"

    @property
    def file_type(self) -> str:
        return next(key for key, (_, extensions) in FILE_TYPES.items() if self.kind in extensions)


def spec(number: int, categories: list[str]) -> Spec:
    """Categories, years, kinds and states vary independently enough that every filter and
    combination picks a different set. Every 5th document's text and every 7th's summary say
    "burglary"; the 11th's title does."""
    state = STATES.get(number % 10, "published")
    year = 2021 + (number // 3) % 3
    published_on = datetime.date(year, 1 + number % 12, 1 + number % 28)
    if state == "future-dated":
        published_on = TODAY + datetime.timedelta(days=60)
    return Spec(
        number=number,
        category=categories[number % len(categories)],
        kind=KINDS[(number // 2) % len(KINDS)],
        state=state,
        published_on=published_on,
        title=f"Generated document {number:03d}" + (" on burglary" if number == 11 else ""),
        summary="A summary about burglary." if number % 7 == 0 else "A routine summary.",
        text="The text mentions burglary prevention." if number % 5 == 0 else "Routine text.",
        meeting_part=["agenda", "papers", "minutes", ""][number % 4] if number % 8 < 4 else "",
    )


def publish_at(state: str):
    if state == "draft":
        return None
    if state == "scheduled":
        return timezone.now() + datetime.timedelta(days=7)
    return PUBLISHED


def generate(
    count: int, *, categories: list[DocumentCategory], meeting: Meeting | None = None, start: int = 0
):
    """``count`` documents in the database (bulk-created: their files need not exist to be
    listed), and their specs. Documents with a meeting part belong to ``meeting``."""
    by_slug = {category.slug: category for category in categories}
    specs = [spec(number, list(by_slug)) for number in range(start, start + count)]
    Document.objects.bulk_create(
        Document(
            title=s.title,
            summary=s.summary,
            text=s.text,
            file=f"documents/{s.published_on.year}/generated-{s.number:03d}.{s.kind}",
            category=by_slug[s.category],
            published_on=s.published_on,
            publish_at=publish_at(s.state),
            meeting=meeting if (meeting and s.meeting_part) else None,
            meeting_part=s.meeting_part if meeting else "",
        )
        for s in specs
    )
    if connection.vendor == "postgresql":
        Document.objects.update(search_vector=search.VECTOR, heading_vector=search.HEADING_VECTOR)
    return specs


def make_document(title: str, *, category, text: str = "", **fields) -> Document:
    """One document saved the way staff save it, with a real (tiny) PDF, and ``text`` as the
    words read from it."""
    fields = {"published_on": datetime.date(2023, 10, 19), "publish_at": PUBLISHED, **fields}
    document = Document.objects.create(
        title=title, category=category, file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="file.pdf"), **fields
    )
    if text:
        Document.objects.filter(pk=document.pk).update(text=text)
        document.text = text
        search.document_indexed(document)
    return document


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def categories(db):
    return [
        DocumentCategory.objects.create(
            name=name, slug=slug, description=f"{name}: generated for the tests.", order=100 + order
        )
        for order, (name, slug) in enumerate(
            [
                ("Annual reports", "annual-reports"),
                ("Board papers", "board-papers"),
                ("Statistics", "statistics"),
            ]
        )
    ]


@pytest.fixture
def meeting(db):
    return Meeting.objects.create(
        title="Police and Crime Panel",
        held_on=datetime.date(2023, 6, 14),
        publish_at=PUBLISHED,
        summary="The budget.",
    )


@pytest.fixture
def library(categories, meeting):
    """60 documents: 42 public (two pages), 18 draft, scheduled or dated in the future."""
    return generate(60, categories=categories, meeting=meeting)


# --------------------------------------------------------------------------------------------
# Reading the pages
# --------------------------------------------------------------------------------------------

DOCUMENT_LINK = re.compile(r'<a href="/document-library/documents/\d+/[^"]*">([^<]*)</a>')
HEADER = re.compile(r'<th scope="col" class="library-col-(\w+)"(?: aria-sort="(\w+)")?><a href="([^"]*)">')


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [html.unescape(title) for title in DOCUMENT_LINK.findall(response.content.decode())]


def headers(response) -> dict[str, tuple[str, str]]:
    """Each column's aria-sort ("" when none) and its sort link."""
    return {
        name: (aria_sort, html.unescape(href))
        for name, aria_sort, href in HEADER.findall(response.content.decode())
    }


def ordered(specs, *keys) -> list[str]:
    public = [s for s in specs if s.public]
    for key, descending in reversed(keys):  # sort by the least significant key first
        public.sort(key=key, reverse=descending)
    return [s.title for s in public]


NEWEST_FIRST = [(lambda s: s.published_on, True), (lambda s: s.title, False)]
CATEGORY_NAMES = {
    "annual-reports": "Annual reports",
    "board-papers": "Board papers",
    "statistics": "Statistics",
}


# --------------------------------------------------------------------------------------------
# The table: order, sorting, pages
# --------------------------------------------------------------------------------------------


def test_index_lists_public_documents_newest_first_25_to_a_page(client, library):
    expected = ordered(library, *NEWEST_FIRST)
    assert len(expected) == 42
    assert titles(client.get(LIBRARY)) == expected[:DOCUMENTS_PER_PAGE]
    assert titles(client.get(LIBRARY + "?page=2")) == expected[DOCUMENTS_PER_PAGE:]


@pytest.mark.parametrize(
    ("sort", "keys"),
    [
        ("title", [(lambda s: s.title, False)]),
        ("-title", [(lambda s: s.title, True)]),
        ("published", [(lambda s: s.published_on, False), (lambda s: s.title, False)]),
        ("-published", NEWEST_FIRST),
        ("category", [(lambda s: CATEGORY_NAMES[s.category], False), *NEWEST_FIRST]),
        ("-category", [(lambda s: CATEGORY_NAMES[s.category], True), *NEWEST_FIRST]),
    ],
)
def test_sorting_by_a_column_orders_every_page(client, library, sort, keys):
    expected = ordered(library, *keys)
    first = titles(client.get(f"{LIBRARY}?sort={sort}"))
    second = titles(client.get(f"{LIBRARY}?sort={sort}&page=2"))
    assert first + second == expected


def test_sorting_by_meeting_puts_documents_without_one_last_either_way(client, library):
    for sort in ("meeting", "-meeting"):
        listed = titles(client.get(f"{LIBRARY}?sort={sort}")) + titles(
            client.get(f"{LIBRARY}?sort={sort}&page=2")
        )
        in_meeting = {s.title for s in library if s.public and s.meeting_part}
        assert set(listed[: len(in_meeting)]) == in_meeting
        assert listed[len(in_meeting) :] == sorted(listed[len(in_meeting) :])  # then by title


def test_the_same_address_always_gives_the_same_page_and_pages_do_not_overlap(client, library):
    for sort in ("", "category", "-meeting"):
        pages = [titles(client.get(f"{LIBRARY}?sort={sort}&page={page}")) for page in (1, 2)]
        assert pages == [titles(client.get(f"{LIBRARY}?sort={sort}&page={page}")) for page in (1, 2)]
        assert sorted(pages[0] + pages[1]) == sorted(s.title for s in library if s.public)


@pytest.mark.parametrize("sort", ["bogus", "-", "text", "search_vector", "title,bogus", "-pk"])
def test_an_unknown_sort_falls_back_to_newest_first(client, library, sort):
    response = client.get(f"{LIBRARY}?sort={sort}")
    assert titles(response) == ordered(library, *NEWEST_FIRST)[:DOCUMENTS_PER_PAGE]
    assert headers(response)["published"][0] == "descending"


@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "1.5", "²", "99999999999999999999"])
def test_a_page_that_does_not_exist_is_not_found(client, library, page):
    assert status_and_heading(client.get(f"{LIBRARY}?page={page}")) == (404, "Not Found")


def test_only_the_sorted_column_has_aria_sort(client, library):
    assert headers(client.get(LIBRARY)) == {
        "title": ("", "?sort=title"),
        "category": ("", "?sort=category"),
        "meeting": ("", "?sort=-meeting"),
        "published": ("descending", "?sort=published"),
    }
    by_title = headers(client.get(f"{LIBRARY}?sort=title&page=2"))
    assert {name: aria for name, (aria, _) in by_title.items()} == {
        "title": "ascending",
        "category": "",
        "meeting": "",
        "published": "",
    }
    assert by_title["title"][1] == "?sort=-title"  # the sorted column's link reverses it, from page 1
    assert headers(client.get(f"{LIBRARY}?sort=-title"))["title"] == ("descending", "?sort=title")


def test_sort_links_keep_the_filters_and_say_what_they_do(client, library):
    response = client.get(f"{LIBRARY}?year=2022&type=pdf&page=1")
    assert headers(response)["title"][1] == "?year=2022&type=pdf&sort=title"
    page = response.content.decode()
    assert 'Title<span class="visually-hidden">, sort A to Z</span>' in page
    assert 'Published<span class="visually-hidden">, sort oldest first</span>' in page


def test_pagination_links_keep_the_sort_and_page_one_has_no_page_number(client, library):
    page = client.get(f"{LIBRARY}?sort=title&page=2").content.decode()
    assert '<a rel="prev" href="?sort=title">' in page
    assert '<a aria-current="page" href="?sort=title&amp;page=2">' in page
    assert "Showing 26 to 42 of 42 documents." in page
    assert (
        '<a rel="next" href="?sort=title&amp;page=2">' in client.get(f"{LIBRARY}?sort=title").content.decode()
    )


def test_the_table_is_in_a_labelled_scrollable_region(client, library):
    page = client.get(LIBRARY).content.decode()
    assert 'role="region" aria-labelledby="documents-caption" tabindex="0"' in page
    assert '<caption id="documents-caption">Documents</caption>' in page


def test_a_title_cell_says_what_kind_of_file_it_is(client, categories, media):
    make_document("Spending", category=categories[0], summary="What was spent.")
    page = client.get(LIBRARY).content.decode()
    assert '">Spending</a> <span class="library-kind">PDF</span>' in page
    assert '<span class="library-detail">What was spent.</span>' in page


def test_every_kind_of_document_is_in_exactly_one_type_of_file_and_has_a_name():
    covered = [extension for _, extensions in FILE_TYPES.values() for extension in extensions]
    assert sorted(covered) == sorted(DOCUMENT_KINDS)
    assert sorted(KIND_NAMES) == sorted(DOCUMENT_KINDS)


# --------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("category=board-papers", lambda s: s.category == "board-papers"),
        ("year=2022", lambda s: s.published_on.year == 2022),
        ("type=pdf", lambda s: s.kind == "pdf"),
        ("type=word", lambda s: s.kind == "docx"),
        ("type=spreadsheet", lambda s: s.kind in ("xlsx", "csv")),
        ("type=opendocument", lambda s: s.kind in ("odt", "ods")),
        (
            "category=statistics&year=2023",
            lambda s: s.category == "statistics" and s.published_on.year == 2023,
        ),
        (
            "category=annual-reports&type=spreadsheet&year=2021",
            lambda s: (
                s.category == "annual-reports" and s.kind in ("xlsx", "csv") and s.published_on.year == 2021
            ),
        ),
        ("category=&year=&type=&q=", lambda s: True),  # an empty form is no filter
    ],
)
def test_filters_list_exactly_the_matching_public_documents(client, library, query, wanted):
    expected = ordered([s for s in library if wanted(s)], *NEWEST_FIRST)
    response = client.get(f"{LIBRARY}?{query}")
    listed = titles(response)
    if len(expected) > DOCUMENTS_PER_PAGE:
        listed += titles(client.get(f"{LIBRARY}?{query}&page=2"))
    assert listed == expected
    assert expected, "each filter should pick something from the generated library"


def test_the_year_filter_offers_the_years_with_public_documents(client, library):
    assert offered_years(client.get(LIBRARY)) == ["2023", "2022", "2021"]  # none for a future-dated one


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("year=1850", "year", "Select a valid choice. 1850 is not one of the available choices."),
        ("year=abc", "year", "Select a valid choice. abc is not one of the available choices."),
        ("type=exe", "type", "Select a valid choice. exe is not one of the available choices."),
        ("category=no-such-category", "category", "no-such-category is not one of the available choices."),
        ("q=" + "x" * 201, "q", "Ensure this value has at most 200 characters (it has 201)."),
        ("q=a%00b", "q", "Null characters are not allowed."),
    ],
)
def test_an_invalid_filter_shows_an_error_and_no_documents(client, library, query, field, message):
    response = client.get(f"{LIBRARY}?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'aria-describedby="id_{field}_error" aria-invalid="true"' in page
    assert titles(response) == []
    assert "Correct the filter above to see documents." in page


def test_the_filter_form_works_without_javascript(client, library):
    page = client.get(f"{LIBRARY}?sort=-title").content.decode()
    start = page.index('<form class="library-filters" ')  # the documents' (the site's search comes first)
    form = page[start : page.index("</form>", start)]
    assert 'method="get" action="/document-library/"' in form
    for field in ("q", "category", "year", "type"):
        assert f'<label for="id_{field}">' in form and f'id="id_{field}"' in form
    assert '<input type="search" name="q"' in form
    assert '<input type="hidden" name="sort" value="-title">' in form  # the sort survives a search
    assert '<button type="submit">Show documents</button>' in form


def test_no_matches_says_so_without_a_table(client, library):
    page = client.get(f"{LIBRARY}?category=statistics&year=2021&type=pdf").content.decode()
    assert "No documents match these filters." in page
    assert "<table" not in page


# --------------------------------------------------------------------------------------------
# Category pages
# --------------------------------------------------------------------------------------------


def test_a_category_page_lists_its_public_documents_with_its_description(client, library):
    response = client.get(reverse("performance:library-category", args=["statistics"]))
    assert titles(response) == ordered([s for s in library if s.category == "statistics"], *NEWEST_FIRST)
    page = response.content.decode()
    assert "<h1>Statistics</h1>" in page
    assert '<p class="library-lead">Statistics: generated for the tests.</p>' in page
    assert 'id="id_category"' not in page  # the category is the page's
    assert '<caption id="documents-caption">Documents in Statistics</caption>' in page


def test_a_category_page_filters_and_sorts_too(client, library):
    url = reverse("performance:library-category", args=["board-papers"])
    expected = ordered(
        [s for s in library if s.category == "board-papers" and s.kind == "pdf"], (lambda s: s.title, True)
    )
    assert titles(client.get(f"{url}?type=pdf&sort=-title")) == expected


def test_an_unknown_category_is_not_found(client, library):
    response = client.get(reverse("performance:library-category", args=["no-such-category"]))
    assert status_and_heading(response) == (404, "Not Found")


# --------------------------------------------------------------------------------------------
# Meeting pages
# --------------------------------------------------------------------------------------------


def test_a_meeting_page_groups_its_public_documents_by_part(client, library, meeting):
    response = client.get(meeting.get_absolute_url())
    page = response.content.decode()
    assert "<h1>Police and Crime Panel</h1>" in page
    assert '<time datetime="2023-06-14">Wednesday 14 June 2023</time>' in page
    assert "<p>The budget.</p>" in page
    headings = re.findall(r"<h2>(\w+)</h2>", page)
    assert headings == ["Agenda", "Papers", "Minutes"]
    sections = re.split(r"<h2>\w+</h2>", page)[1:]
    for heading, section in zip(headings, sections, strict=True):
        expected = ordered([s for s in library if s.meeting_part == heading.lower()], *NEWEST_FIRST)
        assert [html.unescape(t) for t in DOCUMENT_LINK.findall(section)] == expected


def test_a_meeting_document_without_a_part_is_under_other(client, categories, meeting, media):
    make_document("Attendance", category=categories[0], meeting=meeting)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert re.findall(r"<h2>(\w+)</h2>", page) == ["Other"]


def test_a_meeting_without_public_documents_says_so(client, meeting):
    assert (
        "No documents have been published for this meeting yet."
        in client.get(meeting.get_absolute_url()).content.decode()
    )


def test_an_unknown_draft_or_scheduled_meeting_is_not_found(client, db):
    response = client.get(reverse("performance:library-meeting", args=["no-such-meeting"]))
    assert status_and_heading(response) == (404, "Not Found")
    for publish in (None, timezone.now() + datetime.timedelta(days=1)):
        hidden = Meeting.objects.create(
            title="Private", held_on=datetime.date(2024, 1, 9), publish_at=publish
        )
        response = client.get(hidden.get_absolute_url())
        assert status_and_heading(response) == (404, "Not Found")
        assert "Private" not in response.content.decode()
        hidden.delete()


def test_staff_preview_shows_a_draft_meeting_and_its_draft_documents(
    client, django_user_model, categories, media
):
    draft = Meeting.objects.create(title="Draft panel", held_on=datetime.date(2024, 1, 9))
    make_document(
        "Draft agenda", category=categories[0], meeting=draft, meeting_part="agenda", publish_at=None
    )
    client.force_login(staff(django_user_model, None))
    page = client.get(draft.get_absolute_url() + "?preview=1").content.decode()
    assert "Draft agenda" in page and "preview-banner" in page
    assert client.get(draft.get_absolute_url()).status_code == 404  # without ?preview=1


def test_the_table_names_a_meeting_only_once_it_is_public(client, categories, media):
    draft = Meeting.objects.create(title="Draft panel", held_on=datetime.date(2024, 1, 9))
    make_document("Public paper", category=categories[0], meeting=draft, meeting_part="papers")
    page = client.get(LIBRARY).content.decode()
    assert "Public paper" in page and "Draft panel" not in page
    draft.publish_at = PUBLISHED
    draft.save()
    page = client.get(LIBRARY).content.decode()
    assert f'<a href="{draft.get_absolute_url()}">Draft panel, 9 January 2024</a>' in page


# --------------------------------------------------------------------------------------------
# Never public before its time
# --------------------------------------------------------------------------------------------


def test_drafts_scheduled_and_future_dated_documents_are_never_public(client, categories, meeting, media):
    hidden = [
        make_document(
            f"Hidden {name} burglary report",
            category=categories[0],
            meeting=meeting,
            meeting_part="papers",
            **fields,
        )
        for name, fields in [
            ("draft", {"publish_at": None}),
            ("scheduled", {"publish_at": timezone.now() + datetime.timedelta(hours=1)}),
            ("future-dated", {"published_on": TODAY + datetime.timedelta(days=1)}),
        ]
    ]
    make_document("Public burglary report", category=categories[0], meeting=meeting, meeting_part="papers")
    urls = [
        LIBRARY,
        f"{LIBRARY}?q=burglary",
        f"{LIBRARY}?q=hidden",
        f"{LIBRARY}?category=annual-reports&type=pdf",
        f"{LIBRARY}?sort=title",
        categories[0].get_absolute_url(),
        categories[0].get_absolute_url() + "?q=report",
        meeting.get_absolute_url(),
    ]
    for url in urls:
        page = client.get(url).content.decode()
        assert "Hidden" not in page, url
    assert titles(client.get(f"{LIBRARY}?q=burglary")) == ["Public burglary report"]
    for document in hidden:
        assert client.get(document.get_absolute_url()).status_code == 404


# --------------------------------------------------------------------------------------------
# The page around the table
# --------------------------------------------------------------------------------------------


def test_the_index_links_the_atom_feed_and_the_library_pages(client, library):
    page = client.get(LIBRARY).content.decode()
    feed = reverse("performance:feed")
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Atom feed of new and revised publications" '
        f'href="{feed}">' in page
    )
    assert (
        f'<a href="{feed}" type="application/atom+xml">Atom feed of new and revised publications</a>' in page
    )
    assert '<link rel="stylesheet" href="/static/css/library.css">' in page


def test_the_page_title_names_the_search_and_the_page(client, library):
    page = client.get(f"{LIBRARY}?q=burglary&page=1").content.decode()
    assert "<title>Document library: search results for “burglary”" in page
    assert "<title>Document library (page 2 of 2) |" in client.get(f"{LIBRARY}?page=2").content.decode()


def test_each_address_is_cached_as_its_own_page(client, library, settings):
    """The public page cache keys pages by their full address, query string included."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    by_title = ordered(library, (lambda s: s.title, False))
    for _ in range(2):  # stored, then answered from the cache
        assert titles(client.get(f"{LIBRARY}?sort=title")) == by_title[:DOCUMENTS_PER_PAGE]
        assert titles(client.get(f"{LIBRARY}?sort=-title")) == by_title[::-1][:DOCUMENTS_PER_PAGE]
        assert titles(client.get(f"{LIBRARY}?sort=title&page=2")) == by_title[DOCUMENTS_PER_PAGE:]
    cache.clear()


def test_the_year_choices_are_kept_for_the_content_version_when_pages_are_cached(
    client, categories, settings, media
):
    """A page not yet in the cache (a new search, say) need not read every document's date again;
    a change to the content moves the version, and the choices with it."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    force = Force.objects.create(name="Testshire", full_name="Testshire Police")
    SiteSettings.objects.create(office_name="Office of the PCC for Testshire", home_force=force)
    make_document("Old report", category=categories[0], published_on=datetime.date(2019, 5, 1))
    content_version(fresh=True)
    assert offered_years(client.get(f"{LIBRARY}?sort=title")) == ["2019"]
    with CaptureQueriesContext(connection) as queries:
        assert offered_years(client.get(f"{LIBRARY}?sort=-title")) == ["2019"]
    assert not [query for query in queries if "EXTRACT" in query["sql"].upper()]
    make_document("New report", category=categories[0], published_on=datetime.date(2023, 5, 1))
    assert offered_years(client.get(f"{LIBRARY}?sort=published")) == ["2023", "2019"]
    cache.clear()


def offered_years(response) -> list[str]:
    return re.findall(r'<option value="(\d{4})"', response.content.decode())


# --------------------------------------------------------------------------------------------
# Queries: a fixed number however many documents
# --------------------------------------------------------------------------------------------


# On PostgreSQL a search's matches are found in a transaction of their own, which tells the
# planner to use the text index (``search.text_index_used()``): in a test, a savepoint, the
# SET LOCAL, and the rollback to the savepoint and its release.
SEARCH_PLAN = 4 if connection.vendor == "postgresql" else 0


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        (LIBRARY, 6),
        (f"{LIBRARY}?category=board-papers&year=2022&type=pdf&sort=-meeting&page=1", 6),
        (f"{LIBRARY}?q=burglary", 6 + SEARCH_PLAN),
        (
            reverse("performance:library-category", args=["statistics"]) + "?q=burglary&sort=title",
            5 + SEARCH_PLAN,
        ),
    ],
)
def test_the_queries_do_not_grow_with_the_documents(
    client, categories, meeting, django_assert_num_queries, url, queries
):
    first = generate(30, categories=categories, meeting=meeting)
    content_version(fresh=True)  # read once a second: not part of the page's own queries
    with django_assert_num_queries(queries):
        response = client.get(url)
    few = titles(response)  # the documents listed, which are the generated ones
    assert few and set(few) <= {s.title for s in first if s.public}
    more = first + generate(270, categories=categories, meeting=meeting, start=30)
    content_version(fresh=True)
    with django_assert_num_queries(queries):
        response = client.get(url)
    many = titles(response)
    assert len(many) > len(few) and set(many) <= {s.title for s in more if s.public}


def test_the_meeting_page_queries_do_not_grow_with_its_documents(
    client, categories, meeting, django_assert_num_queries
):
    specs = generate(30, categories=categories, meeting=meeting)
    content_version(fresh=True)
    with django_assert_num_queries(3):
        response = client.get(meeting.get_absolute_url())
    assert sorted(titles(response)) == sorted(s.title for s in specs if s.public and s.meeting_part)
    specs += generate(270, categories=categories, meeting=meeting, start=30)
    content_version(fresh=True)
    with django_assert_num_queries(3):
        response = client.get(meeting.get_absolute_url())
    assert sorted(titles(response)) == sorted(s.title for s in specs if s.public and s.meeting_part)


def test_a_library_page_lists_its_linked_documents_that_are_public(client, demo_data, settings, tmp_path):
    from django.core.files.base import ContentFile

    from performance.models import DocumentCategory, LibraryPage
    from tests.factories import PUBLISHED

    settings.MEDIA_ROOT = tmp_path
    page = LibraryPage.objects.filter(template=LibraryPage.Template.PLAIN).first()
    other = DocumentCategory.objects.get(slug="other")
    public, draft = (
        Document.objects.create(
            title=title,
            file=ContentFile(b"%PDF-1.4\n", name=f"{n}.pdf"),
            published_on="2023-10-19",
            category=other,
            publish_at=when,
        )
        for n, (title, when) in enumerate([("Linked annual report", PUBLISHED), ("Linked draft", None)])
    )
    page.documents.set([public, draft])

    text = client.get(page.get_absolute_url()).content.decode()

    assert "Linked annual report" in text and public.get_absolute_url() in text
    assert "Linked draft" not in text
