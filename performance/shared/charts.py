"""Chart.js configurations built in Python as plain data, each with a sentence and a table.

A chart's ``config`` is JSON-ready (no functions, no Decimals): the template emits it with
``json_script`` and ``static/js/charts.js`` draws it. Every chart also carries a one-sentence
summary written from the same rows and a ``DataTable`` of the same figures, so nothing depends on
seeing the canvas or running JavaScript. All wording and rounding come from ``calculations``.

Colours have at least 3:1 contrast with white, and series differ in more than colour: the target
is a dashed line, points have their own style, bars differ in lightness or are outlined, and every
chart has a legend. Animation is off.
"""

import textwrap
from dataclasses import dataclass
from decimal import Decimal

from django.utils.dateformat import format as date_format
from django.utils.text import slugify

from performance.calls import ranking
from performance.shared import calculations
from performance.shared.tables import BELOW_TARGET_MARK, DataTable, day_month_year, share_cell

NAVY = "#0b2545"  # 15.4:1 on white
BLUE = "#1a4f8b"  # 8.3:1 on white
SLATE = "#707f95"  # 4.1:1 on white, 3.8:1 against navy
TARGET_RED = "#a4131f"  # 7.8:1 on white
WHITE = "#ffffff"
TARGET_DASH = [6, 4]
PERCENT_AXIS = "(%)"
NO_FIGURES = "No figures published"
UNDER_10S_SHORT = "Under 10\u00a0s"
UNDER_10S_FULL = "% of 999 calls answered in under 10 seconds"
SHARE_AXIS = f"Share of calls {PERCENT_AXIS}"


@dataclass(frozen=True)
class Chart:
    """One chart: the Chart.js config, the sentence that says what it shows, and its figures."""

    id: str
    title: str
    summary: str
    config: dict
    table: DataTable
    csv_url: str


# --------------------------------------------------------------------------------------------
# Config pieces
# --------------------------------------------------------------------------------------------


def month_name(month) -> str:
    return date_format(month, "F Y")


def short_month_name(month) -> str:
    """An axis label: "Sep 2023" (the table beside the chart gives "September 2023")."""
    return date_format(month, "M Y")


def number(value) -> float | int | None:
    """A figure as JSON: whole numbers as ints, others to 1 decimal place (as the tables show them)."""
    if value is None:
        return None
    rounded = calculations.round_half_away(value, 1)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def axis(title: str, *, percent: bool = False) -> dict:
    scale = {"beginAtZero": True, "title": {"display": True, "text": title}}
    if percent:
        scale.update(min=0, max=100)
    return scale


def options(*, x: dict, y: dict, index_axis: str = "x") -> dict:
    return {
        "indexAxis": index_axis,
        "responsive": True,
        "maintainAspectRatio": False,
        "animation": False,
        "plugins": {
            "legend": {
                "display": True,
                "position": "bottom",
                # Boxes, not point styles: a box is stroked with the dataset's dash, so the
                # target's box is dashed like its line.
                "labels": {"boxWidth": 36, "boxHeight": 12},
            },
            "tooltip": {"enabled": True},
        },
        "scales": {"x": x, "y": y},
    }


def target_dataset(target_percent, count: int, *, seconds) -> dict:
    """The target as a dashed line: a dataset of ``count`` equal values."""
    return {
        "type": "line",
        "label": f"Target: {target_percent}% within {seconds} seconds",
        "data": [number(target_percent)] * count,
        "borderColor": TARGET_RED,
        "backgroundColor": WHITE,  # its legend box: white inside a dashed red outline
        "borderDash": TARGET_DASH,
        "borderWidth": 2,
        "pointRadius": 0,
        "pointHitRadius": 0,
        "pointStyle": "line",
        "fill": False,
        "order": 0,  # drawn over the bars or line it is compared with
    }


def change_clause(change: calculations.Difference | None, earlier: str, *, from_zero: str = "") -> str:
    """ "a 20% increase on the 2019 baseline", "no change on …"; ``from_zero`` (default "up from 0
    in …") when the earlier figure was 0 and a change cannot be given in percent."""
    if change is None:
        return ""
    if change.direction == "no change":
        return f"no change on {earlier}"
    if change.text == "n/a":
        return from_zero or f"up from 0 in {earlier}"
    return f"{calculations.with_article(change.text)} on {earlier}"


def measure_amount(value, *, percent_measure: bool) -> str:
    """ "8,505 offences", "1 offence", "78%"."""
    text = calculations.measure_value(value, percent_measure=percent_measure)
    if percent_measure:
        return text
    return f"{text} {'offence' if value == 1 else 'offences'}"


def wrapped(name: str, width: int = 18) -> list[str] | str:
    """A long category label as lines (Chart.js draws a list as a multi-line label)."""
    lines = textwrap.wrap(name, width, break_long_words=False, break_on_hyphens=False)
    return lines if len(lines) > 1 else name


# --------------------------------------------------------------------------------------------
# 999 calls
# --------------------------------------------------------------------------------------------


def published_share(month) -> Decimal | None:
    """The share answered in under 10 seconds as police.uk published it (what tables show)."""
    return month.band_percent("under_10s")


def calls_charts(months, *, settings, csv_url: str) -> list[Chart]:
    """999 charts for the home force: share answered in under 10 s against the target, and volume."""
    months = list(months)
    if not months:
        return []
    force = settings.home_force
    target, seconds = settings.answer_target_percent, settings.answer_target_seconds
    held = {m.month: m for m in months}
    # Every month from the first to the last: one with no figures is a gap, not skipped over.
    calendar = calculations.months_from_to(months[0].month, months[-1].month)
    series = [held.get(month) for month in calendar]
    labels = [short_month_name(month) for month in calendar]
    first, last = month_name(months[0].month), month_name(months[-1].month)
    span = f"{first} to {last}" if first != last else last
    charts = []

    answered = [m for m in months if published_share(m) is not None]
    if answered:
        latest = answered[-1]
        share = published_share(latest)
        title = f"{force.name}: share of 999 calls answered in under 10 seconds, {span}"
        summary = (
            f"In {month_name(latest.month)}, {calculations.percent(share)} of 999 calls were answered "
            f"within {seconds} seconds, {calculations.target_gap_text(share, target)}."
        )
        below = any(calculations.below_target(published_share(m), target) for m in months)
        charts.append(
            Chart(
                id="chart-999-share",
                title=title,
                summary=summary,
                csv_url=csv_url,
                config={
                    "type": "line",
                    "data": {
                        "labels": labels,
                        "datasets": [
                            {
                                "type": "line",
                                "label": f"Answered in under {seconds} seconds",
                                "data": [number(published_share(m)) if m else None for m in series],
                                "borderColor": NAVY,
                                "backgroundColor": NAVY,
                                "borderWidth": 2,
                                "pointStyle": "circle",
                                "pointRadius": 3,
                                "fill": False,
                                "order": 1,
                            },
                            target_dataset(target, len(calendar), seconds=seconds),
                        ],
                    },
                    "options": options(
                        x=axis("Month"),
                        y=axis(SHARE_AXIS, percent=True),
                    ),
                },
                table=DataTable(
                    caption=title,
                    columns=["Month", UNDER_10S_SHORT],
                    key={UNDER_10S_SHORT: UNDER_10S_FULL},
                    rows=[
                        [month_name(month), share_cell(published_share(m), target) if m else NO_FIGURES]
                        for month, m in zip(calendar, series, strict=True)
                    ],
                    csv_url=csv_url,
                    notes=(
                        f"{BELOW_TARGET_MARK} marks a month below the target of {target}% answered in "
                        f"under {seconds} seconds.",
                    )
                    if below
                    else (),
                ),
            )
        )

    latest = months[-1]
    by_month = {m.month: m for m in months}
    year_earlier = by_month.get(latest.month.replace(year=latest.month.year - 1))
    summary = f"In {month_name(latest.month)}, {force.name} received {calculations.thousands(latest.total_calls)} calls to 999"
    if year_earlier is not None:
        change = calculations.difference(latest.total_calls, year_earlier.total_calls)
        earlier = (
            f"{month_name(year_earlier.month)} ({calculations.thousands(year_earlier.total_calls)} calls)"
        )
        summary += f", {change_clause(change, earlier)}"
    title = f"{force.name}: number of 999 calls, {span}"
    charts.append(
        Chart(
            id="chart-999-volume",
            title=title,
            summary=summary + ".",
            csv_url=csv_url,
            config={
                "type": "bar",
                "data": {
                    "labels": labels,
                    "datasets": [
                        {
                            "label": "999 calls",
                            "data": [m.total_calls if m else None for m in series],
                            "backgroundColor": BLUE,
                            "borderColor": BLUE,
                        }
                    ],
                },
                "options": options(x=axis("Month"), y=axis("Number of 999 calls")),
            },
            table=DataTable(
                caption=title,
                columns=["Month", "Total calls"],
                rows=[
                    [month_name(month), calculations.thousands(m.total_calls) if m else NO_FIGURES]
                    for month, m in zip(calendar, series, strict=True)
                ],
                csv_url=csv_url,
            ),
        )
    )
    return charts


def median_chart(series: dict, *, settings, csv_url: str) -> Chart:
    """The home force's share answered in under 10 seconds against the median of the national
    comparison set's forces' shares (England and Wales, or with Northern Ireland), month by
    month (``series``: month -> (home share, median), oldest first); a month with no figures is
    a gap."""
    force, seconds = settings.home_force, settings.answer_target_seconds
    national = settings.national_set_name
    months = list(series)
    calendar = calculations.months_from_to(months[0], months[-1])
    home = [series.get(month, (None, None))[0] for month in calendar]
    middle = [series.get(month, (None, None))[1] for month in calendar]
    latest = months[-1]
    share, median = series[latest]
    span = f"{month_name(months[0])} to {month_name(latest)}" if len(months) > 1 else month_name(latest)
    title = f"{force.name} against the {national} median: share of 999 calls answered in under {seconds} seconds, {span}"
    if share is None:
        summary = f"In {month_name(latest)}, the median {national} force answered {calculations.percent(median)} of 999 calls within {seconds} seconds."
    else:
        summary = (
            f"In {month_name(latest)}, {force.name} answered {calculations.percent(share)} of 999 calls within "
            f"{seconds} seconds, against an {national} median of {calculations.percent(median)}: "
            f"{calculations.points_apart_text(share, median)}."
        )
    return Chart(
        id="chart-999-median",
        title=title,
        summary=summary,
        csv_url=csv_url,
        config={
            "type": "line",
            "data": {
                "labels": [short_month_name(month) for month in calendar],
                "datasets": [
                    {
                        "label": force.name,
                        "data": [number(value) for value in home],
                        "borderColor": NAVY,
                        "backgroundColor": NAVY,
                        "borderWidth": 2,
                        "pointStyle": "circle",
                        "pointRadius": 2,
                        "fill": False,
                    },
                    {
                        "label": f"{national} median",
                        "data": [number(value) for value in middle],
                        "borderColor": SLATE,
                        "backgroundColor": SLATE,
                        "borderWidth": 2,
                        "borderDash": [4, 3],
                        "pointStyle": "rect",
                        "pointRadius": 2,
                        "fill": False,
                    },
                ],
            },
            "options": options(x=axis("Month"), y=axis(SHARE_AXIS, percent=True)),
        },
        table=DataTable(
            caption=title,
            columns=["Month", force.name, f"{national} median"],
            rows=[
                [
                    month_name(month),
                    calculations.percent(value) if value is not None else NO_FIGURES,
                    calculations.percent(middle_value) if middle_value is not None else NO_FIGURES,
                ]
                for month, value, middle_value in zip(calendar, home, middle, strict=True)
            ],
            csv_url=csv_url,
        ),
    )


def group_phrase(group, settings) -> str:
    """How the sentence names a group: "its Most Similar Group", "the Regional 7 Force group"."""
    if group.pk == settings.most_similar_group_id:
        return "its Most Similar Group"
    return f"the {group.name}" if group.name.lower().endswith("group") else f"the {group.name} group"


def group_scope(group, settings) -> str | None:
    if group.pk == settings.most_similar_group_id:
        return "msg"
    if group.pk == settings.regional_group_id:
        return "regional"
    return None


def group_chart(rows, *, settings, group, csv_url: str) -> Chart | None:
    """The home force against a group's other forces for one month (rows: one per force)."""
    rows = [row for row in rows if published_share(row) is not None]
    home = next((row for row in rows if row.force_id == settings.home_force_id), None)
    if home is None or len(rows) < 2:
        return None
    target, seconds = settings.answer_target_percent, settings.answer_target_seconds
    shares = {row.force_id: published_share(row) for row in rows}
    rows.sort(key=lambda row: (-shares[row.force_id], row.force.name))
    month = month_name(home.month)

    scope = group_scope(group, settings)
    stored = home.rank_for(scope) if scope else None
    if stored is not None:
        out_of = stored.out_of or len(group.members.all()) or len(rows)
        rank = calculations.rank_text(stored.rank, joint=stored.joint, out_of=out_of)
    else:
        # Ranked as the national data is ranked: on the share from the counts when published.
        exact = {row.force_id: ranking.share_under_10s(row) for row in rows}
        position, joint = calculations.competition_ranks(exact)[home.force_id]
        rank = calculations.rank_text(position, joint=joint, out_of=len(rows))
    where = group_phrase(group, settings)
    summary = (
        f"In {month}, {home.force.name} answered {calculations.percent(shares[home.force_id])} of 999 calls "
        f"within {seconds} seconds, ranked {rank} in {where}."
    )
    title = f"Share of 999 calls answered in under 10 seconds, {month}: {home.force.name} and {where}"

    def label(row) -> str:
        return f"{row.force.name} (home force)" if row is home else row.force.name

    below = any(calculations.below_target(share, target) for share in shares.values())
    return Chart(
        id=f"chart-999-group-{slugify(group.name)}",
        title=title,
        summary=summary,
        csv_url=csv_url,
        config={
            "type": "bar",
            "data": {
                "labels": [wrapped(label(row), 12) for row in rows],
                "datasets": [
                    # Two datasets drawn in the same place (grouped: false), so the legend can
                    # name the home force's bar; each is null where the other has the value.
                    {
                        "type": "bar",
                        "label": f"{home.force.name} (home force)",
                        "data": [number(shares[row.force_id]) if row is home else None for row in rows],
                        "backgroundColor": NAVY,
                        "borderColor": NAVY,
                        "grouped": False,
                        "order": 1,
                    },
                    {
                        "type": "bar",
                        "label": "Other forces in the group",
                        "data": [None if row is home else number(shares[row.force_id]) for row in rows],
                        "backgroundColor": SLATE,
                        "borderColor": SLATE,
                        "grouped": False,
                        "order": 2,
                    },
                    target_dataset(target, len(rows), seconds=seconds),
                ],
            },
            "options": options(
                x=axis(SHARE_AXIS, percent=True),
                y={"ticks": {"autoSkip": False}},  # every force named, the home force included
                index_axis="y",
            ),
        },
        table=DataTable(
            caption=title,
            columns=["Force", UNDER_10S_SHORT],
            key={UNDER_10S_SHORT: UNDER_10S_FULL},
            rows=[[label(row), share_cell(shares[row.force_id], target)] for row in rows],
            csv_url=csv_url,
            notes=(
                f"{BELOW_TARGET_MARK} marks a force below the target of {target}% answered in under "
                f"{seconds} seconds.",
            )
            if below
            else (),
        ),
    )


# --------------------------------------------------------------------------------------------
# National Crime and Policing Measures
# --------------------------------------------------------------------------------------------


def twelve_months_to(day) -> str:
    return f"12 months to {date_format(day, 'F Y')}"


def measures_chart(figures, *, period, area, csv_url: str) -> Chart | None:
    """A priority area's measures: latest 12 months, previous 12 months and the 2019 baseline.

    Measures in another unit than the area's first (headline) measure are left out: one axis
    cannot show counts and percentages together. The area's table shows every measure."""
    figures = list(figures)
    if not figures:
        return None
    headline = figures[0]
    percent_measure = headline.measure.is_percent
    figures = [f for f in figures if f.measure.is_percent == percent_measure]
    baseline_year = period.baseline_period_end.year
    latest_label = twelve_months_to(period.period_end)
    previous_label = f"Previous 12 months (to {date_format(period.previous_period_end, 'F Y')})"
    baseline_label = f"{baseline_year} baseline (to {date_format(period.baseline_period_end, 'F Y')})"

    clauses = [
        change_clause(headline.against_previous, "the previous 12 months"),
        change_clause(headline.against_baseline, f"the {baseline_year} baseline"),
    ]
    summary = (
        f"{headline.measure.name}: {measure_amount(headline.latest, percent_measure=percent_measure)} in the "
        f"{twelve_months_to(period.period_end)}, {' and '.join(c for c in clauses if c)}."
    )
    title = (
        f"{area.name}: {twelve_months_to(period.period_end)}, previous 12 months and {baseline_year} baseline"
    )

    def values(field: str) -> list:
        return [number(getattr(f, field)) for f in figures]

    def cell(value) -> str:
        return calculations.measure_value(value, percent_measure=percent_measure)

    unit = f"Percentage {PERCENT_AXIS}" if percent_measure else "Number of offences"
    return Chart(
        id=f"chart-ncpm-{area.slug}",
        title=title,
        summary=summary,
        csv_url=csv_url,
        config={
            "type": "bar",
            "data": {
                "labels": [wrapped(f.measure.name) for f in figures],
                "datasets": [
                    {
                        "label": latest_label,
                        "data": values("latest"),
                        "backgroundColor": NAVY,
                        "borderColor": NAVY,
                        "borderWidth": 2,
                    },
                    {
                        "label": previous_label,
                        "data": values("previous"),
                        "backgroundColor": SLATE,
                        "borderColor": SLATE,
                        "borderWidth": 2,
                    },
                    {
                        "label": baseline_label,
                        "data": values("baseline"),
                        "backgroundColor": WHITE,
                        "borderColor": NAVY,
                        "borderWidth": 2,
                    },
                ],
            },
            "options": options(x=axis("Measure"), y=axis(unit, percent=percent_measure)),
        },
        table=DataTable(
            caption=title,
            columns=["Measure", "Latest 12 months", "Previous 12 months", f"{baseline_year} baseline"],
            key={
                "Latest 12 months": latest_label,
                "Previous 12 months": previous_label,
                f"{baseline_year} baseline": baseline_label,
            },
            rows=[[f.measure.name, cell(f.latest), cell(f.previous), cell(f.baseline)] for f in figures],
            csv_url=csv_url,
        ),
    )


def measure_trend_charts(figures, *, csv_url: str) -> list[Chart]:
    """Each measure over the quarters held (figures: every period's, oldest first); needs 2+ periods."""
    by_measure: dict[int, list] = {}
    for figure in figures:
        by_measure.setdefault(figure.measure_id, []).append(figure)
    charts = []
    for measure_figures in by_measure.values():
        measure_figures.sort(key=lambda f: f.period.period_end)
        if len(measure_figures) < 2:
            continue
        measure = measure_figures[0].measure
        percent_measure = measure.is_percent
        first, last = measure_figures[0], measure_figures[-1]
        first_label, last_label = (date_format(f.period.period_end, "F Y") for f in (first, last))
        change = calculations.difference(last.latest, first.latest, percent_measure=percent_measure)
        earlier = f"{measure_amount(first.latest, percent_measure=percent_measure)} in the {twelve_months_to(first.period.period_end)}"
        if change.direction == "no change":
            clause = f"the same as in the {twelve_months_to(first.period.period_end)}"
        else:
            clause = change_clause(change, earlier, from_zero=f"up from {earlier}")
        summary = (
            f"{measure.name}: {measure_amount(last.latest, percent_measure=percent_measure)} in the "
            f"{twelve_months_to(last.period.period_end)}, {clause}."
        )
        title = f"{measure.name}: each quarter's 12-month figure, {first_label} to {last_label}"
        labels = [date_format(f.period.period_end, "F Y") for f in measure_figures]
        unit = f"Percentage {PERCENT_AXIS}" if percent_measure else "Number of offences"
        charts.append(
            Chart(
                id=f"chart-ncpm-trend-{measure.pk}",
                title=title,
                summary=summary,
                csv_url=csv_url,
                config={
                    "type": "line",
                    "data": {
                        "labels": labels,
                        "datasets": [
                            {
                                "label": "12 months to the quarter's end",
                                "data": [number(f.latest) for f in measure_figures],
                                "borderColor": NAVY,
                                "backgroundColor": NAVY,
                                "borderWidth": 2,
                                "pointStyle": "circle",
                                "pointRadius": 3,
                                "fill": False,
                            }
                        ],
                    },
                    "options": options(x=axis("12 months ending"), y=axis(unit, percent=percent_measure)),
                },
                table=DataTable(
                    caption=title,
                    columns=["12 months ending", measure.name],
                    rows=[
                        [
                            day_month_year(f.period.period_end),
                            calculations.measure_value(f.latest, percent_measure=percent_measure),
                        ]
                        for f in measure_figures
                    ],
                    csv_url=csv_url,
                ),
            )
        )
    return charts
