"""The admin in the words of the staff who use it: counts as whole numbers with separators, page
titles that name the task, and the import's button saying what it does."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from performance.models import (
    CallAnswerMonth,
    Force,
    Measure,
    MeasureFigure,
    PriorityArea,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingPeriod,
)
from tests.factories import PUBLISHED, staff
from tests.helpers import signed_in, status_and_heading


@pytest.fixture
def publisher(db, django_user_model):
    return signed_in(staff(django_user_model, "Publisher"))


@pytest.fixture
def norfolk(db):
    return Force.objects.create(name="Norfolk", full_name="Norfolk Constabulary", ons_code="E23000024")


def changelist(model) -> str:
    return reverse(f"admin:performance_{model._meta.model_name}_changelist")


@pytest.mark.parametrize(
    ("model", "title"),
    [
        (CallAnswerMonth, "999 months"),
        (ReportingPeriod, "NCPM quarters"),
        (RecordedCrimePeriod, "ONS periods"),
    ],
)
def test_the_period_lists_are_titled_with_the_task(publisher, model, title):
    response = publisher.get(changelist(model))
    assert status_and_heading(response) == (200, title)
    assert f"<title>{title} | " in response.content.decode()
    assert "to change" not in response.content.decode()


def test_the_999_month_list_shows_calls_as_a_whole_number(publisher, norfolk):
    CallAnswerMonth.objects.create(
        publish_at=PUBLISHED,
        force=norfolk,
        month=datetime.date(2023, 1, 1),
        total_calls=6533,
        mean_answer_seconds=Decimal("7.40"),
        pct_under_10s=Decimal("82.8"),
        pct_10_to_60s=Decimal("15.9"),
        pct_60s_and_over=Decimal("1.3"),
    )
    content = publisher.get(changelist(CallAnswerMonth)).content.decode()
    assert ">6,533<" in content
    assert "6533" not in content


def test_ncpm_figures_are_listed_as_published(publisher):
    area = PriorityArea.objects.create(name="Reduce Murder and Homicide")
    count = Measure.objects.create(priority_area=area, name="Homicide")
    share = Measure.objects.create(priority_area=area, name="Satisfied", unit=Measure.Unit.PERCENT, order=1)
    period = ReportingPeriod.objects.create(period_end=datetime.date(2023, 6, 30))
    MeasureFigure.objects.create(
        period=period, measure=count, latest=Decimal("6533.0"), previous=Decimal("12")
    )
    MeasureFigure.objects.create(
        period=period, measure=share, latest=Decimal("78.5"), previous=Decimal("80.0")
    )
    content = publisher.get(changelist(MeasureFigure)).content.decode()
    assert ">6,533<" in content and ">12<" in content
    assert ">78.5%<" in content and ">80%<" in content
    assert "6533.0" not in content and "12.0" not in content


def test_ons_totals_are_listed_as_whole_numbers(publisher, norfolk):
    period = RecordedCrimePeriod.objects.create(period_end=datetime.date(2023, 6, 30))
    RecordedCrimeFigure.objects.create(period=period, force=norfolk, total=65115)
    content = publisher.get(changelist(RecordedCrimeFigure)).content.decode()
    assert ">65,115<" in content


def test_the_import_button_says_it_previews_the_file(publisher):
    content = publisher.get(reverse("admin:performance_callanswermonth_import")).content.decode()
    assert 'value="Preview the file"' in content
    assert 'value="Submit"' not in content
    assert "Nothing is imported until you have seen the preview" in content  # the page it extends
