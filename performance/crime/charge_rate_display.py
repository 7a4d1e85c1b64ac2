"""The charge/summons rates on a quarter's page: a table, a chart with its table and sentence,
and one sentence per measure, all worded by ``shared.shares`` from the stored figures (no
arithmetic here beyond choosing what to show)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.dateformat import format as date_format

from performance.crime.models.crime_outcomes import ChargeRateFigure
from performance.shared import calculations, shares
from performance.shared.charts import (
    BLUE,
    NAVY,
    PERCENT_AXIS,
    SLATE,
    WHITE,
    Chart,
    axis,
    number,
    options,
    wrapped,
)
from performance.shared.tables import DataTable


@dataclass(frozen=True)
class ChargeRateSection:
    table: DataTable
    chart: Chart
    sentences: list[str]
    method: str


def interval_text(figure: ChargeRateFigure) -> str:
    """
    >>> from decimal import Decimal
    >>> interval_text(ChargeRateFigure(interval_low=Decimal("5.6733"), interval_high=Decimal("8.8727")))
    '5.7% to 8.9%'
    >>> interval_text(ChargeRateFigure())
    ''
    """
    if figure.interval_low is None or figure.interval_high is None:
        return ""
    return f"{shares.rate_text(figure.interval_low)} to {shares.rate_text(figure.interval_high)}"


def counts_text(figure: ChargeRateFigure) -> str:
    """
    >>> counts_text(ChargeRateFigure(charges=71, offences=1000))
    '71 of 1,000'
    """
    return f"{calculations.thousands(figure.charges)} of {calculations.thousands(figure.offences)}"


def charge_rate_section(
    figures: list[ChargeRateFigure], *, period_end, force_name: str, area_name: str, csv_url: str = ""
) -> ChargeRateSection | None:
    """The section for the home force's ``figures`` of one quarter (all crime first), or None."""
    if not figures:
        return None
    figures = sorted(figures, key=lambda f: (f.measure_id is not None, f.measure and f.measure.name or ""))
    to_month = date_format(period_end, "F Y")
    caption = f"{force_name}: charge/summons rate, 12 months to {to_month}"
    sentences = [
        shares.charge_rate_sentence(
            period_end=period_end,
            area=area_name,
            measure_name=None if f.measure_id is None else f.measure.name,
            rate=f.rate,
            previous_rate=f.previous_rate,
            england_wales_rate=f.england_wales_rate,
        )
        for f in figures
    ]
    key = {
        force_name: f"{force_name}'s charge/summons rate, 12 months to {to_month}",
        "Year before": "The same force's rate in the previous 12 months",
        "Similar forces": "Median rate of the Most Similar Group's forces",
        "England and Wales": "Charges over recorded crimes, forces of England and Wales",
        "95% interval": f"The range within which {force_name}'s underlying rate lies, allowing for chance",
        "Charges": "Crimes charged or summonsed, of crimes recorded",
    }
    table = DataTable(
        caption=caption,
        columns=[
            "Crimes",
            force_name,
            "Year before",
            "Similar forces",
            "England and Wales",
            "95% interval",
            "Charges",
        ],
        key=key,
        phone="comparison",
        phone_columns=(force_name, "England and Wales"),
        rows=[
            [
                f.what[:1].upper() + f.what[1:],
                shares.rate_text(f.rate),
                shares.rate_text(f.previous_rate),
                shares.rate_text(f.msg_median_rate),
                shares.rate_text(f.england_wales_rate),
                interval_text(f),
                counts_text(f),
            ]
            for f in figures
        ],
        csv_url=csv_url,
        notes=(shares.CHARGE_RATE_METHOD_TEXT,),
    )
    labels = [wrapped(row[0]) for row in table.rows]
    chart_title = (
        f"Charge/summons rate, 12 months to {to_month}: {force_name}, similar forces and England and Wales"
    )
    chart = Chart(
        id="chart-charge-rates",
        title=chart_title,
        summary=sentences[0],
        csv_url=csv_url,
        config={
            "type": "bar",
            "data": {
                "labels": labels,
                "datasets": [
                    {
                        "label": force_name,
                        "data": [number(f.rate) for f in figures],
                        "backgroundColor": NAVY,
                        "borderColor": NAVY,
                        "borderWidth": 2,
                    },
                    {
                        "label": "Most Similar Group median",
                        "data": [number(f.msg_median_rate) for f in figures],
                        "backgroundColor": WHITE,
                        "borderColor": SLATE,
                        "borderWidth": 2,
                    },
                    {
                        "label": "England and Wales",
                        "data": [number(f.england_wales_rate) for f in figures],
                        "backgroundColor": BLUE,
                        "borderColor": BLUE,
                        "borderWidth": 2,
                        "borderDash": [4, 3],
                    },
                ],
            },
            "options": options(
                x=axis(f"Charge/summons rate {PERCENT_AXIS}"), y=axis("Crimes"), index_axis="y"
            ),
        },
        table=DataTable(
            caption=chart_title,
            columns=["Crimes", force_name, "Similar forces", "England and Wales"],
            key={k: v for k, v in key.items() if k in (force_name, "Similar forces", "England and Wales")},
            rows=[[row[0], row[1], row[3], row[4]] for row in table.rows],
            csv_url=csv_url,
        ),
    )
    return ChargeRateSection(
        table=table, chart=chart, sentences=sentences, method=shares.CHARGE_RATE_METHOD_TEXT
    )
