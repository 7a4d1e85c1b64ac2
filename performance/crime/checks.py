"""What a Publisher should look at before publishing a NCPM quarter or an ONS period
(``performance.publishing.checks`` shows it): the quarter's statement and figures, the home
force's ONS figure, and changes beyond the thresholds. A quarter whose revised figures are
waiting also has its statement read again before they are applied."""

from __future__ import annotations

from performance.crime.models.ncpm import CommissionerStatement, Measure, MeasureFigure, ReportingPeriod
from performance.crime.models.recorded_crime import RecordedCrimeFigure, RecordedCrimePeriod
from performance.forces.home import home_force
from performance.forces.models import ForcePopulation
from performance.publishing.checks import (
    NCPM_CHANGE_WARNING_PERCENT,
    NCPM_CHANGE_WARNING_POINTS,
    ONS_TOTAL_CHANGE_WARNING_PERCENT,
    Check,
    admin_url,
    changed_by_text,
    checks_for,
    moved_by_text,
    percent_change_beyond,
    points_change_beyond,
    reread_for,
)
from performance.shared import calculations, rates


def population_missing(force, period_end) -> Check | None:
    """Without the home force area's residents at the mid-year inside the 12 months ending
    ``period_end`` no rate per 1,000 residents is shown: say so, and where to add it."""
    if force is None:
        return None
    year = rates.mid_year_within(period_end)
    if ForcePopulation.objects.filter(force=force, year=year).exists():
        return None
    return Check(
        f"There is no mid-{year} population for {force.name}, so these figures show no rate per "
        "1,000 residents. Add it (Force area populations: import the ONS estimates or type it "
        "with its source): the rates are computed as soon as it is saved.",
        admin_url(ForcePopulation, "changelist"),
        "Add the population",
    )


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


@reread_for(ReportingPeriod)
def statement_and_revisions(period: ReportingPeriod) -> tuple[CommissionerStatement | None, tuple[str, ...]]:
    """The quarter's statement to read again before its revised figures are applied, with what
    they change (``statement_to_reread``, ``pending_revision_notices``)."""
    statement = statement_to_reread(period)
    if statement is None:
        return None, ()
    return statement, tuple(pending_revision_notices(period))


@checks_for(ReportingPeriod)
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
    if any(not is_entered_by_hand(measure) and not measure.is_percent for measure in Measure.objects.all()):
        missing = population_missing(home_force(), period.period_end)
        if missing is not None:
            checks.append(missing)
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
# An ONS period
# --------------------------------------------------------------------------------------------


@checks_for(RecordedCrimePeriod)
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
    missing = population_missing(home, period.period_end)
    checks = [missing] if missing is not None else []
    # The year before as the page will compare it once published: a waiting revision's, which
    # publishing applies, else the one stored at import (``ons``).
    waiting = period.revisions.pending().filter(force=home).first()
    previous = waiting.previous_total if waiting is not None else figure.previous_total
    if previous is None:
        return checks
    change = percent_change_beyond(figure.total, previous, ONS_TOTAL_CHANGE_WARNING_PERCENT)
    if change is None:
        return checks
    return checks + [
        Check(
            f"{home.name}'s police recorded crime {changed_by_text(change)} against a year earlier "
            f"({calculations.thousands(previous)} to {calculations.thousands(figure.total)} offences). "
            "Check the figure is right.",
            admin_url(figure, "change", figure.pk),
            "Check the figure",
        )
    ]
