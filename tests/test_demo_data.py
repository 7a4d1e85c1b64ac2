import io

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from performance.models import CallAnswerMonth, Force, Measure, MeasureFigure


def snapshot() -> str:
    """Every row of every performance table, serialised: equal snapshots mean nothing changed."""
    models = apps.get_app_config("performance").get_models()
    return serializers.serialize("json", [obj for model in models for obj in model.objects.order_by("pk")])


@pytest.mark.django_db
def test_loading_the_demo_data_twice_changes_nothing():
    call_command("load_demo_data", stdout=io.StringIO())
    first = snapshot()
    call_command("load_demo_data", stdout=io.StringIO())
    assert snapshot() == first


@pytest.mark.django_db
def test_demo_data_holds_every_reference_figure(demo_data):
    assert Force.objects.count() == 46
    assert CallAnswerMonth.objects.count() == 23
    assert MeasureFigure.objects.count() == 12
    neighbourhood = Measure.objects.get(name="All neighbourhood crime")
    assert sorted(neighbourhood.components.values_list("name", flat=True)) == [
        "Residential burglary",
        "Robbery",
        "Theft from the person",
        "Vehicle offences",
    ]


@pytest.mark.django_db
def test_staff_account_is_created_once_with_a_random_password():
    out = io.StringIO()
    call_command("ensure_staff_user", stdout=out)
    password = out.getvalue().split("password: ")[1].split()[0]
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post("/admin/login/")
    assert authenticate(request, username="admin", password=password) is not None
    again = io.StringIO()
    call_command("ensure_staff_user", stdout=again)
    assert "changepassword admin" in again.getvalue()
    assert password not in again.getvalue()
