"""Every public page type in a real browser: accessible, usable on a phone and without JavaScript."""

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

PUBLIC_PAGES = {
    "library": lambda: reverse("performance:library"),
    "police data": lambda: reverse("performance:police-data"),
    "plain library page": lambda: reverse("performance:library-page", args=["accountability-meetings"]),
    "999 calls, every year": lambda: reverse("performance:calls-999-archive"),
    "999 calls, every force": lambda: reverse("performance:calls-999-national", args=["2023-09"]),
    "NCPM archive": lambda: reverse("performance:ncpm-archive"),
    "NCPM quarter": lambda: reverse("performance:ncpm-period", args=["2023-06"]),
    "datasets": lambda: reverse("performance:datasets"),
    "accessibility statement": lambda: reverse("performance:accessibility"),
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_page_has_no_axe_violations(site, page, name):
    response = page.goto(site.url + PUBLIC_PAGES[name]())
    assert response.status == 200
    assert axe_violations(page) == []
    assert page.console_errors == []


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_page_does_not_scroll_sideways_at_320_pixels(site, browser, name):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site.url + PUBLIC_PAGES[name]())
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    context.close()
    assert overflow <= 0


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_the_content(site, page):
    page.goto(site.url + reverse("performance:police-data"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]"
    )
    assert focused == ["Skip to content", "#main-content"]
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"


def test_police_data_tables_are_there_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + reverse("performance:police-data"))
    captions = page.locator("table caption").all_inner_texts()
    context.close()
    assert "Norfolk Constabulary 999 Call Performance Data (2023)" in captions
    assert "Norfolk Constabulary: Reduce Serious Violence" in captions
