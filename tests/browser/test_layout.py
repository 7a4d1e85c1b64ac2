"""Every public page type laid out as a reader sees it, at a phone's width up to a desktop's.

axe cannot see layout, so these look at the boxes Chromium drew: nothing wider than the screen
except inside a labelled scroll region, text meant for screen readers only in a 1 × 1 box, no
blank gap between a table's caption and its headings, tables that fit a desktop screen. A
screenshot of each page at 375 and 1280 px is saved under ``test-results/screenshots`` (or
``$TEST_ARTIFACTS/screenshots``) for a person to look at.
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from performance.models import Meeting
from performance.publishing.caching import content_version
from tests.browser.test_public_pages import PUBLIC_PAGES
from tests.site.test_national import add_months

pytestmark = pytest.mark.browser

WIDTHS = (320, 375, 768, 1280)
SCREENSHOT_WIDTHS = (375, 1280)
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-results"))

PAGES = {
    **PUBLIC_PAGES,
    "library category": lambda: reverse("performance:library-category", args=["meetings"]),
    "library meeting": lambda: Meeting.objects.get().get_absolute_url(),
    "library search": lambda: reverse("performance:library") + "?q=999+calls",
    "site search": lambda: reverse("performance:search") + "?q=999",
}

# Each element drawn beyond the screen's edges, unless it is inside a region a reader can
# scroll: labelled, focusable, scrolling, and itself within the screen.
OUTSIDE_THE_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const scrollable = (region) =>
    (region.hasAttribute('aria-label') || region.hasAttribute('aria-labelledby')) &&
    region.tabIndex >= 0 && ['auto', 'scroll'].includes(getComputedStyle(region).overflowX) &&
    region.getBoundingClientRect().right <= width + 0.5;
  const found = [];
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || element.closest('.visually-hidden')) continue;
    if (box.right <= 0.5) continue;  // moved off the screen to hide it (the skip link until focused)
    if (box.left >= -0.5 && box.right <= width + 0.5) continue;
    const region = element.parentElement && element.parentElement.closest('[role=region]');
    if (region && scrollable(region)) continue;
    found.push(`${element.tagName.toLowerCase()}.${element.className} (${Math.round(box.left)} to ${Math.round(box.right)})`);
  }
  return found;
}"""

# Text for screen readers only that can be seen: anything bigger than the 1 × 1 box.
HIDDEN_TEXT_SHOWN = """() => [...document.querySelectorAll('.visually-hidden')]
  .filter((element) => { const box = element.getBoundingClientRect(); return box.width > 1 || box.height > 1; })
  .map((element) => element.textContent.trim())"""

# Per table: the gap between its caption and its headings, and how tall the heading row is
# in lines of the table's text.
TABLE_HEADINGS = """() => [...document.querySelectorAll('table')].filter((table) => table.offsetParent).map((table) => {
  const caption = table.caption.getBoundingClientRect(), head = table.tHead.getBoundingClientRect();
  const line = parseFloat(getComputedStyle(table).lineHeight) || 24;
  return [table.caption.textContent.trim(), Math.round(head.top - caption.bottom), Math.round(head.height / line)];
})"""

TABLES_WIDER_THAN_THEIR_REGION = """() => [...document.querySelectorAll('.table-wrap')]
  .filter((region) => region.offsetParent && region.scrollWidth > region.clientWidth + 1)
  .map((region) => region.getAttribute('aria-label'))"""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_fits_the_screen_and_hides_what_it_hides(site, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = {}
    for name, address in PAGES.items():
        response = page.goto(site.url + address())
        assert response.status == 200, name
        found = {
            "outside the screen": page.evaluate(OUTSIDE_THE_SCREEN),
            "hidden text shown": page.evaluate(HIDDEN_TEXT_SHOWN),
            "gap or tall headings": [
                (caption, gap, lines)
                for caption, gap, lines in page.evaluate(TABLE_HEADINGS)
                if gap > 12 or lines > 4
            ],
            "table cut at a desktop's width": page.evaluate(TABLES_WIDER_THAN_THEIR_REGION)
            if width >= 1280
            else [],
        }
        problems.update({(name, kind): what for kind, what in found.items() if what})
        if width in SCREENSHOT_WIDTHS:
            folder = ARTIFACTS / "screenshots"
            folder.mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            page.screenshot(path=folder / f"{slug}-{width}.png", full_page=True)
    context.close()
    assert problems == {}


def test_a_wide_table_on_a_phone_says_it_scrolls_and_scrolls_from_the_keyboard(site, page):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(site.url + reverse("performance:police-data"))
    region = page.locator("#calls-999 > .table-wrap").first
    cue = page.locator("#calls-999 > .table-scroll-cue").first
    assert cue.is_visible() and "sideways" in cue.inner_text()
    assert region.evaluate("(region) => region.scrollWidth > region.clientWidth")
    region.focus()
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "region"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    region.evaluate("(region) => new Promise((done) => setTimeout(done, 500))")  # smooth scrolling
    assert region.evaluate("(region) => region.scrollLeft") > 0

    page.set_viewport_size({"width": 1280, "height": 800})
    assert not cue.is_visible()  # the table fits: nothing to scroll


def test_short_headings_give_their_full_wording_to_screen_readers_and_in_a_key(site, page):
    page.goto(site.url + reverse("performance:police-data"))
    heading = page.locator("#calls-999 > .table-wrap table thead th").nth(3)
    assert heading.locator("[aria-hidden=true]").inner_text() == "Under 10\u00a0s"  # what is seen
    assert heading.locator(".visually-hidden").text_content() == "% 999 calls answered in under 10 seconds"
    key = page.locator("#calls-999 > details.table-key").first
    key.locator("summary").click()
    assert "% 999 calls answered in under 10 seconds" in key.inner_text()


# On a phone, the columns that matter are in view without scrolling: for each table the page
# shows (by its caption's start), the headings whose cells must be on the screen, row by row.
PHONE_COLUMNS = {
    "police data": (
        lambda: reverse("performance:police-data"),
        {
            "Norfolk Constabulary 999 Call Performance Data": ("Month", "Under 10\u00a0s", "National rank"),
            "Norfolk Constabulary: ": ("Measure", "Latest 12 months", "Change on previous"),
        },
    ),
    "every force, by rank": (
        lambda: reverse("performance:calls-999-national", args=["2023-09"]),
        {
            "999 call answering by every force": ("Force", "National rank"),
            "Group averages": ("Group", "Under 10\u00a0s"),
        },
    ),
    "every force, by calls": (
        lambda: reverse("performance:calls-999-national", args=["2023-09"]) + "?sort=-calls",
        {"999 call answering by every force": ("Force", "Calls")},
    ),
    "NCPM quarter": (
        lambda: reverse("performance:ncpm-period", args=["2023-06"]),
        {  # the first caption start that fits a table is the one checked
            "Norfolk Constabulary: charge/summons rate": (
                "Crimes",
                "Norfolk Constabulary",
                "England and Wales",
            ),
            "Norfolk Constabulary: ": ("Measure", "Latest 12 months", "Change on previous"),
        },
    ),
    "library": (lambda: reverse("performance:library"), {"": ("Title", "Published")}),
}

# For each shown table whose caption starts with a key of ``wanted``: its caption, how many rows
# were checked, and each wanted heading's cells (the heading's included) drawn outside the screen
# or not found. A heading is matched on its visible words (a short heading's full wording is for
# screen readers).
COLUMNS_OUT_OF_VIEW = """(wanted) => {
  const width = document.documentElement.clientWidth;
  const seen = (cell) => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll('.visually-hidden').forEach((hidden) => hidden.remove());
    return copy.textContent.replace(/\\s+/g, ' ').trim();
  };
  const found = [];
  for (const table of document.querySelectorAll('table')) {
    if (!table.offsetParent) continue;
    const caption = table.caption ? table.caption.textContent.trim() : '';
    const prefix = Object.keys(wanted).find((start) => caption.startsWith(start));
    if (prefix === undefined) continue;
    const headings = [...table.tHead.rows[0].cells].map(seen);
    const problems = [];
    for (const wantedName of wanted[prefix]) {
      const name = wantedName.replace(/\\s+/g, ' ');
      const index = headings.findIndex((heading) => heading === name || heading.startsWith(name + ' '));
      if (index < 0) { problems.push(`no heading ${name}`); continue; }
      for (const row of table.rows) {
        const box = row.cells[index].getBoundingClientRect();
        if (box.left < -0.5 || box.right > width + 0.5 || box.width === 0) {
          problems.push(`${name}: ${Math.round(box.left)} to ${Math.round(box.right)}`);
          break;
        }
      }
    }
    found.push([caption, table.rows.length, problems]);
  }
  return found;
}"""

# Every word in the page's main content that is drawn over more than one line: split inside the
# word rather than at a space (a break after a hyphen or slash is a line break between words).
WORDS_SPLIT = """() => {
  const split = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !parent.offsetParent || parent.closest('.visually-hidden')) continue;
    for (const match of node.data.matchAll(/[^\\s\\-\\u2010-\\u2015\\/]+/g)) {
      if (match[0].length < 2) continue;
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (tops.size > 1) split.push(match[0]);
    }
  }
  return split;
}"""

# Each phone table's region scrolled to its far end: the first cells that left the region with it
# (the first column stays put as the rest scrolls).
FIRST_COLUMN_SCROLLED_AWAY = """() => [...document.querySelectorAll('.table-wrap')]
  .filter((region) => region.offsetParent && region.querySelector('table.data-table--phone')
    && region.scrollWidth > region.clientWidth + 1)
  .flatMap((region) => {
    region.scrollLeft = region.scrollWidth;
    const left = region.getBoundingClientRect().left;
    const gone = [...region.querySelectorAll('tr > :first-child')]
      .filter((cell) => cell.getBoundingClientRect().left < left - 0.5)
      .map((cell) => cell.textContent.trim().slice(0, 30));
    region.scrollLeft = 0;
    return gone;
  })"""

PHONE_SCREENSHOTS = Path("/tmp/screenshots")
# The rows a table must show to be checked: three, but the demo's charge rates are for all crime
# only (its measures are typed, not computed from the open data).
FEWEST_ROWS = {"Norfolk Constabulary: charge/summons rate": 1}


@pytest.mark.parametrize("width", (320, 375))
def test_on_a_phone_the_columns_that_matter_are_in_view_and_no_word_is_split(site, browser, width):
    # Given every force's figures for the month (their names the longest in the table), and a phone
    add_months()
    content_version(fresh=True)
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    problems = {}
    PHONE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, (address, wanted) in PHONE_COLUMNS.items():
        # When a resident opens the page
        assert page.goto(site.url + address()).status == 200, name
        tables = page.evaluate(
            COLUMNS_OUT_OF_VIEW, {prefix: list(columns) for prefix, columns in wanted.items()}
        )
        # Then each table it names is there, with rows, and its columns that matter are on the screen
        for prefix in wanted:
            least = FEWEST_ROWS.get(prefix, 3)
            assert any(caption.startswith(prefix) and rows >= least for caption, rows, _ in tables), (
                name,
                prefix,
            )
        problems.update({(name, caption): found for caption, _, found in tables if found})
        # and the first column stays in view as a wide table scrolls
        scrolled_away = page.evaluate(FIRST_COLUMN_SCROLLED_AWAY)
        if scrolled_away:
            problems[name, "first column scrolled away"] = scrolled_away[:5]
        # and no word is broken across two lines
        split = page.evaluate(WORDS_SPLIT)
        if split:
            problems[name, "words split"] = split
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        page.screenshot(path=PHONE_SCREENSHOTS / f"{slug}-{width}.png", full_page=True)
        for index, table in enumerate(page.locator(".table-wrap").all()[:3]):  # the tables up close
            if table.is_visible():
                table.screenshot(path=PHONE_SCREENSHOTS / f"{slug}-{width}-table-{index}.png")
    context.close()
    assert problems == {}


def test_the_split_word_check_finds_a_word_broken_inside(page):
    # Given a word forced to break inside itself, and one wrapping at a space
    page.set_content(
        "<main><p style='width: 3rem; overflow-wrap: anywhere'>Performance</p>"
        "<p style='width: 3rem'>in it</p></main>"
    )
    # Then the check names the first and not the second
    assert page.evaluate(WORDS_SPLIT) == ["Performance"]
