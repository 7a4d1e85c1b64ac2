"""How the force's changes compare with other forces, as a resident reads them on a phone: one
sentence per measure, and the detail (the Most Similar Group's median, the position "of N") in a
small table that passes axe and keeps its columns in view."""

import pytest
from django.urls import reverse

from performance.models import MeasureFigure
from performance.publishing.caching import content_version
from tests.browser.conftest import axe_violations
from tests.browser.test_layout import COLUMNS_OUT_OF_VIEW, PHONE_SCREENSHOTS, WORDS_SPLIT

pytestmark = pytest.mark.browser

AREA = "Reduce Murder and Homicide"


@pytest.fixture
def compared(site):
    """The demo quarter's homicide measures as the open data would have compared them."""
    MeasureFigure.objects.filter(measure__priority_area__name=AREA).update(
        comparison={
            "previous": {"msg_median": "-40.5", "rank": 3, "joint": False, "of": 43},
            "baseline": {"msg_median": "-20", "rank": 12, "joint": True, "of": 43},
        }
    )
    content_version(fresh=True)
    return site


@pytest.mark.parametrize("width", (320, 375))
def test_the_comparison_reads_as_a_sentence_and_its_table_fits_a_phone(compared, browser, width):
    # Given a phone
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()

    # When a resident reads the quarter and opens the comparison
    page.goto(compared.url + reverse("performance:ncpm-period", args=["2023-06"]))
    area = page.locator("section.priority-area", has_text=f"Priority area: {AREA}")
    notes = area.locator(".table-note").all_inner_texts()
    area.locator("details.comparison-detail > summary").click()

    # Then each measure has one plain sentence: Norfolk's 87% fall is larger than the median 40.5%
    assert (
        "Homicide (all offences), against the previous 12 months: Norfolk Constabulary's fall was "
        "larger than most similar forces'."
    ) in notes
    assert not any("median" in note for note in notes)
    # and the table holds the detail, its columns that matter in view and no word split
    wanted = {"How Norfolk Constabulary's changes compare": ["Measure, compared with", "Similar forces"]}
    tables = page.evaluate(COLUMNS_OUT_OF_VIEW, wanted)
    assert [(caption, rows, problems) for caption, rows, problems in tables] == [
        (f"How Norfolk Constabulary's changes compare: {AREA}", 5, [])
    ]
    assert area.locator("details.comparison-detail td").all_inner_texts()[:3] == [
        "87% decrease",
        "41% decrease",
        "3rd of 43",
    ]
    assert page.evaluate(WORDS_SPLIT) == []
    assert axe_violations(page) == []
    PHONE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    area.screenshot(path=PHONE_SCREENSHOTS / f"comparison-{width}.png")
    context.close()
