"""What a confirmed import of crime figures did, in staff's words (``performance.imports.outcomes``):
ONS Table P1 (periods created, figures new and changed, year-before revisions waiting for a
Publisher), the NCPM figures file (quarters created and changed, figures new and changed,
revisions waiting) and the recorded crime open data (its job page's next step)."""

from __future__ import annotations

import datetime

from performance.crime.models.ncpm import MeasureFigureRevision, ReportingPeriod
from performance.crime.models.recorded_crime import RecordedCrimePeriod, RecordedCrimeRevision
from performance.imports import outcomes
from performance.publishing import gate as publication
from performance.shared import calculations


def state_text(obj) -> str:
    return "draft" if publication.is_draft(obj) else "published or scheduled"


def figure_text(name: str, period, changes=()) -> str:
    """
    >>> figure_text("Suffolk", "Year ending June 2024")
    'Suffolk, Year ending June 2024'
    >>> figure_text("Homicide", "12 months to 30 June 2024", ["most recent 12 months 4 → 5"])
    'Homicide, 12 months to 30 June 2024: most recent 12 months 4 → 5'
    """
    text = f"{name}, {period}"
    return text + (": " + "; ".join(changes) if changes else "")


def ons_revision_item(revision: RecordedCrimeRevision) -> dict:
    before, after = revision.before_previous_total, revision.previous_total
    words = calculations.ons_revision_text(before, after)
    return outcomes.item(
        revision.period, f"{revision.force}, {revision.period} ({state_text(revision.period)}): {words}"
    )


def ncpm_revision_item(revision: MeasureFigureRevision) -> dict:
    changes = "; ".join(
        f"{name.replace('_', ' ')} {calculations.thousands(before) if before is not None else '–'} → "
        f"{calculations.thousands(after) if after is not None else '–'}"
        for name, before, after in revision.changes()
    )
    return outcomes.item(
        revision.period,
        f"{revision.measure}, {revision.period} ({state_text(revision.period)})"
        + (f": {changes}" if changes else ""),
    )


def waiting_sections(revisions: list[dict]) -> dict:
    return outcomes.section(
        "revision waiting for a Publisher on published figures",
        "revisions waiting for a Publisher on published figures",
        revisions,
    )


def ons_outcome(*, period, created: bool, new, changed, changes_of) -> dict:
    """The outcome of a Table P1 import of ``period``: the period if it created it, the figures
    new and changed, and the year-before revisions waiting on it or on the next year's period
    (whose year before this period's figures give)."""
    next_year = calculations.same_day_years_earlier(period.period_end, -1)
    revisions = [
        ons_revision_item(revision)
        for revision in RecordedCrimeRevision.objects.pending()
        .filter(period__period_end__in=[period.period_end, next_year])
        .select_related("period", "force")
        .order_by("period__period_end", "force__name")
    ]
    order = lambda figure: figure.force.name  # noqa: E731
    touched = bool(new or changed or created)
    return outcomes.outcome_made(
        publication_model=RecordedCrimePeriod,
        sections=[
            outcomes.section(
                "ONS period created (draft)",
                "ONS periods created (drafts)",
                [outcomes.item(period, str(period))] if created else [],
            ),
            outcomes.section(
                "new figure",
                "new figures",
                [outcomes.item(f, figure_text(f.force.name, period)) for f in sorted(new, key=order)],
            ),
            outcomes.section(
                "figure changed",
                "figures changed",
                [
                    outcomes.item(
                        f, figure_text(f.force.name, f"{period} ({state_text(period)})", changes_of(f))
                    )
                    for f in sorted(changed, key=order)
                ],
            ),
            waiting_sections(revisions),
        ],
        drafts=[outcomes.item(period, str(period))] if touched and publication.is_draft(period) else [],
        revisions=revisions,
    )


def ncpm_outcome(*, periods: dict, created: set, new, changed, changes_of) -> dict:
    """The outcome of an NCPM figures import: quarters created (drafts) and changed, figures new
    and changed, and the revisions from the open data that wait on the quarters it touched."""
    touched = {figure.period_id for figure in [*new, *changed]} | set(created)
    quarters = sorted((periods[pk] for pk in touched), key=lambda period: period.period_end)
    revisions = [
        ncpm_revision_item(revision)
        for revision in MeasureFigureRevision.objects.pending()
        .filter(period_id__in=touched)
        .select_related("period", "measure")
        .order_by("period__period_end", "measure__name")
    ]

    def order(figure):
        return (figure.period.period_end, figure.measure.name)

    return outcomes.outcome_made(
        publication_model=ReportingPeriod,
        sections=[
            outcomes.section(
                "NCPM quarter created (draft)",
                "NCPM quarters created (drafts)",
                [outcomes.item(q, str(q)) for q in quarters if q.pk in created],
            ),
            outcomes.section(
                "NCPM quarter changed",
                "NCPM quarters changed",
                [outcomes.item(q, f"{q} ({state_text(q)})") for q in quarters if q.pk not in created],
            ),
            outcomes.section(
                "new figure",
                "new figures",
                [outcomes.item(f, figure_text(f.measure.name, f.period)) for f in sorted(new, key=order)],
            ),
            outcomes.section(
                "figure changed",
                "figures changed",
                [
                    outcomes.item(f, figure_text(f.measure.name, f.period, changes_of(f)))
                    for f in sorted(changed, key=order)
                ],
            ),
            waiting_sections(revisions),
        ],
        drafts=[outcomes.item(q, str(q)) for q in quarters if publication.is_draft(q)],
        revisions=revisions,
    )


def open_data_outcome(
    *, new_drafts: list[datetime.date], recomputed_drafts: list[datetime.date], revised
) -> dict:
    """The outcome of an open data import, for its job page's next step: the draft quarters it
    added or recomputed, and the published quarters and ONS periods with revisions waiting
    (``revised``: (model, pk, text) of each)."""
    drafts = [
        outcomes.item(q, str(q))
        for q in ReportingPeriod.objects.filter(period_end__in=[*new_drafts, *recomputed_drafts]).order_by(
            "period_end"
        )
    ]
    revisions = [
        {"text": text, "admin": f"performance_{model._meta.model_name}", "pk": pk}
        for model, pk, text in revised
    ]
    return outcomes.outcome_made(
        publication_model=ReportingPeriod,
        sections=[
            outcomes.section(
                "draft quarter created or recomputed", "draft quarters created or recomputed", drafts
            ),
            waiting_sections(revisions),
        ],
        drafts=drafts,
        revisions=revisions,
    )
