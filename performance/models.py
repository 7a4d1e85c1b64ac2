"""Police performance figures held as data: forces and their groups, 999 call answering, ONS
recorded crime, the National Crime and Policing Measures, reporting channels and the document
library that publishes them.

The models live in the domain packages (``publishing``, ``imports``, ``forces``, ``calls``,
``crime``, ``library``; validators in ``shared.validators``). This module imports them all, so
that Django finds the app's models here, and re-exports every name it used to define, so that
``from performance.models import …`` keeps working.
"""

from performance.calls.models import (
    CALL_BANDS,
    CallAnswerMonth,
    CallAnswerMonthQuerySet,
    CallAnswerRank,
    CallAnswerRankQuerySet,
)
from performance.crime.models import (
    QUARTER_END_REQUIRED,
    REVISED_FIGURES,
    ChargeRateFigure,
    CommissionerStatement,
    Measure,
    MeasureFigure,
    MeasureFigureRevision,
    Offence,
    OffenceCount,
    OffenceCountQuerySet,
    OutcomeCount,
    PriorityApplicability,
    PriorityArea,
    PriorityAreaCommentary,
    RecordedCrimeFigure,
    RecordedCrimeFigureQuerySet,
    RecordedCrimeHeadline,
    RecordedCrimePeriod,
    RecordedCrimeRevision,
    ReportingPeriod,
    ReportingPeriodQuerySet,
    revision_text,
)
from performance.domains import discover
from performance.forces.models import (
    Force,
    ForceAlias,
    ForceGroup,
    ForceGroupMembership,
    ForcePopulation,
    ForcePopulationQuerySet,
    ForceQuerySet,
    NationalComparison,
    SiteSettings,
    SiteSettingsQuerySet,
)

# An import's preview or confirm, run in the background: a module of its own.
from performance.imports.jobs import ImportJob
from performance.imports.models import ColumnMapping, ImportLog, ImportUpload
from performance.imports.spreadsheets import normalise_force_name
from performance.library.models import (
    Document,
    DocumentCategory,
    DocumentQuerySet,
    LibraryPage,
    Meeting,
    MeetingQuerySet,
    PageSection,
    ReportingChannel,
)
from performance.publishing.models import (
    Content,
    Publishable,
    PublishableQuerySet,
    RequiredItem,
    ReviewStep,
    Revised,
    StaleEdit,
    WaitingRevision,
    WaitingRevisionQuerySet,
)
from performance.shared.validators import PERCENT_VALIDATORS, first_of_month

__all__ = [
    # shared
    "PERCENT_VALIDATORS",
    "first_of_month",
    # publishing
    "StaleEdit",
    "Content",
    "Revised",
    "WaitingRevisionQuerySet",
    "WaitingRevision",
    "PublishableQuerySet",
    "Publishable",
    "RequiredItem",
    "ReviewStep",
    # imports
    "ColumnMapping",
    "ImportUpload",
    "ImportLog",
    "ImportJob",
    "normalise_force_name",
    # forces
    "ForceQuerySet",
    "Force",
    "NationalComparison",
    "ForceAlias",
    "ForceGroup",
    "ForceGroupMembership",
    "ForcePopulationQuerySet",
    "ForcePopulation",
    "SiteSettingsQuerySet",
    "SiteSettings",
    # calls
    "CallAnswerMonthQuerySet",
    "CALL_BANDS",
    "CallAnswerMonth",
    "CallAnswerRankQuerySet",
    "CallAnswerRank",
    # crime
    "RecordedCrimePeriod",
    "RecordedCrimeHeadline",
    "RecordedCrimeFigureQuerySet",
    "RecordedCrimeFigure",
    "RecordedCrimeRevision",
    "PriorityArea",
    "Measure",
    "ReportingPeriodQuerySet",
    "QUARTER_END_REQUIRED",
    "ReportingPeriod",
    "CommissionerStatement",
    "MeasureFigure",
    "MeasureFigureRevision",
    "REVISED_FIGURES",
    "revision_text",
    "PriorityAreaCommentary",
    "PriorityApplicability",
    "Offence",
    "OffenceCountQuerySet",
    "OffenceCount",
    "OutcomeCount",
    "ChargeRateFigure",
    # library
    "ReportingChannel",
    "LibraryPage",
    "PageSection",
    "DocumentCategory",
    "MeetingQuerySet",
    "Meeting",
    "DocumentQuerySet",
    "Document",
]

# A package's models not named above (a new dataset's) are found too (performance.domains).
discover("models")
