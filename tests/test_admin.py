"""The staff admin: every performance model is editable by a non-superuser in the Editor group."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from performance.models import (
    CallAnswerMonth,
    CallAnswerRank,
    ChargeRateFigure,
    ColumnMapping,
    Force,
    ForcePopulation,
    ImportJob,
    ImportLog,
    ImportUpload,
    MeasureFigureRevision,
    Offence,
    OffenceCount,
    OutcomeCount,
    RecordedCrimeRevision,
    ReviewStep,
    SiteSettings,
)
from performance.publishing.gate import ALWAYS_PUBLIC
from performance.shared import calculations
from tests.factories import PUBLISHED
from tests.helpers import status_and_heading

PERFORMANCE_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "performance"),
    key=lambda model: model._meta.model_name,
)


def admin_url(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


@pytest.fixture
def editor(db, client, django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="unused", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


@pytest.fixture
def norfolk(db):
    return Force.objects.create(name="Norfolk", full_name="Norfolk Constabulary", ons_code="E23000024")


CONTENT_MODELS = [
    m
    for m in apps.get_app_config("performance").get_models()
    if not m.__name__.startswith("Historical")
    and m is not ImportUpload  # a file awaiting confirmation
    and m is not ImportJob  # its preview or import, run in the background: on its uploader's page alone
    and m is not MeasureFigureRevision  # written by the recomputation, applied by publishing its quarter
    and m is not RecordedCrimeRevision  # written at import, applied by publishing its ONS period
    and m is not ChargeRateFigure  # computed at import, published with its quarter (its page's preview)
    and m is not ReviewStep  # written by sending for review and deciding: on the drafts' pages
]


def test_every_performance_model_is_registered():
    assert set(PERFORMANCE_MODELS) == set(CONTENT_MODELS)


@pytest.mark.parametrize("model", PERFORMANCE_MODELS, ids=lambda model: model._meta.model_name)
def test_editor_sees_changelist_and_add_form(client, editor, model):
    assert not editor.is_superuser
    assert client.get(admin_url(model, "changelist")).status_code == 200
    # Import logs are written by imports only; content public as soon as saved is a Publisher's.
    # Column choices are made at an import's preview, never added by hand. Populations move every
    # rate computed from them: a Publisher's.
    read_only = model in (
        ImportLog,
        Offence,
        OffenceCount,
        OutcomeCount,
        ColumnMapping,
        ForcePopulation,
    ) or issubclass(model, ALWAYS_PUBLIC)
    assert client.get(admin_url(model, "add")).status_code == (403 if read_only else 200)


def role_codenames(name: str) -> set[str]:
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_editor_can_maintain_and_import_but_not_publish(db):
    editor = role_codenames("Editor")
    for model in CONTENT_MODELS:
        name = model._meta.model_name
        if model in (Offence, OffenceCount, OutcomeCount):  # written by the import only: staff read them
            assert f"view_{name}" in editor and f"change_{name}" not in editor, name
            continue
        actions = {
            ImportLog: ("view",),
            ColumnMapping: ("change", "delete", "view"),
            ForcePopulation: ("view",),
        }.get(model, ("add", "change", "delete", "view"))
        assert {f"{action}_{name}" for action in actions} <= editor, name
    assert {
        "import_callanswermonth",
        "import_recordedcrimefigure",
        "import_measurefigure",
        "import_offencecount",
        "import_outcomecount",
    } <= editor
    assert {"export_callanswermonth", "export_recordedcrimefigure", "export_measurefigure"} <= editor
    assert not {codename for codename in editor if codename.startswith("publish_")}
    assert "change_importlog" not in editor
    assert not {"add_forcepopulation", "change_forcepopulation", "delete_forcepopulation"} & editor


def test_publishers_add_change_and_delete_populations(db):
    assert {
        "add_forcepopulation",
        "change_forcepopulation",
        "delete_forcepopulation",
        "view_forcepopulation",
    } <= role_codenames("Publisher")


def test_publisher_can_do_what_an_editor_does_and_publish(db):
    publisher = role_codenames("Publisher")
    assert role_codenames("Editor") < publisher
    assert {codename for codename in publisher if codename.startswith("publish_")} == {
        "publish_callanswermonth",
        "publish_recordedcrimeperiod",
        "publish_reportingperiod",
        "publish_librarypage",
        "publish_document",
        "publish_meeting",
        *(f"publish_{model._meta.model_name}" for model in ALWAYS_PUBLIC),
    }
    assert not {codename for codename in publisher if codename.endswith(("_user", "_group"))}


def test_site_administrators_manage_staff_accounts_only(db):
    assert role_codenames("Site administrator") == {
        f"{action}_{model}" for model in ("user", "group") for action in ("add", "change", "delete", "view")
    }


def test_anonymous_user_is_sent_to_login(client, db):
    url = admin_url(CallAnswerMonth, "changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert f"next={url}" in response.url


def test_site_settings_is_a_singleton(client, editor, norfolk):
    SiteSettings.objects.create(office_name="Office of the PCC for Norfolk", home_force=norfolk)
    settings_row = SiteSettings.objects.get()
    assert status_and_heading(client.get(admin_url(SiteSettings, "add"))) == (403, "403 Forbidden")
    delete_url = reverse("admin:performance_sitesettings_delete", args=[settings_row.pk])
    assert status_and_heading(client.get(delete_url)) == (403, "403 Forbidden")
    change_url = reverse("admin:performance_sitesettings_change", args=[settings_row.pk])
    response = client.get(change_url)
    assert status_and_heading(response) == (200, "View site settings")  # an Editor reads it
    assert "Office of the PCC for Norfolk" in response.content.decode()  # the one row


def call_month_form(force, **overrides):
    data = {
        "force": force.pk,
        "month": "2023-01-01",
        "total_calls": "9933",
        "mean_answer_seconds": "7.45",
        "calls_under_10s": "",
        "calls_10_to_60s": "",
        "calls_60s_and_over": "",
        "pct_under_10s": "82.8",
        "pct_10_to_60s": "15.9",
        "pct_60s_and_over": "1.3",
        "ranks-TOTAL_FORMS": "1",
        "ranks-INITIAL_FORMS": "0",
        "ranks-0-scope": "national",
        "ranks-0-rank": "14",
        "ranks-0-out_of": "",
    }
    return {**data, **overrides}


def test_editor_adds_a_call_month(client, editor, norfolk):
    response = client.post(admin_url(CallAnswerMonth, "add"), call_month_form(norfolk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    month = CallAnswerMonth.objects.get()
    assert month.force == norfolk
    assert month.month == datetime.date(2023, 1, 1)
    assert month.pct_under_10s == Decimal("82.8")
    rank = month.ranks.get()
    assert (rank.scope, rank.rank, rank.source) == ("national", 14, CallAnswerRank.Source.ENTERED)


def test_band_percentages_must_add_up_to_100(client, editor, norfolk):
    percents = ["80", "15.9", "1.3"]
    form = call_month_form(
        norfolk, pct_under_10s=percents[0], pct_10_to_60s=percents[1], pct_60s_and_over=percents[2]
    )
    response = client.post(admin_url(CallAnswerMonth, "add"), form)
    message = calculations.band_percentages_problem(Decimal(p) for p in percents)
    assert message == (
        "The three band percentages add up to 97.2%; they should add up to 100% (allowing 0.5 for rounding)."
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["pct_under_10s"] == [message]
    assert message in response.content.decode()
    assert not CallAnswerMonth.objects.exists()


def test_call_month_changelist_shows_month_and_share(client, editor, norfolk):
    CallAnswerMonth.objects.create(
        publish_at=PUBLISHED,
        force=norfolk,
        month=datetime.date(2023, 1, 1),
        total_calls=9933,
        mean_answer_seconds=Decimal("7.40"),
        pct_under_10s=Decimal("82.8"),
        pct_10_to_60s=Decimal("15.9"),
        pct_60s_and_over=Decimal("1.3"),
    ).ranks.create(scope="national", rank=14)
    response = client.get(admin_url(CallAnswerMonth, "changelist"), {"month__year": "2023"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "January 2023" in content
    assert "82.8%" in content
    assert ">7.4<" in content
    assert "Norfolk" in content
    assert "14th / – / –" in content
