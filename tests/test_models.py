"""The database guards the figures; clean() explains in words a staff member understands."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from performance.models import (
    CallAnswerMonth,
    Force,
    Measure,
    MeasureFigure,
    PriorityArea,
    RecordedCrimePeriod,
    ReportingPeriod,
    SiteSettings,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def force():
    return Force.objects.create(name="Norfolk", full_name="Norfolk Constabulary", ons_code="E23000024")


def month(force, **values):
    defaults = {
        "force": force,
        "month": datetime.date(2023, 1, 1),
        "total_calls": 9933,
        "mean_answer_seconds": Decimal("7.45"),
        "pct_under_10s": Decimal("85.3"),
        "pct_10_to_60s": Decimal("14.1"),
        "pct_60s_and_over": Decimal("0.6"),
    }
    return CallAnswerMonth(**{**defaults, **values})


def messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def test_a_published_month_is_valid(force):
    month(force).full_clean()


def test_band_percentages_must_add_up_to_100(force):
    with pytest.raises(ValidationError) as caught:
        month(force, pct_60s_and_over=Decimal("3.0")).full_clean()
    assert messages(caught.value)["pct_under_10s"] == [
        "The three band percentages add up to 102.4%; they should add up to 100% (allowing 0.5 for rounding)."
    ]


def test_band_counts_must_add_up_to_the_total(force):
    row = month(force, calls_under_10s=8473, calls_10_to_60s=1401, calls_60s_and_over=100)
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert messages(caught.value)["calls_under_10s"] == [
        "The calls in the three bands add up to 9,974, but the total calls figure is 9,933."
    ]


def test_counts_that_disagree_with_published_percentages_are_refused(force):
    row = month(force, calls_under_10s=8000, calls_10_to_60s=1874, calls_60s_and_over=59)
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert messages(caught.value)["pct_under_10s"] == [
        "8,000 of 9,933 calls is 80.5%, but the percentage entered is 85.3%."
    ]


def test_counts_alone_are_enough(force):
    row = month(
        force,
        pct_under_10s=None,
        pct_10_to_60s=None,
        pct_60s_and_over=None,
        calls_under_10s=8473,
        calls_10_to_60s=1401,
        calls_60s_and_over=59,
    )
    row.full_clean()
    assert round(row.band_percent("under_10s"), 1) == Decimal("85.3")


def test_some_but_not_all_band_percentages_is_refused(force):
    with pytest.raises(ValidationError) as caught:
        month(force, pct_60s_and_over=None).full_clean()
    assert messages(caught.value)["pct_under_10s"] == ["Enter all three band percentages, or none of them."]


def test_percentage_over_100_is_refused_by_the_form_and_the_database(force):
    with pytest.raises(ValidationError) as caught:
        month(force, pct_under_10s=Decimal("185.3")).full_clean()
    assert "pct_under_10s" in messages(caught.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        month(force, pct_under_10s=Decimal("185.3")).save()


def test_negative_mean_answer_time_is_refused_by_the_database(force):
    with pytest.raises(IntegrityError), transaction.atomic():
        month(force, mean_answer_seconds=Decimal("-1")).save()


def test_one_row_per_force_and_month(force):
    month(force).save()
    with pytest.raises(ValidationError) as caught:
        month(force).full_clean()
    assert "already exists" in str(caught.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        month(force).save()


def test_month_must_be_stored_as_its_first_day(force):
    with pytest.raises(IntegrityError), transaction.atomic():
        month(force, month=datetime.date(2023, 1, 15)).save()


def test_a_ncpm_count_must_be_a_whole_number():
    area = PriorityArea.objects.create(name="Reduce Serious Violence")
    measure = Measure.objects.create(priority_area=area, name="Grievous Bodily Harm")
    period = ReportingPeriod.objects.create(period_end=datetime.date(2023, 6, 30))
    figure = MeasureFigure(period=period, measure=measure, latest=Decimal("12.7"), previous=628, baseline=454)
    with pytest.raises(ValidationError) as caught:
        figure.full_clean()
    assert messages(caught.value)["latest"] == ["12.7 is not a whole number of offences."]


def test_a_percentage_measure_cannot_exceed_100():
    area = PriorityArea.objects.create(name="Improve satisfaction among victims")
    measure = Measure.objects.create(priority_area=area, name="Satisfaction", unit=Measure.Unit.PERCENT)
    period = ReportingPeriod.objects.create(period_end=datetime.date(2023, 6, 30))
    figure = MeasureFigure(period=period, measure=measure, latest=178, previous=77, baseline=79)
    with pytest.raises(ValidationError) as caught:
        figure.full_clean()
    assert messages(caught.value)["latest"] == ["178 is not a percentage: enter a number from 0 to 100."]


def test_reporting_period_defaults_its_comparison_periods():
    period = ReportingPeriod.objects.create(period_end=datetime.date(2023, 6, 30))
    assert period.previous_period_end == datetime.date(2022, 6, 30)
    assert period.baseline_period_end == datetime.date(2019, 6, 30)
    assert str(period) == "12 months to 30 June 2023"


def test_baseline_after_the_latest_period_is_refused():
    period = ReportingPeriod(
        period_end=datetime.date(2023, 6, 30), baseline_period_end=datetime.date(2024, 6, 30)
    )
    with pytest.raises(ValidationError) as caught:
        period.full_clean()
    assert messages(caught.value)["baseline_period_end"] == [
        "The baseline must end before the latest 12 months."
    ]


def test_ons_next_release_must_follow_publication(force):
    headline = RecordedCrimePeriod(
        period_end=datetime.date(2023, 6, 30),
        published_on=datetime.date(2023, 10, 19),
        next_release_on=datetime.date(2023, 10, 1),
    )
    with pytest.raises(ValidationError) as caught:
        headline.full_clean()
    assert messages(caught.value)["next_release_on"] == [
        "The next release must be after this one was published."
    ]


def test_there_is_only_one_site_settings_row(force):
    SiteSettings(office_name="First", home_force=force).save()
    SiteSettings(office_name="Second", home_force=force).save()
    assert list(SiteSettings.objects.values_list("office_name", flat=True)) == ["Second"]


def test_force_names_match_through_aliases(force):
    force.aliases.create(alias="Norfolk Police")
    lookup = Force.objects.name_lookup()
    assert lookup["norfolk constabulary"] == force
    assert lookup["norfolk police"] == force


def test_every_field_staff_fill_in_has_help_text():
    from django.apps import apps

    missing = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("performance").get_models()
        if not model.__name__.startswith("Historical")  # history rows are written, never filled in
        for field in model._meta.get_fields()
        if getattr(field, "editable", False)
        and not field.auto_created
        and not getattr(field, "help_text", "x")
    ]
    assert missing == []
