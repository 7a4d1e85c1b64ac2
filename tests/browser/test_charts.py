"""Charts in a real browser: each is drawn, accessible, and stands in as text without JavaScript."""

import pytest
from django.urls import reverse

from tests.browser.conftest import axe_violations
from tests.site.test_charts import GROUP_SENTENCES, SHARE_SENTENCE, add_earlier_period, add_group_months

pytestmark = pytest.mark.browser

# Pixels painted at all (axes, grid, labels), and painted in a series colour (the figures
# themselves: navy #0b2545 or blue #1a4f8b, as performance/shared/charts.py colours them).
COUNT_PIXELS = """canvas => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const series = [[11, 37, 69], [26, 79, 139]];
    let painted = 0, figures = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) continue;
        painted += 1;
        if (data[i + 3] === 255 && series.some(([r, g, b]) =>
            Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 12)) figures += 1;
    }
    return {painted, figures};
}"""


def assert_every_chart_is_drawn(page, expected: int):
    figures = page.locator("figure.chart")
    assert figures.count() == expected
    for index in range(expected):
        container = figures.nth(index).locator(".chart-canvas")
        assert container.is_visible(), figures.nth(index).get_attribute("id")
        canvas = container.locator("canvas")
        box = canvas.bounding_box()
        assert box["width"] > 200 and box["height"] > 200
        pixels = canvas.evaluate(COUNT_PIXELS)
        chart_id = figures.nth(index).get_attribute("id")
        assert pixels["painted"] > 1000 and pixels["figures"] > 50, (chart_id, pixels)
        assert canvas.get_attribute("role") == "img"
        summary = figures.nth(index).locator(".chart-summary").inner_text()
        assert canvas.get_attribute("aria-label") == summary
    assert page.console_errors == []


def test_every_chart_on_the_police_data_page_is_drawn(site, page):
    add_group_months()
    page.goto(site.url + reverse("performance:police-data"))
    # 999 share and volume, the Most Similar Group and regional group, and five NCPM areas.
    assert_every_chart_is_drawn(page, 2 + 2 + 5)
    summaries = page.locator(".chart-summary").all_inner_texts()
    assert SHARE_SENTENCE in summaries
    assert all(sentence in summaries for sentence in GROUP_SENTENCES)


def test_the_group_chart_is_left_out_without_the_other_forces_figures(site, page):
    page.goto(site.url + reverse("performance:police-data"))
    assert_every_chart_is_drawn(page, 2 + 5)


def test_charts_are_drawn_on_the_999_archive_and_ncpm_quarter_pages(site, page):
    page.goto(site.url + reverse("performance:calls-999-archive"))
    assert_every_chart_is_drawn(page, 2)
    page.goto(site.url + reverse("performance:ncpm-period", args=["2023-06"]))
    assert_every_chart_is_drawn(page, 5 + 1)  # and the charge/summons rates


def test_charts_are_drawn_when_the_reader_prefers_reduced_motion(site, page):
    page.emulate_media(reduced_motion="reduce")
    page.goto(site.url + reverse("performance:calls-999-archive"))
    assert_every_chart_is_drawn(page, 2)


def test_each_measure_over_the_quarters_is_drawn_on_the_ncpm_archive(site, page):
    measures = add_earlier_period()
    page.goto(site.url + reverse("performance:ncpm-archive"))
    assert_every_chart_is_drawn(page, measures)
    assert (
        "All violence with injury: 8,505 offences in the 12 months to June 2023, "
        "a 0% decrease on 8,507 offences in the 12 months to March 2023."
    ) in page.locator(".chart-summary").all_inner_texts()
    assert axe_violations(page) == []


def test_the_ncpm_archive_loads_no_chart_script_with_one_quarter(site, page):
    page.goto(site.url + reverse("performance:ncpm-archive"))
    assert page.locator("figure.chart").count() == 0
    assert page.locator("script[src*='chart']").count() == 0


def test_charts_have_no_axe_violations_when_drawn_and_with_their_figures_open(site, page):
    add_group_months()
    page.goto(site.url + reverse("performance:police-data"))
    assert page.locator(".chart-canvas:visible").count() == 9
    assert axe_violations(page) == []
    page.locator(".chart-figures > summary").first.focus()
    page.keyboard.press("Enter")  # a keyboard opens the figures
    assert page.locator(".chart-figures").first.evaluate("details => details.open")
    page.evaluate("() => document.querySelectorAll('.chart-figures').forEach(d => { d.open = true; })")
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_charts_read_as_sentences_and_tables_without_javascript(site, browser):
    add_group_months()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + reverse("performance:police-data"))
    figures = page.locator("figure.chart")
    count = figures.count()
    summaries = page.locator(".chart-summary").all_inner_texts()
    visible_boxes = page.locator(".chart-canvas:visible").count()
    tables_in_charts = page.locator("figure.chart table").count()
    page.locator(".chart-figures > summary").first.click()  # <details> needs no script
    first_table = page.locator("figure.chart table").first
    table_visible = first_table.is_visible()
    caption = first_table.locator("caption").inner_text()
    csv_link = page.locator("figure.chart .download a").first.get_attribute("href")
    context.close()

    assert count == 9
    assert SHARE_SENTENCE in summaries and GROUP_SENTENCES[0] in summaries
    assert visible_boxes == 0  # no empty chart box
    assert tables_in_charts == count
    assert table_visible
    assert (
        caption == "Norfolk: share of 999 calls answered in under 10 seconds, November 2021 to September 2023"
    )
    assert csv_link.endswith(".csv?force=norfolk")


def test_charts_fit_a_320_pixel_screen(site, browser):
    add_group_months()
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(site.url + reverse("performance:police-data"))
    widths = page.evaluate(
        """() => [document.documentElement.scrollWidth - document.documentElement.clientWidth,
            ...[...document.querySelectorAll('.chart-canvas canvas')].map(c => c.getBoundingClientRect().right)]"""
    )
    context.close()
    assert widths[0] <= 0
    assert all(right <= 320 for right in widths[1:])
