"""The "At a glance" summary and the "On this page" contents as a reader sees them: first in the
page's content, on a phone within its first two screens, nothing beyond the screen's edge, and
axe passing. A screenshot of the top of each page is saved under ``$SCREENSHOTS`` (default
``/tmp/screenshots``) for a person to look at.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations
from tests.browser.test_layout import OUTSIDE_THE_SCREEN

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/screenshots"))
PHONE_HEIGHT = 667  # a 375 × 667 phone's screen; the 320 px phone is checked against the same height
SCREENS = {320: PHONE_HEIGHT, 375: PHONE_HEIGHT, 1280: 900}

PAGES = {
    "police-data": lambda: reverse("performance:police-data"),
    "ncpm-quarter": lambda: reverse("performance:ncpm-period", args=["2023-06"]),
}

# The content's first elements in order (tag, class or label), and where the summary and the
# contents end, from the top of the page.
OPENING = """() => {
  const main = document.querySelector('main');
  const first = [...main.children].slice(0, 3).map((element) =>
    [element.tagName.toLowerCase(), element.className || element.getAttribute('aria-label') || '']);
  const bottom = (selector) => {
    const element = document.querySelector(selector);
    return element ? element.getBoundingClientRect().bottom + window.scrollY : null;
  };
  return {first, glance: bottom('main .at-a-glance'), contents: bottom('main nav[aria-label="On this page"]')};
}"""


@pytest.mark.parametrize("width", SCREENS)
@pytest.mark.parametrize("name", PAGES)
def test_the_summary_opens_the_page_and_fits_the_first_two_screens_of_a_phone(site, browser, name, width):
    context = browser.new_context(viewport={"width": width, "height": SCREENS[width]})
    page = context.new_page()
    response = page.goto(site.url + PAGES[name]())
    assert response.status == 200

    opening = page.evaluate(OPENING)
    assert [tag for tag, _ in opening["first"]] == ["h1", "section", "nav"]
    assert opening["first"][1][1] == "at-a-glance" and opening["first"][2][1] == "page-contents"
    assert page.locator("main .at-a-glance li").count() >= 2
    assert opening["glance"] < opening["contents"]
    if width < 1280:
        assert opening["contents"] <= 2 * PHONE_HEIGHT, opening
    assert page.evaluate(OUTSIDE_THE_SCREEN) == []

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=SCREENSHOTS / f"at-a-glance-{name}-{width}.png",
        clip={"x": 0, "y": 0, "width": width, "height": 2 * SCREENS[width]},
        full_page=True,
    )
    print(
        f"{name} at {width} px: summary ends at {opening['glance']:.0f} px, contents at {opening['contents']:.0f} px"
    )
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_the_summary_and_contents_pass_axe_and_their_links_go_to_their_sections(site, page, name):
    page.goto(site.url + PAGES[name]())
    assert axe_violations(page) == []
    links = page.locator("main .at-a-glance a, main nav[aria-label='On this page'] a")
    hrefs = [links.nth(index).get_attribute("href") for index in range(links.count())]
    assert hrefs and all(href.startswith("#") for href in hrefs)
    for href in hrefs:
        assert page.locator(f"[id='{href[1:]}']").count() == 1, href

    page.set_viewport_size({"width": 375, "height": PHONE_HEIGHT})
    page.locator("main .at-a-glance a").first.click()
    target = page.locator(f"[id='{hrefs[0][1:]}']")
    assert 0 <= target.evaluate("(element) => element.getBoundingClientRect().top") < PHONE_HEIGHT
