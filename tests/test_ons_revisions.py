"""The ONS headline compares the latest year with the year before *as revised*: Table P1 holds
only the latest year, so the year before comes from the recorded crime open data held now.

Norfolk's releases show why: the year to June 2022 was first published as 69,262 and, a year
later, compared as 69,237 (the figure the reference page uses)."""

import datetime

import pytest

from performance import calculations
from performance.models import (
    Force,
    Offence,
    OffenceCount,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
)
from performance.resources import RecordedCrimeFigureResource, SpreadsheetFormat
from tests.factories import PUBLISHED

JUNE_2022 = datetime.date(2022, 6, 30)
JUNE_2023 = datetime.date(2023, 6, 30)


@pytest.fixture
def norfolk(db):
    return Force.objects.create(name="Norfolk", full_name="Norfolk Constabulary", ons_code="E23000024")


def table_p1(norfolk, period_end, total):
    period = RecordedCrimePeriod.objects.create(period_end=period_end, publish_at=PUBLISHED)
    return RecordedCrimeFigure.objects.create(period=period, force=norfolk, total=total)


def open_data(force, period_end, total, *, quarters=4):
    """Counts for the quarters of the 12 months to ``period_end`` adding up to ``total``, split
    over two offences, with fraud recorded as well (ONS's total excludes it)."""
    theft = Offence.objects.get_or_create(
        code="49", description="Other theft", group="Theft offences", subgroup="Other theft offences"
    )[0]
    assault = Offence.objects.get_or_create(
        code="8N",
        description="Assault with injury",
        group="Violence against the person",
        subgroup="Violence with injury",
    )[0]
    fraud = Offence.objects.get_or_create(
        code="53", description="Fraud", group="Fraud offences", subgroup="Fraud"
    )[0]
    ends = calculations.twelve_month_quarter_ends(period_end)[:quarters]
    for number, quarter_end in enumerate(ends):
        share = total // 4 if number < 3 else total - 3 * (total // 4)
        OffenceCount.objects.create(force=force, quarter_end=quarter_end, offence=theft, count=share - 100)
        OffenceCount.objects.create(force=force, quarter_end=quarter_end, offence=assault, count=100)
        OffenceCount.objects.create(force=force, quarter_end=quarter_end, offence=fraud, count=7)


def test_the_year_before_is_compared_as_revised_not_as_first_published(norfolk):
    table_p1(norfolk, JUNE_2022, 69_262)  # as first published, in October 2022
    table_p1(norfolk, JUNE_2023, 65_115)  # a year later
    open_data(norfolk, JUNE_2022, 69_237)  # the year to June 2022 as the 2023 release has it

    headline = RecordedCrimeFigure.objects.headline_for(norfolk)

    assert (headline.previous_total, headline.previous_source) == (69_237, "open data")
    assert headline.sentence == (
        "police recorded crime (excluding fraud) in Norfolk decreased during this period by 6% "
        "(69,237 offences to 65,115)"
    )


def test_without_open_data_for_the_whole_year_the_earlier_table_is_used(norfolk):
    table_p1(norfolk, JUNE_2022, 69_262)
    table_p1(norfolk, JUNE_2023, 65_115)
    open_data(norfolk, JUNE_2022, 69_237, quarters=3)  # a quarter missing: no total from it

    headline = RecordedCrimeFigure.objects.headline_for(norfolk)

    assert (headline.previous_total, headline.previous_source) == (69_262, "Table P1")
    assert OffenceCount.objects.year_totals(JUNE_2022) == {}


def test_year_totals_leave_out_fraud_and_sum_the_four_quarters(norfolk):
    open_data(norfolk, JUNE_2023, 65_115)
    assert OffenceCount.objects.year_totals(JUNE_2023) == {norfolk.pk: 65_115}
    assert OffenceCount.objects.filter(force=norfolk).count() == 12


def test_a_table_p1_total_that_differs_from_the_open_data_is_flagged(norfolk):
    open_data(norfolk, JUNE_2023, 65_100)
    data = (
        b"Table P1: Police recorded crime by police force area, year ending June 2023\r\n"
        b"Area Code,Area Name,Total recorded crime (excluding fraud)\r\n"
        b"E23000024,Norfolk,65115\r\n"
    )

    result = RecordedCrimeFigureResource().import_data(
        SpreadsheetFormat().create_dataset(data), dry_run=True, file_name="p1.csv"
    )

    assert result.release_warnings == [
        "Norfolk: Table P1 gives 65,115 offences for the year ending June 2023; the recorded crime "
        "open data held adds up to 65,100 for the same 12 months. Check that both come from the same release."
    ]
