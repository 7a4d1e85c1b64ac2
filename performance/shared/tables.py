"""The public tables as plain data: a caption, column headers and rows of display text.

Every cell's wording comes from ``calculations``; these functions only choose columns and
headers. Page templates, CSV and JSON outputs can all take the same ``DataTable``.

django-tables2 rendered the same two kinds of table at 24.5 ms for the Police Data page with a
lean template (36.7 ms with its default one); these plain tables render it in a fraction of that
(``make bench``), so the public pages do not use it.
"""

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe

from performance.shared import calculations, comparisons, significance
from performance.shared.dates import date_format

UNDER_10S = "% of 999 calls answered in under 10 seconds"
RANK_SCOPES = ("national", "msg", "regional")


def rank_cell(rank) -> str:
    return rank.text if rank is not None else ""


@dataclass(frozen=True)
class DataTable:
    caption: str
    columns: list[str]  # the headings shown: short, so that the table fits the page
    rows: list[list[str]]  # the first cell of each row is its header
    csv_url: str = ""  # the same figures as open data
    notes: tuple[str, ...] = ()  # shown under the table, e.g. what a marker means
    key: dict[str, str] = field(default_factory=dict)  # a short heading's full wording
    # On a phone: the layout's name (site.css ``.phone-…``) and the columns that come straight
    # after the first, in view without scrolling; the others follow them, in the scroll region.
    phone: str = ""
    phone_columns: tuple[str, ...] = ()

    @cached_property
    def key_indexes(self) -> frozenset[int]:
        """The positions of the columns in view on a phone."""
        return frozenset(index for index, column in enumerate(self.columns) if column in self.phone_columns)

    @property
    def headers(self) -> list[tuple[str, str]]:
        """Each column's heading and its full wording ("" when the heading is already full):
        screen readers are given the full wording, and the key under the table shows it."""
        return [(column, self.key.get(column, "")) for column in self.columns]

    @property
    def key_shown(self) -> list[tuple[str, str]]:
        """The key under the table: the full wording of each short heading shown, in column
        order (a heading the table does not show, such as a median no month holds, is left out)."""
        return [(column, full) for column, full in self.headers if full]

    @cached_property
    def html(self) -> str:
        """The table as the pages show it (``includes/data_table.html``): a table too wide for a
        phone scrolls sideways in a labelled, focusable region and says so; each short heading
        carries its full wording for screen readers, and the key under the table gives it to
        everyone; then the notes and the CSV of the same figures.

        Written here rather than cell by cell in a template: the Police Data page's fifteen
        tables render in a sixth of the time (``make bench``)."""
        key = self.key_indexes if self.phone else frozenset()
        parts = []
        if self.wide:
            parts.append(
                '<p class="table-scroll-cue" aria-hidden="true">Scroll the table sideways to see every column.</p>\n'
            )
        caption = _escaped(self.caption)
        phone = f" data-table--phone phone-{_escaped(self.phone)}" if self.phone else ""
        parts.append(
            f'<div class="table-wrap" role="region" aria-label="{caption}" tabindex="0">\n'
            f'<table class="data-table{phone}">\n  <caption>{caption}</caption>\n  <thead><tr>'
        )
        for index, (short, full) in enumerate(self.headers):
            marked = ' class="key-col"' if index in key else ""
            heading = (
                f'<span aria-hidden="true">{_escaped(short)}</span> <span class="visually-hidden">{_escaped(full)}</span>'
                if full
                else _escaped(short)
            )
            parts.append(f'<th scope="col"{marked}>{heading}</th>')
        parts.append("</tr></thead>\n  <tbody>\n")
        for row in self.rows:
            parts.append("<tr>")
            for index, cell in enumerate(row):
                if index == 0:
                    parts.append(f'<th scope="row">{_escaped(cell)}</th>')
                else:
                    parts.append(f'<td class="num{" key-col" if index in key else ""}">{_escaped(cell)}</td>')
            parts.append("</tr>\n")
        parts.append("  </tbody>\n</table>\n</div>\n")
        if self.key_shown:
            parts.append('<details class="table-key"><summary>What the columns show</summary><dl>')
            parts.extend(
                f"<div><dt>{_escaped(short)}</dt><dd>{_escaped(full)}</dd></div>"
                for short, full in self.key_shown
            )
            parts.append("</dl></details>\n")
        parts.extend(f'<p class="table-note">{_escaped(note)}</p>' for note in self.notes)
        if self.csv_url:
            parts.append(
                f'\n<p class="download"><a href="{_escaped(self.csv_url)}" download>Download {caption} as CSV</a></p>'
            )
        return mark_safe("".join(parts))

    @property
    def wide(self) -> bool:
        """Too many columns to fit a phone's width: it scrolls sideways, and says so."""
        return len(self.columns) > 3


def _escaped(text) -> str:
    """``text`` as HTML: kept as it is when already safe (a marked cell), escaped otherwise."""
    return text if isinstance(text, SafeData) else html.escape(str(text))


BELOW_TARGET_MARK = "▼"


def share_cell(share, target_percent) -> str:
    """The share answered in time, marked in text (not colour alone) when below the target."""
    text = calculations.percent(share)
    if target_percent is None or not calculations.below_target(share, target_percent):
        return text
    return format_html(
        '<span class="below-target">{} <span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">, below the {}% target</span></span>',
        text,
        BELOW_TARGET_MARK,
        target_percent,
    )


def call_answer_table(
    months: Iterable,
    *,
    caption: str,
    regional_group_name: str = "",
    target_percent=None,
    csv_url: str = "",
) -> DataTable:
    """999 call answering by month, with the columns of the published page."""
    months = list(months)
    median = any(month.median_answer_seconds is not None for month in months)  # a column where held
    below = target_percent is not None and any(
        calculations.below_target(m.band_percent("under_10s"), target_percent) for m in months
    )
    without_n = any(
        rank is not None and rank.rank is not None and not rank.out_of
        for month in months
        for rank in (month.rank_for(scope) for scope in RANK_SCOPES)
    )
    notes = [
        *(
            [
                f"{BELOW_TARGET_MARK} marks a month below the target of {target_percent}% answered in under 10 seconds."
            ]
            if below
            else []
        ),
        *([calculations.ENTERED_RANKS_NOTE] if without_n else []),
    ]
    return DataTable(
        csv_url=csv_url,
        notes=tuple(notes),
        caption=caption,
        phone="calls",
        phone_columns=("Under 10\u00a0s", "National rank"),
        columns=[
            "Month",
            "Calls",
            "Mean (s)",
            *(["Median (s)"] if median else []),
            "Under 10\u00a0s",
            "10 to 60\u00a0s",
            "60\u00a0s and over",
            "National rank",
            "MSG rank",
            "Regional rank",
        ],
        key={
            "Calls": "Total Calls",
            "Mean (s)": "Mean Answer Time (seconds)",
            "Median (s)": "Median Answer Time (seconds)",
            "Under 10\u00a0s": "% 999 calls answered in under 10 seconds",
            "10 to 60\u00a0s": "% 999 calls answered in 10 to under 60 seconds",
            "60\u00a0s and over": "% 999 calls answered in 60 seconds and over",
            "National rank": f"National ranking for {UNDER_10S}",
            "MSG rank": f"Most Similar Group ranking for {UNDER_10S}",
            "Regional rank": f"{regional_group_name or 'Regional'} ranking for {UNDER_10S}",
        },
        rows=[
            [
                date_format(month.month, "F Y"),
                calculations.thousands(month.total_calls),
                calculations.seconds(month.mean_answer_seconds),
                *([calculations.seconds(month.median_answer_seconds)] if median else []),
                share_cell(month.band_percent("under_10s"), target_percent),
                *(calculations.percent(month.band_percent(band)) for band in ("10_to_60s", "60s_and_over")),
                *(rank_cell(month.rank_for(scope)) for scope in RANK_SCOPES),
            ]
            for month in months
        ],
    )


def difference_cell(
    change: calculations.Difference | None, test: significance.ChangeTest | None = None
) -> str:
    """A change as the table shows it: in words, the signed count, and whether it is larger than
    chance (``test``'s short label, explained in the key under the table)."""
    if change is None:
        return ""
    if not change.absolute_text:
        return change.text
    if test is None:
        return format_html(
            '<span class="change">{}</span> <span class="change-absolute">{}</span>',
            change.text,
            change.absolute_text,
        )
    return format_html(
        '<span class="change">{}</span> <span class="change-absolute">{}</span> '
        '<span class="change-test change-test--{}">{}</span>',
        change.text,
        change.absolute_text,
        "significant" if test.significant else "chance",
        test.label,
    )


def day_month_year(day) -> str:
    return date_format(day, "j F Y")


def measure_figure_table(
    figures: Iterable, *, period, caption: str, csv_url: str = "", notes: Iterable[str] = ()
) -> DataTable:
    """One priority area's NCPM figures with their differences, as the published page sets them out,
    each change of a count of offences marked with whether it is larger than chance. Under it,
    the key to those marks (and a line naming the percentage measures, which are not tested),
    then ``notes`` (how the force compares with others, revisions)."""
    figures = list(figures)
    baseline_year = period.baseline_period_end.year
    rows = []
    tests = []
    for figure in figures:
        percent_measure = figure.measure.is_percent
        on_previous, on_baseline = figure.change_test("previous"), figure.change_test("baseline")
        tests += [on_previous, on_baseline]
        rows.append(
            [
                figure.measure.name,
                calculations.measure_value(figure.latest, percent_measure=percent_measure),
                calculations.measure_value(figure.previous, percent_measure=percent_measure),
                difference_cell(figure.against_previous, on_previous),
                calculations.measure_value(figure.baseline, percent_measure=percent_measure),
                difference_cell(figure.against_baseline, on_baseline),
            ]
        )
    untested = significance.untested_note(f.measure.name for f in figures if f.measure.is_percent)
    return DataTable(
        caption=caption,
        csv_url=csv_url,
        notes=(*significance.change_test_notes(tests), *([untested] if untested else []), *notes),
        phone="measures",
        phone_columns=("Latest 12 months", "Change on previous"),
        columns=[
            "Measure",
            "Latest 12 months",
            "Previous 12 months",
            "Change on previous",
            f"{baseline_year} baseline",
            f"Change on {baseline_year}",
        ],
        key={
            "Latest 12 months": f"Most recent 12 months (to {day_month_year(period.period_end)})",
            "Previous 12 months": f"Previous 12 months (to {day_month_year(period.previous_period_end)})",
            "Change on previous": "Difference against previous 12 months",
            f"{baseline_year} baseline": f"{baseline_year} Baseline (12 months up to "
            f"{day_month_year(period.baseline_period_end)})",
            f"Change on {baseline_year}": f"Difference against {baseline_year} Baseline",
        },
        rows=rows,
    )


def figure_rate(figure) -> dict:
    """The rates stored with an NCPM figure (``ncpm.ncpm_rates``), or {}."""
    return (getattr(figure, "comparison", None) or {}).get("rate") or {}


def measures_rates_table(figures: Iterable, *, caption: str) -> DataTable | None:
    """The rates per 1,000 residents of the home force and its Most Similar Group for each of an
    area's measures, as stored with the figures: a row per force, a column per measure. None
    when no measure has a group's rates."""
    figures = [figure for figure in figures if len(figure_rate(figure).get("group", [])) > 1]
    if not figures:
        return None
    home_name = figure_rate(figures[0]).get("force")
    by_force: dict[str, dict[int, str]] = {}
    for index, figure in enumerate(figures):
        for name, rate in figure_rate(figure)["group"]:
            by_force.setdefault(name, {})[index] = rate
    names = sorted(by_force, key=lambda name: (name != home_name, name))
    return DataTable(
        caption=caption,
        columns=["Force", *(figure.measure.name for figure in figures)],
        rows=[
            [f"{name} (this force)" if name == home_name else name]
            + [by_force[name].get(index, "") for index in range(len(figures))]
            for name in names
        ],
        notes=(
            "Offences in the most recent 12 months per 1,000 residents of each force area "
            "(ONS mid-year estimate); blank where a force's population is not held.",
        ),
    )


def comparison_table(
    rows: Iterable[list[str]], *, caption: str, force_name: str, northern_ireland: bool = False
) -> DataTable | None:
    """How the home force's changes compare with other forces: each measure's change against
    each year it was compared on, its Most Similar Group's median change and its position among
    the national comparison set (``comparisons`` words every cell). None when nothing was compared."""
    rows = list(rows)
    if not rows:
        return None
    position = comparisons.position_heading(northern_ireland=northern_ireland)
    return DataTable(
        caption=caption,
        columns=["Measure, compared with", force_name, "Similar forces", "Position"],
        phone="comparison",
        phone_columns=(force_name, "Similar forces"),
        key={
            force_name: f"{force_name}'s change",
            "Similar forces": "Most Similar Group's median change",
            "Position": position,
        },
        rows=rows,
    )


def applies_text(applies: bool) -> str:
    """Whether a national priority applies in the area, as the page and the statement say it.

    >>> applies_text(True), applies_text(False)
    ('Yes', 'No')
    """
    return "Yes" if applies else "No"


def applicability_table(
    rows: Iterable[tuple[str, bool, str]], *, area_name: str, csv_url: str = ""
) -> DataTable | None:
    """Which national priorities apply in ``area_name`` (the force's area), from (priority area,
    applies, why) in the areas' order: the statement's table, without the "Why" column when no
    row has a reason. None when the quarter states none."""
    rows = [[priority, applies_text(applies), reason] for priority, applies, reason in rows]
    if not rows:
        return None
    columns = ["National priority", f"Applies in {area_name}", "Why"]
    if not any(row[2] for row in rows):  # every priority applies, none with a note: no empty column
        columns, rows = columns[:2], [row[:2] for row in rows]
    return DataTable(
        caption=f"Which national priorities apply in {area_name}",
        columns=columns,
        rows=rows,
        csv_url=csv_url,
    )


def rates_table(stored: dict | None, *, caption: str, csv_url: str = "") -> DataTable | None:
    """The rates per 1,000 residents of a force and its Most Similar Group, highest first, as
    stored with a figure (``rates.group_rates``: its ``"group"``, ``[[force name, "71.1"], …]``);
    the force's own row says so. None when there is no group to compare."""
    stored = stored or {}
    home_name, group = stored.get("force"), stored.get("group", [])
    rows = [[f"{name} (this force)" if name == home_name else name, rate] for name, rate in group]
    if len(rows) < 2:
        return None
    return DataTable(
        caption=caption,
        columns=["Force", "Rate per 1,000 residents"],
        rows=rows,
        csv_url=csv_url,
        key={
            "Rate per 1,000 residents": "Offences per 1,000 residents of the force area (ONS mid-year estimate)"
        },
    )
