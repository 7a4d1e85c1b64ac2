"""The quarter's form is ready to write in: a commentary box for each priority area without one
(its area chosen) and a statement box while there is none; boxes left empty save nothing."""

import datetime

import pytest
from django.urls import reverse

from performance.crime.models.ncpm import (
    CommissionerStatement,
    PriorityArea,
    PriorityAreaCommentary,
    ReportingPeriod,
)
from tests.factories import staff
from tests.helpers import signed_in
from tests.test_authorization_matrix import served_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter(demo_data):
    return ReportingPeriod.objects.create(period_end=datetime.date(2023, 9, 30))


def test_a_new_quarter_offers_a_commentary_for_each_priority_area_and_a_statement(quarter, django_user_model):
    client = signed_in(staff(django_user_model, "Editor"))
    url = reverse("admin:performance_reportingperiod_change", args=[quarter.pk])
    page = client.get(url)
    areas = list(PriorityArea.objects.order_by("order", "name"))
    commentaries = page.context["inline_admin_formsets"][-1].formset
    assert [form.initial.get("priority_area") for form in commentaries.forms] == [area.pk for area in areas]
    statement = page.context["inline_admin_formsets"][0].formset
    assert len(statement.forms) == 1

    # Saved as served: nothing written in the boxes, nothing created.
    data = served_form_data(page)
    assert client.post(url, {**data, "_continue": "Save"}).status_code == 302
    assert not PriorityAreaCommentary.objects.filter(period=quarter).exists()
    assert not CommissionerStatement.objects.filter(period=quarter).exists()

    # One commentary and the statement written: those two are saved, for the right area.
    page = client.get(url)
    data = served_form_data(page)
    commentaries = page.context["inline_admin_formsets"][-1].formset
    data[f"{commentaries.forms[1].prefix}-body"] = "<p>Burglary fell.</p>"
    statement = page.context["inline_admin_formsets"][0].formset
    data[f"{statement.forms[0].prefix}-body"] = "<p>The figures show progress.</p>"
    response = client.post(url, {**data, "_continue": "Save"})
    assert response.status_code == 302
    (written,) = PriorityAreaCommentary.objects.filter(period=quarter)
    assert (written.priority_area, written.body) == (areas[1], "<p>Burglary fell.</p>")
    assert CommissionerStatement.objects.get(period=quarter).body == "<p>The figures show progress.</p>"
    # The next time, only the areas without a commentary are offered, and no second statement.
    page = client.get(url)
    offered = [
        form.initial.get("priority_area")
        for form in page.context["inline_admin_formsets"][-1].formset.extra_forms
    ]
    assert offered == [area.pk for area in areas if area != areas[1]]
    assert page.context["inline_admin_formsets"][0].formset.extra_forms == []
