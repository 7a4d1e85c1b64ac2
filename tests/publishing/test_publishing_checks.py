"""What a Publisher is shown before publishing (``performance.publishing.checks``): each check
firing, and not firing, on small data built here."""

import datetime
from decimal import Decimal

import pytest

from performance.calls import checks as calls_checks
from performance.crime import checks as crime_checks
from performance.models import (
    CallAnswerMonth,
    CommissionerStatement,
    Force,
    ForcePopulation,
    Measure,
    MeasureFigure,
    MeasureFigureRevision,
    PriorityArea,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    RecordedCrimeRevision,
    ReportingPeriod,
    SiteSettings,
)
from performance.publishing import checks as publishing_checks
from tests.factories import PUBLISHED

JUNE = datetime.date(2023, 6, 30)


@pytest.fixture
def norfolk(db):
    force = Force.objects.create(name="Norfolk", full_name="Norfolk Constabulary", ons_code="E23000024")
    SiteSettings.objects.create(office_name="Office of the PCC for Norfolk", home_force=force)
    ForcePopulation.objects.create(force=force, year=2023, population=934000, source="ONS mid-2023")
    return force


@pytest.fixture
def area(db):
    return PriorityArea.objects.create(name="Reduce Serious Violence")


@pytest.fixture
def gbh(area):
    return Measure.objects.create(priority_area=area, name="Grievous Bodily Harm", offence_codes=["5D"])


@pytest.fixture
def quarter(db):
    return ReportingPeriod.objects.create(period_end=JUNE)


def messages(checks) -> list[str]:
    return [check.message for check in checks]


def with_statement(period):
    CommissionerStatement.objects.create(period=period, body="<p>Violence is level.</p>")
    return period


# --------------------------------------------------------------------------------------------
# A quarter
# --------------------------------------------------------------------------------------------


def test_a_quarter_without_a_statement_says_so_with_a_link_to_add_it(quarter):
    (check,) = crime_checks.reporting_period_checks(quarter)
    assert check.message.startswith("There is no Commissioner's statement for this quarter.")
    assert check.fix_url == f"/admin/performance/reportingperiod/{quarter.pk}/change/#statement-group"


def test_a_quarter_with_its_statement_and_ordinary_figures_has_no_checks(quarter, gbh):
    with_statement(quarter)
    MeasureFigure.objects.create(period=quarter, measure=gbh, latest=150, previous=100, baseline=90)
    assert publishing_checks.publishing_checks(quarter) == []


def test_a_measure_entered_by_hand_without_a_figure_is_named_with_a_link_to_add_it(quarter, area):
    with_statement(quarter)
    satisfaction = Measure.objects.create(
        priority_area=area, name="Victim satisfaction", unit=Measure.Unit.PERCENT
    )
    (check,) = crime_checks.reporting_period_checks(quarter)
    assert check.message == (
        "Victim satisfaction has no figure. It is entered by hand (the recorded crime open data "
        "does not give it), so someone needs to type it in."
    )
    assert check.fix_url == (
        f"/admin/performance/measurefigure/add/?period={quarter.pk}&measure={satisfaction.pk}"
    )


def test_a_counted_measure_without_a_figure_is_named(quarter, gbh):
    with_statement(quarter)
    assert messages(crime_checks.reporting_period_checks(quarter)) == [
        "Grievous Bodily Harm has no figure. It is counted from the recorded crime open data, which "
        "may not yet cover every quarter of these 12 months."
    ]


def test_figures_all_0_are_odd(quarter, gbh):
    with_statement(quarter)
    figure = MeasureFigure.objects.create(period=quarter, measure=gbh, latest=0, previous=0, baseline=0)
    (check,) = crime_checks.reporting_period_checks(quarter)
    assert check.message.startswith("Grievous Bodily Harm is 0 in the latest 12 months, the previous")
    assert check.fix_url == f"/admin/performance/measurefigure/{figure.pk}/change/"


def test_0_in_the_latest_year_alone_is_not_all_0(quarter, gbh):
    with_statement(quarter)
    MeasureFigure.objects.create(period=quarter, measure=gbh, latest=0, previous=0, baseline=3)
    assert crime_checks.reporting_period_checks(quarter) == []


def test_a_count_that_changed_by_more_than_the_threshold_is_odd(quarter, gbh):
    with_statement(quarter)
    MeasureFigure.objects.create(period=quarter, measure=gbh, latest=1510, previous=1000)
    assert messages(crime_checks.reporting_period_checks(quarter)) == [
        "Grievous Bodily Harm rose by 51% against the previous 12 months (1,000 to 1,510). Check "
        "the figures are right."
    ]


def test_a_change_of_exactly_the_threshold_is_not_odd(quarter, gbh):
    with_statement(quarter)
    assert publishing_checks.NCPM_CHANGE_WARNING_PERCENT == 50
    MeasureFigure.objects.create(period=quarter, measure=gbh, latest=500, previous=1000)
    assert crime_checks.reporting_period_checks(quarter) == []


def test_a_percentage_is_judged_in_points(quarter, area):
    with_statement(quarter)
    satisfaction = Measure.objects.create(priority_area=area, name="Victim satisfaction", unit="percent")
    figure = MeasureFigure.objects.create(period=quarter, measure=satisfaction, latest=60, previous=75)
    assert messages(crime_checks.reporting_period_checks(quarter)) == [
        "Victim satisfaction fell by 15 percentage points against the previous 12 months (75% to "
        "60%). Check the figures are right."
    ]
    figure.latest = 66
    figure.save()
    assert crime_checks.reporting_period_checks(quarter) == []


def test_pending_revisions_are_listed_with_their_notices(quarter, gbh):
    with_statement(quarter)
    MeasureFigure.objects.create(period=quarter, measure=gbh, latest=100, previous=100)
    MeasureFigureRevision.objects.create(
        period=quarter, measure=gbh, before_latest=100, before_previous=100, latest=110, previous=100
    )
    assert messages(crime_checks.reporting_period_checks(quarter)) == [
        "1 recomputed figure is waiting and will be applied: Grievous Bodily Harm: most recent 12 "
        "months from 100 to 110. The quarter page will say they were revised today."
    ]
    assert crime_checks.statement_to_reread(quarter) == quarter.statement


def test_applied_revisions_are_not_pending_and_leave_the_statement_alone(quarter, gbh):
    with_statement(quarter)
    MeasureFigure.objects.create(period=quarter, measure=gbh, latest=110, previous=100)
    MeasureFigureRevision.objects.create(
        period=quarter, measure=gbh, latest=110, previous=100, applied_at=PUBLISHED
    )
    assert crime_checks.reporting_period_checks(quarter) == []
    assert crime_checks.statement_to_reread(quarter) is None


# --------------------------------------------------------------------------------------------
# A 999 month
# --------------------------------------------------------------------------------------------


def call_month(force, month: datetime.date, *, calls=10000, under_10s="90.0", publish_at=None):
    under = Decimal(under_10s)
    return CallAnswerMonth.objects.create(
        force=force,
        month=month,
        total_calls=calls,
        mean_answer_seconds=7,
        pct_under_10s=under,
        pct_10_to_60s=100 - under - 1,
        pct_60s_and_over=1,
        publish_at=publish_at,
    )


def test_a_home_force_month_after_a_gap_names_the_missing_months(norfolk):
    call_month(norfolk, datetime.date(2023, 6, 1), publish_at=PUBLISHED)
    september = call_month(norfolk, datetime.date(2023, 9, 1))
    (check,) = calls_checks.call_answer_month_checks(september)
    assert check.message == (
        "No 999 figures are held for Norfolk for July 2023, August 2023, between the last published "
        "month (June 2023) and this one: the public table would have a gap."
    )
    assert check.fix_url == "/admin/performance/callanswermonth/import/"


def test_the_month_after_the_last_published_one_has_no_gap(norfolk):
    call_month(norfolk, datetime.date(2023, 8, 1), publish_at=PUBLISHED)
    september = call_month(norfolk, datetime.date(2023, 9, 1))
    assert calls_checks.call_answer_month_checks(september) == []


def test_calls_that_changed_by_more_than_the_threshold_are_odd(norfolk):
    call_month(norfolk, datetime.date(2023, 8, 1), calls=10000, publish_at=PUBLISHED)
    september = call_month(norfolk, datetime.date(2023, 9, 1), calls=16000)
    (check,) = calls_checks.call_answer_month_checks(september)
    assert check.message == (
        "Norfolk September 2023: 999 calls rose by 60% against August 2023 (10,000 to 16,000). "
        "Check the figure is right."
    )
    assert check.fix_url == f"/admin/performance/callanswermonth/{september.pk}/change/"


def test_calls_within_the_threshold_are_not_odd(norfolk):
    call_month(norfolk, datetime.date(2023, 8, 1), calls=10000, publish_at=PUBLISHED)
    september = call_month(norfolk, datetime.date(2023, 9, 1), calls=15000)
    assert calls_checks.call_answer_month_checks(september) == []


def test_an_answer_share_that_moved_by_more_than_the_threshold_is_odd(norfolk):
    call_month(norfolk, datetime.date(2023, 8, 1), under_10s="90.0", publish_at=PUBLISHED)
    september = call_month(norfolk, datetime.date(2023, 9, 1), under_10s="78.0")
    assert messages(calls_checks.call_answer_month_checks(september)) == [
        "Norfolk September 2023: the share of calls answered in under 10 seconds fell by 12 "
        "percentage points against August 2023 (90.0% to 78.0%). Check the figures are right.",
        "Norfolk September 2023: the share of calls answered in 10 to under 60 seconds rose by 12 "
        "percentage points against August 2023 (9.0% to 21.0%). Check the figures are right.",
    ]


def test_an_answer_share_within_the_threshold_is_not_odd(norfolk):
    call_month(norfolk, datetime.date(2023, 8, 1), under_10s="90.0", publish_at=PUBLISHED)
    september = call_month(norfolk, datetime.date(2023, 9, 1), under_10s="80.0")
    assert calls_checks.call_answer_month_checks(september) == []


# --------------------------------------------------------------------------------------------
# An ONS period
# --------------------------------------------------------------------------------------------


def test_an_ons_period_without_the_home_forces_figure_says_so(norfolk):
    period = RecordedCrimePeriod.objects.create(period_end=JUNE)
    RecordedCrimeFigure.objects.create(
        period=period, force=Force.objects.create(name="Suffolk", ons_code="E23000025"), total=50000
    )
    (check,) = crime_checks.recorded_crime_period_checks(period)
    assert check.message.startswith("There is no figure for Norfolk in this period")
    assert check.fix_url == "/admin/performance/recordedcrimefigure/import/"


def test_an_ons_period_without_the_home_forces_population_says_no_rate_is_shown(norfolk):
    ForcePopulation.objects.all().delete()
    period = RecordedCrimePeriod.objects.create(period_end=JUNE)
    RecordedCrimeFigure.objects.create(period=period, force=norfolk, total=65115)

    (check,) = publishing_checks.publishing_checks(period)

    assert check.message.startswith(
        "There is no mid-2023 population for Norfolk, so these figures show no rate per 1,000 residents."
    )
    assert check.fix_url == "/admin/performance/forcepopulation/"


def test_a_quarter_without_the_home_forces_population_says_no_rate_is_shown(norfolk, quarter, gbh):
    ForcePopulation.objects.all().delete()
    with_statement(quarter)
    MeasureFigure.objects.create(period=quarter, measure=gbh, latest=100, previous=100)

    assert messages(publishing_checks.publishing_checks(quarter)) == [
        "There is no mid-2023 population for Norfolk, so these figures show no rate per 1,000 residents. "
        "Add it (Force area populations: import the ONS estimates or type it with its source): the "
        "rates are computed as soon as it is saved."
    ]


def test_an_ons_total_with_no_earlier_total_known_has_no_checks(norfolk):
    period = RecordedCrimePeriod.objects.create(period_end=JUNE)
    RecordedCrimeFigure.objects.create(period=period, force=norfolk, total=65115)
    assert publishing_checks.publishing_checks(period) == []


def test_an_ons_total_that_changed_by_more_than_the_threshold_is_odd(norfolk):
    period = RecordedCrimePeriod.objects.create(period_end=JUNE)
    figure = RecordedCrimeFigure.objects.create(
        period=period, force=norfolk, total=65115, previous_total=50000, previous_source="Table P1"
    )
    (check,) = crime_checks.recorded_crime_period_checks(period)
    assert check.message == (
        "Norfolk's police recorded crime rose by 30% against a year earlier (50,000 to 65,115 "
        "offences). Check the figure is right."
    )
    assert check.fix_url == f"/admin/performance/recordedcrimefigure/{figure.pk}/change/"


def test_an_ons_total_within_the_threshold_is_not_odd(norfolk):
    period = RecordedCrimePeriod.objects.create(period_end=JUNE)
    RecordedCrimeFigure.objects.create(
        period=period, force=norfolk, total=65115, previous_total=69237, previous_source="open data"
    )
    assert crime_checks.recorded_crime_period_checks(period) == []


def test_an_ons_total_is_checked_against_the_year_before_that_publishing_would_apply(norfolk):
    period = RecordedCrimePeriod.objects.create(period_end=JUNE)
    RecordedCrimeFigure.objects.create(
        period=period, force=norfolk, total=65115, previous_total=69237, previous_source="open data"
    )
    RecordedCrimeRevision.objects.create(
        period=period,
        force=norfolk,
        before_previous_total=69237,
        previous_total=50000,
        previous_source="open data",
    )
    (check,) = crime_checks.recorded_crime_period_checks(period)
    assert "(50,000 to 65,115 offences)" in check.message


def test_content_without_registered_checks_has_none(db):
    from performance.models import LibraryPage

    assert publishing_checks.publishing_checks(LibraryPage(title="About", slug="about")) == []
