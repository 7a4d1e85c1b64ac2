"""The published wording of every derived number, checked against the reference Police Data page.

Expected strings are typed from the page as the office published it; inputs are the figures it
shows (performance/demo_data/figures.json). No database needed.
"""

import json
from decimal import Decimal

import pytest

from performance.shared import calculations as calc
from tests.helpers import DEMO_FIGURES

FIGURES = json.loads(DEMO_FIGURES.read_text())

# (measure, against previous 12 months, against 2019 baseline), as the reference page shows them.
PUBLISHED_NCPM_DIFFERENCES = {
    "Homicide (all offences)": (("87% decrease", "-13"), ("71% decrease", "-5")),
    "Murder only": (("80% decrease", "-8"), ("60% decrease", "-3")),
    "All violence with injury": (("0% decrease", "-2"), ("20% increase", "+1,414")),
    "Grievous Bodily Harm": (("2% decrease", "-15"), ("35% increase", "+159")),
    "Actual Bodily Harm": (("8% decrease", "-449"), ("1% decrease", "-59")),
    "Drug trafficking offences": (("1% increase", "+6"), ("26% decrease", "-157")),
    "All neighbourhood crime": (("1% decrease", "-23"), ("39% decrease", "-2,369")),
    "Residential burglary": (("5% decrease", "-71"), ("44% decrease", "-982")),
    "Vehicle offences": (("2% increase", "+31"), ("38% decrease", "-1,064")),
    "Theft from the person": (("2% increase", "+8"), ("29% decrease", "-170")),
    "Robbery": (("3% increase", "+9"), ("30% decrease", "-153")),
    "Satisfaction amongst victims of domestic abuse": (
        ("1 percentage point increase", ""),
        ("1 percentage point decrease", ""),
    ),
}


def reference_measures():
    for area in FIGURES["ncpm"]["priority_areas"]:
        yield from area["measures"]


def test_every_reference_measure_has_a_published_difference():
    assert {m["name"] for m in reference_measures()} == set(PUBLISHED_NCPM_DIFFERENCES)


@pytest.mark.parametrize("measure", list(reference_measures()), ids=lambda m: m["name"])
def test_ncpm_differences_match_the_published_page(measure):
    percent_measure = measure.get("unit") == "percent"
    against_previous = calc.difference(
        measure["current"], measure["previous"], percent_measure=percent_measure
    )
    against_baseline = calc.difference(
        measure["current"], measure["baseline"], percent_measure=percent_measure
    )

    expected_previous, expected_baseline = PUBLISHED_NCPM_DIFFERENCES[measure["name"]]
    assert (against_previous.text, against_previous.absolute_text) == expected_previous
    assert (against_baseline.text, against_baseline.absolute_text) == expected_baseline


def test_ons_sentence_matches_the_published_page():
    ons = FIGURES["ons_recorded_crime"]
    assert (
        calc.ons_change_sentence(ons["offences"], ons["previous_offences"])
        == "decreased during this period by 6% (69,237 offences to 65,115)"
    )


def test_ons_sentence_for_an_increase():
    assert (
        calc.ons_change_sentence(1_050, 1_000)
        == "increased during this period by 5% (1,000 offences to 1,050)"
    )


def test_decrease_below_half_a_percent_reads_0_percent_decrease():
    change = calc.difference(8505, 8507)
    assert (change.text, change.direction, change.absolute_text) == ("0% decrease", "decrease", "-2")


def test_increase_below_half_a_percent_reads_0_percent_increase():
    assert calc.difference(1001, 1000).text == "0% increase"


def test_exactly_equal_reads_no_change():
    change = calc.difference(443, 443)
    assert (change.text, change.absolute_text) == ("no change", "0")


def test_previous_zero_has_no_percentage_but_keeps_the_absolute_difference():
    change = calc.difference(4, 0)
    assert (change.percent, change.text, change.absolute_text) == (None, "n/a", "+4")


@pytest.mark.parametrize(
    ("latest", "earlier", "expected"),
    [
        (205, 200, "3% increase"),  # 2.5% rounds half away from zero, up
        (195, 200, "3% decrease"),  # -2.5% rounds half away from zero, down
        (1005, 1000, "1% increase"),  # 0.5%
        (995, 1000, "1% decrease"),  # -0.5%
        (1004, 1000, "0% increase"),  # 0.4%
    ],
)
def test_halves_round_away_from_zero(latest, earlier, expected):
    assert calc.difference(latest, earlier).text == expected


@pytest.mark.parametrize(
    ("latest", "earlier", "expected"),
    [
        (78, 77, "1 percentage point increase"),
        (76, 79, "3 percentage points decrease"),
        (Decimal("78.5"), 77, "1.5 percentage points increase"),
        (77, 77, "no change"),
    ],
)
def test_percentage_measures_change_in_points_with_the_right_singular(latest, earlier, expected):
    assert calc.difference(latest, earlier, percent_measure=True).text == expected


def test_ordinals():
    numbers = (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)
    assert [calc.ordinal(n) for n in numbers] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "101st",
        "111th",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(9933, "9,933"), (65115, "65,115"), (Decimal("1414"), "1,414"), (999, "999"), (1_000_000, "1,000,000")],
)
def test_thousands_separators(value, expected):
    assert calc.thousands(value) == expected


def test_published_999_percentages_keep_one_decimal_place():
    row = dict(zip(FIGURES["calls_999_columns"], FIGURES["calls_999"][0], strict=True))
    assert calc.percent(row["pct_under_10s"]) == "82.8%"
    assert calc.percent(82) == "82.0%"


def test_every_reference_month_has_band_percentages_adding_to_100():
    columns = FIGURES["calls_999_columns"]
    for values in FIGURES["calls_999"]:
        row = dict(zip(columns, values, strict=True))
        bands = [row["pct_under_10s"], row["pct_10_to_60s"], row["pct_60s_and_over"]]
        assert calc.band_percentages_problem(bands) is None, row["month"]


def test_band_percentages_within_half_a_point_of_100_are_accepted():
    assert calc.band_percentages_problem([85, 14, Decimal("0.5")]) is None  # 99.5
    assert calc.band_percentages_problem([85, 15, Decimal("0.5")]) is None  # 100.5


def test_band_percentages_outside_tolerance_are_a_problem():
    assert calc.band_percentages_problem([85, 14, Decimal("0.4")]) == (
        "The three band percentages add up to 99.4%; they should add up to 100% (allowing 0.5 for rounding)."
    )


def test_competition_ranking_shares_ties():
    ranks = calc.competition_ranks({"a": Decimal("90.1"), "b": 88, "c": 88, "d": 70})
    assert ranks == {"a": (1, False), "b": (2, True), "c": (2, True), "d": (4, False)}
    assert calc.rank_text(*ranks["b"][:1], joint=ranks["b"][1]) == "joint 2nd"


def test_a_rank_without_how_many_were_ranked_is_its_position_only():
    assert calc.rank_text(14) == "14th"
    assert calc.rank_text(2, joint=True) == "joint 2nd"


def test_a_rank_entered_with_how_many_were_ranked_reads_as_a_computed_one():
    assert calc.rank_text(14, out_of=42) == "14th of 42"


def test_the_national_set_is_named_with_northern_ireland_when_it_includes_psni():
    assert calc.national_set_name() == "England and Wales"
    assert calc.national_set_name(northern_ireland=True) == "England, Wales and Northern Ireland"
    assert calc.national_rank_text(4, out_of=42) == "4th of 42 forces in England and Wales"
    assert (
        calc.national_rank_text(4, out_of=43, northern_ireland=True)
        == "4th of 43 forces in England, Wales and Northern Ireland"
    )
