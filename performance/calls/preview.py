"""What the 999 import's preview says first: the office's home force in the file (its figures
against the target, its would-be national rank, the change on the month before) and the months
missing between the newest month held for it and the file's."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from performance.calls.models import CallAnswerMonth
from performance.calls.ranking import NATIONAL_MINIMUM_FORCES, share_under_10s
from performance.shared import calculations
from performance.shared.calculations import Number

HOME_FORCE_TAG = "Home force"
SUMMARY_MONTHS = 3  # the home force's newest months in a file that the summary describes


def home_month_text(force_name: str, month: datetime.date, *, calls: int, share, target_percent) -> str:
    """The home force's row in a file: its calls and its share answered in under 10 seconds
    against the target.

    >>> from decimal import Decimal
    >>> home_month_text("Norfolk", datetime.date(2023, 9, 1), calls=11700, share=Decimal("87.1"), target_percent=90)
    'Norfolk, September 2023: 11,700 calls; 87.1% answered in under 10 seconds, 2.9 percentage points below the 90% target.'
    >>> home_month_text("Norfolk", datetime.date(2023, 9, 1), calls=11700, share=None, target_percent=90)
    'Norfolk, September 2023: 11,700 calls.'
    """
    text = f"{force_name}, {calculations.month_name(month)}: {calculations.thousands(calls)} calls"
    if share is None:
        return f"{text}."
    gap = calculations.target_gap_text(share, target_percent)
    return f"{text}; {calculations.percent(share)} answered in under 10 seconds, {gap}."


def would_be_rank_text(
    force_name: str,
    month: datetime.date,
    *,
    position: tuple[int, bool] | None,
    ranked: int,
    northern_ireland: bool = False,
) -> str:
    """The home force's national rank as the file's rows for a month would make it, computed as
    the published ranks are (and only when the file holds enough forces for them).

    >>> september = datetime.date(2023, 9, 1)
    >>> would_be_rank_text("Norfolk", september, position=(14, False), ranked=43)
    "On the file's figures for September 2023, Norfolk would rank 14th of 43 forces in England and Wales."
    >>> would_be_rank_text("Norfolk", september, position=(2, True), ranked=44, northern_ireland=True)
    "On the file's figures for September 2023, Norfolk would rank joint 2nd of 44 forces in England, Wales and Northern Ireland."
    >>> would_be_rank_text("Norfolk", september, position=(1, False), ranked=1)
    'The file has figures for 1 force in England and Wales for September 2023: too few for a national rank (ranks need 30).'
    """
    if position is None or ranked < NATIONAL_MINIMUM_FORCES:
        forces = "force" if ranked == 1 else "forces"
        where = calculations.national_set_name(northern_ireland=northern_ireland)
        return (
            f"The file has figures for {ranked} {forces} in {where} for {calculations.month_name(month)}: "
            f"too few for a national rank (ranks need {NATIONAL_MINIMUM_FORCES})."
        )
    rank, joint = position
    ranked_text = calculations.national_rank_text(
        rank, joint=joint, out_of=ranked, northern_ireland=northern_ireland
    )
    return (
        f"On the file's figures for {calculations.month_name(month)}, {force_name} would rank {ranked_text}."
    )


def no_month_before_text(month: datetime.date) -> str:
    """
    >>> no_month_before_text(datetime.date(2023, 8, 1))
    'No figures are held for August 2023 to compare with.'
    """
    return f"No figures are held for {calculations.month_name(month)} to compare with."


def not_in_file_text(force_name: str) -> str:
    """
    >>> not_in_file_text("Norfolk")
    'The file has no rows for Norfolk, the home force.'
    """
    return f"The file has no rows for {force_name}, the home force."


def earlier_months_text(force_name: str, count: int) -> str:
    """
    >>> earlier_months_text("Norfolk", 1), earlier_months_text("Norfolk", 21)
    ('The file also has 1 earlier month for Norfolk.', 'The file also has 21 earlier months for Norfolk.')
    """
    months = "month" if count == 1 else "months"
    return f"The file also has {calculations.thousands(count)} earlier {months} for {force_name}."


def missing_months_text(force_name: str, first: datetime.date, last: datetime.date) -> str:
    """The warning for months missing between the newest month held for the home force and the file's.

    >>> missing_months_text("Norfolk", datetime.date(2023, 10, 1), datetime.date(2023, 12, 1))
    'No 999 figures are held for October 2023 to December 2023 for Norfolk: import them too, or the public chart will show a gap.'
    >>> missing_months_text("Norfolk", datetime.date(2023, 10, 1), datetime.date(2023, 10, 1))
    'No 999 figures are held for October 2023 for Norfolk: import it too, or the public chart will show a gap.'
    """
    them = "it" if first == last else "them"
    return (
        f"No 999 figures are held for {calculations.months_span_text(first, last)} for {force_name}: "
        f"import {them} too, or the public chart will show a gap."
    )


def _share(values: dict) -> Number | None:
    return share_under_10s(
        SimpleNamespace(
            calls_under_10s=values["calls_under_10s"],
            total_calls=values["total_calls"],
            pct_under_10s=values["pct_under_10s"],
        )
    )


def home_force_summary(rows, settings) -> list[str]:
    """The sentences the preview leads with about the home force, from the file's checked rows
    (``(row number, force, month, values)``): for each of its newest months in the file, its
    figures against the target, its would-be national rank among the file's forces that month,
    and the change on the month before when that month is held (published or draft) or in the file."""
    home = settings.home_force if settings else None
    if home is None:
        return []
    home_rows = sorted(
        ((month, values) for _, force, month, values in rows if force.pk == home.pk), key=lambda r: r[0]
    )
    if not home_rows:
        return [not_in_file_text(home.name)]
    shown = home_rows[-SUMMARY_MONTHS:]
    in_file = dict(home_rows)
    held = {
        held.month: held
        for held in CallAnswerMonth.objects.filter(
            force_id=home.pk, month__in={calculations.month_before(month) for month, _ in shown}
        )
    }
    kinds = set(settings.national_force_kinds)
    lines = []
    for month, values in shown:
        share = _share(values)
        lines.append(
            home_month_text(
                home.name,
                month,
                calls=values["total_calls"],
                share=share,
                target_percent=settings.answer_target_percent,
            )
        )
        shares = {
            force.pk: _share(row_values)
            for _, force, row_month, row_values in rows
            if row_month == month and force.kind in kinds
        }
        shares = {pk: value for pk, value in shares.items() if value is not None}
        positions = calculations.competition_ranks(shares)
        lines.append(
            would_be_rank_text(
                home.name,
                month,
                position=positions.get(home.pk),
                ranked=len(shares),
                northern_ireland=settings.includes_northern_ireland,
            )
        )
        before = calculations.month_before(month)
        if before in in_file:
            earlier_calls, earlier_share = in_file[before]["total_calls"], _share(in_file[before])
        elif before in held:
            earlier_calls, earlier_share = held[before].total_calls, share_under_10s(held[before])
        else:
            lines.append(no_month_before_text(before))
            continue
        lines.append(
            calculations.month_change_text(
                before,
                calls=values["total_calls"],
                earlier_calls=earlier_calls,
                share=share,
                earlier_share=earlier_share,
            )
        )
    if len(home_rows) > len(shown):
        lines.append(earlier_months_text(home.name, len(home_rows) - len(shown)))
    return lines


def missing_months_warnings(rows, home) -> list[str]:
    """A warning when the file's first month (for the home force, or the file's if it has no
    home force rows) is more than one month after the newest month held for the home force."""
    if home is None or not rows:
        return []
    home_months = [month for _, force, month, _ in rows if force.pk == home.pk]
    first = min(home_months or [month for _, _, month, _ in rows])
    newest = (
        CallAnswerMonth.objects.filter(force_id=home.pk, month__lt=first)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if newest is None or calculations.month_after(newest) >= first:
        return []
    return [
        missing_months_text(home.name, calculations.month_after(newest), calculations.month_before(first))
    ]
