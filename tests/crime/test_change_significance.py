"""Whether a change is larger than chance, as the public pages and the open data say it.

The demo quarter's figures are read from ``figures.json`` (the reference page's figures) and each
change's expected judgement is worked out here from the binomial sums, independently of the code
under test: given the total of both years, the later year's count is binomial with p = 1/2 when
nothing changed, and the two-sided p-value is twice the smaller tail. Below 0.05 is "Significant";
otherwise fewer than 20 offences in either year is "Small numbers", else "Within chance".
"""

import datetime
import json
import math
from fractions import Fraction

import pytest
from django.urls import reverse

from performance.models import MeasureFigure, ReportingPeriod
from tests.factories import PUBLISHED
from tests.helpers import DEMO_FIGURES, csv_rows, json_document
from tests.html_tables import parse_page

FORCE = "Norfolk Constabulary"
SMALL = 20
SIGNIFICANT_NOTE = (
    "Significant: statistically significant, a change this size is unlikely to happen by chance."
)
SMALL_NUMBERS_NOTE = "Small numbers: a change this size can happen by chance."
WITHIN_CHANCE_NOTE = "Within chance: not statistically significant, a change this size can happen by chance."


def two_sided_p_by_hand(latest: int, earlier: int) -> Fraction:
    """Twice the smaller binomial tail of ``latest`` out of ``latest + earlier`` at p = 1/2 (at
    most 1), each coefficient worked out from the one before."""
    n, k = latest + earlier, min(latest, earlier)
    coefficient, tail = 1, 0
    for i in range(k + 1):
        tail += coefficient
        coefficient = coefficient * (n - i) // (i + 1)
    return min(Fraction(1), Fraction(2 * tail, 2**n))


def label_by_hand(latest: int, earlier: int) -> str:
    if two_sided_p_by_hand(latest, earlier) < Fraction(5, 100):
        return "Significant"
    return "Small numbers" if min(latest, earlier) < SMALL else "Within chance"


def demo_measures() -> dict[str, dict]:
    """Each measure of the demo quarter by name, with its priority area's name."""
    figures = json.loads(DEMO_FIGURES.read_text(encoding="utf-8"))["ncpm"]
    return {
        measure["name"]: {**measure, "area": area["name"]}
        for area in figures["priority_areas"]
        for measure in area["measures"]
    }


def counted_measures() -> dict[str, dict]:
    return {name: m for name, m in demo_measures().items() if m.get("unit") != "percent"}


@pytest.fixture
def page(client, demo_data):
    response = client.get(reverse("performance:police-data"))
    assert response.status_code == 200
    return response.content.decode()


def measure_tables(page: str) -> dict:
    prefix = f"{FORCE}: "
    return {
        t.caption.removeprefix(prefix): t for t in parse_page(page).tables if t.caption.startswith(prefix)
    }


def flat(html: str) -> str:
    return " ".join(html.split())


def test_the_expected_labels_cover_every_kind_in_the_demo():
    # The demo holds a significant change, a small-numbers one and one within chance, so the
    # tests below see all three.
    labels = {
        label_by_hand(m["current"], m[against])
        for m in counted_measures().values()
        for against in ("previous", "baseline")
    }
    assert labels == {"Significant", "Small numbers", "Within chance"}
    assert label_by_hand(2, 15) == "Significant"  # homicide, 15 → 2: p = 308 / 131,072
    assert two_sided_p_by_hand(2, 15) == Fraction(2 * (1 + 17 + 136), 2**17)


def test_each_change_of_a_count_carries_its_label_in_the_table(page):
    tables = measure_tables(page)
    for name, measure in counted_measures().items():
        row = tables[measure["area"]].row(name)
        for cell, against in ((row[3], "previous"), (row[5], "baseline")):
            expected = label_by_hand(measure["current"], measure[against])
            assert cell.endswith(f" {expected}"), (name, against, cell)


def test_homicide_15_to_2_is_marked_significant_and_its_baseline_change_small_numbers(page):
    table = measure_tables(page)["Reduce Murder and Homicide"]

    assert table.row("Homicide (all offences)")[3] == "87% decrease -13 Significant"
    assert table.row("Homicide (all offences)")[5] == "71% decrease -5 Small numbers"
    # The key under the table says, once, what each label it shows means.
    text = flat(page)
    section = text[text.index(f"{FORCE}: Reduce Murder and Homicide") :]
    section = section[: section.index("</section>")]
    assert f'<p class="table-note">{SIGNIFICANT_NOTE}</p>' in section
    assert f'<p class="table-note">{SMALL_NUMBERS_NOTE}</p>' in section
    assert WITHIN_CHANCE_NOTE not in section  # no change in this table is within chance


def test_a_percentage_measure_is_not_tested_and_its_table_says_so_in_one_line(page):
    tables = measure_tables(page)
    percent = [(name, m) for name, m in demo_measures().items() if m.get("unit") == "percent"]
    assert percent
    for name, measure in percent:
        row = tables[measure["area"]].row(name)
        assert not any(row[i].endswith(("Significant", "Small numbers", "Within chance")) for i in (3, 5))
    text = flat(page)
    assert (
        "Satisfaction amongst victims of domestic abuse is a percentage, not a count of offences: "
        "its changes are not tested for chance."
    ) in text
    assert text.count("not tested for chance.") == len(percent)


def test_the_ons_headline_gives_the_judgement_on_its_change(page):
    figures = json.loads(DEMO_FIGURES.read_text(encoding="utf-8"))["ons_recorded_crime"]
    latest, previous = figures["offences"], figures["previous_offences"]
    # Normal approximation to the same test (n = 134,352 offences): z far beyond 1.96.
    z = (latest - previous) / math.sqrt(latest + previous)
    assert math.erfc(abs(z) / math.sqrt(2)) < 0.05

    text = flat(page)
    headline = text.index("decreased during this period by 6% (69,237 offences to 65,115).")
    after = text[headline : text.index("</section>", headline)]
    assert (
        "Statistically significant: a change this size is unlikely to happen by chance. "
        '<a href="#glossary-significant">What statistically significant means</a>.'
    ) in after


def test_the_method_is_in_the_appendix_and_the_glossary_says_what_significant_means(page):
    text = flat(page)
    appendix = text[text.index('id="appendix-heading"') : text.index('id="reporting-heading"')]
    assert "Whether a change is larger than chance" in appendix
    assert "exact conditional test for two Poisson counts" in appendix
    assert "below 5%" in appendix
    glossary = text[text.index('id="glossary-heading"') :]
    assert '<dt id="glossary-significant">Statistically significant</dt>' in glossary
    assert "less than 1 time in 20" in glossary


def test_each_quarter_page_gives_the_method_and_its_labels(client, demo_data):
    response = client.get(reverse("performance:ncpm-period", args=["2023-06"]))
    text = flat(response.content.decode())

    assert '<h2 id="method-significance">Whether a change is larger than chance</h2>' in text
    assert "exact conditional test for two Poisson counts" in text
    homicide = measure_tables(response.content.decode())["Reduce Murder and Homicide"]
    assert homicide.row("Murder only")[3] == f"80% decrease -8 {label_by_hand(2, 10)}"


def test_the_open_data_says_whether_each_change_is_significant_with_its_p_value(client, demo_data):
    rows = csv_rows(client, reverse("performance:data-ncpm-csv"), {"period": "2023-06"})
    header, body = rows[0], rows[1:]
    by_measure = {row[header.index("measure")]: dict(zip(header, row, strict=True)) for row in body}

    for name, measure in demo_measures().items():
        row = by_measure[name]
        for against in ("previous", "baseline"):
            significant, p_value = row[f"change_{against}_significant"], row[f"change_{against}_p_value"]
            if measure.get("unit") == "percent":
                assert (significant, p_value) == ("", "")
                continue
            by_hand = two_sided_p_by_hand(measure["current"], measure[against])
            assert significant == ("true" if by_hand < Fraction(5, 100) else "false"), (name, against)
            assert abs(Fraction(p_value) - by_hand) <= Fraction(5, 100_000), (name, against, p_value)


def test_the_json_gives_the_test_as_a_boolean_and_a_number(client, demo_data):
    document = json_document(
        client, reverse("performance:data-ncpm-json"), {"area": "reduce-murder-and-homicide"}
    )
    homicide = next(row for row in document["rows"] if row["measure"] == "Homicide (all offences)")

    assert homicide["change_previous_significant"] is True
    assert homicide["change_previous_p_value"] == 0.0023  # 308 / 131,072 = 0.00235
    assert homicide["change_baseline_significant"] is False
    assert homicide["change_baseline_p_value"] == 0.1797  # 2·(1 + 9 + 36) / 512


def test_a_draft_quarter_changes_nothing_the_public_sees(client, demo_data):
    """The labels are read from published figures only: a draft quarter with other counts moves
    neither the page nor the open data until a Publisher publishes it."""
    before_page = client.get(reverse("performance:police-data")).content
    before_csv = client.get(reverse("performance:data-ncpm-csv")).content
    june = ReportingPeriod.objects.get(period_end=datetime.date(2023, 6, 30))
    draft = ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30))  # no publish_at
    for figure in june.figures.all():
        MeasureFigure.objects.create(
            period=draft,
            measure=figure.measure,
            latest=40,
            previous=figure.previous,
            baseline=figure.baseline,
        )

    assert client.get(reverse("performance:police-data")).content == before_page
    assert client.get(reverse("performance:data-ncpm-csv")).content == before_csv

    draft.publish_at = PUBLISHED
    draft.save()
    tables = measure_tables(client.get(reverse("performance:police-data")).content.decode())
    # Homicide, 15 → 40: now a significant increase.
    assert tables["Reduce Murder and Homicide"].row("Homicide (all offences)")[3] == (
        f"167% increase +25 {label_by_hand(40, 15)}"
    )
