"""The ONS headline compares the latest year with the year before *as one release has it*, and
what the public sees moves only when a Publisher publishes it.

Table P1 holds only the latest year, so the year before comes from the recorded crime open data
of the same release (revised), else from the Table P1 imported a year earlier (as first
published). It is computed when data is imported and stored on the figure; a published figure's
change waits for a Publisher. Norfolk's releases show why it matters: the year to June 2022 was
first published as 69,262 and, a year later, compared as 69,237 (the reference page's figure).

The open-data files are generated in the published layout (tests/data/make_recorded_crime_files.py);
the expected totals are summed here from the rows the generator wrote."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from performance.crime import ons
from performance.crime.recorded_crime import RELEASE_NAME, release_import
from performance.crime.resources import RecordedCrimeFigureResource
from performance.imports.resources import SpreadsheetFormat
from performance.models import (
    Force,
    ImportLog,
    Offence,
    OffenceCount,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    RecordedCrimeRevision,
)
from performance.publishing import gate as publication
from performance.shared import calculations
from tests.data import make_recorded_crime_files as files
from tests.factories import PUBLISHED

MARCH_2024 = datetime.date(2024, 3, 31)
MARCH_2025 = datetime.date(2025, 3, 31)
RELEASE_DAY = datetime.date(2025, 7, 24)  # as the generated workbook's cover sheet says


@pytest.fixture
def norfolk(db):
    return Force.objects.create(name="Norfolk", full_name="Norfolk Constabulary", ons_code="E23000024")


@pytest.fixture
def workbook(tmp_path):
    sheets = files.release_sheets(years=["2023_24", "2024_25"], forces=["Norfolk "])
    sheets["Cover sheet"].append([f"Published: {RELEASE_DAY.day} {RELEASE_DAY:%B %Y}"])
    return sheets, files.write_xlsx(sheets, tmp_path / "prc-pfa-tables.xlsx")


def norfolk_year_2023_24(sheets) -> int:
    """Norfolk's offences in the 2023_24 sheet, fraud excluded, summed from the generator's rows."""
    return sum(
        row[7] for row in sheets["2023_24"][1:] if row[2].strip() == "Norfolk" and "Fraud" not in row[4]
    )


def p1_period(norfolk, period_end, total, *, published_on=None, publish_at=None, **year_before):
    period = RecordedCrimePeriod.objects.create(
        period_end=period_end, published_on=published_on, publish_at=publish_at
    )
    return RecordedCrimeFigure.objects.create(period=period, force=norfolk, total=total, **year_before)


def import_file(path, **options):
    with open(path, "rb") as opened:
        return release_import(opened, file_name=path.name, **options)


def test_a_draft_period_compares_with_the_open_data_of_its_own_release(norfolk, workbook):
    sheets, path = workbook
    figure = p1_period(norfolk, MARCH_2025, 65_115, published_on=RELEASE_DAY)

    summary = import_file(path)

    assert summary.imported and summary.published_on == RELEASE_DAY
    assert "Release: published 24 July 2025 (from the file's notes)." in summary.lines()
    assert ImportLog.objects.get(resource=RELEASE_NAME).release_published_on == RELEASE_DAY
    figure.refresh_from_db()
    expected = norfolk_year_2023_24(sheets)
    assert (figure.previous_total, figure.previous_source, figure.previous_release_on) == (
        expected,
        "open data",
        RELEASE_DAY,
    )
    headline = RecordedCrimeFigure.objects.headline_for(norfolk, preview=True)
    assert headline.sentence == calculations.ons_headline_sentence("Norfolk", 65_115, expected)
    assert headline.source_sentence == (
        "Both years come from that release: the year before as revised in it, not as first published."
    )


def test_open_data_of_another_release_leaves_the_period_as_its_release_had_it(norfolk, workbook):
    _, path = workbook
    figure = p1_period(norfolk, MARCH_2025, 65_115, published_on=datetime.date(2025, 4, 24))

    import_file(path)

    figure.refresh_from_db()
    assert (figure.previous_total, figure.previous_source) == (None, "")


def test_a_published_headline_moves_only_when_a_publisher_publishes_it(norfolk, workbook, editor, publisher):
    sheets, path = workbook
    figure = p1_period(
        norfolk,
        MARCH_2025,
        65_115,
        published_on=RELEASE_DAY,
        publish_at=PUBLISHED,
        previous_total=69_262,
        previous_source="Table P1",
    )
    before = RecordedCrimeFigure.objects.headline_for(norfolk).sentence

    with publication.acting_as(editor):
        assert import_file(path, user=editor).imported

    assert RecordedCrimeFigure.objects.headline_for(norfolk).sentence == before
    revision = RecordedCrimeRevision.objects.pending().get()
    expected = norfolk_year_2023_24(sheets)
    assert revision.notice == f"Norfolk: the year before changed from 69,262 to {expected:,} offences"
    with pytest.raises(PermissionDenied):
        ons.ons_revisions_apply(period=figure.period, user=editor)
    assert RecordedCrimeFigure.objects.headline_for(norfolk).sentence == before

    assert ons.ons_revisions_apply(period=figure.period, user=publisher) == 1

    headline = RecordedCrimeFigure.objects.headline_for(norfolk)
    assert headline.previous_total == expected
    assert headline.revision_notices() == [
        calculations.revised_on_text(
            timezone.localdate(), f"the year before changed from 69,262 to {expected:,} offences"
        )
    ]
    assert not RecordedCrimeRevision.objects.pending().exists()


def test_the_same_data_again_withdraws_a_waiting_revision(norfolk, workbook):
    sheets, path = workbook
    p1_period(
        norfolk,
        MARCH_2025,
        65_115,
        published_on=RELEASE_DAY,
        publish_at=PUBLISHED,
        previous_total=norfolk_year_2023_24(sheets),
        previous_source="open data",
        previous_release_on=RELEASE_DAY,
    )

    import_file(path)

    assert not RecordedCrimeRevision.objects.exists()


def test_without_open_data_the_table_p1_of_a_year_earlier_is_used_and_said(norfolk):
    p1_period(norfolk, MARCH_2024, 69_262, published_on=datetime.date(2024, 7, 18), publish_at=PUBLISHED)
    data = (
        b"Table P1: Police recorded crime by police force area, year ending March 2025\r\n"
        b"Area Code,Area Name,Total recorded crime (excluding fraud)\r\n"
        b"E23000024,Norfolk,65115\r\n"
    )

    result = RecordedCrimeFigureResource().import_data(
        SpreadsheetFormat().create_dataset(data), file_name="p1-2025-07-24.csv"
    )

    assert not result.has_errors()
    figure = RecordedCrimeFigure.objects.get(period__period_end=MARCH_2025)
    assert figure.period.published_on == RELEASE_DAY  # from the file's name
    assert (figure.previous_total, figure.previous_source) == (69_262, "Table P1")
    assert RecordedCrimeFigure.objects.headline_for(norfolk, preview=True).source_sentence == (
        "The year before is as first published on 18 July 2024; it may have been revised since."
    )


def test_a_file_that_does_not_say_when_it_was_published_is_asked_about(norfolk, tmp_path):
    sheets = files.release_sheets(years=["2024_25"], forces=["Norfolk "])
    path = files.write_csv(sheets["2024_25"], tmp_path / "recorded-crime.csv")

    summary = import_file(path, dry_run=True)
    entered = import_file(path, dry_run=True, published_on=RELEASE_DAY)

    assert summary.published_on is None
    assert summary.lines()[0].startswith("The file does not say when it was published. Enter the day")
    assert (entered.published_on, entered.lines()[0]) == (
        RELEASE_DAY,
        "Release: published 24 July 2025 (as entered).",
    )


def open_data(force, period_end, total):
    """Counts for the four quarters of the 12 months to ``period_end`` adding up to ``total``,
    with fraud recorded as well (ONS's total excludes it)."""
    theft = Offence.objects.get_or_create(
        code="49", description="Other theft", group="Theft offences", subgroup="Other theft offences"
    )[0]
    fraud = Offence.objects.get_or_create(
        code="53", description="Fraud", group="Fraud offences", subgroup="Fraud"
    )[0]
    for number, quarter_end in enumerate(calculations.twelve_month_quarter_ends(period_end)):
        share = total // 4 if number < 3 else total - 3 * (total // 4)
        OffenceCount.objects.create(force=force, quarter_end=quarter_end, offence=theft, count=share)
        OffenceCount.objects.create(force=force, quarter_end=quarter_end, offence=fraud, count=7)


def test_year_totals_leave_out_fraud_and_sum_the_four_quarters(norfolk):
    open_data(norfolk, MARCH_2025, 65_115)
    assert OffenceCount.objects.year_totals(MARCH_2025) == {norfolk.pk: 65_115}


@pytest.mark.parametrize(
    ("open_data_release", "warned"), [(RELEASE_DAY, True), (datetime.date(2025, 4, 24), False)]
)
def test_a_table_p1_total_is_checked_against_the_open_data_of_the_same_release(
    norfolk, open_data_release, warned
):
    open_data(norfolk, MARCH_2025, 65_100)
    ImportLog.objects.create(
        resource=RELEASE_NAME, file_name="x.ods", sha256="0", release_published_on=open_data_release
    )
    data = (
        b"Table P1: Police recorded crime by police force area, year ending March 2025\r\n"
        b"Area Code,Area Name,Total recorded crime (excluding fraud)\r\n"
        b"E23000024,Norfolk,65115\r\n"
    )

    result = RecordedCrimeFigureResource().import_data(
        SpreadsheetFormat().create_dataset(data), dry_run=True, file_name="p1-2025-07-24.csv"
    )

    mismatch = (
        "Norfolk: Table P1 gives 65,115 offences for the year ending March 2025; the recorded crime "
        "open data of the same release adds up to 65,100 for the same 12 months. Check the files."
    )
    assert result.release_warnings[0] == "Release: published 24 July 2025 (from the file's name)."
    assert (mismatch in result.release_warnings) is warned


def test_a_waiting_revision_is_shown_on_its_periods_admin_page_and_applied_by_publishing(
    norfolk, client, publisher
):
    figure = p1_period(
        norfolk, MARCH_2025, 65_115, publish_at=PUBLISHED, previous_total=69_262, previous_source="Table P1"
    )
    RecordedCrimeRevision.objects.create(
        period=figure.period, force=norfolk, before_previous_total=69_262, previous_total=69_237
    )
    client.force_login(publisher)

    page = client.get(f"/admin/performance/recordedcrimeperiod/{figure.period.pk}/change/").content.decode()
    assert "Norfolk: the year before changed from 69,262 to 69,237 offences" in page

    client.post(
        "/admin/performance/recordedcrimeperiod/",
        {"action": "publish_now", "_selected_action": [figure.period.pk]},
    )

    figure.refresh_from_db()
    assert figure.previous_total == 69_237
    assert figure.period.publish_at == PUBLISHED  # first published date kept


P1_MARCH_2025 = (
    b"Table P1: Police recorded crime by police force area, year ending March 2025\r\n"
    b"Area Code,Area Name,Total recorded crime (excluding fraud)\r\nE23000024,Norfolk,65115\r\n"
)


def test_a_table_p1_without_its_release_day_takes_the_periods_or_asks_for_it(norfolk):
    def first_warning():
        result = RecordedCrimeFigureResource().import_data(
            SpreadsheetFormat().create_dataset(P1_MARCH_2025), dry_run=True, file_name="p1.csv"
        )
        return result.release_warnings[0]

    assert first_warning().startswith(
        'The file does not say when ONS published it. Enter the day under "published on"'
    )

    RecordedCrimePeriod.objects.create(period_end=MARCH_2025, published_on=RELEASE_DAY)
    assert first_warning() == "Release: published 24 July 2025 (as the ONS period already has it)."
