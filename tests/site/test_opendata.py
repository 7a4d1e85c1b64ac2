"""Open data: every public table as CSV and JSON, read the way a spreadsheet or a program reads it.

Expected rows are written out literally from the demo data (the published Police Data page), so a
change of column, order, rounding or wording shows up here.
"""

import csv
import dataclasses
import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from performance.calls.opendata import CALLS_999, calls_999_csv_url
from performance.crime.opendata import CHARGE_RATES, NCPM, NCPM_APPLICABILITY, ONS, ncpm_csv_url
from performance.models import (
    CallAnswerMonth,
    CallAnswerRank,
    Force,
    Measure,
    MeasureFigure,
    PriorityArea,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingPeriod,
)
from performance.publishing import opendata
from performance.publishing.caching import content_version
from tests.factories import PUBLISHED
from tests.helpers import csv_rows, json_document, read_csv, read_json, status_and_heading
from tests.html_tables import parse_page

CALLS_999_HEADER = [
    "force",
    "force_ons_code",
    "month",
    "total_calls",
    "mean_answer_seconds",
    "median_answer_seconds",
    "calls_under_10s",
    "calls_10_to_60s",
    "calls_60s_and_over",
    "pct_under_10s",
    "pct_10_to_60s",
    "pct_60s_and_over",
    "national_rank",
    "national_rank_joint",
    "national_rank_out_of",
    "msg_rank",
    "msg_rank_joint",
    "msg_rank_out_of",
    "regional_rank",
    "regional_rank_joint",
    "regional_rank_out_of",
    "rank_source",
    "last_revised",
]
NCPM_HEADER = [
    "period_end",
    "previous_period_end",
    "baseline_period_end",
    "priority_area",
    "measure",
    "unit",
    "latest",
    "previous",
    "baseline",
    "change_previous",
    "change_previous_percent",
    "change_previous_text",
    "change_previous_significant",
    "change_previous_p_value",
    "change_baseline",
    "change_baseline_percent",
    "change_baseline_text",
    "change_baseline_significant",
    "change_baseline_p_value",
    "rate_per_1000",
    "rate_interval_low",
    "rate_interval_high",
    "population",
    "population_mid_year",
    "rate_position_among_similar_forces",
    "revisions",
    "last_revised",
]
ONS_HEADER = [
    "force",
    "force_ons_code",
    "year_ending",
    "total_recorded_crime_excluding_fraud",
    "rate_per_1000",
    "rate_interval_low",
    "rate_interval_high",
    "population",
    "population_mid_year",
    "rate_position_among_similar_forces",
    "published_on",
    "last_revised",
]
CHARGE_RATES_HEADER = [
    "period_end",
    "force",
    "force_ons_code",
    "measure",
    "charges",
    "offences",
    "charge_rate",
    "interval_low",
    "interval_high",
    "previous_charges",
    "previous_offences",
    "previous_charge_rate",
    "msg_median_rate",
    "england_wales_charges",
    "england_wales_offences",
    "england_wales_rate",
    "last_revised",
]
HEADERS = {
    "calls-999": CALLS_999_HEADER,
    "ncpm": NCPM_HEADER,
    "charge-rates": CHARGE_RATES_HEADER,
    "ons": ONS_HEADER,
}
DATASETS = {"calls-999": CALLS_999, "ncpm": NCPM, "charge-rates": CHARGE_RATES, "ons": ONS}
APPLICABILITY_HEADER = ["period_end", "priority_area", "applies", "reason", "last_revised"]
# Every dataset the datasets page lists (the tests of figures above leave the applicability
# statement to tests/crime/test_applicability.py).
LISTED = {**DATASETS, "ncpm-applicability": NCPM_APPLICABILITY}
LISTED_HEADERS = {**HEADERS, "ncpm-applicability": APPLICABILITY_HEADER}

HOSTILE_NAMES = ["=cmd|' /C calc'!A0", "+44 1603 000000", "-2+3", "@SUM(1,1)", "\tTabbed", "\rReturned"]
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
JANUARY_2023 = datetime.date(2023, 1, 1)


def csv_url(name: str, query: str = "") -> str:
    return reverse(f"performance:data-{name}-csv") + (f"?{query}" if query else "")


def json_url(name: str, query: str = "") -> str:
    return reverse(f"performance:data-{name}-json") + (f"?{query}" if query else "")


def csv_line(text: str) -> list[str]:
    """A CSV line written out as it appears in the file, read back into its cells."""
    return next(csv.reader([text]))


def revised(instance) -> str:
    return instance.updated_at.astimezone(datetime.UTC).isoformat(timespec="seconds")


def norfolk_january():
    return CallAnswerMonth.objects.get(force__name="Norfolk", month=JANUARY_2023)


def homicide():
    return MeasureFigure.objects.get(measure__name="Homicide (all offences)")


def call_month(force, month: datetime.date, **values) -> CallAnswerMonth:
    return CallAnswerMonth.objects.create(
        publish_at=PUBLISHED,
        force=force,
        month=month,
        total_calls=values.pop("total_calls", 100),
        mean_answer_seconds=Decimal("6.5"),
        pct_under_10s=Decimal("90.0"),
        pct_10_to_60s=Decimal("9.0"),
        pct_60s_and_over=Decimal("1.0"),
        **values,
    )


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HEADERS)
def test_each_csv_starts_with_its_documented_columns_in_a_fixed_order(client, demo_data, name):
    rows = csv_rows(client, csv_url(name))

    assert rows[0] == HEADERS[name]
    assert [column.name for column in DATASETS[name].columns] == HEADERS[name]
    assert all(len(row) == len(HEADERS[name]) for row in rows)


def test_999_csv_gives_norfolk_january_2023_as_published(client, demo_data):
    rows = csv_rows(client, csv_url("calls-999", "force=norfolk&month=2023-01"))

    published = "Norfolk,E23000024,2023-01,9933,7.45,,,,,85.3,14.1,0.6,14,false,,2,false,8,2,false,7,entered"
    assert rows[1:] == [[*csv_line(published), revised(norfolk_january())]]


def test_999_csv_keeps_the_published_decimal_place_of_a_whole_percentage(client, demo_data):
    rows = csv_rows(client, csv_url("calls-999", "force=norfolk&month=2022-12"))

    assert rows[1][:12] == csv_line("Norfolk,E23000024,2022-12,9661,8.8,,,,,81.4,17.3,1.3")
    rows = csv_rows(client, csv_url("calls-999", "force=norfolk&month=2021-12"))
    assert rows[1][9:12] == ["82.0", "16.3", "1.7"]  # 82.0 as published, not 82


def test_999_csv_gives_every_month_held_in_order_of_force_and_month(client, demo_data):
    suffolk = Force.objects.get(name="Suffolk")
    call_month(suffolk, JANUARY_2023)

    rows = csv_rows(client, csv_url("calls-999"))

    keys = [(row[0], row[2]) for row in rows[1:]]
    assert keys == sorted(keys)
    assert len(keys) == 23 + 1
    assert keys[0] == ("Norfolk", "2021-11") and keys[-1] == ("Suffolk", "2023-01")


def test_999_csv_gives_band_counts_and_computed_ranks_when_held(client, demo_data):
    norfolk = Force.objects.get(name="Norfolk")
    month = call_month(
        norfolk,
        datetime.date(2023, 10, 1),
        total_calls=9933,
        calls_under_10s=8473,
        calls_10_to_60s=1400,
        calls_60s_and_over=60,
    )
    CallAnswerRank.objects.create(
        call_month=month,
        scope="national",
        rank=3,
        joint=True,
        out_of=43,
        source=CallAnswerRank.Source.COMPUTED,
    )

    rows = csv_rows(client, csv_url("calls-999", "month=2023-10"))

    assert rows[1][:-1] == (
        csv_line("Norfolk,E23000024,2023-10,9933,6.5,,8473,1400,60,90.0,9.0,1.0,3,true,43,,,,,,,computed")
    )


def test_csv_is_utf8_without_bom_with_crlf_line_ends_and_a_named_attachment(client, demo_data):
    anglesey = Force.objects.create(name="Ynys Môn", full_name="Heddlu Ynys Môn", kind=Force.Kind.SPECIAL)
    call_month(anglesey, JANUARY_2023)

    response = client.get(csv_url("calls-999", "year=2023"))

    body = response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="999-calls-2023.csv"'
    assert not body.startswith(b"\xef\xbb\xbf")
    assert "Ynys Môn".encode() in body
    assert body.endswith(b"\r\n")
    assert body.count(b"\n") == body.count(b"\r\n") == 1 + 9 + 1


FILE_NAMES = [
    ("calls-999", "", "999-calls.csv"),
    ("calls-999", "force=Norfolk&year=2023", "999-calls-norfolk-2023.csv"),
    ("calls-999", "month=2023-01", "999-calls-2023-01.csv"),
    ("ncpm", "period=2023-06&area=reduce-serious-violence", "ncpm-2023-06-reduce-serious-violence.csv"),
    ("ons", "force=norfolk", "recorded-crime-norfolk.csv"),
]


def test_csv_file_name_says_which_rows_it_holds(client, demo_data):
    for name, query, file_name in FILE_NAMES:
        response = client.get(csv_url(name, query))

        assert response["Content-Disposition"] == f'attachment; filename="{file_name}"'


@pytest.mark.parametrize("name", HEADERS)
def test_csv_numbers_are_plain_without_percent_signs_or_thousands_separators(client, demo_data, name):
    dataset = DATASETS[name]
    rows = csv_rows(client, csv_url(name))
    numeric = [i for i, column in enumerate(dataset.columns) if column.type in ("integer", "decimal")]

    cells = [row[i] for row in rows[1:] for i in numeric]
    assert cells
    assert all(cell == "" or PLAIN_NUMBER.fullmatch(cell) for cell in cells), cells
    if name != "ncpm":  # NCPM's text columns word the change, e.g. "87% decrease"
        assert "%" not in client.get(csv_url(name)).content.decode()


def test_ncpm_csv_gives_the_differences_as_the_page_words_them(client, demo_data):
    rows = csv_rows(client, csv_url("ncpm", "period=2023-06"))
    by_measure = {row[4]: row[:-1] for row in rows[1:]}

    assert by_measure["Homicide (all offences)"] == [
        "2023-06-30",
        "2022-06-30",
        "2019-06-30",
        "Reduce Murder and Homicide",
        "Homicide (all offences)",
        "count",
        "2",
        "15",
        "7",
        "-13",
        "-87",
        "87% decrease",
        "true",  # 2·(1 + 17 + 136) / 2¹⁷ = 0.00235: below 0.05
        "0.0023",
        "-5",
        "-71",
        "71% decrease",
        "false",  # 2·(1 + 9 + 36) / 2⁹ = 0.1797
        "0.1797",
        *[""] * 6,  # no rates: the demo's typed figures are not computed from the open data
        "",  # never revised
    ]
    assert by_measure["All violence with injury"][6:] == [
        "8505",
        "8507",
        "7091",
        "-2",
        "0",
        "0% decrease",
        "false",
        "0.9939",
        "1414",
        "20",
        "20% increase",
        "true",
        "0.0000",  # 1.0e-29: below 0.00005
        *[""] * 6,
        "",
    ]
    assert by_measure["Satisfaction amongst victims of domestic abuse"][5:] == [
        "percent",
        "78",
        "77",
        "79",
        "1",
        "",
        "1 percentage point increase",
        "",  # a percentage is not tested
        "",
        "-1",
        "",
        "1 percentage point decrease",
        *[""] * 6,
        "",
        "",
        "",
    ]
    assert rows[1][-1] == revised(homicide())
    assert len(rows) == 1 + 12


def test_ncpm_csv_leaves_the_baseline_columns_blank_when_it_is_not_held(client, demo_data):
    figure = homicide()
    figure.baseline = None
    figure.save()

    rows = csv_rows(client, csv_url("ncpm", "area=reduce-murder-and-homicide"))

    assert rows[1][8:19] == ["", "-13", "-87", "87% decrease", "true", "0.0023", "", "", "", "", ""]


def test_ons_csv_gives_each_force_and_year(client, demo_data):
    rows = csv_rows(client, csv_url("ons"))
    figures = RecordedCrimeFigure.objects.order_by("period__period_end")

    assert rows[1:] == [
        # Rates on the demo's typed populations (mid-2022 925,300; mid-2023 934,000) with their 95%
        # Wilson intervals, worked by hand from the formula; the demo's group has no other force's
        # figure, so there is no position.
        [
            "Norfolk",
            "E23000024",
            "2022-06-30",
            "69237",
            "74.8",
            "74.3",
            "75.4",
            "925300",
            "2022",
            "",
            "",
            revised(figures[0]),
        ],
        [
            "Norfolk",
            "E23000024",
            "2023-06-30",
            "65115",
            "69.7",
            "69.2",
            "70.2",
            "934000",
            "2023",
            "",
            "2023-10-19",
            revised(figures[1]),
        ],
    ]


# --------------------------------------------------------------------------------------------
# Spreadsheet formulas
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_999_force_name_a_spreadsheet_would_run_is_neutralised(client, db, hostile):
    force = Force.objects.create(name=hostile, full_name=hostile, kind=Force.Kind.SPECIAL)
    call_month(force, JANUARY_2023)

    [csv_row] = csv_rows(client, csv_url("calls-999"))[1:]
    [json_row] = json_document(client, json_url("calls-999"))["rows"]

    assert csv_row[:4] == ["'" + hostile, "", "2023-01", "100"]
    assert json_row["force"] == "'" + hostile
    assert json_row["total_calls"] == 100


def test_cmd_formula_force_name_reads_as_text_in_the_csv(client, db):
    force = Force.objects.create(name="=cmd|' /C calc'!A0", full_name="Hostile", kind=Force.Kind.SPECIAL)
    call_month(force, JANUARY_2023)

    text = client.get(csv_url("calls-999", "month=2023-01")).content.decode()

    assert "\r\n'=cmd|' /C calc'!A0,,2023-01,100," in text
    assert "\r\n=cmd" not in text


def test_ncpm_and_ons_text_is_neutralised_but_negative_numbers_stay_numbers(client, demo_data):
    area = PriorityArea.objects.create(name="@SUM(1,1)", slug="hostile", order=9)
    measure = Measure.objects.create(priority_area=area, name='=HYPERLINK("x")', order=1)
    MeasureFigure.objects.create(
        period=ReportingPeriod.objects.get(), measure=measure, latest=1, previous=3, baseline=None
    )
    force = Force.objects.create(name="+Hostile", full_name="Hostile", kind=Force.Kind.SPECIAL)
    RecordedCrimeFigure.objects.create(period=RecordedCrimePeriod.objects.first(), force=force, total=5)

    ncpm = csv_rows(client, csv_url("ncpm", "area=hostile"))[1]
    ons = csv_rows(client, csv_url("ons", "force=%2BHostile"))[1]

    assert ncpm[3:12] == [
        "'@SUM(1,1)",
        '\'=HYPERLINK("x")',
        "count",
        "1",
        "3",
        "",
        "-2",
        "-67",
        "67% decrease",
    ]
    assert ons[:4] == ["'+Hostile", "", "2023-06-30", "5"]
    row = json_document(client, json_url("ncpm", "area=hostile"))["rows"][0]
    assert (row["priority_area"], row["measure"], row["change_previous"]) == (
        "'@SUM(1,1)",
        '\'=HYPERLINK("x")',
        -2,
    )


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------

METADATA_KEYS = [
    "dataset",
    "title",
    "description",
    "source",
    "licence",
    "filters",
    "period",
    "published",
    "next_release",
    "last_revised",
    "notes",
    "columns",
    "rows",
]


@pytest.mark.parametrize("name", HEADERS)
def test_json_describes_its_dataset_and_columns(client, demo_data, name):
    dataset = DATASETS[name]
    document = json_document(client, json_url(name))

    assert [key for key in document if key != "headline"] == METADATA_KEYS
    assert document["dataset"] == dataset.slug
    assert document["title"] == dataset.title
    assert document["source"] == {"publisher": dataset.source.publisher, "url": dataset.source.url}
    assert document["licence"]["name"] == "Open Government Licence v3.0"
    assert document["licence"]["url"].startswith("https://www.nationalarchives.gov.uk/")
    assert [column["name"] for column in document["columns"]] == HEADERS[name]
    assert all(set(column) == {"name", "type", "description"} for column in document["columns"])
    assert all(list(row) == HEADERS[name] for row in document["rows"])
    assert any("apostrophe" in note for note in document["notes"])


def test_999_json_gives_real_numbers_booleans_and_iso_dates(client, demo_data):
    document = json_document(client, json_url("calls-999"))
    rows = {row["month"]: row for row in document["rows"]}
    newest = CallAnswerMonth.objects.order_by("-updated_at").first()

    january = rows["2023-01"]
    assert january == {
        "force": "Norfolk",
        "force_ons_code": "E23000024",
        "month": "2023-01",
        "total_calls": 9933,
        "mean_answer_seconds": 7.45,
        "median_answer_seconds": None,  # not on the office's page
        "calls_under_10s": None,
        "calls_10_to_60s": None,
        "calls_60s_and_over": None,
        "pct_under_10s": 85.3,
        "pct_10_to_60s": 14.1,
        "pct_60s_and_over": 0.6,
        "national_rank": 14,
        "national_rank_joint": False,
        "national_rank_out_of": None,
        "msg_rank": 2,
        "msg_rank_joint": False,
        "msg_rank_out_of": 8,
        "regional_rank": 2,
        "regional_rank_joint": False,
        "regional_rank_out_of": 7,
        "rank_source": "entered",
        "last_revised": revised(norfolk_january()),
    }
    assert type(january["total_calls"]) is int and type(january["mean_answer_seconds"]) is float
    assert rows["2022-06"]["mean_answer_seconds"] == 10 and rows["2021-12"]["pct_under_10s"] == 82
    assert datetime.datetime.fromisoformat(january["last_revised"]).tzinfo is not None
    assert document["period"] == {"from": "2021-11", "to": "2023-09"}
    assert (document["published"], document["next_release"]) == (None, None)
    assert document["last_revised"] == revised(newest)
    assert document["filters"] == {}


def test_ncpm_json_differences_match_the_csv_and_the_page(client, demo_data):
    document = json_document(client, json_url("ncpm", "period=2023-06&area=reduce-murder-and-homicide"))
    row = document["rows"][0]

    assert row == {
        "period_end": "2023-06-30",
        "previous_period_end": "2022-06-30",
        "baseline_period_end": "2019-06-30",
        "priority_area": "Reduce Murder and Homicide",
        "measure": "Homicide (all offences)",
        "unit": "count",
        "latest": 2,
        "previous": 15,
        "baseline": 7,
        "change_previous": -13,
        "change_previous_percent": -87,
        "change_previous_text": "87% decrease",
        "change_previous_significant": True,
        "change_previous_p_value": 0.0023,
        "change_baseline": -5,
        "change_baseline_percent": -71,
        "change_baseline_text": "71% decrease",
        "change_baseline_significant": False,
        "change_baseline_p_value": 0.1797,
        # the demo's figures are typed, not computed from the open data: no rates
        "rate_per_1000": None,
        "rate_interval_low": None,
        "rate_interval_high": None,
        "population": None,
        "population_mid_year": None,
        "rate_position_among_similar_forces": None,
        "revisions": None,
        "last_revised": revised(homicide()),
    }
    assert all(type(row[key]) is int for key in ("latest", "change_previous", "change_previous_percent"))
    figure = homicide()
    assert row["change_previous_text"] == figure.against_previous.text
    assert row["change_baseline"] == figure.against_baseline.absolute
    assert document["filters"] == {"period": "2023-06", "area": "reduce-murder-and-homicide"}
    assert document["period"] == {"from": "2023-06-30", "to": "2023-06-30"}


def test_ncpm_json_gives_a_fractional_percentage_as_a_number(client, demo_data):
    figure = MeasureFigure.objects.get(measure__name="Satisfaction amongst victims of domestic abuse")
    figure.latest = Decimal("78.5")
    figure.save()

    rows = json_document(client, json_url("ncpm", "area=" + figure.measure.priority_area.slug))["rows"]

    assert (rows[0]["latest"], rows[0]["change_previous"], rows[0]["change_previous_percent"]) == (
        78.5,
        1.5,
        None,
    )
    assert rows[0]["change_previous_text"] == "1.5 percentage points increase"


def test_ons_json_carries_the_release_dates_and_the_home_force_headline(client, demo_data):
    document = json_document(client, json_url("ons"))

    assert document["published"] == "2023-10-19"
    assert document["next_release"] == "2024-01-25"
    assert document["period"] == {"from": "2022-06-30", "to": "2023-06-30"}
    assert document["headline"] == {
        "force": "Norfolk",
        "year_ending": "2023-06-30",
        "latest": 65115,
        "previous_year_ending": "2022-06-30",
        "previous_source": "open data",
        "previous_published_on": "2023-10-19",
        "revisions": None,
        "previous": 69237,
        "sentence": "police recorded crime (excluding fraud) in Norfolk decreased during this period by 6% "
        "(69,237 offences to 65,115)",
        # 65,115 offences among the demo's 934,000 residents at mid-2023
        "rate_sentence": "Norfolk: 69.7 per 1,000 residents (95% interval 69.2 to 70.2; mid-2023 "
        "population 934,000).",
        "rate_per_1000": 69.7,
        "rate_interval_low": 69.2,
        "rate_interval_high": 70.2,
        "population": 934000,
        "population_mid_year": 2023,
        "rate_position_among_similar_forces": None,
        "published_on": "2023-10-19",
        "next_release_on": "2024-01-25",
        "next_period_end": "2023-09-30",
    }
    assert [row["total_recorded_crime_excluding_fraud"] for row in document["rows"]] == [69237, 65115]
    assert document["rows"][1]["published_on"] == "2023-10-19"
    assert document["rows"][0]["published_on"] is None


def test_json_of_an_empty_selection_has_no_rows_and_no_period(client, demo_data):
    document = json_document(client, json_url("calls-999", "year=1990"))

    assert document["rows"] == []
    assert document["period"] == {"from": None, "to": None}
    assert document["last_revised"] is None


def test_data_can_be_read_from_other_sites_but_not_changed(client, demo_data):
    response = client.get(json_url("calls-999"))
    assert response["Access-Control-Allow-Origin"] == "*"

    assert client.post(json_url("calls-999")).status_code == 405
    assert client.post(csv_url("ncpm")).status_code == 405


def test_datasets_work_before_any_office_is_set_up(client, db):
    assert csv_rows(client, csv_url("calls-999")) == [CALLS_999_HEADER]
    document = json_document(client, json_url("ons"))
    assert (document["rows"], document["headline"], document["published"]) == ([], None, None)


# --------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------


AREAS = [
    "Reduce Murder and Homicide",
    "Reduce Serious Violence",
    "Disrupt drugs supply and County Lines",
    "Reduce neighbourhood crime",
    "Improve satisfaction among victims - with a particular focus on victims of domestic abuse",
]


@pytest.fixture
def more_rows(demo_data):
    """Another force's month, an earlier NCPM quarter and another force's recorded crime."""
    suffolk = Force.objects.get(name="Suffolk")
    call_month(suffolk, JANUARY_2023)
    call_month(suffolk, datetime.date(2022, 1, 1))
    earlier = ReportingPeriod.objects.create(publish_at=PUBLISHED, period_end=datetime.date(2023, 3, 31))
    MeasureFigure.objects.create(
        period=earlier, measure=Measure.objects.get(name="Robbery"), latest=350, previous=340, baseline=500
    )
    RecordedCrimeFigure.objects.create(period=RecordedCrimePeriod.objects.first(), force=suffolk, total=40000)


CALLS_999_FILTERS = [  # query, (force, month) of the rows it gives
    ("force=suffolk", {("Suffolk", "2023-01"), ("Suffolk", "2022-01")}),
    ("force=Suffolk&year=2023", {("Suffolk", "2023-01")}),
    ("month=2023-01", {("Norfolk", "2023-01"), ("Suffolk", "2023-01")}),
    ("force=NORFOLK&month=2023-01", {("Norfolk", "2023-01")}),
    ("year=1990", set()),
    ("force=suffolk&month=2023-02", set()),
]


def test_999_filters_pick_force_year_and_month(client, more_rows):
    for query, expected in CALLS_999_FILTERS:
        rows = csv_rows(client, csv_url("calls-999", query))[1:]

        assert {(row[0], row[2]) for row in rows} == expected, query


def test_999_year_filter_gives_the_whole_year(client, more_rows):
    rows = csv_rows(client, csv_url("calls-999", "force=norfolk&year=2022"))[1:]

    assert [row[2] for row in rows] == [f"2022-{month:02d}" for month in range(1, 13)]


NCPM_FILTERS = [  # query, (period, priority area) of the rows it gives, how many rows
    ("", {("2023-06-30", area) for area in AREAS} | {("2023-03-31", "Reduce neighbourhood crime")}, 13),
    ("period=2023-06", {("2023-06-30", area) for area in AREAS}, 12),
    ("period=2023-03", {("2023-03-31", "Reduce neighbourhood crime")}, 1),
    ("period=2022-06", set(), 0),
    ("area=reduce-serious-violence", {("2023-06-30", "Reduce Serious Violence")}, 3),
    ("period=2023-03&area=reduce-neighbourhood-crime", {("2023-03-31", "Reduce neighbourhood crime")}, 1),
    ("period=2023-03&area=reduce-serious-violence", set(), 0),
]


def test_ncpm_filters_pick_period_and_priority_area(client, more_rows):
    for query, expected, count in NCPM_FILTERS:
        rows = csv_rows(client, csv_url("ncpm", query))[1:]

        assert {(row[0], row[3]) for row in rows} == expected, query
        assert len(rows) == count, query


def test_ons_force_filter(client, more_rows):
    assert [row[0] for row in csv_rows(client, csv_url("ons"))[1:]] == ["Norfolk", "Norfolk", "Suffolk"]
    assert [row[0] for row in csv_rows(client, csv_url("ons", "force=suffolk"))[1:]] == ["Suffolk"]


def test_json_takes_the_same_filters_and_says_which_were_applied(client, more_rows):
    document = json_document(client, json_url("calls-999", "force=Suffolk&year=2023"))

    assert document["filters"] == {"force": "suffolk", "year": "2023"}
    assert [(row["force"], row["month"]) for row in document["rows"]] == [("Suffolk", "2023-01")]
    assert document["period"] == {"from": "2023-01", "to": "2023-01"}


@pytest.mark.parametrize(
    ("name", "query", "status", "message"),
    [
        ("calls-999", "month=2023-13", 400, "YYYY-MM"),
        ("calls-999", "month=January", 400, "YYYY-MM"),
        ("calls-999", "month=2023-1", 400, "YYYY-MM"),
        ("calls-999", "year=23", 400, "YYYY"),
        ("calls-999", "year=0000", 400, "YYYY"),
        ("calls-999", "year=２０２３", 400, "YYYY"),
        ("calls-999", "force=", 400, "empty"),
        ("calls-999", "force=atlantis", 404, "No force called 'atlantis'"),
        ("ncpm", "period=2023", 400, "YYYY-MM"),
        ("ncpm", "area=nowhere", 404, "No priority area 'nowhere'"),
        ("ons", "force=atlantis", 404, "No force called 'atlantis'"),
    ],
)
@pytest.mark.parametrize("kind", ["csv", "json"])
def test_bad_filters_are_answered_in_plain_words(client, db, name, query, status, message, kind):
    response = client.get(reverse(f"performance:data-{name}-{kind}") + f"?{query}")

    assert response.status_code == status
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()


def test_links_on_the_public_pages_give_their_rows(client, demo_data):
    page = client.get(reverse("performance:police-data")).content.decode()
    links = set(re.findall(r'href="(/[^"]*/data/[^"]+\.csv[^"]*)"', page))

    assert links
    for link in links:
        rows = csv_rows(client, link.replace("&amp;", "&"))
        assert len(rows) > 1, link


def test_the_registry_lists_each_dataset_once_in_its_order():
    assert opendata.DATASETS == [
        CALLS_999,
        NCPM,
        CHARGE_RATES,
        NCPM_APPLICABILITY,
        ONS,
    ]  # the datasets page's order
    clash = dataclasses.replace(NCPM, slug="another", url_name="data-another")  # NCPM's order
    with pytest.raises(ImproperlyConfigured):
        opendata.register(clash)
    assert opendata.DATASETS == [CALLS_999, NCPM, CHARGE_RATES, NCPM_APPLICABILITY, ONS]


def test_addresses_for_the_pages(demo_data):
    norfolk = Force.objects.get(name="Norfolk")
    period = ReportingPeriod.objects.get()
    area = PriorityArea.objects.get(name="Reduce Serious Violence")

    assert calls_999_csv_url(force=norfolk, year=2023).endswith("999-calls.csv?force=norfolk&year=2023")
    assert calls_999_csv_url(month=JANUARY_2023).endswith("999-calls.csv?month=2023-01")
    assert ncpm_csv_url(period=period, area=area).endswith(
        "ncpm.csv?period=2023-06&area=reduce-serious-violence"
    )


# --------------------------------------------------------------------------------------------
# Caching and queries
# --------------------------------------------------------------------------------------------


def dataset_in(response) -> str:
    """Which dataset a CSV or JSON file holds: the one whose columns head it, or that it names."""
    if response["Content-Type"] == "application/json":
        return read_json(response)["dataset"]
    header = read_csv(response)[0]
    return next((DATASETS[name].slug for name, columns in HEADERS.items() if columns == header), None)


def test_unchanged_data_is_answered_304_on_its_etag_or_date(client, demo_data):
    addresses = [(name, url) for name in HEADERS for url in (csv_url(name), json_url(name))]
    for name, url in [*addresses, ("calls-999", csv_url("calls-999", "force=norfolk"))]:
        first = client.get(url)
        assert first.status_code == 200, url
        assert dataset_in(first) == DATASETS[name].slug, url

        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304, url
        assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304, url


def test_unchanged_datasets_page_is_answered_304(client, demo_data):
    url = reverse("performance:datasets")
    first = client.get(url)

    assert status_and_heading(first) == (200, "Open data")
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304


def test_a_change_gives_a_new_etag(client, demo_data):
    url = csv_url("calls-999")
    etag = client.get(url)["ETag"]
    month = norfolk_january()
    month.total_calls = 9934
    month.save()

    response = client.get(url, headers={"if-none-match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert ",9934," in response.content.decode()


def add_history(*, forces: int, months: int, periods: int):
    """Many more rows: months for other forces (with ranks), NCPM quarters and ONS years."""
    others = list(Force.objects.exclude(name="Norfolk")[:forces])
    new_months = CallAnswerMonth.objects.bulk_create(
        CallAnswerMonth(
            publish_at=PUBLISHED,
            force=force,
            month=datetime.date(2015 + index // 12, index % 12 + 1, 1),
            total_calls=1000,
            mean_answer_seconds=Decimal("8.5"),
            pct_under_10s=Decimal("85.0"),
            pct_10_to_60s=Decimal("14.0"),
            pct_60s_and_over=Decimal("1.0"),
        )
        for force in others
        for index in range(months)
    )
    CallAnswerRank.objects.bulk_create(
        CallAnswerRank(call_month=month, scope="national", rank=5, out_of=43, source="computed")
        for month in CallAnswerMonth.objects.filter(pk__in=[m.pk for m in new_months])
    )
    measures = list(Measure.objects.all())
    for quarter in range(periods):
        period = ReportingPeriod.objects.create(
            publish_at=PUBLISHED, period_end=datetime.date(2010 + quarter, 3, 31)
        )
        MeasureFigure.objects.bulk_create(
            MeasureFigure(period=period, measure=m, latest=10, previous=12, baseline=9) for m in measures
        )
        ons = RecordedCrimePeriod.objects.create(
            publish_at=PUBLISHED, period_end=datetime.date(2010 + quarter, 3, 31)
        )
        RecordedCrimeFigure.objects.bulk_create(
            RecordedCrimeFigure(period=ons, force=f, total=1) for f in others
        )


QUERIES = {  # the rows; the content version behind Last-Modified is read at most once a second
    "performance:data-calls-999-csv": 2,  # months and their ranks
    "performance:data-calls-999-json": 2,
    "performance:data-ncpm-csv": 1,
    "performance:data-ncpm-json": 1,
    "performance:data-ons-csv": 1,
    "performance:data-ons-json": 4,  # and the office's settings (2) and the home force's headline (1)
}


def test_query_count_does_not_grow_with_the_rows(client, demo_data, django_assert_num_queries):
    small = {}
    for url_name, queries in QUERIES.items():
        content_version(fresh=True)
        with django_assert_num_queries(queries, info=url_name):
            small[url_name] = client.get(reverse(url_name))
    add_history(forces=10, months=24, periods=6)

    for url_name, queries in QUERIES.items():
        content_version(fresh=True)
        with django_assert_num_queries(queries, info=url_name):
            large = client.get(reverse(url_name))
        assert len(large.content) > 2 * len(small[url_name].content), url_name


def test_filtered_999_csv_takes_one_more_query_for_the_force(client, demo_data, django_assert_num_queries):
    content_version(fresh=True)
    with django_assert_num_queries(3):
        response = client.get(csv_url("calls-999", "force=norfolk&year=2023"))
    rows = read_csv(response)
    assert rows[0] == CALLS_999_HEADER
    assert [(row[0], row[2]) for row in rows[1:]] == [
        ("Norfolk", f"2023-{month:02d}") for month in range(1, 10)
    ]


# --------------------------------------------------------------------------------------------
# The datasets page
# --------------------------------------------------------------------------------------------


def test_datasets_page_lists_every_dataset_with_its_links_and_columns(client, demo_data):
    response = client.get(reverse("performance:datasets"))
    assert response.status_code == 200
    html = response.content.decode()
    page = parse_page(html)

    headings = page.headings
    assert [level for level, _ in headings].count("h1") == 1
    assert headings[0] == ("h1", "Open data")
    assert [text for level, text in headings if level == "h2"] == [
        "About the files",
        "Described for programs",
        "999 call answering data",
        "National Crime and Policing Measures figures",
        "Charge/summons rates",
        "Which national priorities apply in the area",
        "ONS police recorded crime",
    ]
    levels = [int(level[1]) for level, _ in headings]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))  # no level skipped
    for dataset in LISTED.values():
        assert f'href="{dataset.csv_url}" download>Download {dataset.title} as CSV</a>' in html
        assert f'href="{dataset.json_url}">Download {dataset.title} as JSON</a>' in html
        assert f'href="{dataset.source.url}"' in html
    assert "Download 999 call answering data as CSV" in html
    tables = {table.caption: table for table in page.tables}
    for name, dataset in LISTED.items():
        table = tables[f"Columns of the {dataset.title}, in file order"]
        assert table.header == ["Column", "Type", "Description"]
        assert [row[0] for row in table.rows] == LISTED_HEADERS[name]
    assert html.count('scope="col"') == 3 * len(LISTED)
    assert html.count('scope="row"') == sum(len(header) for header in LISTED_HEADERS.values())
    assert '<li aria-current="page">Open data</li>' in html


def test_datasets_page_renders_without_any_data(client, db):
    response = client.get(reverse("performance:datasets"))
    assert status_and_heading(response) == (200, "Open data")
    for dataset in LISTED.values():
        assert (
            f'href="{dataset.csv_url}" download>Download {dataset.title} as CSV</a>'
            in response.content.decode()
        )
