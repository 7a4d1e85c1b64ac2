"""The recorded crime open data's preview and confirm, run as background tasks.

A release is up to 100 MB and ~165,000 rows: reading, comparing, writing and computing the
quarters' measures after it take longer than a request may (``import_jobs`` says how the work is
followed). The admin's upload queues ``recorded_crime_preview``, its confirm
``recorded_crime_confirm``; each runs ``recorded_crime.release_import`` exactly as the request
did, with ``importing``'s guarantees: the confirm claims the file under its uploader's user and
sign-in, imports it once and only while the counts it replaces are those its preview compared
it with, and a refused or failed confirm changes nothing.

What an import created is found by comparing before and after inside its transaction: the NCPM
quarters it added as drafts, the draft quarters whose figures it recomputed, and the published
quarters and ONS periods whose recomputed figures now wait for a Publisher. The page lists them,
each with a link to review it.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django_tasks import task

from performance.crime import recorded_crime
from performance.crime.models.ncpm import MeasureFigure, MeasureFigureRevision, ReportingPeriod
from performance.crime.models.open_data import OffenceCount
from performance.crime.models.recorded_crime import RecordedCrimePeriod, RecordedCrimeRevision
from performance.crime.outcome import open_data_outcome
from performance.imports import importing
from performance.imports.jobs import ImportJob, JobProgress, job_finish, job_run
from performance.publishing import gate as publication

# What each stage of the import counts, as its page says it.
UNITS = {
    recorded_crime.STAGE_READING: "rows",
    recorded_crime.STAGE_COMPARING: "rows",
    recorded_crime.STAGE_WRITING: "counts",
    recorded_crime.STAGE_COMPUTING: "quarters",
}


COLUMNS_ASKED = (
    "Some columns were not found by their headings: nothing has changed. Say which of the file's "
    "columns hold them, and the file is read again."
)


@dataclass(frozen=True)
class OpenDataRelease:
    """An open data release of the Police Force Area tables' shape, as its background jobs run
    it: its raw rows' model (the uploads' and imports' key), its ``release_import`` (run by the
    preview with ``dry_run`` and by the confirm), and what its confirm created beyond its rows:
    ``outcome_before()`` inside the confirm's transaction before the import, and
    ``outcome_after(before, summary)`` after it, giving an object with ``links()`` (its job
    page's list) and ``recorded()`` (its import log's next step)."""

    model: type
    release_import: Callable
    outcome_before: Callable[[], object]
    outcome_after: Callable[[object, object], object]


@task()
def recorded_crime_preview(job_id: str) -> str:
    """Read the uploaded file and say what it would change: a preview job."""
    return job_run(job_id, functools.partial(preview_run, release=RECORDED_CRIME), units=UNITS)


@task()
def recorded_crime_confirm(job_id: str) -> str:
    """Import the previewed file: a confirm job."""
    return job_run(job_id, functools.partial(confirm_run, release=RECORDED_CRIME), units=UNITS)


@contextlib.contextmanager
def acting_for(user):
    """Writes made here are made for ``user``, as the request that queued the work would have
    made them: the publication gate asks about them, and their history names them (what
    django-simple-history's request middleware would have set)."""
    from simple_history.models import HistoricalRecords

    context = HistoricalRecords.context
    before = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        with publication.acting_as(user):
            yield
    finally:
        if before is not None:
            context.request = before
        elif hasattr(context, "request"):
            del context.request


def preview_run(job: ImportJob, progress: JobProgress, *, release: OpenDataRelease) -> None:
    """Check the file and compare it with the counts held, writing nothing. A clean file waits
    for its confirm with the fingerprint of what it was compared with; a refused one is
    forgotten."""
    upload = job.upload
    if upload is None:
        job_finish(job, status=ImportJob.Status.REFUSED, message=importing.UPLOAD_UNKNOWN, progress=progress)
        return
    with acting_for(job.user), importing.upload_opened(upload) as opened:
        summary = release.release_import(
            opened,
            file_name=upload.file_name,
            dry_run=True,
            published_on=upload.release_published_on,
            progress=progress,
        )
    with transaction.atomic():
        if summary.refused and summary.headings_missing:
            job.columns = summary.headings_missing  # the file waits for a person's column choices
            job.save(update_fields=["columns"])
            job_finish(
                job,
                status=ImportJob.Status.REFUSED,
                message=COLUMNS_ASKED,
                problems=summary.problems,
                progress=progress,
            )
            return
        if summary.refused:
            importing.upload_discard(upload)
            job.upload = None
            job_finish(
                job,
                status=ImportJob.Status.REFUSED,
                message="The file was not imported: nothing has changed. Correct these problems in the "
                "file and upload it again.",
                problems=summary.problems,
                progress=progress,
            )
            return
        upload.preview_fingerprint = summary.held_fingerprint
        upload.save(update_fields=["preview_fingerprint"])
        job_finish(
            job,
            status=ImportJob.Status.FINISHED,
            message=f"What {upload.file_name} will change",
            lines=[
                *summary.lines(),
                *([f"The forces: {', '.join(summary.forces)}."] if summary.forces else []),
            ],
            warnings=summary.warnings,
            progress=progress,
        )


def confirm_run(job: ImportJob, progress: JobProgress, *, release: OpenDataRelease) -> None:
    """Import the file, once, in one transaction with its outcome: the upload marked confirmed,
    what it created, and the job's record of it."""
    with acting_for(job.user), transaction.atomic():
        try:
            if job.upload is None:
                raise importing.UploadUnknown(importing.UPLOAD_UNKNOWN)
            upload = importing.upload_claim(
                token=job.upload.token,
                user=job.user,
                session_key=job.session_key,
                resource_class=release.model,
            )
        except importing.UploadUnknown as unknown:
            job_finish(job, status=ImportJob.Status.REFUSED, message=str(unknown), progress=progress)
            return
        if upload.confirmed_at is not None:
            job_finish(
                job,
                status=ImportJob.Status.REFUSED,
                message=already_imported_text(upload),
                links=[import_log_link(upload.import_log)] if upload.import_log else [],
                progress=progress,
            )
            return
        before = release.outcome_before()
        with importing.upload_opened(upload) as opened:
            summary = release.release_import(
                opened,
                file_name=upload.file_name,
                user=job.user,
                preview_fingerprint=upload.preview_fingerprint,
                published_on=upload.release_published_on,
                progress=progress,
            )
        if not summary.imported:
            job_finish(
                job,
                status=ImportJob.Status.REFUSED,
                message="Nothing was imported: " + " ".join(summary.problems),
                problems=summary.problems,
                progress=progress,
            )
            return
        importing.upload_mark_confirmed(upload, summary.import_log)
        outcome = release.outcome_after(before, summary)
        if summary.import_log is not None:
            summary.import_log.outcome = outcome.recorded()
            summary.import_log.save(update_fields=["outcome"])
        job_finish(
            job,
            status=ImportJob.Status.FINISHED,
            message=f"Imported {upload.file_name}: {summary.totals_text}.",
            lines=summary.lines(),
            warnings=summary.warnings,
            links=[*outcome.links(), import_log_link(summary.import_log)],
            progress=progress,
        )


def already_imported_text(upload) -> str:
    when = date_format(timezone.localtime(upload.confirmed_at), r"j F Y \a\t H:i")
    return (
        f"{upload.file_name} was already imported on {when} by {upload.user}. Nothing more has been imported."
    )


def import_log_link(log) -> dict:
    return {
        "text": "Who imported which file, when, and what it changed, is kept in its import log",
        "url": reverse("admin:performance_importlog_change", args=[log.pk]),
        "link": "open the import log",
    }


# --------------------------------------------------------------------------------------------
# What an import created
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Before:
    """What the recomputations after an import might change, as it was before the import."""

    started: datetime.datetime
    quarters: frozenset[int]
    revisions: dict  # ("ncpm" | "ons", pk) -> the values of a revision waiting


def pending_revisions() -> dict:
    """Every revision waiting for a Publisher, with the values it would publish."""
    ncpm = MeasureFigureRevision.objects.pending().values_list(
        "pk", "latest", "previous", "baseline", "comparison"
    )
    ons = RecordedCrimeRevision.objects.pending().values_list(
        "pk", "previous_total", "previous_source", "previous_release_on"
    )
    return {**{("ncpm", pk): values for pk, *values in ncpm}, **{("ons", pk): values for pk, *values in ons}}


def outcome_before() -> Before:
    return Before(
        started=timezone.now(),
        quarters=frozenset(ReportingPeriod.objects.values_list("pk", flat=True)),
        revisions=pending_revisions(),
    )


@dataclass(frozen=True)
class Outcome:
    """What an import created or changed beyond the counts: the quarter ends of the draft
    quarters it added or recomputed, and the published quarters (ONS periods) with revisions
    waiting, as (pk, period end): those it revised, and those an earlier import revised."""

    new_drafts: list[datetime.date]
    recomputed_drafts: list[datetime.date]
    revised: list[tuple[int, datetime.date]]
    ons_revised: list[tuple[int, datetime.date]]
    still_waiting: list[tuple[int, datetime.date]] = ()
    ons_still_waiting: list[tuple[int, datetime.date]] = ()

    def links(self) -> list[dict]:
        """The page's list of what was created, each with a link to review it."""
        drafts_url = reverse("admin:performance_reportingperiod_changelist") + "?publication=draft"
        items = []
        for period_ends, text in (
            (self.new_drafts, new_drafts_text),
            (self.recomputed_drafts, recomputed_drafts_text),
        ):
            if period_ends:
                link = "review them" if len(period_ends) > 1 else "review it"
                items.append({"text": text(period_ends), "url": drafts_url, "link": link})
        for periods, admin_name, text in (
            (
                self.revised,
                "reportingperiod",
                "Revised figures wait on the published quarter {} until a Publisher publishes it again",
            ),
            (
                self.ons_revised,
                "recordedcrimeperiod",
                "A revised year before waits on the ONS year ending {} until a Publisher publishes it again",
            ),
            (
                self.still_waiting,
                "reportingperiod",
                "Revised figures from an earlier import still wait on the published quarter {}",
            ),
            (
                self.ons_still_waiting,
                "recordedcrimeperiod",
                "A revised year before from an earlier import still waits on the ONS year ending {}",
            ),
        ):
            for pk, period_end in periods:
                items.append(
                    {
                        "text": text.format(month_year(period_end)),
                        "url": reverse(f"admin:performance_{admin_name}_change", args=[pk]),
                        "link": "review it",
                    }
                )
        if not items:
            items.append({"text": "No NCPM quarter or ONS figure changed.", "url": "", "link": ""})
        return items

    def recorded(self) -> dict:
        """As the import log keeps it, for the next step its page gives (``outcomes``)."""
        revised = [
            *(
                (ReportingPeriod, pk, f"Revised figures wait on the published quarter {month_year(end)}")
                for pk, end in [*self.revised, *self.still_waiting]
            ),
            *(
                (
                    RecordedCrimePeriod,
                    pk,
                    f"A revised year before waits on the ONS year ending {month_year(end)}",
                )
                for pk, end in [*self.ons_revised, *self.ons_still_waiting]
            ),
        ]
        return open_data_outcome(
            new_drafts=self.new_drafts, recomputed_drafts=self.recomputed_drafts, revised=revised
        )


def outcome_after(before: Before, summary=None) -> Outcome:
    """What the import changed since ``before``; called in its transaction, before it commits."""
    new_drafts = list(
        ReportingPeriod.objects.exclude(pk__in=before.quarters)
        .order_by("period_end")
        .values_list("period_end", flat=True)
    )
    recomputed = (
        MeasureFigure.objects.filter(
            updated_at__gte=before.started, period__publish_at__isnull=True, period__pk__in=before.quarters
        )
        .order_by("period__period_end")
        .values_list("period__period_end", flat=True)
        .distinct()
    )
    waiting = pending_revisions()
    revised = {key for key, values in waiting.items() if before.revisions.get(key) != values}

    def periods(model, kind: str, keys) -> list[tuple[int, datetime.date]]:
        ids = [pk for of, pk in keys if of == kind]
        return list(
            model.objects.filter(revisions__pk__in=ids)
            .distinct()
            .order_by("period_end")
            .values_list("pk", "period_end")
        )

    revised_periods = periods(ReportingPeriod, "ncpm", revised)
    ons_revised_periods = periods(RecordedCrimePeriod, "ons", revised)
    return Outcome(
        new_drafts=new_drafts,
        recomputed_drafts=list(recomputed),
        revised=revised_periods,
        ons_revised=ons_revised_periods,
        still_waiting=[p for p in periods(ReportingPeriod, "ncpm", waiting) if p not in revised_periods],
        ons_still_waiting=[
            p for p in periods(RecordedCrimePeriod, "ons", waiting) if p not in ons_revised_periods
        ],
    )


def month_year(day: datetime.date) -> str:
    """
    >>> month_year(datetime.date(2023, 6, 30))
    'June 2023'
    """
    return f"{day:%B %Y}"


def span_text(days: list[datetime.date]) -> str:
    """
    >>> span_text([datetime.date(2023, 6, 30)])
    'June 2023'
    >>> span_text([datetime.date(2020, 3, 31), datetime.date(2023, 6, 30)])
    'March 2020 to June 2023'
    """
    first, last = month_year(min(days)), month_year(max(days))
    return first if first == last else f"{first} to {last}"


LISTED_UP_TO = 4  # quarters named one by one; more are given as a span


def quarters_text(period_ends: list[datetime.date]) -> str:
    """A few quarters by name, more as the span they cover (the 12 months each ends).

    >>> quarters_text([datetime.date(2023, 6, 30)])
    'June 2023'
    >>> quarters_text([datetime.date(2023, 3, 31), datetime.date(2023, 9, 30), datetime.date(2024, 3, 31)])
    'March 2023, September 2023 and March 2024'
    >>> ends = ((3, 31), (6, 30), (9, 30), (12, 31))
    >>> fourteen = [datetime.date(year, month, day) for year in range(2020, 2024) for month, day in ends][:14]
    >>> quarters_text(fourteen)
    'March 2020 to June 2023'
    """
    names = [month_year(day) for day in sorted(period_ends)]
    if len(names) > LISTED_UP_TO:
        return span_text(period_ends)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def new_drafts_text(period_ends: list[datetime.date]) -> str:
    """
    >>> new_drafts_text([datetime.date(2023, 6, 30)])
    '1 new draft quarter, June 2023'
    >>> new_drafts_text([datetime.date(2020, 3, 31), *[datetime.date(2021, 6, 30)] * 12, datetime.date(2023, 6, 30)])
    '14 new draft quarters, March 2020 to June 2023'
    """
    count = len(period_ends)
    return f"{count} new draft quarter{'' if count == 1 else 's'}, {quarters_text(period_ends)}"


def recomputed_drafts_text(period_ends: list[datetime.date]) -> str:
    """
    >>> recomputed_drafts_text([datetime.date(2023, 3, 31), datetime.date(2023, 6, 30)])
    'Figures recomputed in 2 draft quarters, March 2023 and June 2023'
    """
    count = len(period_ends)
    return f"Figures recomputed in {count} draft quarter{'' if count == 1 else 's'}, {quarters_text(period_ends)}"


def recorded_crime_import(*args, **kwargs):
    """``recorded_crime.release_import``, looked up when called (tests replace it)."""
    return recorded_crime.release_import(*args, **kwargs)


RECORDED_CRIME = OpenDataRelease(
    model=OffenceCount,
    release_import=recorded_crime_import,
    outcome_before=outcome_before,
    outcome_after=outcome_after,
)
