"""Chart configs tested as data, no browser needed: labels, values, the target line, the sentences,
and each chart's table holding the same numbers as its datasets."""

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import strip_tags

from performance.calls import charts as call_charts
from performance.calls.ranking import ranks_deferred, ranks_recompute
from performance.crime import charts as measure_charts
from performance.models import (
    CallAnswerMonth,
    CallAnswerRank,
    Force,
    Measure,
    MeasureFigure,
    PriorityArea,
    ReportingPeriod,
    SiteSettings,
)
from performance.site import pages
from tests.factories import PUBLISHED
from tests.helpers import DEMO_FIGURES
from tests.html_tables import parse_page

FIGURES = json.loads(DEMO_FIGURES.read_text())
SEPTEMBER_2023 = datetime.date(2023, 9, 1)
CSV = "/figures.csv"

SHARE_SENTENCE = "In September 2023, 87.1% of 999 calls were answered within 10 seconds, 2.9 percentage points below the 90% target."
VOLUME_SENTENCE = (
    "In September 2023, Norfolk received 11,628 calls to 999, a 16% increase on September 2022 (9,984 calls)."
)
GROUP_SENTENCES = (
    "In September 2023, Norfolk answered 87.1% of 999 calls within 10 seconds, "
    "ranked 2nd of 8 in its Most Similar Group.",
    "In September 2023, Norfolk answered 87.1% of 999 calls within 10 seconds, "
    "ranked 1st of 7 in the Regional 7 Force group.",
)
MEASURE_SENTENCES = {
    "Reduce Murder and Homicide": "Homicide (all offences): 2 offences in the 12 months to June 2023, an 87% "
    "decrease on the previous 12 months and a 71% decrease on the 2019 baseline.",
    "Reduce Serious Violence": "All violence with injury: 8,505 offences in the 12 months to June 2023, a 0% "
    "decrease on the previous 12 months and a 20% increase on the 2019 baseline.",
    "Disrupt drugs supply and County Lines": "Drug trafficking offences: 443 offences in the 12 months to "
    "June 2023, a 1% increase on the previous 12 months and a 26% decrease on the 2019 baseline.",
    "Reduce neighbourhood crime": "All neighbourhood crime: 3,770 offences in the 12 months to June 2023, a "
    "1% decrease on the previous 12 months and a 39% decrease on the 2019 baseline.",
    "Improve satisfaction among victims - with a particular focus on victims of domestic abuse": (
        "Satisfaction amongst victims of domestic abuse: 78% in the 12 months to June 2023, a 1 percentage "
        "point increase on the previous 12 months and a 1 percentage point decrease on the 2019 baseline."
    ),
}

# Share answered in under 10 seconds in September 2023 for the other forces in Norfolk's groups:
# Norfolk (87.1%) is 2nd in its Most Similar Group and 1st in its regional group.
OTHER_FORCES = {
    "Devon and Cornwall": "70.2",
    "Lincolnshire": "91.5",
    "North Wales": "80.4",
    "North Yorkshire": "84.9",
    "Suffolk": "79.0",
    "West Mercia": "62.3",
    "Wiltshire": "86.0",
    "Bedfordshire": "75.5",
    "Cambridgeshire": "83.1",
    "Essex": "81.7",
    "Hertfordshire": "85.2",
    "Kent": "73.9",
}


# --------------------------------------------------------------------------------------------
# Data the tests (browser tests too) add to the demo data
# --------------------------------------------------------------------------------------------


def call_month(force, share: str, *, month=SEPTEMBER_2023) -> CallAnswerMonth:
    under_10s = Decimal(share)
    return CallAnswerMonth(
        publish_at=PUBLISHED,
        force=force,
        month=month,
        total_calls=10_000,
        mean_answer_seconds=Decimal("8.0"),
        pct_under_10s=under_10s,
        pct_10_to_60s=Decimal(100) - under_10s - Decimal("1.0"),
        pct_60s_and_over=Decimal("1.0"),
    )


def add_group_months(shares: dict[str, str] = OTHER_FORCES):
    """September 2023 for other forces (by name), as an import would add them."""
    forces = {force.name: force for force in Force.objects.filter(name__in=shares)}
    with ranks_deferred():
        for name, share in shares.items():
            call_month(forces[name], share).save()
    ranks_recompute(months=[SEPTEMBER_2023])


def add_earlier_period() -> int:
    """A second NCPM quarter (12 months to March 2023) whose latest figures are June's previous ones,
    so each measure has a trend. Returns the number of measures."""
    period = ReportingPeriod.objects.create(publish_at=PUBLISHED, period_end=datetime.date(2023, 3, 31))
    latest = ReportingPeriod.objects.get(period_end=datetime.date(2023, 6, 30))
    figures = list(latest.figures.select_related("measure"))
    MeasureFigure.objects.bulk_create(
        MeasureFigure(
            period=period, measure=f.measure, latest=f.previous, previous=f.previous, baseline=f.baseline
        )
        for f in figures
    )
    return len(figures)


def police_data_context() -> dict:
    return pages.police_data_context(RequestFactory().get("/"))


# --------------------------------------------------------------------------------------------
# Reading a chart
# --------------------------------------------------------------------------------------------


def is_target(dataset: dict) -> bool:
    return "borderDash" in dataset


def series(chart) -> list[list]:
    """The chart's figures, one list per series (the target line left out). The group chart's two
    bar datasets (home force, other forces) are one series drawn in two colours."""
    datasets = [d for d in chart.config["data"]["datasets"] if not is_target(d)]
    if chart.id.startswith("chart-999-group-"):
        home, others = (d["data"] for d in datasets)
        return [[a if a is not None else b for a, b in zip(home, others, strict=True)]]
    return [d["data"] for d in datasets]


def cell_number(cell: str):
    """The number a table cell shows ("87.1% ▼, below…" → 87.1, "11,628" → 11628), or None."""
    match = re.search(r"-?[\d,]+(?:\.\d+)?", strip_tags(str(cell)))
    return Decimal(match.group().replace(",", "")) if match else None


def label_text(label) -> str:
    return " ".join(label) if isinstance(label, list) else label


def assert_table_matches_datasets(chart):
    table = chart.table
    assert table.caption == chart.title
    assert table.csv_url == chart.csv_url
    assert len(table.rows) == len(chart.config["data"]["labels"])
    for column, values in enumerate(series(chart), start=1):
        shown = [cell_number(row[column]) for row in table.rows]
        assert shown == [None if v is None else Decimal(str(v)) for v in values], (chart.id, column)


def target_line(chart) -> dict:
    (target,) = [d for d in chart.config["data"]["datasets"] if is_target(d)]
    return target


def assert_plain_json(config: dict):
    """Only JSON types: no functions, Decimals or dates (json.dumps would refuse them)."""
    assert json.loads(json.dumps(config)) == config


# --------------------------------------------------------------------------------------------
# 999 charts from the demo data
# --------------------------------------------------------------------------------------------


@pytest.fixture
def demo_charts(demo_data) -> dict:
    context = police_data_context()
    found = context["calls_charts"] + context["group_charts"]
    found += [item["chart"] for item in context["priority_areas"] if item["chart"]]
    return {chart.id: chart for chart in found}


def test_share_chart_shows_each_month_against_the_target_line(demo_charts):
    chart = demo_charts["chart-999-share"]
    months = FIGURES["calls_999"]  # November 2021 to September 2023 (the page's three years)
    assert chart.config["type"] == "line"
    labels = chart.config["data"]["labels"]
    assert labels[:3] == ["Nov 2021", "Dec 2021", "Jan 2022"] and labels[-1] == "Sep 2023"
    assert len(labels) == len(months)
    share, target = chart.config["data"]["datasets"]
    assert share["data"] == [row[3] for row in months]
    assert share["data"][-1] == 87.1
    assert target["data"] == [90] * len(months)
    assert target["type"] == "line" and target["borderDash"] and target["pointRadius"] == 0
    assert target["label"] == "Target: 90% within 10 seconds"
    y = chart.config["options"]["scales"]["y"]
    assert (y["min"], y["max"]) == (0, 100)
    assert y["title"] == {"display": True, "text": "Share of calls (%)"}
    assert chart.summary == SHARE_SENTENCE
    assert (
        chart.title
        == "Norfolk: share of 999 calls answered in under 10 seconds, November 2021 to September 2023"
    )
    assert chart.table.rows[-1][0] == "September 2023"
    assert chart.csv_url == reverse("performance:data-calls-999-csv") + "?force=norfolk"


def test_volume_chart_shows_total_calls_with_the_same_month_a_year_earlier(demo_charts):
    chart = demo_charts["chart-999-volume"]
    assert chart.config["type"] == "bar"
    assert chart.config["data"]["datasets"][0]["data"] == [row[1] for row in FIGURES["calls_999"]]
    assert not any(is_target(d) for d in chart.config["data"]["datasets"])
    assert chart.config["options"]["scales"]["y"]["title"]["text"] == "Number of 999 calls"
    assert chart.config["options"]["scales"]["y"]["beginAtZero"] is True
    assert chart.summary == VOLUME_SENTENCE
    assert chart.table.rows[-1] == ["September 2023", "11,628"]


def test_every_chart_is_plain_json_that_draws_without_animation_and_fills_its_box(demo_charts):
    assert set(demo_charts) == {
        "chart-999-share",
        "chart-999-volume",
        *(f"chart-ncpm-{area.slug}" for area in PriorityArea.objects.exclude(measures=None)),
    }
    for chart in demo_charts.values():
        assert_plain_json(chart.config)
        options = chart.config["options"]
        assert options["animation"] is False
        assert options["responsive"] is True and options["maintainAspectRatio"] is False
        assert options["plugins"]["legend"]["display"] is True
        value_axis = options["scales"]["x" if options["indexAxis"] == "y" else "y"]
        assert value_axis["title"]["text"].endswith(("(%)", "calls", "offences"))


def test_every_chart_table_holds_the_same_numbers_as_its_datasets(demo_charts):
    for chart in demo_charts.values():
        assert_table_matches_datasets(chart)


def test_no_group_chart_without_the_other_forces_figures(demo_charts):
    assert not any(chart_id.startswith("chart-999-group-") for chart_id in demo_charts)


def test_charts_are_built_from_the_rows_without_querying(demo_data, django_assert_num_queries):
    settings = SiteSettings.objects.for_site()
    months = list(CallAnswerMonth.objects.filter(force=settings.home_force).prefetch_related("ranks"))
    period = ReportingPeriod.objects.with_figures().get()
    figures = list(period.figures.all())
    area = figures[0].measure.priority_area
    with django_assert_num_queries(0):
        share, volume = call_charts.calls_charts(
            sorted(months, key=lambda m: m.month), settings=settings, csv_url=CSV
        )
        measures = measure_charts.measures_chart(figures[:2], period=period, area=area, csv_url=CSV)
    # The charts, as the page has them.
    assert (share.summary, volume.summary) == (SHARE_SENTENCE, VOLUME_SENTENCE)
    assert [label_text(label) for label in measures.config["data"]["labels"]] == [
        figure.measure.name for figure in figures[:2]
    ]


# --------------------------------------------------------------------------------------------
# 999 sentences from small hand-built rows
# --------------------------------------------------------------------------------------------


def office(*, target=90, seconds=10, msg=10, regional=20):
    return SimpleNamespace(
        home_force=SimpleNamespace(name="Norfolk"),
        home_force_id=1,
        answer_target_percent=target,
        answer_target_seconds=seconds,
        most_similar_group_id=msg,
        regional_group_id=regional,
    )


def months_with(*shares, total_calls=(), start=datetime.date(2023, 7, 1)) -> list[CallAnswerMonth]:
    """Unsaved months from ``start``, one per share (None: no share published)."""
    rows = []
    for index, share in enumerate(shares):
        year, month = divmod(start.month - 1 + index, 12)
        rows.append(
            CallAnswerMonth(
                publish_at=PUBLISHED,
                month=datetime.date(start.year + year, month + 1, 1),
                total_calls=total_calls[index] if total_calls else 1000,
                mean_answer_seconds=Decimal("7"),
                pct_under_10s=None if share is None else Decimal(share),
            )
        )
    return rows


@pytest.mark.parametrize(
    ("share", "gap"),
    [
        ("89.0", "1 percentage point below the 90% target"),
        ("91.0", "1 percentage point above the 90% target"),
        ("90.0", "exactly on the 90% target"),
        ("90.5", "0.5 percentage points above the 90% target"),
        ("72.3", "17.7 percentage points below the 90% target"),
    ],
)
def test_share_sentence_says_how_far_from_the_target(share, gap):
    (chart, _) = call_charts.calls_charts(months_with("85.0", share), settings=office(), csv_url=CSV)
    assert (
        chart.summary
        == f"In August 2023, {Decimal(share):.1f}% of 999 calls were answered within 10 seconds, {gap}."
    )


def test_target_line_follows_the_office_settings():
    (chart, _) = call_charts.calls_charts(
        months_with("93.0", "96.0", "95.0"), settings=office(target=95, seconds=15), csv_url=CSV
    )
    assert target_line(chart)["data"] == [95, 95, 95]
    assert target_line(chart)["label"] == "Target: 95% within 15 seconds"
    assert chart.summary == (
        "In September 2023, 95.0% of 999 calls were answered within 15 seconds, exactly on the 95% target."
    )
    assert chart.table.notes == ("▼ marks a month below the target of 95% answered in under 15 seconds.",)


def test_share_from_band_counts_is_rounded_as_the_tables_round_it():
    (month,) = months_with(None)
    month.calls_under_10s, month.calls_10_to_60s, month.calls_60s_and_over = 871, 120, 9  # of 1,000
    month.total_calls = 1000
    (chart, _) = call_charts.calls_charts([month], settings=office(), csv_url=CSV)
    assert chart.config["data"]["datasets"][0]["data"] == [87.1]
    assert chart.summary.startswith("In July 2023, 87.1% of 999 calls")
    assert chart.title.endswith(", July 2023")


def test_a_month_without_a_share_is_a_gap_and_the_sentence_uses_the_latest_share():
    share, volume = call_charts.calls_charts(months_with("88.0", None), settings=office(), csv_url=CSV)
    assert share.config["data"]["datasets"][0]["data"] == [88, None]
    assert share.summary.startswith("In July 2023, 88.0%")
    assert share.table.rows[1] == ["August 2023", ""]
    assert_table_matches_datasets(share)
    assert volume.summary == "In August 2023, Norfolk received 1,000 calls to 999."  # no year earlier


def test_a_month_missing_from_the_series_is_drawn_as_a_gap_not_joined_across():
    july, august, september = months_with("88.0", "86.0", "84.0", total_calls=[900, 950, 1000])
    share, volume = call_charts.calls_charts([july, september], settings=office(), csv_url=CSV)
    assert share.config["data"]["labels"] == ["Jul 2023", "Aug 2023", "Sep 2023"]
    assert share.config["data"]["datasets"][0]["data"] == [88, None, 84]
    assert target_line(share)["data"] == [90, 90, 90]
    assert share.table.rows[1] == ["August 2023", "No figures published"]
    assert volume.config["data"]["datasets"][0]["data"] == [900, None, 1000]
    assert volume.table.rows[1] == ["August 2023", "No figures published"]
    assert_table_matches_datasets(share)
    assert_table_matches_datasets(volume)


def test_volume_sentence_compares_with_the_same_month_a_year_earlier():
    rows = months_with(*["80.0"] * 13, total_calls=[800, *[900] * 11, 1000], start=datetime.date(2022, 7, 1))
    _, volume = call_charts.calls_charts(rows, settings=office(), csv_url=CSV)
    assert (
        volume.summary
        == "In July 2023, Norfolk received 1,000 calls to 999, a 25% increase on July 2022 (800 calls)."
    )
    rows[-1].total_calls = 800
    _, volume = call_charts.calls_charts(rows, settings=office(), csv_url=CSV)
    assert (
        volume.summary
        == "In July 2023, Norfolk received 800 calls to 999, no change on July 2022 (800 calls)."
    )
    rows[-1].total_calls = 728
    _, volume = call_charts.calls_charts(rows, settings=office(), csv_url=CSV)
    assert volume.summary.endswith(", a 9% decrease on July 2022 (800 calls).")


def test_no_months_no_charts():
    assert call_charts.calls_charts([], settings=office(), csv_url=CSV) == []


# --------------------------------------------------------------------------------------------
# The group chart
# --------------------------------------------------------------------------------------------


@dataclass
class ForceMonth:
    """A CallAnswerMonth as the group chart reads it."""

    force_id: int
    name: str
    share: str | None
    ranks: dict = field(default_factory=dict)
    month: datetime.date = SEPTEMBER_2023

    @property
    def force(self):
        return SimpleNamespace(name=self.name)

    # Published as a percentage only: ranked on it, as the national ranks would be.
    calls_under_10s = None
    total_calls = None

    @property
    def pct_under_10s(self):
        return None if self.share is None else Decimal(self.share)

    def band_percent(self, band):
        return self.pct_under_10s

    def rank_for(self, scope):
        return self.ranks.get(scope)


MSG = SimpleNamespace(pk=10, name="Most Similar Group", members=None)
REGIONAL = SimpleNamespace(pk=20, name="Regional 7 Force", members=None)


def test_group_chart_computes_the_position_when_no_rank_is_stored():
    rows = [
        ForceMonth(2, "Suffolk", "88.4"),
        ForceMonth(1, "Norfolk", "87.1"),
        ForceMonth(3, "Essex", "88.4"),
    ]
    chart = call_charts.group_chart(rows, settings=office(), group=REGIONAL, csv_url=CSV)
    assert chart.summary == (
        "In September 2023, Norfolk answered 87.1% of 999 calls within 10 seconds, "
        "ranked 3rd of 3 in the Regional 7 Force group."
    )
    assert chart.config["options"]["indexAxis"] == "y"
    assert chart.config["data"]["labels"] == [
        "Essex",
        "Suffolk",
        ["Norfolk", "(home force)"],
    ]  # highest first
    home, others, target = chart.config["data"]["datasets"]
    assert home["data"] == [None, None, 87.1] and others["data"] == [88.4, 88.4, None]
    assert home["label"] == "Norfolk (home force)" and home["backgroundColor"] != others["backgroundColor"]
    assert target["data"] == [90, 90, 90]
    x = chart.config["options"]["scales"]["x"]
    assert (x["min"], x["max"], x["title"]["text"]) == (0, 100, "Share of calls (%)")
    assert [row[0] for row in chart.table.rows] == ["Essex", "Suffolk", "Norfolk (home force)"]
    assert_table_matches_datasets(chart)
    assert_plain_json(chart.config)


def test_group_chart_says_joint_ranks():
    rows = [ForceMonth(1, "Norfolk", "88.4"), ForceMonth(2, "Suffolk", "88.4"), ForceMonth(3, "Kent", "80")]
    chart = call_charts.group_chart(rows, settings=office(), group=REGIONAL, csv_url=CSV)
    assert chart.summary.endswith("ranked joint 1st of 3 in the Regional 7 Force group.")


def test_group_chart_uses_the_stored_rank_for_its_scope():
    rank = CallAnswerRank(scope="msg", rank=4, joint=False, out_of=8)
    rows = [ForceMonth(1, "Norfolk", "87.1", ranks={"msg": rank}), ForceMonth(2, "Lincolnshire", "91.5")]
    chart = call_charts.group_chart(rows, settings=office(), group=MSG, csv_url=CSV)
    assert chart.summary.endswith("ranked 4th of 8 in its Most Similar Group.")
    # The regional rank is not the Most Similar Group's: computed from the rows instead.
    chart = call_charts.group_chart(rows, settings=office(), group=REGIONAL, csv_url=CSV)
    assert chart.summary.endswith("ranked 2nd of 2 in the Regional 7 Force group.")


def test_no_group_chart_without_the_home_force_or_another_force():
    settings = office()
    assert (
        call_charts.group_chart([ForceMonth(2, "Suffolk", "80")], settings=settings, group=MSG, csv_url=CSV)
        is None
    )
    assert (
        call_charts.group_chart([ForceMonth(1, "Norfolk", "80")], settings=settings, group=MSG, csv_url=CSV)
        is None
    )
    rows = [ForceMonth(1, "Norfolk", "80"), ForceMonth(2, "Suffolk", None)]
    assert call_charts.group_chart(rows, settings=settings, group=MSG, csv_url=CSV) is None


def test_group_charts_from_the_demo_data_use_the_published_ranks(demo_data):
    add_group_months()
    msg, regional = police_data_context()["group_charts"]
    assert (msg.summary, regional.summary) == GROUP_SENTENCES
    assert msg.title == (
        "Share of 999 calls answered in under 10 seconds, September 2023: Norfolk and its Most Similar Group"
    )
    assert [label_text(label) for label in msg.config["data"]["labels"]] == [
        "Lincolnshire",
        "Norfolk (home force)",
        "Wiltshire",
        "North Yorkshire",
        "North Wales",
        "Suffolk",
        "Devon and Cornwall",
        "West Mercia",
    ]
    assert target_line(msg)["data"] == [90] * 8 and target_line(regional)["data"] == [90] * 7
    assert msg.csv_url == reverse("performance:data-calls-999-csv") + "?month=2023-09"
    for chart in (msg, regional):
        assert_table_matches_datasets(chart)
        assert [label_text(label) for label in chart.config["data"]["labels"]] == [
            r[0] for r in chart.table.rows
        ]


def test_group_chart_with_national_data_uses_the_computed_rank(demo_data):
    """With every England and Wales force's month held, ranks are computed, out of the forces ranked."""
    shares = {**OTHER_FORCES, "Wiltshire": "88.0"}  # Norfolk (87.1%) now 3rd in its group
    others = Force.objects.filter(kind=Force.Kind.TERRITORIAL).exclude(name__in=[*shares, "Norfolk"])
    add_group_months({**shares, **{force.name: "60.0" for force in others}})
    msg, regional = police_data_context()["group_charts"]
    assert msg.summary.endswith("ranked 3rd of 8 in its Most Similar Group.")
    assert regional.summary.endswith("ranked 1st of 7 in the Regional 7 Force group.")


# --------------------------------------------------------------------------------------------
# National Crime and Policing Measures
# --------------------------------------------------------------------------------------------


def test_measure_charts_say_the_headline_measures_changes(demo_charts):
    by_area = {
        chart.title.split(": 12 months to")[0]: chart for chart in demo_charts.values() if "ncpm" in chart.id
    }
    assert {area: chart.summary for area, chart in by_area.items()} == MEASURE_SENTENCES


def test_measure_chart_bars_are_latest_previous_and_baseline(demo_charts):
    chart = demo_charts["chart-ncpm-reduce-serious-violence"]
    assert (
        chart.title == "Reduce Serious Violence: 12 months to June 2023, previous 12 months and 2019 baseline"
    )
    assert chart.config["type"] == "bar"
    assert [label_text(label) for label in chart.config["data"]["labels"]] == [
        "All violence with injury",
        "Grievous Bodily Harm",
        "Actual Bodily Harm",
    ]
    latest, previous, baseline = chart.config["data"]["datasets"]
    assert latest["label"] == "12 months to June 2023" and latest["data"] == [8505, 613, 5515]
    assert previous["label"] == "Previous 12 months (to June 2022)" and previous["data"] == [8507, 628, 5964]
    assert baseline["label"] == "2019 baseline (to June 2019)" and baseline["data"] == [7091, 454, 5574]
    assert baseline["backgroundColor"] == "#ffffff" and baseline["borderColor"] != "#ffffff"  # outlined
    assert chart.config["options"]["scales"]["y"]["title"]["text"] == "Number of offences"
    assert "max" not in chart.config["options"]["scales"]["y"]
    assert chart.table.rows[0] == ["All violence with injury", "8,505", "8,507", "7,091"]


def test_percentage_measures_are_charted_in_percent(demo_charts):
    (chart,) = [c for c in demo_charts.values() if c.id.startswith("chart-ncpm-improve-satisfaction")]
    assert chart.config["data"]["datasets"][0]["data"] == [78]
    y = chart.config["options"]["scales"]["y"]
    assert (y["min"], y["max"], y["title"]["text"]) == (0, 100, "Percentage (%)")
    assert chart.table.rows == [["Satisfaction amongst victims of domestic abuse", "78%", "77%", "79%"]]


def test_measure_chart_without_a_baseline_leaves_it_out_of_the_sentence():
    period = ReportingPeriod(period_end=datetime.date(2023, 6, 30))
    period.fill_comparison_periods()
    area = PriorityArea(name="Reduce Murder and Homicide", slug="reduce-murder-and-homicide")
    figures = [
        MeasureFigure(
            period=period, measure=Measure(name="Homicide", pk=1), latest=1, previous=1, baseline=None
        ),
        MeasureFigure(
            period=period,
            measure=Measure(name="Satisfaction", unit=Measure.Unit.PERCENT, pk=2),
            latest=70,
            previous=71,
        ),
    ]
    chart = measure_charts.measures_chart(figures, period=period, area=area, csv_url=CSV)
    assert (
        chart.summary
        == "Homicide: 1 offence in the 12 months to June 2023, no change on the previous 12 months."
    )
    assert chart.config["data"]["datasets"][2]["data"] == [
        None
    ]  # one axis: the percentage measure is left out
    assert chart.table.rows == [["Homicide", "1", "1", ""]]
    assert_table_matches_datasets(chart)


def test_trend_charts_need_two_periods(demo_data):
    assert pages.ncpm_archive_context(RequestFactory().get("/"))["trend_charts"] == []
    figures = list(MeasureFigure.objects.select_related("measure", "period"))
    assert measure_charts.measure_trend_charts(figures, csv_url=CSV) == []


def test_trend_charts_show_each_measure_over_the_quarters(demo_data):
    measures = add_earlier_period()
    # A measure held for one quarter only has no trend.
    lonely = Measure.objects.create(priority_area=PriorityArea.objects.first(), name="Held once", order=99)
    MeasureFigure.objects.create(period=ReportingPeriod.objects.first(), measure=lonely, latest=3, previous=2)

    trend_charts = pages.ncpm_archive_context(RequestFactory().get("/"))["trend_charts"]
    assert len(trend_charts) == measures
    by_measure = {chart.table.columns[1]: chart for chart in trend_charts}
    assert "Held once" not in by_measure
    assert list(by_measure)[:3] == ["Homicide (all offences)", "Murder only", "All violence with injury"]

    chart = by_measure["All violence with injury"]
    assert chart.config["type"] == "line"
    assert chart.config["data"]["labels"] == ["March 2023", "June 2023"]
    assert chart.config["data"]["datasets"][0]["data"] == [8507, 8505]
    assert chart.summary == (
        "All violence with injury: 8,505 offences in the 12 months to June 2023, "
        "a 0% decrease on 8,507 offences in the 12 months to March 2023."
    )
    assert chart.title == "All violence with injury: each quarter's 12-month figure, March 2023 to June 2023"
    assert chart.table.rows == [["31 March 2023", "8,507"], ["30 June 2023", "8,505"]]
    assert chart.csv_url == reverse("performance:data-ncpm-csv")
    assert by_measure["Homicide (all offences)"].summary == (
        "Homicide (all offences): 2 offences in the 12 months to June 2023, "
        "an 87% decrease on 15 offences in the 12 months to March 2023."
    )
    satisfaction = by_measure["Satisfaction amongst victims of domestic abuse"]
    assert satisfaction.summary == (
        "Satisfaction amongst victims of domestic abuse: 78% in the 12 months to June 2023, "
        "a 1 percentage point increase on 77% in the 12 months to March 2023."
    )
    assert satisfaction.config["options"]["scales"]["y"]["max"] == 100
    for chart in trend_charts:
        assert_table_matches_datasets(chart)
        assert_plain_json(chart.config)
    assert len({chart.id for chart in trend_charts}) == len(trend_charts)


def test_trend_sentence_for_no_change_and_a_rise_from_none(demo_data):
    add_earlier_period()
    march = ReportingPeriod.objects.get(period_end=datetime.date(2023, 3, 31))
    march.figures.filter(measure__name="Murder only").update(latest=2)
    march.figures.filter(measure__name="Robbery").update(latest=0)
    figures = MeasureFigure.objects.select_related("measure", "period").order_by("period__period_end")
    by_measure = {c.table.columns[1]: c for c in measure_charts.measure_trend_charts(figures, csv_url=CSV)}
    assert by_measure["Murder only"].summary == (
        "Murder only: 2 offences in the 12 months to June 2023, the same as in the 12 months to March 2023."
    )
    assert by_measure["Robbery"].summary == (
        "Robbery: 352 offences in the 12 months to June 2023, up from 0 offences in the 12 months to March 2023."
    )


# --------------------------------------------------------------------------------------------
# The page: configs as JSON data, no inline script or style
# --------------------------------------------------------------------------------------------


def test_page_emits_each_config_as_json_data_beside_a_hidden_canvas(client, demo_data):
    add_group_months()
    html = client.get(reverse("performance:police-data")).content.decode()
    context = police_data_context()
    found = context["calls_charts"] + context["group_charts"]
    found += [item["chart"] for item in context["priority_areas"] if item["chart"]]
    assert len(found) == 9
    for chart in found:
        match = re.search(
            rf'<script id="{chart.id}-config" type="application/json">(.*?)</script>', html, re.S
        )
        assert match, chart.id
        assert json.loads(match.group(1)) == chart.config
        assert f'<div class="chart-canvas" hidden data-chart-config="{chart.id}-config">' in html
    assert (
        f'<canvas role="img" aria-label="{SHARE_SENTENCE}"></canvas>' in html
    )  # the sentence is the canvas's text alternative
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert all(
        'type="application/json"' in attrs or (" src=" in attrs and " defer" in attrs) for attrs in scripts
    )
    assert " style=" not in html and "<style" not in html
    assert html.count("js/charts.js") == 1 and html.count("chart.umd.min.js") == 1


def test_chart_tables_sit_in_a_disclosure_with_their_csv_link(client, demo_data):
    html = client.get(reverse("performance:police-data")).content.decode()
    parsed = parse_page(html)
    captions = [t.caption for t in parsed.tables]
    assert (
        "Norfolk: share of 999 calls answered in under 10 seconds, November 2021 to September 2023"
        in captions
    )
    assert html.count("<summary>Figures for this chart</summary>") == 7
    assert "Download Norfolk: number of 999 calls, November 2021 to September 2023 as CSV" in html


def test_pages_without_charts_load_no_chart_script(client, demo_data):
    html = client.get(reverse("performance:ncpm-archive")).content.decode()
    assert "chart.umd.min.js" not in html
    add_earlier_period()
    html = client.get(reverse("performance:ncpm-archive")).content.decode()
    assert html.count("chart.umd.min.js") == 1 and 'class="chart-canvas"' in html
    assert "chart.umd.min.js" not in client.get(reverse("performance:library")).content.decode()


def test_group_chart_position_comes_from_the_counts_like_the_national_ranks():
    """Two forces published at 87.1%: Norfolk's counts give 87.14%, Suffolk's 87.06%."""
    norfolk = ForceMonth(1, "Norfolk", "87.1")
    norfolk.calls_under_10s, norfolk.total_calls = 8714, 10000
    suffolk = ForceMonth(2, "Suffolk", "87.1")
    suffolk.calls_under_10s, suffolk.total_calls = 8706, 10000
    chart = call_charts.group_chart([suffolk, norfolk], settings=office(), group=REGIONAL, csv_url=CSV)
    assert chart.summary.endswith("ranked 1st of 2 in the Regional 7 Force group.")
