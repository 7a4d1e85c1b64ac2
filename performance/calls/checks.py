"""What a Publisher should look at before publishing a 999 month (``performance.publishing.checks``
shows it): months missing for the home force, and figures that moved beyond the thresholds."""

from __future__ import annotations

import datetime

from performance.calls.models import CallAnswerMonth
from performance.forces.home import home_force
from performance.publishing.checks import (
    ANSWER_SHARE_CHANGE_WARNING_POINTS,
    CALLS_CHANGE_WARNING_PERCENT,
    Check,
    admin_url,
    changed_by_text,
    checks_for,
    moved_by_text,
    percent_change_beyond,
    points_change_beyond,
)
from performance.shared import calculations

# --------------------------------------------------------------------------------------------
# A 999 month
# --------------------------------------------------------------------------------------------


def month_text(month: datetime.date) -> str:
    return f"{month:%B %Y}"


@checks_for(CallAnswerMonth)
def call_answer_month_checks(month: CallAnswerMonth) -> list[Check]:
    """A 999 month: for the home force, months missing since the last published one; for any
    force, calls and answer shares that moved beyond the thresholds against the month before."""
    checks = []
    home = home_force()
    if home is not None and month.force_id == home.pk:
        last_published = (
            CallAnswerMonth.objects.published()
            .filter(force=home, month__lt=month.month)
            .order_by("-month")
            .values_list("month", flat=True)
            .first()
        )
        if last_published is not None:
            between = calculations.months_from_to(last_published, month.month)[1:-1]
            held = set(
                CallAnswerMonth.objects.filter(force=home, month__in=between).values_list("month", flat=True)
            )
            missing = [m for m in between if m not in held]
            if missing:
                names = ", ".join(month_text(m) for m in missing)
                checks.append(
                    Check(
                        f"No 999 figures are held for {home.name} for {names}, between the last "
                        f"published month ({month_text(last_published)}) and this one: the public "
                        "table would have a gap.",
                        admin_url(CallAnswerMonth, "import"),
                        "Import the missing months",
                    )
                )
    month_before = (month.month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    previous = CallAnswerMonth.objects.filter(force_id=month.force_id, month=month_before).first()
    if previous is None:
        return checks
    month_url = admin_url(month, "change", month.pk)
    against = f"against {month_text(previous.month)}"
    change = percent_change_beyond(month.total_calls, previous.total_calls, CALLS_CHANGE_WARNING_PERCENT)
    if change is not None:
        checks.append(
            Check(
                f"{month}: 999 calls {changed_by_text(change)} {against} "
                f"({calculations.thousands(previous.total_calls)} to {calculations.thousands(month.total_calls)}). "
                "Check the figure is right.",
                month_url,
                "Check the month",
            )
        )
    for band, words in CallAnswerMonth.BANDS:
        now, before = getattr(month, f"pct_{band}"), getattr(previous, f"pct_{band}")
        if now is None or before is None:
            continue
        points = points_change_beyond(now, before, ANSWER_SHARE_CHANGE_WARNING_POINTS)
        if points is not None:
            checks.append(
                Check(
                    f"{month}: the share of calls answered in {words} {moved_by_text(points)} {against} "
                    f"({calculations.percent(before)} to {calculations.percent(now)}). Check the figures are right.",
                    month_url,
                    "Check the month",
                )
            )
    return checks
