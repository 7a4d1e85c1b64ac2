"""Chart.js configurations built in Python as plain data, each with a sentence and a table.

(Being written: the functions below are the contract the pages rely on.)
"""

from dataclasses import dataclass

from .tables import DataTable


@dataclass(frozen=True)
class Chart:
    """One chart: the Chart.js config, the sentence that says what it shows, and its figures."""

    id: str
    title: str
    summary: str
    config: dict
    table: DataTable
    csv_url: str


def calls_charts(months, *, settings, csv_url: str) -> list[Chart]:
    """999 charts for the home force: share answered in under 10 s against the target, and volume."""
    return []


def group_chart(rows, *, settings, group, csv_url: str) -> Chart | None:
    """The home force against a group's other forces for one month (rows: one per force)."""
    return None


def measures_chart(figures, *, period, area, csv_url: str) -> Chart | None:
    """A priority area's measures: latest 12 months, previous 12 months and the 2019 baseline."""
    return None


def measure_trend_charts(figures, *, csv_url: str) -> list[Chart]:
    """Each measure over the quarters held (figures: every period's, oldest first); needs 2+ periods."""
    return []
