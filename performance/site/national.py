"""Every force's 999 call answering in a month, side by side, and the home force against the
median of the national comparison set (England and Wales, or with Northern Ireland: the office's
settings say) over time.

A month's page lists each force whose figures for the month are public: its calls, mean and
median answer times, the share of calls in each band and its national rank "of N", with the
home force and the members of its groups marked, and the calls-weighted averages of the Most
Similar Group, the regional group and the national comparison set under the table. The table sorts by any
column with django-tables2 (``?sort=``), without JavaScript. What the page shows is the same for
every reader until the content changes, so it is built once per content version.
"""

from __future__ import annotations

import datetime
from functools import cached_property

import django_tables2 as tables
from django.http import Http404
from django.shortcuts import render
from django.utils.dateformat import format as date_format

from performance.calls import charts as call_charts
from performance.calls.models import CallAnswerMonth, band_share
from performance.calls.opendata import calls_999_csv_url
from performance.library.views import SortableColumn
from performance.publishing.caching import kept_for_the_public, public_page
from performance.publishing.preview import is_preview
from performance.shared import calculations, charts
from performance.shared.tables import DataTable, share_cell
from performance.site.office import site_settings_for

BANDS = ("under_10s", "10_to_60s", "60s_and_over")
# A force not ranked nationally (Scotland, British Transport Police …) sorts after the ranked.
UNRANKED = 10_000


class ForcesTable(tables.Table):
    """One row per force; each column sorts on the figure, the cells show it as published."""

    force = SortableColumn(verbose_name="Force", ascending="A to Z", descending="Z to A")
    calls = SortableColumn(verbose_name="Calls")
    mean = SortableColumn(verbose_name="Mean (s)")
    median = SortableColumn(verbose_name="Median (s)")
    under_10s = SortableColumn(verbose_name="Under 10\u00a0s")
    band_10_to_60s = SortableColumn(verbose_name="10 to 60\u00a0s")
    band_60s_and_over = SortableColumn(verbose_name="60\u00a0s and over")
    rank = SortableColumn(
        accessor="rank_order", verbose_name="National rank", ascending="best first", descending="worst first"
    )

    class Meta:
        template_name = "performance/includes/forces_table.html"
        order_by_field = "sort"
        orderable = True

    KEY = {
        "Calls": "Total 999 calls",
        "Mean (s)": "Mean answer time (seconds)",
        "Median (s)": "Median answer time (seconds)",
        "Under 10\u00a0s": "% of 999 calls answered in under 10 seconds",
        "10 to 60\u00a0s": "% of 999 calls answered in 10 to under 60 seconds",
        "60\u00a0s and over": "% of 999 calls answered in 60 seconds and over",
    }

    def __init__(self, data, *, caption: str, national_set: str, **kwargs):
        super().__init__(data, **kwargs)
        self.caption = caption
        self.key = {
            **self.KEY,
            "National rank": f"Rank among the forces of {national_set} on the share answered in under 10 seconds",
        }

    @cached_property
    def sorted_index(self) -> int:
        """The position of the column the table is sorted by (0: the force): on a phone that
        column comes straight after the force, in view."""
        return next((index for index, column in enumerate(self.columns) if column.is_ordered), 0)

    @property
    def headings(self):
        """Each column with its heading's full wording ("" when the heading is already full)."""
        return [(column, self.key.get(str(column.header), "")) for column in self.columns]

    @property
    def key_shown(self) -> list[tuple[str, str]]:
        """The key under the table: the full wording of each short heading shown, in column order."""
        return [(str(column.header), full) for column, full in self.headings if full]


def sort_of(request) -> str:
    """The sort the reader asked for, if it names a column (else by national rank)."""
    sort = request.GET.get("sort", "")
    return sort if sort.lstrip("-") in ForcesTable.base_columns else "rank"


def force_row(month: CallAnswerMonth, *, target, marks: dict[int, list[str]]) -> dict:
    """A force's figures for the table: the values it sorts on, and ``cells`` as shown."""
    shares = {band: month.band_percent(band) for band in BANDS}
    rank = month.rank_for("national")
    return {
        "force": month.force.name,
        "calls": month.total_calls,
        "mean": month.mean_answer_seconds,
        "median": month.median_answer_seconds,
        "under_10s": shares["under_10s"],
        "band_10_to_60s": shares["10_to_60s"],
        "band_60s_and_over": shares["60s_and_over"],
        "rank_order": rank.rank if rank else UNRANKED,
        "marks": marks.get(month.force_id, []),
        "cells": [
            calculations.thousands(month.total_calls),
            calculations.seconds(month.mean_answer_seconds),
            calculations.seconds(month.median_answer_seconds),
            share_cell(shares["under_10s"], target),
            calculations.percent(shares["10_to_60s"]),
            calculations.percent(shares["60s_and_over"]),
            rank.text if rank else "",
        ],
    }


def averages(rows: list[CallAnswerMonth], groups: list[tuple[str, set[int]]]) -> DataTable:
    """Each group's calls, and its mean answer time and shares weighted by each force's calls."""
    lines = []
    for name, members in groups:
        held = [row for row in rows if row.force_id in members]
        if not held:
            continue
        weighted = {
            band: calculations.weighted_mean((row.band_percent(band), row.total_calls) for row in held)
            for band in BANDS
        }
        mean = calculations.weighted_mean((row.mean_answer_seconds, row.total_calls) for row in held)
        lines.append(
            [
                f"{name} ({len(held)} force{'s' if len(held) != 1 else ''})",
                calculations.thousands(sum(row.total_calls for row in held)),
                calculations.seconds(mean),
                *(calculations.percent(weighted[band]) for band in BANDS),
            ]
        )
    return DataTable(
        caption="Group averages, weighted by each force's calls",
        phone="averages",
        phone_columns=("Under 10\u00a0s",),
        columns=["Group", "Calls", "Mean (s)", "Under 10\u00a0s", "10 to 60\u00a0s", "60\u00a0s and over"],
        key={
            column: ForcesTable.KEY[column]
            for column in ("Calls", "Mean (s)", "Under 10\u00a0s", "10 to 60\u00a0s", "60\u00a0s and over")
        },
        rows=lines,
    )


MEDIAN_CHART_MONTHS = 24  # the months up to the page's month that its chart shows


def median_chart(settings, month: datetime.date, *, preview: bool) -> charts.Chart | None:
    """The home force's share answered in under 10 seconds against the median of the national
    comparison set's forces, each month the other forces' figures are held, in the 24 months to
    ``month`` (the page's month: its summary speaks of it; the full series is in the CSV)."""
    since = (month.year * 12 + month.month - 1) - (MEDIAN_CHART_MONTHS - 1)
    first = datetime.date(since // 12, since % 12 + 1, 1)
    # Every force's months: read as plain values, not as model instances (a thousand at national
    # scale), the share worked out as a month's ``band_percent`` does.
    national = (
        CallAnswerMonth.objects.visible(preview=preview)
        .filter(force__kind__in=settings.national_force_kinds, month__gte=first, month__lte=month)
        .order_by("month")
        .values_list("month", "force_id", "pct_under_10s", "calls_under_10s", "total_calls")
    )
    by_month: dict[datetime.date, list] = {}
    home: dict[datetime.date, object] = {}
    home_force_id = settings.home_force_id
    for month, force_id, published, count, total in national:
        share = band_share(published, count, total)
        by_month.setdefault(month, []).append(share)
        if force_id == home_force_id:
            home[month] = share
    held = {
        month: shares for month, shares in by_month.items() if len([s for s in shares if s is not None]) > 1
    }
    if not held:
        return None
    return call_charts.median_chart(
        {
            month: (home.get(month), calculations.median(s for s in shares if s is not None))
            for month, shares in held.items()
        },
        settings=settings,
        csv_url=calls_999_csv_url(),
    )


def month_context(request, month: datetime.date) -> dict:
    settings = site_settings_for(request)
    preview = is_preview(request)
    rows = list(
        CallAnswerMonth.objects.visible(preview=preview)
        .filter(month=month)
        .select_related("force")
        .with_ranks(preview=preview)
        .order_by("force__name")
    )
    if settings is None or not rows:
        raise Http404("No 999 figures are published for that month.")
    msg = (
        {force.pk for force in settings.most_similar_group.members.all()}
        if settings.most_similar_group
        else set()
    )
    region = (
        {force.pk for force in settings.regional_group.members.all()} if settings.regional_group else set()
    )
    marks: dict[int, list[str]] = {}
    for pk in msg:
        marks.setdefault(pk, []).append("Most Similar Group")
    for pk in region:
        marks.setdefault(pk, []).append(settings.regional_group.name)
    marks.setdefault(settings.home_force_id, []).insert(0, "home force")
    national = {row.force_id for row in rows if row.force.kind in settings.national_force_kinds}
    months = list(
        CallAnswerMonth.objects.visible(preview=preview)
        .values_list("month", flat=True)
        .distinct()
        .order_by("month")
    )
    index = months.index(month)
    return {
        "settings": settings,
        "preview": preview,
        "month": month,
        "national_set": settings.national_set_name,
        "rows": [force_row(row, target=settings.answer_target_percent, marks=marks) for row in rows],
        "averages": averages(
            rows,
            [
                (settings.most_similar_group.name if settings.most_similar_group else "", msg),
                (settings.regional_group.name if settings.regional_group else "", region),
                (settings.national_set_name, national),
            ],
        ),
        "chart": median_chart(settings, month, preview=preview),
        "previous_month": months[index - 1] if index else None,
        "next_month": months[index + 1] if index + 1 < len(months) else None,
        "csv_url": calls_999_csv_url(month=month),
    }


@public_page
def forces_month(request, month: str):
    """Every force's 999 call answering in ``month`` (e.g. 2023-09), sortable by any column."""
    day = datetime.date(*(int(part) for part in month.split("-")), 1)
    context = kept_for_the_public(request, f"national:{month}", lambda: month_context(request, day))
    sort = sort_of(request)
    table = ForcesTable(
        context["rows"],
        caption=f"999 call answering by every force, {date_format(day, 'F Y')}",
        order_by=sort,
        national_set=context["national_set"],
    )
    return render(
        request,
        "performance/calls_999_national.html",
        {**context, "table": table, "sort": sort},
    )
