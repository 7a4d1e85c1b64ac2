"""Searching the document library: which documents a search finds (titles, summaries and the
words inside the files), in what order, and the highlighted extract under each result, which
must never let a document's text become markup.

Run on SQLite (a plain match of every word) and on PostgreSQL (full-text search: set
DATABASE_URL); the tests of what only full-text search does are skipped on SQLite.
"""

import html
from dataclasses import replace

import pytest
from django.db import connection
from django.urls import reverse

from performance.library import search
from performance.models import Document
from tests.library import test_library
from tests.library.test_library import (
    DOCUMENTS_PER_PAGE,
    NEWEST_FIRST,
    headers,
    make_document,
    ordered,
    titles,
)

# The generated library of tests/library/test_library.py, and its fixtures.
categories = test_library.categories
media = test_library.media
meeting = test_library.meeting
library = test_library.library

LIBRARY = reverse("performance:library")
postgresql_only = pytest.mark.postgresql  # full-text search is PostgreSQL's
sqlite_only = pytest.mark.skipif(connection.vendor == "postgresql", reason="the plain match is SQLite's")


def mentions(spec, word: str) -> bool:
    return any(word in field.lower() for field in (spec.title, spec.summary, spec.text))


# --------------------------------------------------------------------------------------------
# What a search finds
# --------------------------------------------------------------------------------------------


def test_a_search_finds_its_word_in_titles_summaries_and_text(client, library):
    found = titles(client.get(f"{LIBRARY}?q=burglary"))
    expected = {s.title for s in library if s.public and mentions(s, "burglary")}
    assert len(expected) == 17
    assert sorted(found) == sorted(expected)


def test_a_search_ignores_case(client, library):
    assert sorted(titles(client.get(f"{LIBRARY}?q=BURGLARY"))) == sorted(
        titles(client.get(f"{LIBRARY}?q=burglary"))
    )


def test_every_word_of_a_search_must_be_found(client, library):
    found = titles(client.get(f"{LIBRARY}?q=burglary+prevention"))
    expected = {s.title for s in library if s.public and "burglary prevention" in s.text}
    assert sorted(found) == sorted(expected)
    assert titles(client.get(f"{LIBRARY}?q=burglary+unicorn")) == []


def test_a_search_with_no_results_says_so(client, library):
    page = client.get(f"{LIBRARY}?q=unicorn").content.decode()
    assert "No documents match “unicorn”. Try other or fewer words." in page
    assert "<table" not in page


@pytest.mark.parametrize(
    "words", ['"unfinished quote', "!!! & | ( ) :*", "-", "or or", "'; drop table --", "é ü ß 日本"]
)
def test_odd_searches_are_answered_not_errors(client, library, words):
    response = client.get(LIBRARY, {"q": words})
    assert response.status_code == 200
    assert "There is a problem" not in response.content.decode()


def test_a_search_can_be_filtered_and_sorted(client, library):
    found = titles(client.get(f"{LIBRARY}?q=burglary&category=annual-reports&sort=-title"))
    expected = ordered(
        [s for s in library if s.category == "annual-reports" and mentions(s, "burglary")],
        (lambda s: s.title, True),
    )
    assert found == expected and expected


def test_a_search_over_two_pages_lists_each_result_once_at_a_stable_address(client, library):
    expected = {s.title for s in library if s.public and mentions(s, "routine")}
    assert len(expected) > DOCUMENTS_PER_PAGE
    pages = [titles(client.get(f"{LIBRARY}?q=routine&page={page}")) for page in (1, 2)]
    assert sorted(pages[0] + pages[1]) == sorted(expected)
    assert pages == [titles(client.get(f"{LIBRARY}?q=routine&page={page}")) for page in (1, 2)]


def test_documents_matching_is_one_function_for_both_databases(library):
    found = search.with_snippets(
        search.documents_matching(Document.objects.published(), "burglary"), "burglary"
    )
    assert {d.title for d in found} == {s.title for s in library if s.public and mentions(s, "burglary")}
    in_extract = {s.title for s in library if s.public and mentions(replace(s, title=""), "burglary")}
    assert in_extract and all(
        "<mark>burglary</mark>" in search.snippet_html(document, "burglary").lower()
        for document in found
        if document.title in in_extract
    )


# --------------------------------------------------------------------------------------------
# Order
# --------------------------------------------------------------------------------------------


@postgresql_only
def test_postgresql_puts_title_matches_first_then_summaries_then_text(client, library):
    response = client.get(f"{LIBRARY}?q=burglary")
    found = titles(response)
    by_title = [s.title for s in library if s.public and "burglary" in s.title.lower()]
    in_summary = {s.title for s in library if s.public and "burglary" in s.summary.lower()}
    assert found[:1] == by_title
    assert set(found[1 : 1 + len(in_summary)]) == in_summary
    assert "17 documents matching “burglary”, best match first." in response.content.decode()
    assert {aria for aria, _ in headers(response).values()} == {""}  # relevance is no column's order


@sqlite_only
def test_sqlite_lists_matches_newest_first(client, library):
    response = client.get(f"{LIBRARY}?q=burglary")
    assert titles(response) == ordered([s for s in library if mentions(s, "burglary")], *NEWEST_FIRST)
    assert headers(response)["published"][0] == "descending"
    assert "best match first" not in response.content.decode()


# --------------------------------------------------------------------------------------------
# What only PostgreSQL's full-text search does
# --------------------------------------------------------------------------------------------


@postgresql_only
def test_postgresql_matches_other_forms_of_a_word(client, library):
    assert sorted(titles(client.get(f"{LIBRARY}?q=burglaries"))) == sorted(
        titles(client.get(f"{LIBRARY}?q=burglary"))
    )


@postgresql_only
@pytest.mark.parametrize(
    ("words", "wanted"),
    [
        ('"burglary prevention"', lambda s: "burglary prevention" in s.text),
        ("burglary -prevention", lambda s: mentions(s, "burglary") and "prevention" not in s.text),
        ("prevention or 011", lambda s: "prevention" in s.text or "011" in s.title),
    ],
)
def test_postgresql_understands_web_search_syntax(client, library, words, wanted):
    found = titles(client.get(LIBRARY, {"q": words}))
    assert sorted(found) == sorted(s.title for s in library if s.public and wanted(s))


@postgresql_only
def test_postgresql_a_search_of_only_common_words_finds_nothing_without_an_error(client, library):
    response = client.get(f"{LIBRARY}?q=the+and")
    assert response.status_code == 200
    assert "No documents match “the and”." in response.content.decode()


# --------------------------------------------------------------------------------------------
# The highlighted extract
# --------------------------------------------------------------------------------------------

HOSTILE_TEXT = (
    'Figures <script>alert("stolen")</script> show burglary fell; '
    '<img src=x onerror=alert(1)> "quotes" & ampersands.'
)


def test_the_extract_highlights_the_words_and_escapes_the_documents_text(client, categories, media):
    make_document("Crime <b>figures</b>", category=categories[0], text=HOSTILE_TEXT)
    page = client.get(f"{LIBRARY}?q=burglary").content.decode()
    start = page.index('<span class="library-detail">')
    extract = page[start : page.index("</span>", start)]
    assert "<mark>burglary</mark> fell;" in extract
    # PostgreSQL's headline leaves out what its parser reads as a tag; SQLite's extract keeps it;
    # either way, nothing from the document is markup.
    assert "alert(&quot;stolen&quot;)" in extract and "&lt;img src=x onerror=alert(1)&gt;" in extract
    assert "&quot;quotes&quot; &amp; ampersands" in extract
    assert "<script" not in page and "<img" not in page
    assert "Crime &lt;b&gt;figures&lt;/b&gt;" in page


def test_marker_characters_inside_a_document_cannot_make_marks(client, categories, media):
    make_document("Markers", category=categories[0], text="\x02<b>not a match</b>\x03 but burglary is")
    page = client.get(f"{LIBRARY}?q=burglary").content.decode()
    assert page.count("<mark>") == 1 and "<mark>burglary</mark>" in page
    assert "<b>" not in page


def test_the_extract_is_around_the_match_in_a_long_text(client, categories, media):
    text = "Opening words. " * 200 + "The burglary figure is here. " + "Closing words. " * 200
    make_document("Long report", category=categories[0], text=text)
    page = html.unescape(client.get(f"{LIBRARY}?q=burglary").content.decode())
    assert "<mark>burglary</mark> figure is here" in page


def test_without_a_search_the_title_cell_shows_the_summary(client, categories, media):
    make_document("Plan", category=categories[0], summary="Our plan.", text="burglary")
    page = client.get(LIBRARY).content.decode()
    assert '<span class="library-detail">Our plan.</span>' in page and "<mark>" not in page


# --------------------------------------------------------------------------------------------
# The pure parts (no database)
# --------------------------------------------------------------------------------------------


def test_search_words_ignore_quotes_and_a_leading_minus():
    assert search.search_words('"rural crime" -plan - --') == ["rural", "crime", "plan"]


def test_an_extract_marks_every_word_in_any_case_longest_first():
    extract = search.highlighted_extract("Crimes and crime; CRIME.", ["crime", "crimes"])
    assert extract == "<mark>Crimes</mark> and <mark>crime</mark>; <mark>CRIME</mark>."


def test_an_extract_treats_the_words_as_text_not_patterns():
    assert (
        search.highlighted_extract("a+b (c) a.b", ["a+b", "(c)"]) == "<mark>a+b</mark> <mark>(c)</mark> a.b"
    )


def test_an_extract_without_a_match_is_the_start_of_the_text():
    text = "word " * 100
    extract = search.highlighted_extract(text, ["absent"])
    assert extract.startswith("word word") and extract.endswith(" …") and "<mark>" not in extract
    assert len(extract) <= search.SNIPPET_CHARACTERS + 2


def test_a_headline_is_escaped_before_its_markers_become_marks():
    headline = '\x02Budget\x03 <a href="x">&</a> \x02budget\x03'
    assert search.marked_headline(headline) == (
        "<mark>Budget</mark> &lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt; <mark>budget</mark>"
    )
