"""Crime figures, one module per source: ONS police recorded crime (``recorded_crime``), the
National Crime and Policing Measures (``ncpm``) and the Home Office's police recorded crime open
data (``open_data``)."""

from .ncpm import (
    QUARTER_END_REQUIRED,
    REVISED_FIGURES,
    CommissionerStatement,
    Measure,
    MeasureFigure,
    MeasureFigureRevision,
    PriorityArea,
    PriorityAreaCommentary,
    ReportingPeriod,
    ReportingPeriodQuerySet,
    revision_text,
)
from .open_data import Offence, OffenceCount, OffenceCountQuerySet
from .recorded_crime import (
    RecordedCrimeFigure,
    RecordedCrimeFigureQuerySet,
    RecordedCrimeHeadline,
    RecordedCrimePeriod,
    RecordedCrimeRevision,
)

__all__ = [
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
    "RecordedCrimeFigure",
    "RecordedCrimeFigureQuerySet",
    "RecordedCrimeHeadline",
    "RecordedCrimePeriod",
    "RecordedCrimeRevision",
    "ReportingPeriod",
    "ReportingPeriodQuerySet",
    "revision_text",
]
