"""The NCPM measures' charts: a quarter's measures and each measure's trend (each with its
sentence and table; see ``performance.shared.charts``)."""

from performance.shared import calculations
from performance.shared.charts import (
    NAVY,
    PERCENT_AXIS,
    SLATE,
    WHITE,
    Chart,
    axis,
    change_clause,
    measure_amount,
    number,
    options,
    wrapped,
)
from performance.shared.dates import date_format
from performance.shared.tables import DataTable, day_month_year


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
