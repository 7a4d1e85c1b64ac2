"""The 999 calls' charts: the home force's months, the median against England and Wales, a
group's forces in one month (each with its sentence and table; see ``performance.shared.charts``)."""

from decimal import Decimal

from django.utils.text import slugify

from performance.calls import ranking
from performance.shared import calculations
from performance.shared.charts import (
    BLUE,
    NAVY,
    NO_FIGURES,
    SHARE_AXIS,
    SLATE,
    UNDER_10S_FULL,
    UNDER_10S_SHORT,
    Chart,
    axis,
    change_clause,
    month_name,
    number,
    options,
    short_month_name,
    target_dataset,
    wrapped,
)
from performance.shared.tables import BELOW_TARGET_MARK, DataTable, share_cell


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
