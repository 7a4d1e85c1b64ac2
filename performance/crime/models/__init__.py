"""Crime figures, one module per source: ONS police recorded crime (``recorded_crime``), the
National Crime and Policing Measures (``ncpm``) and the Home Office's police recorded crime open
data (``open_data``)."""

from performance.crime.models.crime_outcomes import ChargeRateFigure, OutcomeCount
from performance.crime.models.ncpm import (
    QUARTER_END_REQUIRED,
    REVISED_FIGURES,
    CommissionerStatement,
    Measure,
    MeasureFigure,
    MeasureFigureRevision,
    PriorityApplicability,
    PriorityArea,
    PriorityAreaCommentary,
    ReportingPeriod,
    ReportingPeriodQuerySet,
    revision_text,
)
from performance.crime.models.open_data import Offence, OffenceCount, OffenceCountQuerySet
from performance.crime.models.recorded_crime import (
    RecordedCrimeFigure,
    RecordedCrimeFigureQuerySet,
    RecordedCrimeHeadline,
    RecordedCrimePeriod,
    RecordedCrimeRevision,
)

__all__ = [
    "ChargeRateFigure",
    "OutcomeCount",
    "QUARTER_END_REQUIRED",
    "REVISED_FIGURES",
    "CommissionerStatement",
    "Measure",
    "MeasureFigure",
    "MeasureFigureRevision",
    "Offence",
    "OffenceCount",
    "OffenceCountQuerySet",
    "PriorityArea",
    "PriorityAreaCommentary",
    "PriorityApplicability",
    "RecordedCrimeFigure",
    "RecordedCrimeFigureQuerySet",
    "RecordedCrimeHeadline",
    "RecordedCrimePeriod",
    "RecordedCrimeRevision",
    "ReportingPeriod",
    "ReportingPeriodQuerySet",
    "revision_text",
]
