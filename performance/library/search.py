"""Searching the document library: the words inside documents, read once when a file is
uploaded, and PostgreSQL's full-text search over titles (weighted highest), summaries and text,
with a plain word match on SQLite.

``documents_matching()`` is the one search both backends answer; ``with_snippets()`` adds the
extracts for a page of results, and ``snippet_html()`` turns each into the safe, highlighted
extract shown under it.
"""

from __future__ import annotations

import html
import re
from contextlib import contextmanager

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, Func, Q, QuerySet, TextField, Value, When
from django.db.models.functions import (
    Coalesce,
    Concat,
    Greatest,
    Left,
    Lower,
    NullIf,
    Replace,
    StrIndex,
    Substr,
)
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_TEXT_CHARACTERS = 1_000_000  # enough for any report; keeps a row and its index small

HEADING_VECTOR = SearchVector("title", weight="A", config="english") + SearchVector(
    "summary", weight="B", config="english"
)
VECTOR = HEADING_VECTOR + SearchVector("text", weight="C", config="english")

# PostgreSQL marks the matched words with these control characters, which are removed from the
# text before it is searched, so any found in the extract are PostgreSQL's; the extract is then
# escaped whole and only the markers become <mark> tags.
MATCH_START = "\x02"
MATCH_STOP = "\x03"
# ts_headline parses every word it is given (about a millisecond for 10,000 characters on the
# benchmark's machine: 25 results of a whole report each would take seconds), so it is given a
# window of the summary or text: from a little before the first place the reader's first word
# appears in the text's first SNIPPET_SOURCE_CHARACTERS (about 20 pages); see snippet_window().
SNIPPET_SOURCE_CHARACTERS = 50_000
SNIPPET_WINDOW = 600
SNIPPET_LEAD = 150  # characters of the window before the word
SNIPPET_CHARACTERS = 240  # SQLite: the length of the extract around the first match
SNIPPET_BEFORE = 60  # … of which this much comes before it
NOT_LOOKED_FOR = {"or", "and", "the"}  # web search's "or", and words found everywhere


def document_text(file) -> str:
    """The words inside an uploaded document (PDF, Word, OpenDocument), or "" for a kind
    without text to read or a file that cannot be read."""
    from performance.library.extraction import extracted_text

    words = getattr(getattr(file, "file", None), "words_read", None)  # read when it was checked
    if words is None:
        words = getattr(file, "words_read", None)
    return (words if words is not None else extracted_text(file))[:MAX_TEXT_CHARACTERS]


def document_indexed(document) -> None:
    """Keep the document's search vector up to date (PostgreSQL only)."""
    if connection.vendor == "postgresql":
        type(document)._base_manager.filter(pk=document.pk).update(
            search_vector=VECTOR, heading_vector=HEADING_VECTOR
        )


def results_ranked() -> bool:
    """Whether ``documents_matching()`` puts the best match first (PostgreSQL), or leaves the
    order alone (SQLite's plain match has no measure of relevance)."""
    return connection.vendor == "postgresql"


def documents_matching(documents: QuerySet, words: str) -> QuerySet:
    """The ``documents`` that match a reader's search.

    PostgreSQL: web-search syntax ("quoted phrases", or, -word) against the stored search
    vector, best match first (title matches weigh most, then summary; matches in the text alone
    come after them, newest first).
    SQLite: every word must appear in the title, summary or text, in any case; the order is
    left as it was.

    The extract shown with each result is a second step, ``with_snippets()``, for the page's
    rows only: an extract reads the document's text, where finding the matches needs only the
    search vector's index.
    """
    if results_ranked():
        query = SearchQuery(words, search_type="websearch", config="english")
        matches = documents.model._base_manager.filter(search_vector=query).values("pk")
        return (
            documents.filter(pk__in=matches)  # on its own, the match can only use the text index
            .annotate(rank=SearchRank(F("heading_vector"), query))  # text-only matches: 0, newest first
            .order_by("-rank", "-published_on", "pk")
        )
    matches_every_word = Q()
    for word in search_words(words):
        matches_every_word &= Q(title__icontains=word) | Q(summary__icontains=word) | Q(text__icontains=word)
    return documents.filter(matches_every_word).order_by("-published_on", "title", "pk")


def documents_ranked(documents: QuerySet, words: str) -> QuerySet:
    """The ``documents`` that match a reader's search (as ``documents_matching()``), each with
    ``tier`` (0: every word is in its title, 1: in its title and summary, 2: found in its text
    only) and ``rank`` (PostgreSQL's weight of the title and summary matches; 0 on SQLite), in
    that order, then newest first: how the site's search puts title matches first, then
    summaries, then text, across every kind of result."""
    matching = documents_matching(documents, words)
    if results_ranked():
        query = SearchQuery(words, search_type="websearch", config="english")
        return (
            # The title's words are the heading vector's weight A: no need to parse the title again.
            matching.annotate(
                title_words=Func(
                    F("heading_vector"), Value("{a}"), function="ts_filter", output_field=SearchVectorField()
                )
            )
            .annotate(
                tier=Case(
                    When(title_words=query, then=Value(0)),
                    When(heading_vector=query, then=Value(1)),
                    default=Value(2),
                )
            )
            .order_by("tier", "-rank", "-published_on", "pk")
        )
    in_title, in_heading = Q(), Q()
    for word in search_words(words):
        in_title &= Q(title__icontains=word)
        in_heading &= Q(title__icontains=word) | Q(summary__icontains=word)
    return matching.annotate(
        tier=Case(When(in_title, then=Value(0)), When(in_heading, then=Value(1)), default=Value(2)),
        rank=Value(0.0, output_field=FloatField()),
    ).order_by("tier", "-published_on", "pk")


def with_snippets(documents: QuerySet, words: str) -> QuerySet:
    """The ``documents``, each annotated with ``snippet_source`` for ``snippet_html()``: on
    PostgreSQL a headline of the words around the first match, on SQLite the text to find it in."""
    if not results_ranked():
        source = Concat(
            "summary", Value("\n"), Left("text", SNIPPET_SOURCE_CHARACTERS), output_field=TextField()
        )
        return documents.annotate(snippet_source=source)
    return documents.annotate(
        snippet_source=SearchHeadline(
            escaped_for_the_parser(without_markers(snippet_window(words))),
            SearchQuery(words, search_type="websearch", config="english"),
            config="english",
            start_sel=MATCH_START,
            stop_sel=MATCH_STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
    )


@contextmanager
def text_index_used():
    """Within this block, PostgreSQL finds a search's matches with the search vector's GIN index
    even when most documents match (on SQLite, nothing changes).

    The planner does not count the cost of reading each document's search vector from TOAST
    storage, so for a common word it expects a scan of the table, or of another index with the
    match as a filter, to be cheaper than the text index, and reads every vector: 20 ms against
    8 ms for "police budget" at 5,000 documents (``manage.py bench_library``). Plain and index
    scans are switched off, leaving bitmap scans, and ``documents_matching()`` asks for the match
    in a subquery of its own, where the text index is the only index that applies. The settings
    are made in a transaction (or a savepoint) that is rolled back at the end of the block, which
    undoes them and only them: the block reads.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        yield
        transaction.set_rollback(True)


def snippet_window(words: str):
    """SQL: what ts_headline is given to find the extract in, SNIPPET_WINDOW characters or so:
    the summary and the start of the text when the summary has the reader's first word, else
    the text from SNIPPET_LEAD before the first place the word appears (in any case) in its
    first SNIPPET_SOURCE_CHARACTERS, or from its start.

    The word is looked for by its first letters (see ``looked_for()``), so that "burglaries"
    finds the window around "burglary"; ts_headline then marks only the real matches, of every
    word. Only the first word is looked for: each one costs a pass over the text.
    """
    opening = Concat(
        "summary", Value("\n"), Left("text", SNIPPET_WINDOW - SNIPPET_LEAD), output_field=TextField()
    )
    needles = looked_for(words, most=1)
    if not needles:
        return opening
    text = Substr("text", 1, SNIPPET_SOURCE_CHARACTERS)  # only the part read is decompressed
    found = NullIf(StrIndex(Lower(text), Value(needles[0])), Value(0))
    start = Greatest(Coalesce(found, Value(1)) - Value(SNIPPET_LEAD), Value(1))
    return Case(
        When(summary__icontains=needles[0], then=opening),
        default=Substr("text", start, SNIPPET_WINDOW),
        output_field=TextField(),
    )


def looked_for(words: str, most: int = 3) -> list[str]:
    """What is looked for in the text to place the extract: the first ``most`` words of the
    search (not those it excludes), lower case, a long word without its last three letters (a
    rough stem).

    >>> looked_for('-police Burglaries OR "rural crime"')
    ['burglar', 'rural', 'crime']
    """
    needles = []
    for word in words.replace('"', " ").split():
        if word.startswith("-"):
            continue
        word = word.lower()
        if len(word) < 3 or word in NOT_LOOKED_FOR:
            continue
        needles.append(word[: max(5, len(word) - 3)])
    return needles[:most]


def escaped_for_the_parser(expression):
    """The text escaped as HTML (SQL ``replace``): PostgreSQL's text parser reads anything like a
    tag as one, and drops everything after "<script>", so the extract would lose what the
    document says. ``snippet_html()`` unescapes the extract before escaping it for the page."""
    for character, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        expression = Replace(expression, Value(character), Value(entity), output_field=TextField())
    return expression


def without_markers(expression):
    """The text with any character used as a match marker removed (SQL ``translate``)."""
    return Func(
        expression, Value(MATCH_START + MATCH_STOP), Value(""), function="translate", output_field=TextField()
    )


def search_words(words: str) -> list[str]:
    """The words of a search for the plain match: quotes and a leading minus ignored.

    >>> search_words(' "Police  and crime" -plan ')
    ['Police', 'and', 'crime', 'plan']
    """
    return [word.lstrip("-") for word in words.replace('"', " ").split() if word.lstrip("-")]


def snippet_html(document, words: str) -> SafeString:
    """The extract shown under a search result, matched words in <mark>, everything else escaped."""
    source = getattr(document, "snippet_source", "") or ""
    if connection.vendor == "postgresql":
        return marked_headline(html.unescape(source))  # escaped for the parser: see with_snippets
    return highlighted_extract(source, search_words(words))


def marked_headline(headline: str) -> SafeString:
    """PostgreSQL's headline, escaped, its match markers turned into <mark> tags.

    >>> print(marked_headline("a <script> \\x02budget\\x03 & more"))
    a &lt;script&gt; <mark>budget</mark> &amp; more
    """
    html = escape(" ".join(headline.split()))
    return mark_safe(html.replace(MATCH_START, "<mark>").replace(MATCH_STOP, "</mark>"))


def highlighted_extract(text: str, words: list[str]) -> SafeString:
    """A window of ``text`` around the first of ``words`` found (in any case), escaped, every
    occurrence of a word in <mark>; the start of the text when none is found.

    >>> print(highlighted_extract("The <b>Budget</b> for 2024: budget lines.", ["budget"]))
    The &lt;b&gt;<mark>Budget</mark>&lt;/b&gt; for 2024: <mark>budget</mark> lines.
    >>> extract = highlighted_extract("word " * 30 + "target " + "word " * 100, ["TARGET"])
    >>> extract.startswith("… word"), "<mark>target</mark>" in extract, extract.endswith("word …")
    (True, True, True)
    """
    if not words:
        return mark_safe(escape(truncated(" ".join(text[: SNIPPET_CHARACTERS * 2].split()), 0)))
    pattern = re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.I)
    first = pattern.search(text)
    if first:  # only the part of a long text around the match is looked at
        text = text[max(0, first.start() - SNIPPET_BEFORE * 2) : first.start() + SNIPPET_CHARACTERS * 2]
    else:
        text = text[: SNIPPET_CHARACTERS * 2]
    text = " ".join(text.split())
    first = pattern.search(text)
    start = 0
    if first and first.start() > SNIPPET_BEFORE:
        start = text.find(" ", first.start() - SNIPPET_BEFORE, first.start()) + 1 or first.start()
    window = truncated(text, start)
    html, done = [], 0
    for match in pattern.finditer(window):
        html += [escape(window[done : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        done = match.end()
    html.append(escape(window[done:]))
    return mark_safe("".join(html))


def truncated(text: str, start: int) -> str:
    """SNIPPET_CHARACTERS of ``text`` from ``start``, cut at a space, with … where cut."""
    end = start + SNIPPET_CHARACTERS
    window = text[start:end]
    if end < len(text):
        window = window[: window.rfind(" ")] if " " in window else window
        window += " …"
    return ("… " if start else "") + window
