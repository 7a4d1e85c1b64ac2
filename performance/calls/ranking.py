"""999 answering ranks, computed from the national data instead of typed.

For every month the database holds national data (rows for at least
``NATIONAL_MINIMUM_FORCES`` forces of the national comparison set), each force is ranked on its
share of calls answered in under 10 seconds: nationally among the forces of the set present, and
within the home force's Most Similar Group and regional group. The set is the office's choice
(``SiteSettings.national_comparison``): England and Wales, or those and PSNI, which has the same
target. Police Scotland is stored but never ranked: Scotland's target differs. Ties share a rank (1, 2, 2, 4). Ranks entered by
hand are kept for months without national data.

The public's ranks are computed from public rows only, so a draft never moves a published rank
nor its "out of". A month's public ranks are computed once for the rows public now (valid from
the latest of their publication times) and once more for each scheduled publication time (the
rows public by then, valid from that time): readers pick the set whose time has come
(``CallAnswerRankQuerySet.shown``), so a scheduled publication changes the ranks with no job to
run. Preview ranks, computed over every row, drafts included, show staff a draft's would-be rank.

Recomputed by signals whenever a month's figures, a group's membership or the site settings (the
national comparison set among them) change; imports defer the signals and recompute once
(``ranks_deferred``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from performance.calls.models import CallAnswerMonth, CallAnswerRank
from performance.forces.models import Force, SiteSettings
from performance.publishing.deferral import recomputation_deferred, recomputation_is_deferred
from performance.shared import calculations

NATIONAL_MINIMUM_FORCES = 30
EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)

# An import or a recomputation writes in bulk and recomputes the ranks once at the end.
ranks_deferred = recomputation_deferred
ranks_are_deferred = recomputation_is_deferred


def share_under_10s(row) -> Decimal | None:
    """The share a rank is based on: exact from the counts when published (not the rounded
    percentage), otherwise the published percentage."""
    if row.calls_under_10s is not None and row.total_calls:
        return Decimal(row.calls_under_10s) * 100 / Decimal(row.total_calls)
    return row.pct_under_10s


def publication_times(rows, now: datetime.datetime) -> list[datetime.datetime]:
    """The times from which the public's view of a month's rows is fixed: the latest publication
    that has passed, if any, then each scheduled one."""
    published = [row.publish_at for row in rows if row.publish_at is not None]
    past = [when for when in published if when <= now]
    return ([max(past)] if past else []) + sorted({when for when in published if when > now})


def month_ranks(
    rows, group_members: dict, *, national_kinds: Iterable[str] = (Force.Kind.TERRITORIAL,), **rank_fields
) -> list[CallAnswerRank]:
    """Every scope's ranks among ``rows`` (one month's), if they make national data; nationally
    among the forces whose kind is in ``national_kinds``."""
    national_kinds = set(national_kinds)
    if sum(row.force__kind in national_kinds for row in rows) < NATIONAL_MINIMUM_FORCES:
        return []
    shares = {row: share_under_10s(row) for row in rows}
    ranked = [row for row, share in shares.items() if share is not None]
    scopes = {
        CallAnswerRank.Scope.NATIONAL: [row for row in ranked if row.force__kind in national_kinds],
        **{
            scope: [row for row in ranked if row.force_id in members]
            for scope, members in group_members.items()
        },
    }
    ranks = []
    for scope, scope_rows in scopes.items():
        positions = calculations.competition_ranks({row.pk: shares[row] for row in scope_rows})
        ranks.extend(
            CallAnswerRank(
                call_month_id=pk,
                scope=scope,
                rank=rank,
                joint=joint,
                out_of=len(scope_rows),
                source=CallAnswerRank.Source.COMPUTED,
                **rank_fields,
            )
            for pk, (rank, joint) in positions.items()
        )
    return ranks


def seen_at(timeline: list[tuple], moment: datetime.datetime):
    """What a timeline of ``(valid_from, value)`` shows at ``moment``: the value that started
    last by then (``valid_from`` None: from the start), or None."""
    started = [(when or EARLIEST, value) for when, value in timeline if when is None or when <= moment]
    return max(started, key=lambda entry: entry[0])[1] if started else None


def months_seen_changing(before: Iterable[tuple], after: Iterable[tuple], now: datetime.datetime) -> set[int]:
    """The months (ids) whose public rank, now or at a scheduled time, differs between two sets
    of public ranks, each given as ``(call_month_id, scope, valid_from, rank, joint, out_of)``.
    A set that only starts earlier or later in the past changes nothing the public sees."""
    timelines: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
    for side, ranks in enumerate((before, after)):
        for call_month_id, scope, valid_from, *shown in ranks:
            timelines[call_month_id, scope][side].append((valid_from, tuple(shown)))

    changed = set()
    for (call_month_id, _), (old, new) in timelines.items():
        moments = {now, *(when for when, _ in old + new if when is not None and when > now)}
        if any(seen_at(old, moment) != seen_at(new, moment) for moment in moments):
            changed.add(call_month_id)
    return changed


@transaction.atomic
def ranks_recompute(*, months: Iterable[datetime.date] | None = None) -> int:
    """Recompute ranks for ``months`` (every month when None). Returns the number of ranks written.

    When a rank the public sees (now or at a scheduled time) changes, its month's ``updated_at``
    and the content version move, so cached pages and the open data's "last revised" follow;
    preview ranks alone move neither. Runs a fixed number of queries however many rows the
    months hold (on SQLite, whose statements take at most 999 parameters, Django splits the
    final insert into chunks).
    """
    now = timezone.now()
    rows = CallAnswerMonth.objects.values_list(
        "pk",
        "month",
        "force_id",
        "force__kind",
        "total_calls",
        "calls_under_10s",
        "pct_under_10s",
        "publish_at",
        named=True,
    )
    if months is not None:
        rows = rows.filter(month__in=set(months))
    by_month: dict[datetime.date, list] = defaultdict(list)
    for row in rows:
        by_month[row.month].append(row)

    settings = SiteSettings.objects.select_related("most_similar_group", "regional_group").first()
    group_members = {}
    national_kinds = settings.national_force_kinds if settings else (Force.Kind.TERRITORIAL,)
    if settings:
        for scope, group in (
            (CallAnswerRank.Scope.MOST_SIMILAR, settings.most_similar_group),
            (CallAnswerRank.Scope.REGIONAL, settings.regional_group),
        ):
            if group is not None:
                group_members[scope] = set(group.memberships.values_list("force_id", flat=True))

    ranks = []
    for month_rows in by_month.values():
        for valid_from in publication_times(month_rows, now):
            public = [
                row for row in month_rows if row.publish_at is not None and row.publish_at <= valid_from
            ]
            ranks.extend(
                month_ranks(public, group_members, national_kinds=national_kinds, valid_from=valid_from)
            )
        ranks.extend(month_ranks(month_rows, group_members, national_kinds=national_kinds, preview=True))

    # Computed ranks are replaced; ranks entered by hand stay (shown while no computed rank is).
    computed = CallAnswerRank.objects.filter(source=CallAnswerRank.Source.COMPUTED)
    if months is not None:
        computed = computed.filter(call_month__month__in=set(months))
    public_fields = ("call_month_id", "scope", "valid_from", "rank", "joint", "out_of")
    before = list(computed.filter(preview=False).values_list(*public_fields))
    computed.delete()
    CallAnswerRank.objects.bulk_create(ranks, batch_size=5000)

    after = [tuple(getattr(rank, name) for name in public_fields) for rank in ranks if not rank.preview]
    changed = months_seen_changing(before, after, now)
    if changed:
        CallAnswerMonth.objects.filter(pk__in=changed).update(updated_at=now)
        SiteSettings.content_changed()
    return len(ranks)
