"""The document library in a real browser: accessible (axe-core), usable from the keyboard and
without JavaScript, and readable at 320 pixels wide.

The live server's database is flushed between tests (migrations' categories included), so each
test builds its own library.
"""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from performance.models import DocumentCategory, Meeting
from tests.browser.conftest import axe_violations
from tests.factories import PUBLISHED
from tests.library.test_library import generate, make_document

pytestmark = pytest.mark.browser

LIBRARY = reverse("performance:library")
SEARCH = reverse("performance:search")
HOSTILE_TEXT = 'Figures <script>alert("x")</script> show that burglary fell in every district of the county.'

PAGES = {
    "index": lambda: LIBRARY,
    "index, page 2 sorted by title": lambda: f"{LIBRARY}?sort=title&page=2",
    "category": lambda: reverse("performance:library-category", args=["board-papers"]),
    "meeting": lambda: reverse("performance:library-meeting", args=["2023-06-14-police-and-crime-panel"]),
    "search with results": lambda: f"{LIBRARY}?q=burglary",
    "search without results": lambda: f"{LIBRARY}?q=unicorn",
    "invalid filter": lambda: f"{LIBRARY}?year=1850&type=exe",
    "site search with results": lambda: f"{SEARCH}?q=burglary",
    "site search without results": lambda: f"{SEARCH}?q=unicorn",
    "site search too long": lambda: f"{SEARCH}?q={'x' * 201}",
    "site search for one long word": lambda: f"{SEARCH}?q={'x' * 200}",
}

# Every element wider than the viewport must be inside a labelled region that scrolls and can
# take focus (so keyboard users can scroll it); the page itself must not scroll sideways.
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const outside = [];
    for (const element of document.body.querySelectorAll('*')) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 1) continue;
        const region = element.closest('[role="region"][tabindex="0"]');
        const labelled = region && (region.getAttribute('aria-label') || region.getAttribute('aria-labelledby'));
        const scrolls = region && getComputedStyle(region).overflowX === 'auto'
            && region.getBoundingClientRect().right <= width + 1;
        if (!(labelled && scrolls)) outside.push(element.tagName + '.' + element.className);
    }
    return {page: document.documentElement.scrollWidth - width, outside: outside.slice(0, 5)};
}"""

ACTIVE = """() => {
    const element = document.activeElement;
    return [element.tagName.toLowerCase(), element.id, element.textContent.trim().replace(/\\s+/g, ' ')];
}"""


@pytest.fixture
def library(live_server, transactional_db, settings, tmp_path):
    """A live server with three categories, a public meeting and 60 generated documents (42
    public), one of them with markup in its text. The library's pages need none of the demo
    data (the ``site`` fixture), so it is not loaded."""
    settings.MEDIA_ROOT = tmp_path
    categories = [
        DocumentCategory.objects.create(
            name=name, slug=slug, description=f"{name} of the office.", order=order
        )
        for order, (name, slug) in enumerate(
            [
                ("Annual reports", "annual-reports"),
                ("Board papers", "board-papers"),
                ("Statistics", "statistics"),
            ]
        )
    ]
    meeting = Meeting.objects.create(
        title="Police and Crime Panel",
        held_on=datetime.date(2023, 6, 14),
        publish_at=PUBLISHED,
        summary="The budget.",
    )
    generate(60, categories=categories, meeting=meeting)
    make_document(
        "A report with an exceptionally long title about neighbourhood policing, burglary and antisocial behaviour",
        category=categories[1],
        text=HOSTILE_TEXT,
    )
    return live_server


@pytest.mark.parametrize("name", PAGES)
def test_library_pages_have_no_axe_violations(library, page, name):
    response = page.goto(library.url + PAGES[name]())
    assert response.status == 200
    assert axe_violations(page) == []
    assert page.console_errors == []


@pytest.mark.parametrize(
    "name",
    [
        "index",
        "search with results",
        "category",
        "meeting",
        "invalid filter",
        "site search with results",
        "site search for one long word",
    ],
)
def test_nothing_scrolls_sideways_at_320_pixels_outside_the_tables_region(library, browser, name):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(library.url + PAGES[name]())
    overflow = page.evaluate(OVERFLOW)
    context.close()
    assert overflow == {"page": 0, "outside": []}


def test_the_filter_form_and_the_sort_links_are_reached_by_tab_in_order(library, page):
    page.goto(library.url + LIBRARY)
    reached = []
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(ACTIVE))
        if reached[-1][2].startswith("Published"):
            break
    ids = [element_id for _, element_id, _ in reached if element_id]
    assert ids[ids.index("id_q") :][:4] == ["id_q", "id_category", "id_year", "id_type"]
    texts = [text for _, _, text in reached]
    assert texts.index("Show documents") > texts.index("Atom feed of new and revised publications")
    sort_links = [text for tag, _, text in reached if tag == "a" and ", sort " in text]
    assert sort_links == [
        "Title, sort A to Z",
        "Category, sort A to Z",
        "Meeting, sort newest first",
        "Published, sort oldest first ▼",
    ]
    tags = [tag for tag, _, _ in reached]
    region = tags.index("div")  # the table's scrollable region, so it can be scrolled by keyboard
    assert texts.index("Show documents") < region < texts.index("Title, sort A to Z")


def test_a_sort_link_works_from_the_keyboard(library, page):
    page.goto(library.url + LIBRARY)
    page.locator("th.library-col-title a").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/document-library/?sort=title")
    assert page.locator("th.library-col-title").get_attribute("aria-sort") == "ascending"
    assert page.locator("th.library-col-published").get_attribute("aria-sort") is None


def test_the_filter_form_works_from_the_keyboard_without_javascript(library, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(library.url + LIBRARY + "?sort=-title")
    page.locator("#id_q").focus()
    page.keyboard.type("burglary")
    page.keyboard.press("Tab")  # to the category
    page.keyboard.press("Tab")  # to the year: Any year, 2023, 2022, 2021
    for _ in range(5):
        if page.locator("#id_year").input_value() == "2022":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # to the type
    page.keyboard.press("Tab")  # to the button
    assert page.evaluate(ACTIVE)[2] == "Show documents"
    page.keyboard.press("Enter")
    page.wait_for_url("**/document-library/?*q=burglary*")
    query = parse_qs(urlsplit(page.url).query)
    assert query["q"] == ["burglary"] and query["year"] == ["2022"] and query["sort"] == ["-title"]
    assert page.locator("tbody tr").count() > 0
    assert page.locator("mark").first.inner_text().lower() == "burglary"
    context.close()


def test_the_scrollable_table_region_can_be_focused_and_is_named(library, page):
    page.goto(library.url + LIBRARY)
    region = page.locator('[role="region"]')
    assert region.get_attribute("tabindex") == "0"
    assert page.locator("#" + region.get_attribute("aria-labelledby")).inner_text() == "Documents"


def test_the_extract_shows_markup_in_a_document_as_text(library, page):
    page.goto(library.url + f"{LIBRARY}?q=burglary+district")
    extract = page.locator(".library-detail").first
    assert extract.locator("mark").all_inner_texts() == ["burglary", "district"]
    assert page.console_errors == []


def test_the_site_search_works_from_the_keyboard_and_shows_markup_as_text(library, page):
    page.goto(library.url + LIBRARY)
    page.keyboard.press("Tab")  # the skip link
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(ACTIVE)[1] == "site-q":
            break
    page.keyboard.type("burglary district")
    page.keyboard.press("Enter")
    page.wait_for_url("**/document-library/search/?q=burglary+district")
    results = page.locator(".search-results > li")
    assert results.count() == 1
    assert results.locator(".search-result-kind").inner_text() == "Document"
    snippet = results.locator(".search-result-snippet")
    assert snippet.locator("mark").all_inner_texts() == ["burglary", "district"]
    assert '<script>alert("x")</script>' in snippet.inner_text()
    assert page.console_errors == []
