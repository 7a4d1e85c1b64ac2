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
from tests.browser.test_public_pages import PUBLIC_PAGES

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
