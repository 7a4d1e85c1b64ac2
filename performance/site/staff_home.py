"""The staff home (the admin's index): what is due, what waits for the signed-in member of staff,
their recent imports, and the admin's pages grouped by task.

Each part is a function returning plain data (``Due``, ``Waiting``, ``Imported``, ``Group``) that the
template ``admin/index.html`` shows. The number of queries does not grow with the data: one or two
per kind of content, whatever the number of drafts, revisions or imports.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from performance.calls.models import CallAnswerMonth
from performance.crime.models.ncpm import MeasureFigureRevision, ReportingPeriod
from performance.crime.models.open_data import OffenceCount
from performance.crime.models.recorded_crime import RecordedCrimePeriod, RecordedCrimeRevision
from performance.forces.home import home_force
from performance.imports.jobs import ImportJob
from performance.imports.models import ImportLog
from performance.imports.resources import RELEASE_RESOURCES
from performance.library.models import Document, LibraryPage, Meeting
from performance.publishing import review
from performance.shared import calculations
from performance.site.checklist import MISSING, OVERDUE, checklist

SHOWN = 10  # at most this many of each kind of draft; the rest are a link away
RECENT_IMPORTS = 5


@dataclass(frozen=True)
class Due:
    """One thing the office publishes on a schedule: where it stands, and what to do next."""

    topic: str
    state: str
    action: str = ""
    url: str = ""

    @property
    def done(self) -> bool:
        return not self.action


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    state: str = ""


@dataclass(frozen=True)
class Waiting:
    """One kind of content with drafts, scheduled publications or revisions waiting."""

    kind: str
    items: list[Item]
    more_url: str = ""


@dataclass(frozen=True)
class Waits:
    heading: str
    intro: str
    kinds: list[Waiting] = field(default_factory=list)
    scheduled: list[Item] = field(default_factory=list)
    revisions: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    title: str
    result: str
    when: datetime.datetime
    url: str


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def publication_words(publish_at: datetime.datetime | None, now: datetime.datetime) -> str:
    if publish_at is None:
        return "draft"
    if publish_at > now:
        return f"scheduled for {timezone.localtime(publish_at):%-d %B %Y, %H:%M}"
    return "published"


# --------------------------------------------------------------------------------------------
# What is due
# --------------------------------------------------------------------------------------------


def calls_due(*, today: datetime.date, can_publish: bool) -> Due:
    """The home force's next 999 month: the month after the newest held (as a draft or published)."""
    topic = "999 calls"
    force = home_force()
    if force is None:
        return Due(topic, "No home force is chosen.", "Choose the home force in Site settings", "")
    newest = (
        CallAnswerMonth.objects.filter(force=force).order_by("-month").only("month", "publish_at").first()
    )
    now = timezone.now()
    import_url = admin_url(CallAnswerMonth, "import")
    if newest is None:
        return Due(topic, f"No 999 figures are held for {force}.", "Import the 999 figures", import_url)
    held = f"{newest.month:%B %Y}"
    if newest.publish_at is None or newest.publish_at > now:
        state = f"The newest month held for {force}, {held}, is {publication_words(newest.publish_at, now)}."
        if newest.publish_at is None:
            return Due(
                topic,
                state,
                f"Publish the 999 figures for {held}"
                if can_publish
                else f"Check the 999 figures for {held} and submit them for review",
                admin_url(CallAnswerMonth, "change", newest.pk),
            )
        return Due(topic, state)
    expected = calculations.month_after(newest.month)
    this_month = today.replace(day=1)
    if expected >= this_month:
        return Due(
            topic,
            f"{held} is published for {force}. {expected:%B %Y} is not over yet: its figures come after it ends.",
        )
    return Due(
        topic,
        f"{held} is published for {force}. The figures for {expected:%B %Y} are not held yet.",
        f"Import the 999 figures for {expected:%B %Y}",
        import_url,
    )


def crime_due(*, can_publish: bool, today: datetime.date | None = None) -> Due:
    """The newest ONS or open-data quarter held and whether its NCPM quarter is published; once
    it is, the next quarter's release: when it usually comes out, and whether it is imported."""
    topic = "Crime and NCPM"
    newest_ons = RecordedCrimePeriod.objects.aggregate(newest=Max("period_end"))["newest"]
    newest_open = OffenceCount.objects.aggregate(newest=Max("quarter_end"))["newest"]
    newest = max((day for day in (newest_ons, newest_open) if day), default=None)
    if newest is None:
        return Due(
            topic,
            "No ONS figures or recorded crime open data are held.",
            "Import the recorded crime open data",
            admin_url(OffenceCount, "import"),
        )
    period = f"the 12 months to {calculations.long_date(newest)}"
    quarter = ReportingPeriod.objects.filter(period_end=newest).only("pk", "publish_at", "period_end").first()
    held = f"The newest quarter held is {period}."
    if quarter is None:
        return Due(
            topic,
            f"{held} It has no NCPM quarter yet.",
            f"Add the NCPM quarter for {period}",
            admin_url(ReportingPeriod, "add"),
        )
    now = timezone.now()
    state = f"{held} Its NCPM quarter is {publication_words(quarter.publish_at, now)}."
    if quarter.publish_at is None:
        return Due(
            topic,
            state,
            f"Publish the NCPM quarter for {period}"
            if can_publish
            else f"Complete the NCPM quarter for {period} and submit it for review",
            admin_url(ReportingPeriod, "change", quarter.pk),
        )
    following = calculations.quarters_before(newest, -1)
    release = calculations.expected_release_month(following)
    next_period = f"the 12 months to {calculations.long_date(following)}"
    if (today or timezone.localdate()) < release:
        return Due(topic, f"{state} The release for {next_period} usually comes out in {release:%B %Y}.")
    return Due(
        topic,
        f"{state} The release for {next_period} was due in {release:%B %Y} and is not imported yet.",
        f"Import the recorded crime open data for {next_period}",
        admin_url(OffenceCount, "import"),
    )


def checklist_due(*, today: datetime.date) -> Due:
    rows = checklist(today)
    overdue = sum(row.status == OVERDUE for row in rows)
    missing = sum(row.status == MISSING for row in rows)
    url = reverse("admin:performance_requireditem_checklist")
    if not overdue and not missing:
        return Due("What the site must publish", f"All {len(rows)} required publications are up to date.")
    parts = [f"{overdue} overdue"] if overdue else []
    parts += [f"{missing} missing"] if missing else []
    return Due(
        "What the site must publish",
        f"Of {len(rows)} required publications, {' and '.join(parts)}.",
        "Open the checklist to see what to publish",
        url,
    )


def what_is_due(user, *, today: datetime.date | None = None) -> list[Due]:
    today = today or timezone.localdate()
    due = []
    if user.has_perm("performance.view_callanswermonth"):
        due.append(calls_due(today=today, can_publish=user.has_perm("performance.publish_callanswermonth")))
    if user.has_perm("performance.view_reportingperiod"):
        due.append(crime_due(can_publish=user.has_perm("performance.publish_reportingperiod"), today=today))
    if user.has_perm("performance.view_requireditem"):
        due.append(checklist_due(today=today))
    return due


# --------------------------------------------------------------------------------------------
# What waits for me
# --------------------------------------------------------------------------------------------

# Each kind of content with drafts: the model, its name in a list, and how to name one draft.
DRAFTS = (
    (ReportingPeriod, "NCPM quarters", lambda row: str(row)),
    (RecordedCrimePeriod, "ONS recorded crime periods", lambda row: str(row)),
    (LibraryPage, "Library pages", lambda row: row.title),
    (Document, "Documents", lambda row: row.title),
    (Meeting, "Meetings", lambda row: f"{row.title}, {calculations.long_date(row.held_on)}"),
)


def last_changed_by(model):
    """The user who last changed each row, as its history shows (None: not known)."""
    history = model.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    return Subquery(history.values("history_user_id")[:1])


def unpublished(model, now: datetime.datetime, *, mine_only_for=None):
    rows = model.objects.filter(Q(publish_at__isnull=True) | Q(publish_at__gt=now))
    if mine_only_for is not None:
        rows = (
            rows.filter(publish_at__isnull=True)
            .annotate(last_changed_by=last_changed_by(model))
            .filter(Q(last_changed_by=mine_only_for.pk) | Q(last_changed_by__isnull=True))
        )
    return rows


def call_month_drafts(user, now, *, mine: bool) -> tuple[list[Item], list[Item], bool]:
    """999 months, one line a month (a month has a row per force)."""
    rows = unpublished(CallAnswerMonth, now, mine_only_for=user if mine else None)
    grouped = list(
        rows.values("month", "publish_at")
        .annotate(forces=Count("pk"))
        .order_by("-month", "publish_at")[: SHOWN + 1]
    )
    changelist = admin_url(CallAnswerMonth, "changelist")
    drafts, scheduled = [], []
    for row in grouped[:SHOWN]:
        forces = row["forces"]
        item = Item(
            f"999 calls, {row['month']:%B %Y} ({forces} force{'s' if forces != 1 else ''})",
            f"{changelist}?month={row['month']:%Y-%m-%d}",
            publication_words(row["publish_at"], now),
        )
        (drafts if row["publish_at"] is None else scheduled).append(item)
    return drafts, scheduled, len(grouped) > SHOWN


def what_waits(user, *, now: datetime.datetime | None = None) -> Waits:
    """For a Publisher (who may publish a kind of content): its drafts, what is scheduled and the
    revisions waiting. For an Editor: the drafts they last changed, or whose history does not
    say who did, for a Publisher to review and publish."""
    now = now or timezone.now()
    models = (CallAnswerMonth, *(model for model, _, _ in DRAFTS))
    can_publish = any(user.has_perm(f"performance.publish_{model._meta.model_name}") for model in models)
    kinds, scheduled = [], []
    if user.has_perm("performance.view_callanswermonth"):
        mine = not user.has_perm("performance.publish_callanswermonth")
        drafts, later, more = call_month_drafts(user, now, mine=mine)
        scheduled += later
        if drafts:
            url = admin_url(CallAnswerMonth, "changelist") + "?publish_at__isnull=True"
            kinds.append(Waiting("999 call months", drafts, url if more else ""))
    for model, kind, name in DRAFTS:
        opts = model._meta
        if not user.has_perm(f"performance.view_{opts.model_name}"):
            continue
        mine = not user.has_perm(f"performance.publish_{opts.model_name}")
        rows = list(
            unpublished(model, now, mine_only_for=user if mine else None).order_by("-pk")[: SHOWN + 1]
        )
        drafts = []
        for row in rows[:SHOWN]:
            item = Item(name(row), admin_url(model, "change", row.pk), publication_words(row.publish_at, now))
            (drafts if row.publish_at is None else scheduled).append(item)
        if drafts:
            more = admin_url(model, "changelist") + "?publish_at__isnull=True" if len(rows) > SHOWN else ""
            kinds.append(Waiting(kind, drafts, more))
    if not can_publish:
        return Waits(
            "Your drafts",
            "The drafts you changed last. Open one and choose “Save and submit for review” when it is ready: "
            "a Publisher then publishes it or sends it back to you with a comment.",
            kinds,
        )
    return Waits(
        "What waits for me",
        "Drafts not yet published, what is scheduled, and revised figures waiting to be applied.",
        kinds,
        scheduled,
        revisions(user),
    )


def revisions(user) -> list[Item]:
    """Revised figures waiting, one line per quarter or ONS period."""
    found = []
    for revision, period, words in (
        (MeasureFigureRevision, ReportingPeriod, "NCPM quarter"),
        (RecordedCrimeRevision, RecordedCrimePeriod, "ONS period"),
    ):
        if not user.has_perm(f"performance.publish_{period._meta.model_name}"):
            continue
        for row in (
            revision.objects.pending()
            .values("period_id", "period__period_end")
            .annotate(waiting=Count("pk"))
            .order_by("-period__period_end")
        ):
            count = row["waiting"]
            found.append(
                Item(
                    f"{words}, 12 months to {calculations.long_date(row['period__period_end'])}: "
                    f"{count} revised figure{'s' if count != 1 else ''} waiting",
                    admin_url(period, "change", row["period_id"]),
                    "publish it again to apply them",
                )
            )
    return found


# --------------------------------------------------------------------------------------------
# My recent imports
# --------------------------------------------------------------------------------------------


def log_result(log: ImportLog) -> str:
    result = f"Imported: {log.rows_new} new, {log.rows_updated} changed, {log.rows_unchanged} unchanged"
    warnings = len(log.warnings.splitlines())
    return result + (f"; {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")


def import_result_url(log: ImportLog) -> str:
    """An import's result page (what it did, what to do next), or its log for an import with
    none: the recorded crime open data's, whose page is its job's."""
    resource = next(
        (found for found in RELEASE_RESOURCES.values() if found.release_name == log.resource), None
    )
    if resource is None:
        return admin_url(ImportLog, "change", log.pk)
    return admin_url(resource._meta.model, "import_result", log.pk)


def recent_imports(user, session_key: str | None) -> list[Imported]:
    """The user's newest confirmed imports, and the background imports of this sign-in (a job's
    page is theirs to see only in the sign-in that started it), newest first."""
    found = []
    if user.has_perm("performance.view_importlog"):
        found += [
            Imported(
                f"{log.resource}: {log.file_name}",
                log_result(log),
                log.created_at,
                import_result_url(log),
            )
            for log in ImportLog.objects.filter(user=user).order_by("-created_at")[:RECENT_IMPORTS]
        ]
    if user.has_perm("performance.import_offencecount"):
        jobs = ImportJob.objects.for_uploader(user=user, session_key=session_key).recent()
        found += [
            Imported(
                f"{job.get_kind_display()} of {job.file_name}",
                job.message or job.get_status_display(),
                job.created_at,
                admin_url(OffenceCount, "import_job", job.pk),
            )
            for job in jobs.only("id", "kind", "file_name", "message", "status", "created_at")[
                :RECENT_IMPORTS
            ]
        ]
    return sorted(found, key=lambda imported: imported.when, reverse=True)[:RECENT_IMPORTS]


def staff_home(request) -> dict:
    user = request.user
    return {
        "due": what_is_due(user),
        "waits": what_waits(user),
        "to_review": review.waiting_for(user, limit=SHOWN),
        "came_back": review.came_back_to(user, limit=SHOWN),
        "sent": review.sent_by(user, limit=SHOWN),
        "imports": recent_imports(user, request.session.session_key),
    }
