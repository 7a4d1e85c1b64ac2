"""999 answering ranks, computed from the national data instead of typed.

For every month the database holds national data (rows for at least
``NATIONAL_MINIMUM_FORCES`` England and Wales forces), each force is ranked on its share of calls
answered in under 10 seconds: nationally among the England and Wales forces present (PSNI and
Police Scotland are stored but not ranked: Scotland's target differs), and within the home
force's Most Similar Group and regional group. Ties share a rank (1, 2, 2, 4). Ranks entered by
hand are kept for months without national data.

Recomputed by signals whenever a month's figures or a group's membership change; imports defer
the signals and recompute once (``ranks_deferred``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from . import calculations
from .models import CallAnswerMonth, CallAnswerRank, Force, SiteSettings

NATIONAL_MINIMUM_FORCES = 30

_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar("ranks_deferred", default=False)


@contextlib.contextmanager
def ranks_deferred():
    """Skip per-row recomputation (e.g. during an import that recomputes once at the end)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def ranks_are_deferred() -> bool:
    return _deferred.get()


def share_under_10s(row) -> Decimal | None:
    """The share a rank is based on: exact from the counts when published (not the rounded
    percentage), otherwise the published percentage."""
    if row.calls_under_10s is not None and row.total_calls:
        return Decimal(row.calls_under_10s) * 100 / Decimal(row.total_calls)
    return row.pct_under_10s


@transaction.atomic
def ranks_recompute(*, months: Iterable[datetime.date] | None = None) -> int:
    """Recompute ranks for ``months`` (every month when None). Returns the number of ranks written.

    Runs a fixed number of queries however many rows the months hold (on SQLite, whose
    statements take at most 999 parameters, Django splits the final insert into chunks).
    """
    rows = CallAnswerMonth.objects.values_list(
        "pk",
        "month",
        "force_id",
        "force__kind",
        "total_calls",
        "calls_under_10s",
        "pct_under_10s",
        named=True,
    )
    if months is not None:
        rows = rows.filter(month__in=set(months))
    by_month: dict[datetime.date, list] = defaultdict(list)
    for row in rows:
        by_month[row.month].append(row)

    settings = SiteSettings.objects.select_related("most_similar_group", "regional_group").first()
    group_members = {}
    if settings:
        for scope, group in (
            (CallAnswerRank.Scope.MOST_SIMILAR, settings.most_similar_group),
            (CallAnswerRank.Scope.REGIONAL, settings.regional_group),
        ):
            if group is not None:
                group_members[scope] = set(group.memberships.values_list("force_id", flat=True))

    national_months = {
        month
        for month, month_rows in by_month.items()
        if sum(row.force__kind == Force.Kind.TERRITORIAL for row in month_rows) >= NATIONAL_MINIMUM_FORCES
    }
    ranks = []
    for month in national_months:
        shares = {row: share_under_10s(row) for row in by_month[month]}
        month_rows = [row for row, share in shares.items() if share is not None]
        scopes = {
            CallAnswerRank.Scope.NATIONAL: [r for r in month_rows if r.force__kind == Force.Kind.TERRITORIAL],
            **{
                scope: [r for r in month_rows if r.force_id in members]
                for scope, members in group_members.items()
            },
        }
        for scope, ranked_rows in scopes.items():
            positions = calculations.competition_ranks({row.pk: shares[row] for row in ranked_rows})
            ranks.extend(
                CallAnswerRank(
                    call_month_id=pk,
                    scope=scope,
                    rank=rank,
                    joint=joint,
                    out_of=len(ranked_rows),
                    source=CallAnswerRank.Source.COMPUTED,
                )
                for pk, (rank, joint) in positions.items()
            )

    # National months: computed ranks replace whatever was there. Other months: only computed
    # ranks left over from national data that has since gone are removed; entered ranks stay.
    stale = CallAnswerRank.objects.filter(
        call_month__month__in=national_months
    ) | CallAnswerRank.objects.filter(source=CallAnswerRank.Source.COMPUTED).exclude(
        call_month__month__in=national_months
    )
    if months is not None:
        stale = stale.filter(call_month__month__in=set(months))
    stale.delete()
    CallAnswerRank.objects.bulk_create(ranks, batch_size=5000)
    return len(ranks)
