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

from performance.shared import calculations
from performance.shared.dates import date_format
from performance.shared.tables import DataTable

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
