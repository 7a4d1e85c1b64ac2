"""What a Publisher should look at before publishing: what is missing or odd in a quarter, a 999
month or an ONS period, each in plain words with a link to where it is fixed.

One function per model returns the ``Check``s for one object; ``CHECKS`` registers them and
``publishing_checks`` looks one up (a model with none registered has none). The admin shows the
checks on a confirmation page before publishing; with none, publishing goes straight through.

The judgements on numbers (``percent_change_beyond``, ``points_change_beyond``) are pure
functions, tested with plain numbers; the thresholds they are given are the named constants
below. A check is a prompt to look, never a refusal: the Publisher may go on, giving a reason
that the history keeps.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from performance.calls.models import CallAnswerMonth
from performance.crime.models.ncpm import CommissionerStatement, Measure, MeasureFigure, ReportingPeriod
from performance.crime.models.recorded_crime import RecordedCrimeFigure, RecordedCrimePeriod
from performance.forces.models import SiteSettings
from performance.shared import calculations

# An NCPM count that changed by more than this, in percent, against the previous 12 months.
NCPM_CHANGE_WARNING_PERCENT = Decimal(50)
# An NCPM percentage (victim satisfaction) that moved by more than this, in percentage points.
NCPM_CHANGE_WARNING_POINTS = Decimal(10)
# 999 calls in a month that changed by more than this, in percent, against the month before (the
# import's preview warns at the same change).
CALLS_CHANGE_WARNING_PERCENT = Decimal(50)
# A 999 answer share (e.g. under 10 seconds) that moved by more than this, in percentage points.
ANSWER_SHARE_CHANGE_WARNING_POINTS = Decimal(10)
# The home force's ONS total that changed by more than this, in percent, against a year earlier.
ONS_TOTAL_CHANGE_WARNING_PERCENT = Decimal(15)


@dataclass(frozen=True)
class Check:
    """Something missing or odd, worded for the Publisher, and where to fix it."""

    message: str
    fix_url: str = ""
    fix_label: str = "Fix this"


# --------------------------------------------------------------------------------------------
# Judgements on numbers (pure)
# --------------------------------------------------------------------------------------------


def percent_change_beyond(latest, earlier, limit: Decimal) -> Decimal | None:
    """The percent change from ``earlier`` to ``latest`` when it is more than ``limit`` either
    way, else None (also when ``earlier`` is 0: there is no percent change).

    >>> percent_change_beyond(160, 100, Decimal(50)), percent_change_beyond(150, 100, Decimal(50))
    (Decimal('60'), None)
    >>> percent_change_beyond(40, 100, Decimal(50)), percent_change_beyond(5, 0, Decimal(50))
    (Decimal('-60'), None)
    """
    change = calculations.percent_change(latest, earlier)
    return change if change is not None and abs(change) > limit else None


def points_change_beyond(latest, earlier, limit: Decimal) -> Decimal | None:
    """The change from ``earlier`` to ``latest`` in percentage points when it is more than
    ``limit`` either way, else None.

    >>> points_change_beyond(Decimal("74.5"), Decimal("87.0"), Decimal(10))
    Decimal('-12.5')
    >>> points_change_beyond(Decimal("80"), Decimal("87.0"), Decimal(10)) is None
    True
    """
    change = calculations.to_decimal(latest) - calculations.to_decimal(earlier)
    return change if abs(change) > limit else None


def changed_by_text(change: Decimal) -> str:
    """
    >>> changed_by_text(Decimal("-60.4")), changed_by_text(Decimal("250"))
    ('fell by 60%', 'rose by 250%')
    """
    direction = "rose" if change > 0 else "fell"
    return f"{direction} by {abs(calculations.round_half_away(change))}%"


def moved_by_text(change: Decimal) -> str:
    """
    >>> moved_by_text(Decimal("-12.5")), moved_by_text(Decimal("1"))
    ('fell by 12.5 percentage points', 'rose by 1 percentage point')
    """
    direction = "rose" if change > 0 else "fell"
    points = abs(change)
    return f"{direction} by {calculations.plain(points)} percentage point{'' if points == 1 else 's'}"


def admin_url(model_or_obj, view: str, *args) -> str:
    opts = model_or_obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def home_force():
    settings = SiteSettings.objects.select_related("home_force").first()
    return settings.home_force if settings else None


# --------------------------------------------------------------------------------------------
# A NCPM quarter
# --------------------------------------------------------------------------------------------


def is_entered_by_hand(measure: Measure) -> bool:
    """A measure the open data does not count (victim satisfaction): its figure is typed in."""
    return not (measure.offence_subgroups or measure.offence_codes)


def pending_revision_notices(period: ReportingPeriod) -> list[str]:
    """What publishing ``period`` again would change: each pending revision's wording."""
    return [revision.notice for revision in period.revisions.pending().select_related("measure")]


def statement_to_reread(period: ReportingPeriod) -> CommissionerStatement | None:
    """The quarter's statement when revised figures are waiting: it was written about the
    figures as they were, so the Publisher confirms it still reads true before they change."""
    if not period.revisions.pending().exists():
        return None
    return CommissionerStatement.objects.filter(period=period).first()


def reporting_period_checks(period: ReportingPeriod) -> list[Check]:
    """A quarter: its statement, a figure for every measure, figures that are all 0, changes
    beyond the warning thresholds, and recomputed figures waiting to be applied."""
    checks = []
    quarter_url = admin_url(period, "change", period.pk)
    if not CommissionerStatement.objects.filter(period=period).exists():
        checks.append(
            Check(
                "There is no Commissioner's statement for this quarter. One is required after each "
                "ONS release (the Specified Information Order).",
                f"{quarter_url}#statement-group",
                "Add the statement",
            )
        )
    figures = {figure.measure_id: figure for figure in period.figures.select_related("measure")}
    for measure in Measure.objects.order_by("priority_area__order", "order", "name"):
        figure = figures.get(measure.pk)
        if figure is None:
            add_url = f"{admin_url(MeasureFigure, 'add')}?period={period.pk}&measure={measure.pk}"
            if is_entered_by_hand(measure):
                message = (
                    f"{measure.name} has no figure. It is entered by hand (the recorded crime open "
                    "data does not give it), so someone needs to type it in."
                )
            else:
                message = (
                    f"{measure.name} has no figure. It is counted from the recorded crime open "
                    "data, which may not yet cover every quarter of these 12 months."
                )
            checks.append(Check(message, add_url, "Add the figure"))
            continue
        figure_url = admin_url(figure, "change", figure.pk)
        if figure.latest == 0 and figure.previous == 0 and not figure.baseline:
            checks.append(
                Check(
                    f"{measure.name} is 0 in the latest 12 months, the previous 12 months and the "
                    "baseline. That is unusual: check the figures were entered or counted.",
                    figure_url,
                    "Check the figure",
                )
            )
            continue
        if measure.is_percent:
            points = points_change_beyond(figure.latest, figure.previous, NCPM_CHANGE_WARNING_POINTS)
            if points is not None:
                checks.append(
                    Check(
                        f"{measure.name} {moved_by_text(points)} against the previous 12 months "
                        f"({calculations.plain(figure.previous)}% to {calculations.plain(figure.latest)}%). "
                        "Check the figures are right.",
                        figure_url,
                        "Check the figure",
                    )
                )
        else:
            change = percent_change_beyond(figure.latest, figure.previous, NCPM_CHANGE_WARNING_PERCENT)
            if change is not None:
                checks.append(
                    Check(
                        f"{measure.name} {changed_by_text(change)} against the previous 12 months "
                        f"({calculations.thousands(figure.previous)} to {calculations.thousands(figure.latest)}). "
                        "Check the figures are right.",
                        figure_url,
                        "Check the figure",
                    )
                )
    notices = pending_revision_notices(period)
    if notices:
        count = len(notices)
        checks.append(
            Check(
                f"{count} recomputed figure{'s are' if count > 1 else ' is'} waiting and will be "
                f"applied: {'; '.join(notices)}. The quarter page will say they were revised today.",
                quarter_url,
                "See the quarter",
            )
        )
    return checks


# --------------------------------------------------------------------------------------------
# A 999 month
# --------------------------------------------------------------------------------------------


def month_text(month: datetime.date) -> str:
    return f"{month:%B %Y}"


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


# --------------------------------------------------------------------------------------------
# An ONS period
# --------------------------------------------------------------------------------------------


def recorded_crime_period_checks(period: RecordedCrimePeriod) -> list[Check]:
    """An ONS period: a figure for the home force, and its total's change against a year
    earlier, where that is known, within the threshold."""
    home = home_force()
    if home is None:
        return []
    figure = RecordedCrimeFigure.objects.filter(period=period, force=home).first()
    if figure is None:
        return [
            Check(
                f"There is no figure for {home.name} in this period, so the Police Data page's ONS "
                "headline would not show it. Import the ONS table, or add the figure.",
                admin_url(RecordedCrimeFigure, "import"),
                "Import the ONS table",
            )
        ]
    # The year before as the page will compare it once published: a waiting revision's, which
    # publishing applies, else the one stored at import (``ons``).
    waiting = period.revisions.pending().filter(force=home).first()
    previous = waiting.previous_total if waiting is not None else figure.previous_total
    if previous is None:
        return []
    change = percent_change_beyond(figure.total, previous, ONS_TOTAL_CHANGE_WARNING_PERCENT)
    if change is None:
        return []
    return [
        Check(
            f"{home.name}'s police recorded crime {changed_by_text(change)} against a year earlier "
            f"({calculations.thousands(previous)} to {calculations.thousands(figure.total)} offences). "
            "Check the figure is right.",
            admin_url(figure, "change", figure.pk),
            "Check the figure",
        )
    ]


# --------------------------------------------------------------------------------------------
# One registration per model
# --------------------------------------------------------------------------------------------

CHECKS: dict[type, Callable[[object], list[Check]]] = {
    ReportingPeriod: reporting_period_checks,
    CallAnswerMonth: call_answer_month_checks,
    RecordedCrimePeriod: recorded_crime_period_checks,
}


def has_checks(model) -> bool:
    return model in CHECKS


def publishing_checks(obj) -> list[Check]:
    """What is missing or odd in ``obj`` before it is published (none for a model without checks)."""
    check = CHECKS.get(type(obj))
    return check(obj) if check else []
