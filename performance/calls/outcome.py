"""What a confirmed 999 import did, in staff's words (``performance.imports.outcomes``): the new
draft months and the months changed, the home force's first, and the home force's ranks that
changed, as the public sees them and as they would be with the drafts."""

from __future__ import annotations

import datetime

from django.utils.dateformat import format as date_format

from performance.calls.models import CallAnswerMonth, CallAnswerRank
from performance.imports import outcomes
from performance.publishing import gate as publication
from performance.shared import calculations

SCOPE_WORDS = {
    CallAnswerRank.Scope.NATIONAL: "national rank",
    CallAnswerRank.Scope.MOST_SIMILAR: "Most Similar Group rank",
    CallAnswerRank.Scope.REGIONAL: "regional rank",
}


def home_ranks(home_force_id: int | None, months) -> dict:
    """The home force's ranks in ``months`` as readers see them: {(month, scope, preview):
    (rank, joint, out_of)}; ``preview`` is the staff's view with the drafts."""
    if home_force_id is None or not months:
        return {}
    shown = {}
    for preview in (False, True):
        ranks = (
            CallAnswerRank.objects.shown(preview=preview)
            .filter(call_month__force_id=home_force_id, call_month__month__in=set(months))
            .select_related("call_month")
        )
        for rank in ranks:
            shown[rank.call_month.month, rank.scope, preview] = (rank.rank, rank.joint, rank.out_of)
    return shown


def rank_words(shown: tuple | None) -> str:
    """
    >>> rank_words((3, False, 43)), rank_words(None)
    ('3rd of 43', 'no rank')
    """
    if shown is None:
        return "no rank"
    rank, joint, out_of = shown
    return calculations.rank_text(rank, joint=joint, out_of=out_of)


def rank_change_text(
    force_name: str, month: datetime.date, scope: str, before, after, *, preview: bool
) -> str:
    """
    >>> rank_change_text("Norfolk", datetime.date(2023, 9, 1), "national", (5, False, 43), (3, False, 43), preview=False)
    'Norfolk, September 2023: national rank 5th of 43 → 3rd of 43, as the public sees it'
    >>> rank_change_text("Norfolk", datetime.date(2023, 9, 1), "msg", None, (2, True, 8), preview=True)
    'Norfolk, September 2023: Most Similar Group rank no rank → joint 2nd of 8, with the drafts (once they are published)'
    """
    seen = "with the drafts (once they are published)" if preview else "as the public sees it"
    return (
        f"{force_name}, {date_format(month, 'F Y')}: {SCOPE_WORDS.get(scope, scope)} "
        f"{rank_words(before)} → {rank_words(after)}, {seen}"
    )


def month_text(month: CallAnswerMonth, *, home_force_id, changes=()) -> str:
    """
    >>> from performance.forces.models import Force
    >>> norfolk = Force(pk=1, name="Norfolk")
    >>> month_text(CallAnswerMonth(force=norfolk, month=datetime.date(2023, 9, 1)), home_force_id=1)
    'Norfolk (home force), September 2023'
    >>> month_text(CallAnswerMonth(force=norfolk, month=datetime.date(2023, 9, 1), publish_at=datetime.datetime(2023, 10, 1, tzinfo=datetime.UTC)), home_force_id=2, changes=["total calls 11,628 → 11,700"])
    'Norfolk, September 2023 (published or scheduled): total calls 11,628 → 11,700'
    """
    home = " (home force)" if month.force_id == home_force_id else ""
    text = f"{month.force.name}{home}, {date_format(month.month, 'F Y')}"
    if changes:
        state = "draft" if publication.is_draft(month) else "published or scheduled"
        text += f" ({state}): " + "; ".join(changes)
    return text


def month_drafts(written, *, home_force_id) -> list:
    """One draft to open per month, not per force: a month is submitted for review and published
    for every force at once (``CallAnswerMonthAdmin.review_set``). The home force's row leads to
    it where the month has one."""
    by_month = {}
    for month in written:  # the home force's rows first (``calls_outcome``'s order)
        if publication.is_draft(month):
            by_month.setdefault(month.month, month)
    return [
        outcomes.item(row, f"999 calls, {date_format(month, 'F Y')}, every force's figures")
        for month, row in sorted(by_month.items())
    ]


def calls_outcome(
    *, new, changed, changes_of, home_force_id, home_force_name, ranks_before, ranks_after
) -> dict:
    """The outcome a 999 import records: new draft months and months changed, the home force's
    first, then by month and force; the home force's ranks that changed."""

    def order(month):
        return (month.force_id != home_force_id, month.month, month.force.name)

    ranks_changed = []
    months = {month.month: month for month in [*new, *changed] if month.force_id == home_force_id}
    for key in sorted(set(ranks_before) | set(ranks_after), key=lambda key: (key[2], key[0], key[1])):
        month, scope, preview = key
        if ranks_before.get(key) == ranks_after.get(key):
            continue
        text = rank_change_text(
            home_force_name, month, scope, ranks_before.get(key), ranks_after.get(key), preview=preview
        )
        held = (
            months.get(month) or CallAnswerMonth.objects.filter(force_id=home_force_id, month=month).first()
        )
        ranks_changed.append(outcomes.item(held, text))
    written = sorted([*new, *changed], key=order)
    return outcomes.outcome_made(
        publication_model=CallAnswerMonth,
        sections=[
            outcomes.section(
                "new draft 999 month",
                "new draft 999 months",
                [
                    outcomes.item(m, month_text(m, home_force_id=home_force_id))
                    for m in sorted(new, key=order)
                ],
            ),
            outcomes.section(
                "999 month changed",
                "999 months changed",
                [
                    outcomes.item(m, month_text(m, home_force_id=home_force_id, changes=changes_of(m)))
                    for m in sorted(changed, key=order)
                ],
            ),
            outcomes.section(
                f"rank changed for {home_force_name}", f"ranks changed for {home_force_name}", ranks_changed
            ),
        ],
        drafts=month_drafts(written, home_force_id=home_force_id),
        revisions=[],
    )
