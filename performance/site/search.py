"""The site's search: one ranked list of everything public — the library's pages (the Police Data
page among them), the 999 archive, the NCPM quarters, the ONS recorded crime headline, meetings
and documents.

Documents are many and searched in the database as the library searches them
(``library.search``). Everything else is a few hundred entries at most: ``public_entries()``
reads them from published rows only, in a fixed number of queries, as plain text (rich text
without its tags), kept for the content version; ``entries_matching()`` then matches them in
one query on PostgreSQL (the same full-text search and weights as documents: title A, summary B,
text C) or with a plain case-insensitive match on SQLite. ``SiteSearchPaginator`` merges the two
into pages: title matches first, then summary matches, then text matches, across kinds.
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass

from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Window
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString

from performance.calls.models import CallAnswerMonth
from performance.crime.models.ncpm import MeasureFigure, PriorityAreaCommentary, ReportingPeriod
from performance.crime.models.recorded_crime import RecordedCrimeFigure
from performance.forces.models import SiteSettings
from performance.library import search
from performance.library.models import Document, LibraryPage, Meeting, PageSection
from performance.publishing.caching import kept_for_the_content_version

RESULTS_PER_PAGE = 25

# Each kind of result, in words, in the order results of equal standing are listed.
PAGE = "Page"
CALLS_999 = "999 calls archive"
NCPM_QUARTER = "NCPM quarter"
ONS = "ONS recorded crime"
MEETING = "Meeting"
DOCUMENT = "Document"
KINDS = (PAGE, CALLS_999, NCPM_QUARTER, ONS, MEETING, DOCUMENT)

# The headings the Police Data page gives its sections when staff give none
# (templates/performance/includes/police_data_body.html): words a reader sees on the page.
POLICE_DATA_HEADINGS = (
    "999 Call Performance Data",
    "Office for National Statistics",
    "National Crime and Policing Measures",
    "Reporting Crime",
)

_TAG = re.compile(r"<[^>]*>")


def plain_text(rich_text: str) -> str:
    """The words of rich text (cleaned HTML) without its tags, entities read, spaces collapsed.

    >>> plain_text('<p>Crime <strong>fell</strong> &amp; rose.</p><ul><li>Burglary</li></ul>')
    'Crime fell & rose. Burglary'
    """
    return " ".join(html.unescape(_TAG.sub(" ", rich_text or "")).split())


@dataclass(frozen=True)
class Entry:
    """Something public a search can find, other than a document: its words as a reader sees them."""

    kind: str
    title: str
    summary: str
    text: str
    url: str
    date: datetime.date
    pk: int


@dataclass(frozen=True)
class Result:
    """A result as the search page lists it."""

    kind: str
    title: str
    url: str
    snippet: SafeString
    key: tuple  # the order of the merged list: (tier, -rank, -date, kind, pk)


def sort_key(*, tier: int, rank: float, date: datetime.date, kind: str, pk: int) -> tuple:
    return (tier, -rank, -date.toordinal(), KINDS.index(kind), pk)


# --------------------------------------------------------------------------------------------
# What can be found besides documents, from published rows only
# --------------------------------------------------------------------------------------------


def page_entries() -> list[Entry]:
    """The library's published pages: title, summary, intro, body and sections (two queries)."""
    pages = LibraryPage.objects.published().prefetch_related(
        Prefetch("sections", queryset=PageSection.objects.order_by("slot", "order"))
    )
    entries = []
    for page in pages:
        parts = [plain_text(page.intro), plain_text(page.body)]
        if page.template == LibraryPage.Template.POLICE_DATA:
            parts.extend(POLICE_DATA_HEADINGS)
        for section in page.sections.all():
            parts += [section.heading, plain_text(section.body)]
        entries.append(
            Entry(
                kind=PAGE,
                title=page.title,
                summary=page.summary,
                text=" ".join(part for part in parts if part),
                url=page.get_absolute_url(),
                date=page.publish_at.date(),
                pk=page.pk,
            )
        )
    return entries


def calls_999_entries(settings: SiteSettings | None) -> list[Entry]:
    """The 999 archive, once the home force has a published month: its years (one query)."""
    if settings is None:
        return []
    force = settings.home_force
    months = CallAnswerMonth.objects.published().filter(force=force).dates("month", "year", order="DESC")
    if not months:
        return []
    return [
        Entry(
            kind=CALLS_999,
            title="999 call performance data, every year",
            summary=f"How quickly {force.full_name} answered 999 calls, month by month.",
            text="999 call answering, every year: " + ", ".join(str(month.year) for month in months),
            url=reverse("performance:calls-999-archive"),
            date=months[0],
            pk=0,
        )
    ]


def ncpm_entries() -> list[Entry]:
    """The published NCPM quarters: their priority areas, measures, commentaries and the
    Commissioner's statement (three queries)."""
    periods = (
        ReportingPeriod.objects.published()
        .select_related("statement")
        .prefetch_related(
            Prefetch(
                "figures",
                queryset=MeasureFigure.objects.select_related("measure__priority_area").order_by(
                    "measure__priority_area__order", "measure__order", "measure__name"
                ),
            ),
            Prefetch(
                "commentaries",
                queryset=PriorityAreaCommentary.objects.select_related("priority_area").order_by(
                    "priority_area__order"
                ),
            ),
        )
    )
    entries = []
    for period in periods:
        areas = dict.fromkeys(figure.measure.priority_area.name for figure in period.figures.all())
        parts = [figure.measure.name for figure in period.figures.all()]
        for commentary in period.commentaries.all():
            areas.setdefault(commentary.priority_area.name)
            parts += [commentary.priority_area.name, plain_text(commentary.body)]
        statement = getattr(period, "statement", None)
        if statement is not None:
            parts += [statement.title, plain_text(statement.body)]
        entries.append(
            Entry(
                kind=NCPM_QUARTER,
                title="National Crime and Policing Measures: 12 months to "
                f"{period.period_end.day} {period.period_end:%B %Y}",
                summary="; ".join(areas),
                text=" ".join(part for part in parts if part),
                url=period.get_absolute_url(),
                date=period.period_end,
                pk=period.pk,
            )
        )
    return entries


def ons_entries(settings: SiteSettings | None) -> list[Entry]:
    """The ONS recorded crime headline's period, as the Police Data page shows it (one query)."""
    headline = RecordedCrimeFigure.objects.headline_for(settings.home_force) if settings else None
    if headline is None:
        return []
    period = headline.period
    return [
        Entry(
            kind=ONS,
            title=f"Police recorded crime, year ending {period.period_end:%B %Y}",
            summary=f"Office for National Statistics: police recorded crime (excluding fraud) in "
            f"{headline.latest.force.name}.",
            text=" ".join(part for part in (headline.sentence, headline.source_sentence) if part),
            url=reverse("performance:police-data") + "#ons",
            date=period.published_on or period.period_end,
            pk=period.pk,
        )
    ]


def meeting_entries() -> list[Entry]:
    """The published meetings (one query)."""
    return [
        Entry(
            kind=MEETING,
            title=str(meeting),
            summary=meeting.summary,
            text="",
            url=meeting.get_absolute_url(),
            date=meeting.held_on,
            pk=meeting.pk,
        )
        for meeting in Meeting.objects.published()
    ]


def public_entries(settings: SiteSettings | None) -> list[Entry]:
    """Everything a search can find besides documents, read from published rows in a fixed
    number of queries, and kept for the content version (a scheduled publication moves it).
    ``settings``: the office's (``site.office.site_settings_for``), which name the home force."""

    def read() -> list[Entry]:
        return [
            *page_entries(),
            *calls_999_entries(settings),
            *ncpm_entries(),
            *ons_entries(settings),
            *meeting_entries(),
        ]

    return kept_for_the_content_version("site-search-entries", read)


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------

ENTRIES_MATCHING_SQL = f"""
SELECT e.position,
       to_tsvector('english', e.title) @@ q AS in_title,
       setweight(to_tsvector('english', e.title), 'A')
           || setweight(to_tsvector('english', e.summary), 'B') @@ q AS in_heading,
       ts_rank(setweight(to_tsvector('english', e.title), 'A')
           || setweight(to_tsvector('english', e.summary), 'B'), q) AS rank,
       ts_headline('english', e.summary || ' ' || e.text, q,
           'StartSel={search.MATCH_START}, StopSel={search.MATCH_STOP}, MaxWords=30, MinWords=12, '
           'MaxFragments=2, FragmentDelimiter=" … "') AS headline
FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY AS e(title, summary, text, position),
     websearch_to_tsquery('english', %s) AS q
WHERE setweight(to_tsvector('english', e.title), 'A')
      || setweight(to_tsvector('english', e.summary), 'B')
      || setweight(to_tsvector('english', e.text), 'C') @@ q
"""


def for_the_parser(text: str) -> str:
    """Plain text as PostgreSQL's text search is given it: escaped as HTML, because its parser
    reads anything like a tag as one, and skips everything after "<script>"; without the
    characters that mark matches in the extract.

    >>> for_the_parser("Figures <script> show \x02 & more")
    'Figures &lt;script&gt; show  &amp; more'
    """
    return escape(text.replace(search.MATCH_START, "").replace(search.MATCH_STOP, ""))


def entries_matching(entries: list[Entry], words: str) -> list[Result]:
    """The ``entries`` a search finds, each as a result with its place in the merged order.

    PostgreSQL: full-text search in one query, as for documents (stemmed words, web-search
    syntax); ranked on the title and summary. SQLite: every word in the title, summary or text,
    in any case."""
    if not entries:
        return []
    if search.results_ranked():
        with connection.cursor() as cursor:
            cursor.execute(
                ENTRIES_MATCHING_SQL,
                [
                    [for_the_parser(entry.title) for entry in entries],
                    [for_the_parser(entry.summary) for entry in entries],
                    [for_the_parser(entry.text[: search.SNIPPET_SOURCE_CHARACTERS]) for entry in entries],
                    words,
                ],
            )
            rows = cursor.fetchall()
        results = []
        for position, in_title, in_heading, rank, headline in rows:
            entry = entries[position - 1]
            tier = 0 if in_title else 1 if in_heading else 2
            snippet = search.marked_headline(html.unescape(headline))
            results.append(result_for(entry, tier=tier, rank=rank, snippet=snippet))
        return results
    looked_for = [word.lower() for word in search.search_words(words)]
    results = []
    for entry in entries:
        title, heading = entry.title.lower(), f"{entry.title}\n{entry.summary}".lower()
        everything = f"{heading}\n{entry.text.lower()}"
        if not all(word in everything for word in looked_for):
            continue
        tier = 0 if all(w in title for w in looked_for) else 1 if all(w in heading for w in looked_for) else 2
        snippet = search.highlighted_extract(f"{entry.summary}\n{entry.text}", looked_for)
        results.append(result_for(entry, tier=tier, rank=0.0, snippet=snippet))
    return results


def result_for(entry: Entry, *, tier: int, rank: float, snippet: SafeString) -> Result:
    return Result(
        kind=entry.kind,
        title=entry.title,
        url=entry.url,
        snippet=snippet,
        key=sort_key(tier=tier, rank=rank, date=entry.date, kind=entry.kind, pk=entry.pk),
    )


def best_match_first() -> bool:
    """Whether results come best match first (PostgreSQL) or in their tiers, newest first (SQLite)."""
    return search.results_ranked()


def has_words(words: str) -> bool:
    """Whether a search has anything to look for (a lone "-" or quotes have not)."""
    return bool(search.search_words(words))


# --------------------------------------------------------------------------------------------
# A page of the merged list
# --------------------------------------------------------------------------------------------


class SiteSearch:
    """A reader's search: the entries it finds (all of them, few) and the documents it finds
    (a query, read a page at a time by ``SiteSearchPaginator``)."""

    def __init__(self, words: str, *, settings: SiteSettings | None):
        self.words = words
        self.entries = sorted(entries_matching(public_entries(settings), words), key=lambda r: r.key)
        self.documents = search.documents_ranked(Document.objects.published(), words)

    def results(self, bottom: int, top: int) -> tuple[list[Result], int]:
        """The results at positions ``bottom`` to ``top`` of the merged list, and how many there
        are in all, in two queries.

        At most ``len(self.entries)`` entries come before position ``bottom``, so the documents
        on the page are among the documents from ``bottom - len(self.entries)`` to ``top``:
        those are read (their ids, order and how many match in all), merged with every entry, and
        the page cut from the merged list; then the page's documents are read with their extracts.
        """
        known = len(self.entries)
        start = max(0, bottom - known)
        with search.text_index_used():
            rows = list(
                self.documents.annotate(matching=Window(Count("*"))).values_list(
                    "pk", "tier", "rank", "published_on", "matching"
                )[start:top]
            )
        count = (rows[0][4] if rows else 0) + known
        documents = [
            (sort_key(tier=tier, rank=rank, date=published_on, kind=DOCUMENT, pk=pk), pk)
            for pk, tier, rank, published_on, _ in rows
        ]
        merged = sorted(
            [(result.key, result) for result in self.entries] + documents, key=lambda item: item[0]
        )
        page = [item for _, item in merged[bottom - start : top - start]]
        wanted = [item for item in page if isinstance(item, int)]
        details = (
            search.with_snippets(
                Document.objects.published().only("title", "summary", "file", "published_on"), self.words
            ).in_bulk(wanted)
            if wanted
            else {}
        )
        return [
            self.document_result(details[item]) if isinstance(item, int) else item for item in page
        ], count

    def document_result(self, document: Document) -> Result:
        return Result(
            kind=DOCUMENT,
            title=document.title,
            url=document.get_absolute_url(),
            snippet=search.snippet_html(document, self.words),
            key=(),
        )


class SiteSearchPaginator(Paginator):
    """Pages of a ``SiteSearch``: each page in the queries of ``SiteSearch.results()``; the count
    is learnt with the page. A page past the last raises ``EmptyPage``."""

    def __init__(self, site_search: SiteSearch, per_page: int = RESULTS_PER_PAGE):
        super().__init__([], per_page)
        self.site_search = site_search

    def page(self, number):
        if not isinstance(number, int) or number < 1:
            raise EmptyPage("That page number is less than 1")
        bottom = (number - 1) * self.per_page
        results, count = self.site_search.results(bottom, bottom + self.per_page)
        self.__dict__["count"] = count  # Paginator.count, known
        if not results and number > 1:
            raise EmptyPage("That page contains no results")
        return self._get_page(results, number, self)
