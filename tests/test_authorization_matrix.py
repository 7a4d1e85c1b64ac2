"""Who may do what in the admin, generated: every registered ModelAdmin × every URL it serves
(and every action) × every role × every publication state, each asserted against the rule, with
the database read after every POST.

The rule, as the README's role table states it:
- anonymous visitors are sent to sign in; nothing changes;
- staff with view permission only can read, never write;
- an Editor writes content only while it (or its parent: a figure's quarter, a section's page, a
  rank's month) is a draft, and never publishes, withdraws or schedules; content with no draft
  state (forces, groups, site settings, channels, measures, priority areas) is a Publisher's;
- a Publisher writes all content, in any state;
- a Site administrator manages staff accounts only;
- a superuser can do everything the site allows anyone to do.

A new admin, URL or action has no row here until someone decides it, and the test fails until
then. The matrix's size is printed at the end of the run.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from performance.models import (
    CallAnswerMonth,
    CallAnswerRank,
    ColumnMapping,
    CommissionerStatement,
    Document,
    DocumentCategory,
    Force,
    ForceAlias,
    ForceGroup,
    ForceGroupMembership,
    ForcePopulation,
    ImportLog,
    LibraryPage,
    Measure,
    MeasureFigure,
    Meeting,
    Offence,
    OffenceCount,
    OutcomeCount,
    PageSection,
    PriorityApplicability,
    PriorityArea,
    PriorityAreaCommentary,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingChannel,
    ReportingPeriod,
    RequiredItem,
    SiteSettings,
)
from tests.helpers import signed_in, tasks_run_on_commit, upload

ROLES = ("anonymous", "viewer", "editor", "publisher", "site_admin", "superuser")
PUBLICATION_STATES = ("draft", "scheduled", "published")
LIVE = ("live",)  # content with no draft state, and everything that is not content

DRAFTABLE = {CallAnswerMonth, ReportingPeriod, RecordedCrimePeriod, LibraryPage, Document, Meeting}
CHILDREN = {
    MeasureFigure,
    PriorityAreaCommentary,
    PriorityApplicability,
    RecordedCrimeFigure,
    PageSection,
    CallAnswerRank,
    CommissionerStatement,
}
ALWAYS_PUBLIC = {
    Force,
    ForceAlias,
    ForceGroup,
    ForceGroupMembership,
    SiteSettings,
    ReportingChannel,
    Measure,
    PriorityArea,
    DocumentCategory,
    RequiredItem,
}
IMPORTERS = {CallAnswerMonth, RecordedCrimeFigure, MeasureFigure}

# Every registered admin's model, decided: content (above), read-only records, or staff
# accounts and sign-in records, which only their managers may change.
READ_ONLY = {ImportLog, Offence, OffenceCount, OutcomeCount}
# Read-only records that a release's import writes: staff who import the releases may import.
IMPORTED_RECORDS = {OffenceCount, OutcomeCount}
# Residents per force area: not content (the public reads only the rates computed from them into
# figures a Publisher publishes), but every rate computed afterwards moves with them, so only
# Publishers add, change, delete or import them; the other staff read them.
PUBLISHER_RECORDS = {ForcePopulation}
# Column choices made at an import's preview: not content (what they import is gated), so the
# staff who import may correct or forget them; they are made at an import, never added by hand.
IMPORT_CHOICES = {ColumnMapping}
STAFF_ACCOUNTS = {"auth.user", "auth.group"}
SUPERUSER_ONLY = {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "otp_totp.totpdevice"}
# Sign-in records are written by the throttling, never added by hand.
NEVER_ADDED = {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
# The background tasks' queue and results (django-tasks-db): an operator's record, tracebacks
# included, that a superuser may read; written by the tasks only, changed by no one.
TASK_RECORDS = {"django_tasks_database.dbtaskresult"}

# Every URL a ModelAdmin serves, by the end of its name; "" is the unnamed <id>/ redirect.
URL_KINDS = {
    "changelist",
    "add",
    "change",
    "delete",
    "history",
    "simple_history",
    "import",
    "process_import",
    # An import's page and its progress (JSON), run in the background: its uploader's alone, in
    # the sign-in that uploaded it (tests/imports/test_import_jobs.py); followed here by
    # import_and_confirm.
    "import_job",
    "import_job_progress",
    "export",
    "import_template",
    "import_columns",
    # A confirmed import's result page: staff who may import the release, for any of its imports.
    "import_result",
    # Populations summed from the ONS estimates: preview, then confirm (a Publisher's).
    "estimates",
    "password_change",
    "config",
    "qrcode",
    "checklist",
    "publish",
    # The review workflow (performance/publishing/review_admin.py): send a draft for review; a
    # Publisher's review (publish now, schedule, or send back with a comment).
    "submit",
    "review",
    "",
}
ACTIONS = {"delete_selected", "publish_now", "withdraw"}

# What a Publisher gives to go on past the checks before publishing (``publishing_checks``).
GOING_ON = {"publication_reason": "Checked by hand.", "statement_still_true": "on"}

CELLS: list = []  # every cell asserted, for the size printed at the end


# --------------------------------------------------------------------------------------------
# The rule
# --------------------------------------------------------------------------------------------


def label(model) -> str:
    return model._meta.label_lower


def states_of(model) -> tuple[str, ...]:
    return PUBLICATION_STATES if model in DRAFTABLE | CHILDREN else LIVE


def may_write_content(role: str, model, state: str) -> bool:
    if role in ("publisher", "superuser"):
        return True
    return role == "editor" and state == "draft" and model in DRAFTABLE | CHILDREN


def allowed(role: str, model, kind: str, state: str) -> bool:
    """May ``role`` use this URL (or action) of ``model``'s admin on an object in ``state``?"""
    if role == "anonymous":
        return False
    if kind == "":
        return True  # <id>/ only redirects a signed-in user to <id>/change/, which decides
    name = label(model)
    reads = kind in ("changelist", "change:get", "history", "simple_history:get", "checklist", "")
    if name in STAFF_ACCOUNTS:
        if role not in ("site_admin", "superuser"):
            return False
        if name == "auth.group" and role == "site_admin" and not reads:
            return kind == "add"  # a new, empty role; never a role's permissions
        return True
    if name in TASK_RECORDS:
        return role == "superuser" and reads
    if name in SUPERUSER_ONLY:
        if name in NEVER_ADDED and kind == "add":
            return False
        return role == "superuser"
    if role == "site_admin":
        return False
    if kind in ("submit", "submit:get"):
        return role in ("editor", "publisher", "superuser") and state == "draft"
    if kind == "review:get":
        return role in ("publisher", "superuser")
    if kind in ("review", "send_back"):
        return role in ("publisher", "superuser") and state == "draft"
    if kind == "import_result":
        return role in ("editor", "publisher", "superuser")  # who may import the release
    if reads:
        return True
    if role == "viewer":
        return False
    if model in PUBLISHER_RECORDS:
        return role in ("publisher", "superuser")
    if model in IMPORT_CHOICES:
        return kind != "add" and role in ("editor", "publisher", "superuser")
    if kind == "import_columns":
        return role in ("editor", "publisher", "superuser")  # a choice of columns changes no content
    if model in IMPORTED_RECORDS and kind in (
        "import",
        "process_import",
        "import_job",
        "import_job_progress",
    ):
        return role in ("editor", "publisher", "superuser")  # no draft state: the import decides
    if model in READ_ONLY:
        return False
    if kind in ("import", "export", "import_template"):
        return True  # a preview or a download changes nothing
    if kind in ("publish_now", "withdraw", "publish", "publish:get"):
        return role in ("publisher", "superuser")
    if model is SiteSettings and kind in ("add", "delete", "delete_selected"):
        return False  # one row, always there
    if kind == "add" and model in DRAFTABLE:
        return True  # a new draft
    return may_write_content(role, model, state)


# --------------------------------------------------------------------------------------------
# The world: one object of each model in each state, each with two versions in its history
# --------------------------------------------------------------------------------------------

NOW = timezone.now()
WHEN = {
    "draft": None,
    "scheduled": NOW + datetime.timedelta(days=7),
    "published": NOW - datetime.timedelta(days=7),
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    objects: dict  # (model, state) -> object
    forces: list
    spare_measure: Measure
    spare_area: PriorityArea
    spare_periods: dict  # state -> a quarter in that state without a statement


def build_world(django_user_model) -> World:
    norfolk = Force.objects.create(
        name="Norfolk", full_name="Norfolk Constabulary", ons_code="E23000024", region="East"
    )
    suffolk = Force.objects.create(
        name="Suffolk", full_name="Suffolk Constabulary", ons_code="E23000025", region="East"
    )
    group = ForceGroup.objects.create(name="Most Similar Group", kind="msg")
    membership = ForceGroupMembership.objects.create(group=group, force=norfolk)
    alias = ForceAlias.objects.create(force=norfolk, alias="Norfolk Police")
    settings_row = SiteSettings.objects.create(
        office_name="Office of the PCC", home_force=norfolk, most_similar_group=group
    )
    area = PriorityArea.objects.create(name="Reduce Murder and Homicide")
    measure = Measure.objects.create(priority_area=area, name="Homicide")
    spare = Measure.objects.create(priority_area=area, name="Murder only", order=1)
    spare_area = PriorityArea.objects.create(name="Disrupt Drugs Supply", order=1)
    channel = ReportingChannel.objects.create(name="101", contact="101", description="Non-emergencies.")
    ImportLog.objects.create(resource="999 calls", file_name="999.csv", sha256="0" * 64)
    murder = Offence.objects.create(
        code="1", description="Murder", group="Violence against the person", subgroup="Homicide"
    )
    OffenceCount.objects.create(
        force=norfolk, quarter_end=datetime.date(2024, 6, 30), offence=murder, count=2
    )
    OutcomeCount.objects.create(
        force=norfolk,
        quarter_end=datetime.date(2024, 6, 30),
        offence=murder,
        outcome_type=1,
        outcome_description="Charged/Summonsed",
        outcome_group="Charged/Summonsed",
        recorded_in_quarter=1,
        recorded_earlier=1,
    )
    axes_records()
    task_record()
    choice = ColumnMapping.objects.create(
        release="performance.CallAnswerMonth",
        headings_key=ColumnMapping.key_for(["Force", "Month", "Calls offered"]),
        headings=["Force", "Month", "Calls offered"],
        choices={"total_calls": "Calls offered"},
    )
    category = DocumentCategory.objects.create(name="Reports", slug="reports")
    spare_category = DocumentCategory.objects.create(name="Minutes", slug="minutes", order=1)
    required = RequiredItem.objects.create(name="Annual report", category=category)
    residents = ForcePopulation.objects.create(
        force=norfolk, year=2023, population=934000, source="ONS mid-2023"
    )
    objects = {}
    # Each live model's target is one nothing else depends on, so that deleting it is possible.
    for live in (
        suffolk,
        group,
        membership,
        alias,
        settings_row,
        spare_area,
        spare,
        channel,
        choice,
        spare_category,
        required,
        residents,
    ):
        second_version(live)
        objects[(type(live), "live")] = live

    spare_periods = {}
    for number, (state, when) in enumerate(WHEN.items(), start=1):
        spare_periods[state] = ReportingPeriod.objects.create(
            period_end=datetime.date(2010 + number, 6, 30), publish_at=when
        ).pk
        period = ReportingPeriod.objects.create(period_end=datetime.date(2020 + number, 6, 30))
        figure = MeasureFigure.objects.create(period=period, measure=measure, latest=10, previous=8)
        commentary = PriorityAreaCommentary.objects.create(period=period, priority_area=area, body="Comment.")
        ons = RecordedCrimePeriod.objects.create(period_end=datetime.date(2020 + number, 3, 31))
        ons_figure = RecordedCrimeFigure.objects.create(period=ons, force=norfolk, total=60000 + number)
        page = LibraryPage.objects.create(slug=f"page-{state}", title=f"Page {state}", summary="A page.")
        section = PageSection.objects.create(page=page, slot="ons", heading="Note", body="Text.")
        month = CallAnswerMonth.objects.create(
            force=norfolk,
            month=datetime.date(2023, number, 1),
            total_calls=10000,
            mean_answer_seconds=7,
            pct_under_10s=90,
            pct_10_to_60s=9,
            pct_60s_and_over=1,
        )
        rank = month.ranks.create(scope="national", rank=5, out_of=43)
        document = Document.objects.create(
            title=f"Report {state}",
            file=ContentFile(PDF, name=f"report-{state}.pdf"),
            published_on=datetime.date(2023, 1, 1),
            category=category,
        )
        meeting = Meeting.objects.create(title=f"Meeting {state}", held_on=datetime.date(2023, number, 2))
        statement = CommissionerStatement.objects.create(period=period, body="<p>The figures.</p>")
        # A later quarter starts with the earlier one's answer (carried forward): one row either way.
        applicability = PriorityApplicability.objects.update_or_create(
            period=period, priority_area=area, defaults={"applies": True}
        )[0]
        for child in (figure, commentary, ons_figure, section, statement, applicability):
            second_version(child)
        rank.rank = 6
        rank.save()
        for parent in (period, ons, page, month, document, meeting):
            second_version(parent, publish_at=when)
        for obj in (
            period,
            figure,
            commentary,
            ons,
            ons_figure,
            page,
            section,
            month,
            rank,
            document,
            meeting,
            statement,
            applicability,
        ):
            objects[(type(obj), state)] = obj
    return World(
        objects=objects,
        forces=[norfolk, suffolk],
        spare_measure=spare,
        spare_area=spare_area,
        spare_periods=spare_periods,
    )


def axes_records():
    """One of each sign-in record, as the throttling writes them."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    common = {
        "user_agent": "test",
        "ip_address": "127.0.0.1",
        "username": "someone",
        "path_info": "/admin/login/",
    }
    AccessAttempt.objects.create(**common, http_accept="*/*", failures_since_start=1)
    AccessLog.objects.create(**common, http_accept="*/*")
    AccessFailureLog.objects.create(**common, http_accept="*/*")


def task_record():
    """One background task, queued as the database backend queues it."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        args_kwargs={"args": ["0"], "kwargs": {}},
        task_path="performance.crime.recorded_crime_tasks.recorded_crime_preview",
        backend_name="default",
    )


def second_version(obj, **changes):
    """Save again, so a past version differs from the current one (what a revert goes back to)."""
    for name, value in changes.items():
        setattr(obj, name, value)
    for name in ("summary", "description", "body", "full_name", "alias", "name", "office_name"):
        if hasattr(obj, name) and isinstance(getattr(obj, name), str) and name != "name":
            setattr(obj, name, getattr(obj, name) + " (revised)")
            break
    obj.save()


# --------------------------------------------------------------------------------------------
# Roles, forms as served, and what the database holds
# --------------------------------------------------------------------------------------------


def make_users(django_user_model) -> dict:
    users = {"anonymous": None}
    viewer = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(content_type__app_label="performance", codename__startswith="view_")
    )
    users["viewer"] = viewer
    for role, group in (
        ("editor", "Editor"),
        ("publisher", "Publisher"),
        ("site_admin", "Site administrator"),
    ):
        user = django_user_model.objects.create_user(username=role, password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        users[role] = user
    users["superuser"] = django_user_model.objects.create_superuser(username="root", password="x")
    users["staff_member"] = django_user_model.objects.create_user(
        username="staff_member", password="x", is_staff=True
    )
    return users


def clients(users) -> dict:
    return {role: Client() if user is None else signed_in(user) for role, user in users.items()}


def database_fingerprint() -> str:
    """Every row of every table the admin could write: all but sessions, and the records of an
    import's work (the previewed file, the jobs that preview and confirm it in the background and
    their tasks), which a refused import leaves."""
    digest = hashlib.sha256()
    skipped = {
        "django_session",
        "performance_importupload",
        "performance_importjob",
        "django_tasks_database_dbtaskresult",
    }
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in skipped:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest.update(table.encode())
            digest.update("\n".join(rows).encode())
    return digest.hexdigest()


def served_form_data(response) -> dict:
    """What a browser would post back: the form's and its inlines' values as served."""
    context = response.context
    data = {}
    forms_served = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets") or []:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms_served.extend(inline.formset.forms)
    for form in forms_served:
        for name, field in form.fields.items():
            put(data, form.add_prefix(name), field, form[name].value())
    return data


def put(data: dict, key: str, field, value) -> None:
    if value is None or isinstance(field, forms.FileField) or field.disabled:
        return
    if isinstance(field, forms.SplitDateTimeField):
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value)
            data[f"{key}_0"], data[f"{key}_1"] = local.date().isoformat(), local.strftime("%H:%M:%S")
        elif isinstance(value, list | tuple):
            data[f"{key}_0"], data[f"{key}_1"] = value
        return
    if isinstance(field, forms.BooleanField):
        if value:
            data[key] = "on"
        return
    if isinstance(value, list | tuple):
        data[key] = [getattr(v, "pk", v) for v in value]
        return
    data[key] = getattr(value, "pk", value)


def add_data(model, world: World, state: str, served: dict) -> dict:
    """A valid new object of ``model`` (attached to the ``state`` parent for a child)."""
    parent = {
        (m, s): obj.pk for (m, s), obj in world.objects.items() if m in DRAFTABLE and s in PUBLICATION_STATES
    }
    norfolk, suffolk = world.forces
    category_pk = world.objects[(DocumentCategory, "live")].pk
    spare_period_pk = world.spare_periods
    new = {
        Force: {"name": "Essex", "full_name": "Essex Police", "kind": "territorial"},
        ForceAlias: {"force": suffolk.pk, "alias": "Suffolk Police"},
        ForceGroup: {"name": "Regional 7 Force", "kind": "regional"},
        ForceGroupMembership: {"group": world.objects[(ForceGroup, "live")].pk, "force": suffolk.pk},
        SiteSettings: {"office_name": "Another office", "home_force": norfolk.pk},
        ForcePopulation: {
            "force": suffolk.pk,
            "year": "2023",
            "population": "770000",
            "source": "ONS mid-2023",
        },
        PriorityArea: {"name": "Tackle Cyber Crime", "slug": "tackle-cyber-crime"},
        Measure: {"priority_area": world.objects[(PriorityArea, "live")].pk, "name": "GBH", "unit": "count"},
        ReportingChannel: {"name": "StreetSafe", "description": "Report places where you feel unsafe."},
        ReportingPeriod: {"period_end": "2030-09-30"},
        RecordedCrimePeriod: {"period_end": "2030-09-30"},
        LibraryPage: {"slug": "new-page", "title": "New page", "summary": "New.", "template": "plain"},
        DocumentCategory: {"name": "Youth commission", "slug": "youth-commission", "order": "3"},
        RequiredItem: {"name": "Complaints data", "rule": "category", "category": category_pk, "order": "1"},
        Meeting: {"title": "Police and Crime Panel", "held_on": "2023-06-01"},
        CommissionerStatement: {"period": spare_period_pk.get(state), "body": "<p>New statement.</p>"},
        Document: {
            "title": "New report",
            "category": category_pk,
            "published_on": "2023-02-01",
            "file": ContentFile(PDF, name="new-report.pdf"),
        },
        CallAnswerMonth: {
            "force": suffolk.pk,
            "month": "2023-05-01",
            "total_calls": "5000",
            "mean_answer_seconds": "6",
            "pct_under_10s": "91",
            "pct_10_to_60s": "8",
            "pct_60s_and_over": "1",
        },
        MeasureFigure: {
            "period": parent.get((ReportingPeriod, state)),
            "measure": world.spare_measure.pk,
            "latest": "4",
            "previous": "3",
        },
        PriorityApplicability: {
            "period": parent.get((ReportingPeriod, state)),
            "priority_area": world.spare_area.pk,
            "applies": "False",
            "reason": "Led nationally.",
        },
        PriorityAreaCommentary: {
            "period": parent.get((ReportingPeriod, state)),
            "priority_area": world.spare_area.pk,
            "body": "New comment.",
        },
        RecordedCrimeFigure: {
            "period": parent.get((RecordedCrimePeriod, state)),
            "force": suffolk.pk,
            "total": "5",
        },
        PageSection: {"page": parent.get((LibraryPage, state)), "slot": "ncpm", "body": "New section."},
        CallAnswerRank: {"call_month": parent.get((CallAnswerMonth, state)), "scope": "msg", "rank": "2"},
    }
    name = label(model)
    if name == "auth.user":
        return {
            "username": "new_staff",
            "password1": "A-long-passphrase-9",
            "password2": "A-long-passphrase-9",
        }
    if name == "auth.group":
        return {"name": "Reviewers"}
    if name == "otp_totp.totpdevice":
        return {**served, "user": world_users["staff_member"].pk, "name": "phone", "key": "0" * 40}
    return {**served, **{key: value for key, value in new.get(model, {}).items() if value is not None}}


world_users: dict = {}


def target_of(model, world: World, state: str):
    """The object a cell acts on."""
    if (model, state) in world.objects:
        return world.objects[(model, state)]
    name = label(model)
    if name == "auth.user":
        return world_users["staff_member"]
    if name == "auth.group":
        return Group.objects.get(name="Editor")
    if name == "otp_totp.totpdevice":
        from django_otp.plugins.otp_totp.models import TOTPDevice

        return TOTPDevice.objects.get_or_create(user=world_users["staff_member"], name="laptop")[0]
    model_class = apps.get_model(name)
    return model_class._default_manager.first()


def import_file(model, world: World, state: str) -> tuple[str, bytes]:
    """A release file that writes to the ``state`` object (new rows for the NCPM and ONS files)."""
    if model is CallAnswerMonth:
        month = world.objects[(CallAnswerMonth, state)].month
        return "999.csv", (
            "Force,Month,Total calls,Mean answer time (seconds),% of calls answered in under 10 seconds,"
            "% of calls answered in 10 to under 60 seconds,% of calls answered in 60 seconds and over\r\n"
            f"Norfolk,{month:%Y-%m},11000,7.5,88.0,11.0,1.0\r\n"
        ).encode()
    if model is MeasureFigure:
        period = world.objects[(ReportingPeriod, state)].period_end
        return "ncpm.csv", (
            "Measure,12 months ending,Latest 12 months,Previous 12 months,2019 baseline\r\n"
            f"Murder only,{period:%d/%m/%Y},4,3,5\r\n"
        ).encode()
    if model is OffenceCount:
        return "recorded-crime.csv", (
            b"Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,"
            b"Offence Subgroup,Offence Code,Number of Offences\r\n"
            b"2024/25,1,Suffolk,Murder,Violence against the person,Homicide,1,3\r\n"
        )
    if model is OutcomeCount:
        return "crime-outcomes.csv", (
            b"Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,"
            b"Offence Subgroup,Offence Code,Outcome Description,Outcome Group,Outcome Type,"
            b"Force outcomes for offences recorded in quarter,"
            b"Force outcomes for offences recorded in previous quarters\r\n"
            b"2024/25,1,Suffolk,Murder,Violence against the person,Homicide,1,Charged/Summonsed,"
            b"Charged/Summonsed,1,2,1\r\n"
        )
    period = world.objects[(RecordedCrimePeriod, state)].period_end
    return "ons.csv", (
        f"Table P1: Police recorded crime by police force area, year ending {period:%B %Y}\r\n"
        "Area Code,Area Name,Total recorded crime (excluding fraud)\r\n"
        "E23000025,Suffolk,51234\r\n"
    ).encode()


# --------------------------------------------------------------------------------------------
# The matrix
# --------------------------------------------------------------------------------------------

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: label(item[0]))


def url_kinds(model_admin) -> list[tuple[str, object]]:
    prefix = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}_"
    return [((pattern.name or "").removeprefix(prefix), pattern) for pattern in model_admin.get_urls()]


def test_every_admin_url_and_action_has_a_row_in_the_matrix(admin_user, rf):
    request = rf.get("/admin/")
    request.user = admin_user
    undecided = []
    for model, model_admin in REGISTERED:
        name = label(model)
        if not (
            model in DRAFTABLE | CHILDREN | ALWAYS_PUBLIC | READ_ONLY | IMPORT_CHOICES | PUBLISHER_RECORDS
            or name in STAFF_ACCOUNTS | SUPERUSER_ONLY | TASK_RECORDS
        ):
            undecided.append(f"admin for {name}")
        undecided += [f"{name}: URL {kind!r}" for kind, _ in url_kinds(model_admin) if kind not in URL_KINDS]
        undecided += [f"{name}: action {a!r}" for a in model_admin.get_actions(request) if a not in ACTIONS]
    assert undecided == [], "Decide who may use these, then add them to the matrix"


@pytest.mark.parametrize("model", [model for model, _ in REGISTERED], ids=label)
def test_authorization_matrix(model, django_user_model, settings, tmp_path, rf):
    settings.MEDIA_ROOT = tmp_path
    users = make_users(django_user_model)
    world_users.clear()
    world_users.update(users)
    world = build_world(django_user_model)
    model_admin = admin.site._registry[model]
    by_role = clients(users)
    superuser = by_role["superuser"]
    failures = []

    def check(role, kind, state, response, changed=None):
        expected = allowed(role, model, kind, state)
        CELLS.append((label(model), kind, role, state))
        if role == "anonymous":
            ok = response.status_code == 302 and "/admin/login/" in response.url and not changed
        elif changed is None:  # a read: the page is served, or refused
            ok = (response.status_code in (200, 302)) if expected else response.status_code in (403, 302)
            if not expected and response.status_code == 302:
                ok = "/admin/login/" in response.url
        else:
            ok = changed == expected and (response.status_code < 400 if expected else True)
        if not ok:
            failures.append(
                f"{role} {kind} {state}: expected {'allowed' if expected else 'refused'}, got "
                f"{response.status_code}{'' if changed is None else ', database ' + ('changed' if changed else 'unchanged')}"
            )

    def post(role, url, data, follow=False):
        """POST in a savepoint rolled back afterwards: (response, whether the database changed)."""
        with transaction.atomic():
            before = database_fingerprint()
            response = by_role[role].post(url, data)
            changed = database_fingerprint() != before
            transaction.set_rollback(True)
        return response, changed

    kinds = dict(url_kinds(model_admin))
    actions = list(model_admin.get_actions(rf_request(rf, users["superuser"])))
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    result_log = (  # an import of this release, by no one in particular
        ImportLog.objects.create(
            resource=model_admin.import_resource.release_name, file_name="import.csv", sha256="0" * 64
        )
        if "import_result" in kinds
        else None
    )
    for state in states_of(model):
        target = target_of(model, world, state)
        change_url = reverse(f"{info}_change", args=[target.pk])
        for role in ROLES:
            # Reads
            check(role, "changelist", state, by_role[role].get(reverse(f"{info}_changelist")))
            check(role, "change:get", state, by_role[role].get(change_url))
            check(role, "history", state, by_role[role].get(reverse(f"{info}_history", args=[target.pk])))
            check(role, "", state, by_role[role].get(reverse(f"{info}_changelist") + f"{target.pk}/"))
            for kind in (
                "import",
                "export",
                "import_template",
                "config",
                "qrcode",
                "password_change",
                "checklist",
            ):
                if kind in kinds:
                    args = [target.pk] if kind in ("config", "qrcode", "password_change") else []
                    check(role, kind, state, by_role[role].get(reverse(f"{info}_{kind}", args=args)))
            if result_log is not None:
                url = reverse(f"{info}_import_result", args=[result_log.pk])
                check(role, "import_result", state, by_role[role].get(url))

        # Writes, each from the form as a superuser is served it
        served_change = superuser.get(change_url)
        change_data = served_form_data(served_change) if served_change.status_code == 200 else {}
        served_add = superuser.get(reverse(f"{info}_add"))
        add_served = served_form_data(served_add) if served_add.status_code == 200 else {}
        for role in ROLES:
            response, changed = post(role, change_url, {**change_data, "_save": "Save"})
            check(role, "change", state, response, changed)
            response, changed = post(role, reverse(f"{info}_add"), add_data(model, world, state, add_served))
            check(role, "add", state, response, changed)
            response, changed = post(role, reverse(f"{info}_delete", args=[target.pk]), {"post": "yes"})
            check(role, "delete", state, response, changed)
            for action in actions:
                data = {"action": action, "_selected_action": [target.pk], "post": "yes", **GOING_ON}
                response, changed = post(role, reverse(f"{info}_changelist"), data)
                check(role, action, state, response, changed)
            if "simple_history" in kinds:
                earliest = (
                    model.history.filter(**{model._meta.pk.attname: target.pk}).order_by("history_id").first()
                )
                revert_url = reverse(f"{info}_simple_history", args=[target.pk, earliest.history_id])
                check(role, "simple_history:get", state, by_role[role].get(revert_url))
                served = superuser.get(revert_url)
                response, changed = post(role, revert_url, served_form_data(served))
                check(role, "revert", state, response, changed)
            if "publish" in kinds:
                url = reverse(f"{info}_publish", args=[target.pk])
                check(role, "publish:get", state, by_role[role].get(url))
                response, changed = post(role, url, GOING_ON)
                check(role, "publish", state, response, changed)
            if "submit" in kinds:
                url = reverse(f"{info}_submit", args=[target.pk])
                check(role, "submit:get", state, by_role[role].get(url))
                response, changed = post(role, url, {"note": "Ready for review."})
                check(role, "submit", state, response, changed)
            if "review" in kinds:
                url = reverse(f"{info}_review", args=[target.pk])
                check(role, "review:get", state, by_role[role].get(url))
                response, changed = post(role, url, {"decision": "publish", **GOING_ON})
                check(role, "review", state, response, changed)
                response, changed = post(
                    role, url, {"decision": "send_back", "comment": "Add the 2022 figure."}
                )
                check(role, "send_back", state, response, changed)
            if "process_import" in kinds:
                response, changed = import_and_confirm(by_role[role], model, world, state)
                check(role, "process_import", state, response, changed)
            if "import_columns" in kinds:
                response, changed = columns_chosen(by_role[role], model, world, state)
                check(role, "import_columns", state, response, changed)
            if "estimates" in kinds:
                check(role, "estimates:get", state, by_role[role].get(reverse(f"{info}_estimates")))
                response, changed = estimates_imported(by_role[role], reverse(f"{info}_estimates"))
                check(role, "estimates", state, response, changed)
            if "password_change" in kinds:
                url = reverse(f"{info}_password_change", args=[target.pk])
                data = {"password1": "Another-passphrase-7", "password2": "Another-passphrase-7"}
                response, changed = post(role, url, data)
                check(role, "password_change", state, response, changed)
    assert not failures, f"{len(failures)} cells of {label(model)} break the rule:\n" + "\n".join(failures)


# The admin site's own pages: the staff home and the review queue, which show each person only
# what their permissions let them open; nobody signed out sees them.
SITE_PAGES = ("admin:index", "admin:review_queue")


@pytest.mark.parametrize("name", SITE_PAGES)
def test_the_site_pages_are_for_signed_in_staff_only(name, django_user_model):
    by_role = clients(make_users(django_user_model))
    for role in ROLES:
        response = by_role[role].get(reverse(name))
        CELLS.append((name, "get", role, "live"))
        if role == "anonymous":
            assert response.status_code == 302 and "/admin/login/" in response.url
        else:
            assert response.status_code == 200, role


def rf_request(rf, user):
    request = rf.get("/admin/")
    request.user = user
    return request


def import_and_confirm(client, model, world, state):
    """Upload a release, read the preview and confirm it as served, all in one rolled-back
    savepoint. A release previewed and imported in the background answers each step with its
    job's page, which is followed once the job has run."""
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    name, content = import_file(model, world, state)

    def job_followed(response):
        import_url = reverse(f"{info}_import")
        job_url = response.status_code == 302 and response.url.startswith(import_url)
        if job_url and response.url != import_url and "/result/" not in response.url:  # not a result page
            job_page = client.get(response.url)
            assert job_page.status_code == 200
            progress = client.get(job_page.context["progress_url"])
            assert progress.status_code == 200 and progress.json()["final"]
            return job_page
        return response

    with transaction.atomic():
        before = database_fingerprint()
        response = job_followed(upload(client, reverse(f"{info}_import"), content, name, format="0"))
        confirm = response.context.get("confirm_form") if response.context else None
        if confirm is not None:
            data = {field.html_name: field.value() for field in confirm}
            with tasks_run_on_commit():
                response = client.post(reverse(f"{info}_process_import"), data)
            job_followed(response)
        changed = database_fingerprint() != before
        transaction.set_rollback(True)
    return response, changed


def estimates_imported(client, url):
    """Upload a table of residents by police force area, preview it and confirm the preview as
    served, in one rolled-back savepoint."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    with transaction.atomic():
        before = database_fingerprint()
        table = b"PFA code,PFA name,Population\r\nE23000025,Suffolk,770000\r\n"
        response = client.post(
            url,
            {"year": "2024", "source": "ONS mid-2024", "estimates": SimpleUploadedFile("pfa.csv", table)},
        )
        payload = (response.context or {}).get("payload") if response.status_code == 200 else None
        if payload:
            response = client.post(url, {"confirm": "1", "payload": payload})
        changed = database_fingerprint() != before
        transaction.set_rollback(True)
    return response, changed


RENAMED = {  # a column each release needs, headed as the import does not know it
    CallAnswerMonth: ("Total calls", "Calls offered"),
    MeasureFigure: ("Latest 12 months", "Latest figure"),
    RecordedCrimeFigure: ("Total recorded crime (excluding fraud)", "All offences"),
    OffenceCount: ("Number of Offences", "Offences"),
    OutcomeCount: ("Outcome Type", "Outcome Code"),
}


def columns_chosen(client, model, world, state):
    """Upload a release with one needed column under an unknown heading, then say which column
    holds it, as served, in one rolled-back savepoint. A role that cannot reach the import page
    has no upload to name, and posts an unknown one."""
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    name, content = import_file(model, world, state)
    heading, renamed = RENAMED[model]
    content = content.replace(heading.encode(), renamed.encode(), 1)
    with transaction.atomic():
        before = database_fingerprint()
        # A release read in the background asks on its preview job's page, which is followed.
        response = upload(client, reverse(f"{info}_import"), content, name, format="0")
        if response.status_code == 302 and response.url.startswith(reverse(f"{info}_import")):
            response = client.get(response.url)
        form = response.context.get("column_form") if response.context else None
        data = (
            {field.html_name: field.value() for field in form} if form is not None else {"token": "unknown"}
        )
        data.update({field.html_name: renamed for field in form.visible_fields()} if form is not None else {})
        response = client.post(reverse(f"{info}_import_columns"), data)
        changed = database_fingerprint() != before
        transaction.set_rollback(True)
    return response, changed


def pytest_matrix_size() -> str:
    roles, states = len(ROLES), len(PUBLICATION_STATES)
    return f"authorization matrix: {len(CELLS)} cells asserted ({len(REGISTERED)} admins, {roles} roles, up to {states} states)"
