"""An import's long work run as a background task, and what the person who started it sees of it.

An ``ImportJob`` is one preview or one confirm of an uploaded release (``ImportUpload``), run by
a task (django-tasks: ``manage.py db_worker`` runs them; the test suite runs them at once). The
request that starts one stores the file, creates the job and queues its task once that is
committed, and answers at once with the job's page, which follows it to its end. A job belongs
to the user and the sign-in (session) that uploaded the file: nobody else sees it, as nobody else
can use the file's token (``importing``).

Where the progress is kept, and why
-----------------------------------
The job's row holds what must last: its status, its outcome (summary, problems, warnings, what
was created, with links) and when it last changed. The task writes it outside the import's
transaction when it starts and when it fails, and inside it when it ends, so that an import
that committed is never shown as anything but imported.

The progress as the work goes (the stage; rows read of rows) is written to the ``progress``
cache instead (``JobProgress``), because the database cannot show it while the import runs:

- on PostgreSQL the confirm is one transaction, and what it writes (through its connection) is
  invisible to the web processes until it commits; a second connection would see nothing of it
  either but could write, yet only by holding a second connection per worker for a few numbers;
- on SQLite that transaction holds the database's only write lock from its first statement, so a
  second connection's write would wait for the import to end (or fail after its 20 s timeout).

No transaction touches the cache. ``settings.CACHES["progress"]`` is Redis when ``REDIS_URL`` is
set, shared by every machine (as the page cache already requires of more than one), and files in
``PROGRESS_DIR`` otherwise, shared by every process on the machine: the worker is a process of its
own, so local memory, each process's own, would show the web process nothing. A report is one
small cache write, at most once a second unless the stage changes; a cache that fails or was
cleared only shows less (the page falls back to the row), and never stops the import.

A worker that dies leaves its job running; the page then says how long there has been no news
(``QUIET_AFTER``) rather than spinning for ever. At national scale no stage goes longer than a
few seconds without news (``make bench-import``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, OperationalError, models, transaction
from django.db.models import Q
from django.utils import timezone

from performance.publishing.models import Publication

logger = logging.getLogger(__name__)

PROGRESS_CACHE = "progress"  # the alias in settings.CACHES
PROGRESS_EVERY = 1.0  # seconds between two progress writes within a stage
PROGRESS_KEPT = 2 * 24 * 60 * 60  # seconds a progress entry outlives its last write
QUIET_AFTER = datetime.timedelta(minutes=2)  # no news for this long: say so on the page
RECENT = datetime.timedelta(days=1)  # "Your imports" lists the jobs started within it
KEPT_FOR = datetime.timedelta(days=30)  # older jobs are deleted when a new one is created


class ImportJobQuerySet(models.QuerySet):
    def for_uploader(self, *, user, session_key: str | None) -> ImportJobQuerySet:
        """The jobs ``user`` started in this sign-in: the only ones they may see or confirm."""
        if not session_key or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user, session_key=session_key)

    def recent(self) -> ImportJobQuerySet:
        """The jobs started within ``RECENT``, the newest first."""
        return self.filter(created_at__gte=timezone.now() - RECENT).order_by("-created_at")


class ImportJob(models.Model):
    """One preview or confirm of an uploaded release, run in the background (see the module)."""

    class Kind(models.TextChoices):
        PREVIEW = "preview", "Preview"
        CONFIRM = "confirm", "Import"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to start"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        REFUSED = "refused", "Refused: nothing changed"
        FAILED = "failed", "Stopped by an error: nothing changed"

    UNFINISHED = (Status.WAITING, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    upload = models.ForeignKey(
        "performance.ImportUpload",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        help_text="The uploaded file (blank once its preview refused it, or a day after the upload).",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", help_text="Who uploaded it."
    )
    session_key = models.CharField(max_length=64, editable=False)
    resource = models.CharField(max_length=100, help_text="The admin the file was uploaded to.")
    file_name = models.CharField(max_length=255, help_text="The uploaded file's name.")
    kind = models.CharField(max_length=10, choices=Kind.choices, help_text="A preview or an import.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.WAITING, help_text="How it stands."
    )
    stage = models.CharField(max_length=100, blank=True, help_text="The stage it had reached.")
    done = models.PositiveIntegerField(default=0, help_text="How far into that stage (rows, quarters).")
    total = models.PositiveIntegerField(default=0, help_text="Out of how many (0: not known).")
    lines = models.JSONField(default=list, blank=True, help_text="The summary, one fact a line.")
    problems = models.JSONField(default=list, blank=True, help_text="Why the file was refused.")
    warnings = models.JSONField(default=list, blank=True, help_text="What to check before confirming.")
    message = models.TextField(blank=True, help_text="The outcome in a sentence.")
    columns = models.JSONField(
        default=dict,
        blank=True,
        help_text="For a preview that could not find some columns by their headings, the question "
        'its page asks: {"missing": [column keys], "headings": [the header row], "unclaimed": '
        "[the headings no column claims]}; empty otherwise.",
    )
    links = models.JSONField(
        default=list, blank=True, help_text='What it created or changed: [{"text", "url", "link"}].'
    )
    task_result_id = models.CharField(max_length=64, blank=True, help_text="The background task's id.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now, help_text="When its row last changed.")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the worker started it.")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When it ended.")

    objects = ImportJobQuerySet.as_manager()

    publication = Publication.not_content(
        "an import's preview or confirm run in the background: what it imports is gated"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "import in the background"
        verbose_name_plural = "imports in the background"
        constraints = [
            # A file is confirmed by one job at most, however often the button is pressed.
            models.UniqueConstraint(
                fields=["upload"], condition=Q(kind="confirm"), name="one_confirm_job_per_upload"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.file_name} ({self.get_status_display().lower()})"

    @property
    def is_final(self) -> bool:
        return self.status not in self.UNFINISHED


# --------------------------------------------------------------------------------------------
# From queued to finished
# --------------------------------------------------------------------------------------------


def job_create(*, upload, kind: str, user, session_key: str) -> ImportJob:
    """A waiting job for ``upload``. Jobs older than ``KEPT_FOR`` are deleted now."""
    ImportJob.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    return ImportJob.objects.create(
        upload=upload,
        user=user,
        session_key=session_key,
        resource=upload.resource,
        file_name=upload.file_name,
        kind=kind,
    )


def job_enqueue(job: ImportJob, task) -> None:
    """Queue ``task`` for ``job`` once the transaction that created the job commits (at once
    outside one), so that the worker never looks for a job that is not there yet."""

    def enqueue():
        result = task.enqueue(str(job.pk))
        ImportJob.objects.filter(pk=job.pk).update(task_result_id=str(result.id))

    transaction.on_commit(enqueue)


def job_claim(job_id) -> ImportJob | None:
    """The waiting job ``job_id``, now running; None if it is not waiting (a task queued twice
    runs once)."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.WAITING).update(
        status=ImportJob.Status.RUNNING, started_at=now, updated_at=now
    )
    return ImportJob.objects.select_related("upload", "user").get(pk=job_id) if claimed else None


def job_finish(
    job: ImportJob,
    *,
    status: str,
    message: str = "",
    lines=(),
    problems=(),
    warnings=(),
    links=(),
    progress: JobProgress | None = None,
) -> None:
    """Record ``job``'s outcome. Called inside the import's transaction, it commits with it."""
    job.status, job.message = status, message
    job.lines, job.problems, job.warnings, job.links = (
        list(lines),
        list(problems),
        list(warnings),
        list(links),
    )
    if progress is not None:
        job.stage, job.done, job.total = progress.stage, progress.done, progress.total
    job.finished_at = job.updated_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "message",
            "lines",
            "problems",
            "warnings",
            "links",
            "stage",
            "done",
            "total",
            "finished_at",
            "updated_at",
        ]
    )


def job_run(job_id, work: Callable[[ImportJob, JobProgress], None], *, units: dict[str, str]) -> str:
    """Run ``work(job, progress)`` for the waiting job ``job_id``: the body of a task.

    ``work`` records the outcome (``job_finish``). An exception marks the job failed with a
    message its owner understands, logs the traceback for whoever runs the site, and is raised
    again so the task is recorded as failed too."""
    job = job_claim(job_id)
    if job is None:
        logger.warning("Import job %s is not waiting to run: nothing done.", job_id)
        return "not waiting"
    progress = JobProgress(job, units=units)
    try:
        with progress_reported_to(progress):
            work(job, progress)
    except Exception as error:
        logger.exception("Import job %s (%s of %s) stopped.", job.pk, job.kind, job.file_name)
        job_fail(job, error, progress)
        raise
    finally:
        progress.forget()
    return job.status


def job_fail(job: ImportJob, error: BaseException, progress: JobProgress | None = None) -> None:
    """Mark ``job`` failed (its work's transaction has rolled back: nothing changed)."""
    try:
        job_finish(
            job, status=ImportJob.Status.FAILED, message=failure_message(job, error), progress=progress
        )
    except DatabaseError:  # the database itself is what failed: the page will say there is no news
        logger.exception("Import job %s could not be marked as failed.", job.pk)


def failure_reason(error: BaseException) -> str:
    """Why work stopped, in a staff member's words (the traceback goes to the log)."""
    if isinstance(error, OperationalError) and "locked" in str(error):
        return "the database was busy with other changes for too long"
    if isinstance(error, DatabaseError):
        return "the database could not be reached, or refused a change"
    if isinstance(error, FileNotFoundError):
        return "the uploaded file is no longer in the site's file storage"
    if isinstance(error, OSError):
        return "the uploaded file could not be read from the site's file storage"
    if isinstance(error, MemoryError):
        return "reading the file needed more memory than the server has"
    return "of an unexpected error in the site"


def failure_message(job: ImportJob, error: BaseException) -> str:
    what = "preview" if job.kind == ImportJob.Kind.PREVIEW else "import"
    return (
        f"The {what} stopped because {failure_reason(error)}. Nothing was imported. Upload the file "
        f"again; if this happens again, tell whoever runs the site (reference: job {job.pk})."
    )


# --------------------------------------------------------------------------------------------
# Progress, as the work goes
# --------------------------------------------------------------------------------------------


_reporting: contextvars.ContextVar = contextvars.ContextVar("import_job_progress", default=None)


@contextlib.contextmanager
def progress_reported_to(progress: JobProgress):
    """Within this block, ``progress_report`` tells ``progress``."""
    token = _reporting.set(progress)
    try:
        yield
    finally:
        _reporting.reset(token)


def progress_report(stage: str, done: int, total: int) -> None:
    """Tell the job under way, if any, how far ``stage`` has got: for work deep inside an import
    that is not handed its progress, such as the recomputation its signal sets off. Nothing
    happens outside a job (a command, a test)."""
    progress = _reporting.get()
    if progress is not None:
        progress(stage, done, total)


def progress_key(job_id) -> str:
    return f"import-job:{job_id}"


class JobProgress:
    """What an import is told to report progress to, ``(stage, done, total)``: written to the
    ``progress`` cache on each new stage, and at most every ``PROGRESS_EVERY`` seconds within
    one. ``units`` names what each stage counts ("rows"), for the page."""

    def __init__(self, job: ImportJob, *, units: dict[str, str], clock: Callable[[], float] = time.monotonic):
        self.key = progress_key(job.pk)
        self.units = units
        self.clock = clock
        self.stage, self.done, self.total = "", 0, 0
        self.written_at: float | None = None
        self.failed = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        new_stage = stage != self.stage
        self.stage, self.done, self.total = stage, done, total
        if new_stage or self.written_at is None or self.clock() - self.written_at >= PROGRESS_EVERY:
            self.write()

    def write(self) -> None:
        entry = {
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "unit": self.units.get(self.stage, ""),
            "at": timezone.now().timestamp(),
        }
        self.written_at = self.clock()
        try:
            caches[PROGRESS_CACHE].set(self.key, entry, PROGRESS_KEPT)
        except Exception:  # a cache that fails shows less; the import goes on
            if not self.failed:
                logger.exception("The progress of %s could not be written to the cache.", self.key)
            self.failed = True

    def forget(self) -> None:
        """The job has ended: its row says the rest."""
        try:
            caches[PROGRESS_CACHE].delete(self.key)
        except Exception:
            logger.exception("The progress of %s could not be deleted from the cache.", self.key)


@dataclass(frozen=True)
class JobState:
    """A job as its page shows it now: its status, and the latest progress known."""

    status: str
    stage: str
    done: int
    total: int
    unit: str
    moved_at: datetime.datetime  # its last news: progress reported, or its row changed
    now: datetime.datetime

    @property
    def final(self) -> bool:
        return self.status not in ImportJob.UNFINISHED

    @property
    def text(self) -> str:
        if self.final:
            return ImportJob.Status(self.status).label
        if self.status == ImportJob.Status.WAITING:
            return "Waiting for the background worker to start it"
        if not self.stage:
            return "Starting"
        return progress_text(self.stage, self.done, self.total, self.unit)

    @property
    def quiet_minutes(self) -> int:
        """Whole minutes without news, once that is ``QUIET_AFTER`` or more (else 0)."""
        quiet = self.now - self.moved_at
        return int(quiet.total_seconds() // 60) if not self.final and quiet >= QUIET_AFTER else 0

    @property
    def quiet_text(self) -> str:
        return quiet_text(self.status, self.quiet_minutes) if self.quiet_minutes else ""


def job_state(job: ImportJob, *, now: datetime.datetime | None = None) -> JobState:
    """``job`` as it is now: its row, with the progress the cache holds if that is newer."""
    stage, done, total, unit, moved_at = job.stage, job.done, job.total, "", job.updated_at
    if not job.is_final:
        try:
            entry = caches[PROGRESS_CACHE].get(progress_key(job.pk))
        except Exception:
            logger.exception("The progress of job %s could not be read from the cache.", job.pk)
            entry = None
        if entry:
            reported = datetime.datetime.fromtimestamp(entry["at"], tz=datetime.UTC)
            if reported >= moved_at:
                stage, done, total, unit = entry["stage"], entry["done"], entry["total"], entry["unit"]
                moved_at = reported
    return JobState(job.status, stage, done, total, unit, moved_at, now or timezone.now())


def count_of(number: int, unit: str) -> str:
    """
    >>> count_of(165000, "rows"), count_of(1, "quarters"), count_of(3, "")
    ('165,000 rows', '1 quarter', '3')
    """
    if not unit:
        return f"{number:,}"
    return f"{number:,} {unit.removesuffix('s') if number == 1 else unit}"


def progress_text(stage: str, done: int, total: int, unit: str = "") -> str:
    """A stage and how far into it, as the page says it (``total`` 0: not known).

    >>> progress_text("Reading the file", 40000, 165000, "rows")
    'Reading the file: 40,000 of 165,000 rows'
    >>> progress_text("Reading the file", 40000, 0, "rows")
    'Reading the file: 40,000 rows so far'
    >>> progress_text("Computing the quarters' measures", 0, 1, "quarters")
    "Computing the quarters' measures: 0 of 1 quarter"
    >>> progress_text("Reading the file", 0, 0, "rows")
    'Reading the file'
    """
    if total:
        return f"{stage}: {done:,} of {count_of(total, unit)}"
    if done:
        return f"{stage}: {count_of(done, unit)} so far"
    return stage


def minutes_text(minutes: int) -> str:
    """
    >>> minutes_text(1), minutes_text(12)
    ('1 minute', '12 minutes')
    """
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def quiet_text(status: str, minutes: int) -> str:
    """What the page says of a job with no news for ``minutes``."""
    if status == ImportJob.Status.WAITING:
        return (
            f"It has waited {minutes_text(minutes)} without starting: the background worker may be "
            "busy with another import, or not running. Nothing has been imported yet. If this goes "
            "on, tell whoever runs the site (the worker is manage.py db_worker)."
        )
    return (
        f"No progress for {minutes_text(minutes)}: the background worker may have stopped. If it "
        "has, nothing was imported: tell whoever runs the site, then upload the file again."
    )
