"""django-tables2 tables for the public pages, rendered with a lean template (see settings).

Every cell's wording comes from ``calculations``; the tables only choose columns and headers.
"""

import django_tables2 as tables
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from . import calculations

UNDER_10S = "% of 999 calls answered in under 10 seconds"


class CallAnswerTable(tables.Table):
    month = tables.Column("Month", attrs={"th": {"scope": "col"}})
    total_calls = tables.Column("Total Calls")
    mean_answer_seconds = tables.Column("Mean Answer Time (seconds)")
    pct_under_10s = tables.Column("% 999 calls answered in under 10 seconds", empty_values=())
    pct_10_to_60s = tables.Column("% 999 calls answered in 10 to under 60 seconds", empty_values=())
    pct_60s_and_over = tables.Column("% 999 calls answered in 60 seconds and over", empty_values=())
    national_rank = tables.Column(f"National ranking for {UNDER_10S}")
    msg_rank = tables.Column(f"Most Similar Group ranking for {UNDER_10S}")
    regional_rank = tables.Column(f"Regional ranking for {UNDER_10S}")

    class Meta:
        orderable = False
        default = ""

    def __init__(self, data, *, caption: str, regional_group_name: str = "", **kwargs):
        super().__init__(data, **kwargs)
        self.caption = caption
        if regional_group_name:
            self.columns[
                "regional_rank"
            ].column.verbose_name = f"{regional_group_name} ranking for {UNDER_10S}"

    def render_month(self, value):
        return date_format(value, "F Y")

    def render_total_calls(self, value):
        return calculations.thousands(value)

    def render_mean_answer_seconds(self, value):
        return calculations.seconds(value)

    def render_pct_under_10s(self, record):
        return calculations.percent(record.band_percent("under_10s"))

    def render_pct_10_to_60s(self, record):
        return calculations.percent(record.band_percent("10_to_60s"))

    def render_pct_60s_and_over(self, record):
        return calculations.percent(record.band_percent("60s_and_over"))

    def render_national_rank(self, value):
        return calculations.ordinal(value)

    render_msg_rank = render_regional_rank = render_national_rank


def difference_cell(change: calculations.Difference | None):
    if change is None:
        return ""
    if not change.absolute_text:
        return change.text
    return format_html(
        '<span class="change">{}</span> <span class="change-absolute">{}</span>',
        change.text,
        change.absolute_text,
    )


class MeasureFigureTable(tables.Table):
    measure = tables.Column("Measure", accessor="measure__name")
    latest = tables.Column()
    previous = tables.Column()
    against_previous = tables.Column("Difference against previous 12 months", empty_values=())
    baseline = tables.Column()
    against_baseline = tables.Column("Difference against 2019 Baseline", empty_values=())

    class Meta:
        orderable = False
        default = ""

    def __init__(self, data, *, period, caption: str, **kwargs):
        super().__init__(data, **kwargs)
        self.caption = caption
        headers = {
            "latest": f"Most recent 12 months (to {period.period_end.day} {period.period_end:%B %Y})",
            "previous": f"Previous 12 months (to {period.previous_period_end.day} {period.previous_period_end:%B %Y})",
            "baseline": f"{period.baseline_period_end.year} Baseline "
            f"(12 months up to {period.baseline_period_end.day} {period.baseline_period_end:%B %Y})",
            "against_baseline": f"Difference against {period.baseline_period_end.year} Baseline",
        }
        for name, header in headers.items():
            self.columns[name].column.verbose_name = header

    def _value(self, record, value):
        return calculations.measure_value(value, percent_measure=record.measure.is_percent)

    def render_latest(self, record, value):
        return self._value(record, value)

    render_previous = render_baseline = render_latest

    def render_against_previous(self, record):
        return difference_cell(record.against_previous)

    def render_against_baseline(self, record):
        return difference_cell(record.against_baseline)
