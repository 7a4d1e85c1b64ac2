"""The bad-file catalogue: every file in tests/data/bad/ is refused whole, in words a staff member can act on.

Each case runs the real, non-dry-run import twice: through the resource (as the admin does) and through
the ``import_*`` command. Both must refuse with the exact message below and leave every table the imports
touch exactly as it was (same rows, same values, no ImportLog). Regenerate the files with
``.venv/bin/python tests/data/make_bad_files.py``.
each states how it should behave.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import time
from pathlib import Path

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from performance.calls.resources import CallAnswerMonthResource
from performance.crime.resources import MeasureFigureResource, RecordedCrimeFigureResource
from performance.imports.resources import SpreadsheetFormat
from performance.models import (
    CallAnswerMonth,
    CallAnswerRank,
    ImportLog,
    MeasureFigure,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingPeriod,
)
from tests.helpers import DATA

BAD = DATA / "bad"
_spec = importlib.util.spec_from_file_location("make_bad_files", DATA / "make_bad_files.py")
make_bad_files = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_bad_files)

RELEASES = {
    "999": (CallAnswerMonthResource, "import_999"),
    "ons": (RecordedCrimeFigureResource, "import_ons_p1"),
    "ncpm": (MeasureFigureResource, "import_ncpm"),
}
TABLES = (
    CallAnswerMonth,
    CallAnswerRank,
    RecordedCrimePeriod,
    RecordedCrimeFigure,
    ReportingPeriod,
    MeasureFigure,
    ImportLog,
)
ENCODING = (
    "The file's text could not be read (it is neither UTF-8 nor Windows-1252). "
    "Save it from Excel as 'CSV UTF-8' and try again."
)

# file in tests/data/bad -> the one message the staff member sees
CATALOGUE = {
    # --- whole-file problems -------------------------------------------------------------------
    "999-missing-total-calls-column.csv": 'The header row (row 1) is not right. Missing column: "Total calls".',
    "999-misspelt-header.csv": 'The header row (row 1) is not right. Missing column: "Total calls" '
    '(the file\'s columns this import does not read: "Totl Calls").',
    "999-empty.csv": "The file is empty.",
    "999-whitespace-only.csv": "The file is empty.",
    "999-header-only.csv": "The file has a header row but no data rows below it.",
    "999-png-named.csv": "This is not a spreadsheet. Upload the release as a CSV or Excel (.xlsx) file.",
    "999-pdf-named.xlsx": "This is not a spreadsheet. Upload the release as a CSV or Excel (.xlsx) file.",
    "999-truncated.xlsx": "The file could not be opened as an Excel workbook (.xlsx): it may be damaged or "
    "not really a workbook. Open it in Excel, save it again and retry.",
    "999-old-excel.xls": "This is an old-style Excel file (.xls). Open it in Excel and save it as .xlsx or CSV.",
    "999-stray-cell-row-1000000.xlsx": 'This file could not be read safely: its sheet "999 data" claims '
    "1,000,000 rows × 10 columns; a release has at most 100,000 rows and 200 columns. Nothing has been "
    "imported. If the table itself is smaller, delete the stray cells around it (or copy the table into a "
    "new workbook), save it and try again.",
    "999-not-utf8-or-cp1252.csv": ENCODING,
    # --- cell problems: row, column, value, reason -----------------------------------------------
    "999-negative-count.csv": 'Row 2, column "Calls answered in 60 seconds and over": "-59" '
    "is below zero; counts cannot be negative.",
    "999-fractional-count.csv": 'Row 2, column "Calls answered in 10 to under 60 seconds": "12.7" '
    "is not a whole number; counts of calls or offences cannot have a fraction.",
    "999-text-in-number.csv": 'Row 3, column "Total calls": "twelve" is not a number.',
    "999-percentage-over-100.csv": 'Row 2, column "% of calls answered in under 10 seconds": "185.3" '
    "is not a percentage from 0 to 100.",
    "999-shares-as-fractions.csv": 'Row 2, column "% of calls answered in under 10 seconds": "0.853" '
    "looks like a fraction: the three bands add up to 1, not 100. Give percentages from 0 to 100 (90 for 90%).",
    # Refused by the same check on SQLite and PostgreSQL (the suite runs on both).
    "999-band-counts-exceed-total.csv": "Row 2: The calls in the three bands add up to 10,933, but the total "
    'calls figure is 9,933 (columns "Calls answered in under 10 seconds" 8473, "Calls answered in 10 to '
    'under 60 seconds" 1401, "Calls answered in 60 seconds and over" 1059, "Total calls" 9933).',
    "999-band-percentages-not-100.csv": "Row 2: The three band percentages add up to 94.7%; they should add "
    'up to 100% (allowing 0.5 for rounding) (columns "% of calls answered in under 10 seconds" 80.0, '
    '"% of calls answered in 10 to under 60 seconds" 14.1, "% of calls answered in 60 seconds and over" 0.6).',
    # A BOM followed by Windows-1252 bytes is read as Windows-1252, so the name arrives intact.
    "999-bom-then-not-utf8.csv": 'Row 2, column "Force": "Norfolk Constabulary (café)" is not a force we '
    "know. Check the spelling, or add the name as an alias of the force in the admin.",
    "999-total-calls-too-big.csv": [
        'Row 2, column "Total calls": "3000000000" is too large to be a count; '
        "the largest this can hold is 2,147,483,647.",
        'Row 2, column "Calls answered in under 10 seconds": "3000000000" is too large to be a count; '
        "the largest this can hold is 2,147,483,647.",
    ],
    "999-mean-answer-too-big.csv": 'Row 2, column "Mean answer time (seconds)": "123456.7" is not a '
    "plausible answer time; it must be under 10,000 seconds.",
    "999-same-force-month-twice.csv": 'Row 4, column "Month": "October 2023" appears twice for Norfolk: '
    "rows 2 and 4. Each force and month may appear once.",
    "999-future-month.csv": 'Row 2, column "Month": "Jan-2099" is January 2099, which has not ended yet; '
    "a release only covers past months.",
    "999-excel-date-not-first.xlsx": 'Row 2, column "Month": "15/01/2023" is 15 January 2023, not the 1st '
    'of a month; give the month, e.g. "Jan-23" or 01/01/2023.',
    "999-month-day-first.csv": 'Row 2, column "Month": "02/01/2023" is 2 January 2023, not the 1st of a '
    'month; give the month, e.g. "Jan-23" or 01/01/2023.',
    "999-formula-force.csv": 'Row 2, column "Force": "=HYPERLINK("http://example.com","Norfolk")" '
    "is a spreadsheet formula; type the plain text instead.",
    "999-formula-force.xlsx": 'Row 2, column "Force": "=HYPERLINK("http://example.com","Norfolk")" '
    "is a spreadsheet formula; type the plain text instead.",
    "999-unknown-force.csv": 'Row 2, column "Force": "Narfolk Constabulary" is not a force we know. '
    "Check the spelling, or add the name as an alias of the force in the admin.",
    "999-empty-total-calls.csv": 'Row 2, column "Total calls": the cell is empty; it must be filled in.',
    "999-unreadable-month.csv": 'Row 2, column "Month": "Smarch 2023" is not a month we can read; '
    'use a form such as "Jan-23", "January 2023" or "2023-01".',
    "999-negative-mean-answer.csv": 'Row 2, column "Mean answer time (seconds)": "-7.45" is below zero; '
    "a time cannot be negative.",
    # --- ONS Table P1 ------------------------------------------------------------------------------
    "ons-p1-no-table-p1-sheet.xlsx": 'The workbook has no sheet called "Table P1". '
    'Its sheets are: "Cover sheet", "Table P2".',
    "ons-p1-no-title-row.csv": "The title above the table does not say which year it covers "
    '(e.g. "… year ending June 2025"). Upload the table as ONS publishes it, title row included.',
    "ons-p1-text-in-total.csv": 'Row 9, column "Total recorded crime (excluding fraud)": "58,881*" '
    "is not a number.",
    "ons-p1-unknown-area-code.csv": 'Row 9, column "Area Code": "E23009999" is not the ONS code of a '
    "police force area we know.",
    # --- NCPM template -----------------------------------------------------------------------------
    "ncpm-unknown-measure.csv": 'Row 4, column "Measure": "Knife crime offences" is not a measure we know. '
    "Use a measure's name exactly as it is in the admin.",
    "ncpm-missing-previous-column.csv": 'The header row (row 1) is not right. Missing column: "Previous 12 months".',
    "ncpm-percentage-over-100.csv": 'Row 4, column "Latest 12 months": "178" is not a percentage from 0 to 100.',
}

# Files the import code gets wrong: file -> (what a correct refusal looks like, what happens today).
# The pattern is matched against the whole message; each still names the row, column and value.


def tables_state() -> tuple[str, dict[str, int]]:
    """A sha256 of every row of the tables an import can touch, and their row counts."""
    digest = hashlib.sha256()
    counts = {}
    for model in TABLES:
        rows = model.objects.order_by("pk")
        digest.update(serializers.serialize("json", rows).encode())
        counts[model.__name__] = rows.count()
    return digest.hexdigest(), counts


def release_of(file_name: str):
    return RELEASES[file_name.split("-")[0]]


def resource_import(resource_class, data: bytes, file_name: str):
    dataset = SpreadsheetFormat().create_dataset(data)
    return resource_class().import_data(dataset, dry_run=False, file_name=file_name)


def resource_messages(result) -> list[str]:
    """What the admin shows: the refusal messages, then any row errors."""
    return [str(error.error) for error in result.base_errors] + [
        str(error.error) for _, errors in result.row_errors() for error in errors
    ]


def command_refusal(command: str, path: Path) -> str:
    with pytest.raises(CommandError) as refused:
        call_command(command, str(path), stdout=io.StringIO())
    return str(refused.value)


def command_text(messages: list[str]) -> str:
    return "The file was not imported; nothing has changed.\n" + "\n".join(f"- {m}" for m in messages)


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The demo office, loaded once for the module and rolled back after it; each test rolls back its own changes."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_once, db):
    assert CallAnswerMonth.objects.exists()
    return tables_state()


def assert_unchanged(before):
    assert tables_state() == before


# --------------------------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------------------------


def test_catalogue_covers_every_file_and_files_are_current():
    """Every committed bad file is in the catalogue, and matches what make_bad_files.py writes."""
    on_disk = {path.name for path in BAD.iterdir()}
    generated = make_bad_files.files()
    assert on_disk == set(CATALOGUE) | {"999-many-bad-rows.csv"}
    assert on_disk == set(generated)
    stale = [name for name, data in generated.items() if (BAD / name).read_bytes() != data]
    assert not stale, "Run .venv/bin/python tests/data/make_bad_files.py"


@pytest.mark.parametrize("file_name", sorted(CATALOGUE))
def test_bad_file_is_refused_and_changes_nothing(demo, file_name):
    resource_class, command = release_of(file_name)
    path = BAD / file_name
    expected = CATALOGUE[file_name]
    expected = expected if isinstance(expected, list) else [expected]

    result = resource_import(resource_class, path.read_bytes(), file_name)
    assert resource_messages(result) == expected
    assert result.totals.get("new", 0) == result.totals.get("update", 0) == 0
    assert_unchanged(demo)

    assert command_refusal(command, path) == command_text(expected + COMMAND_HINTS.get(file_name, []))
    assert_unchanged(demo)


# The command line says how to name a column the file holds under another heading (the admin
# asks instead: test_column_choices).
COMMAND_HINTS = {
    "999-misspelt-header.csv": [
        'If the file holds it under another heading, say which: --map "Total calls=HEADING".'
    ]
}


# --------------------------------------------------------------------------------------------
# Cases that need more than a message
# --------------------------------------------------------------------------------------------


def test_stray_cell_far_down_is_refused_without_reading_the_sheet(demo):
    path = BAD / "999-stray-cell-row-1000000.xlsx"
    started = time.perf_counter()
    result = resource_import(CallAnswerMonthResource, path.read_bytes(), path.name)
    assert time.perf_counter() - started < 1.0
    assert "claims 1,000,000 rows" in resource_messages(result)[0]
    assert_unchanged(demo)


def test_many_bad_rows_reports_the_first_fifty_and_counts_the_rest(demo):
    path = BAD / "999-many-bad-rows.csv"
    expected = [
        f'Row {row}, column "Total calls": "about {9000 + row - 2}" is not a number.' for row in range(2, 52)
    ]
    expected.append("… and 10 more problems.")

    result = resource_import(CallAnswerMonthResource, path.read_bytes(), path.name)
    assert resource_messages(result) == expected
    assert_unchanged(demo)

    assert command_refusal("import_999", path) == command_text(expected)
    assert_unchanged(demo)


def file_over_limit(size: int) -> bytes:
    """A plausible 999 file (the good rows, over and over) padded with blank lines to ``size`` bytes."""
    rows = make_bad_files.csv_bytes([make_bad_files.HEADER_999])
    line = make_bad_files.csv_bytes([make_bad_files.ROW_999])
    rows += line * ((size - len(rows)) // len(line))
    return rows + b"\r\n" * ((size - len(rows)) // 2) + b" " * ((size - len(rows)) % 2)


def test_file_over_five_megabytes_is_refused(demo, tmp_path):
    path = tmp_path / "999-six-megabytes.csv"
    path.write_bytes(file_over_limit(6 * 1024 * 1024))
    assert path.stat().st_size == 6 * 1024 * 1024
    expected = (
        "The file is 6,291,456 bytes, over the 5 MB (5,242,880 bytes) limit. Remove anything that is not "
        "part of the release and try again."
    )

    result = resource_import(CallAnswerMonthResource, path.read_bytes(), path.name)
    assert resource_messages(result) == [expected]
    assert_unchanged(demo)

    # The command checks the size before it reads the file, in the same words.
    assert command_refusal("import_999", path) == command_text([expected])
    assert_unchanged(demo)


def test_file_just_over_five_megabytes_says_it_is_over(demo):
    data = file_over_limit(5 * 1024 * 1024 + 1024)
    result = resource_import(CallAnswerMonthResource, data, "999-just-over.csv")
    (message,) = resource_messages(result)
    assert message.startswith("The file is 5,243,904 bytes, over the 5 MB (5,242,880 bytes) limit."), message
    assert_unchanged(demo)


# --------------------------------------------------------------------------------------------
# Controls: good files import, so the refusals above are specific
# --------------------------------------------------------------------------------------------


def test_good_999_file_imports(demo, tmp_path):
    header, norfolk, suffolk = (
        make_bad_files.HEADER_999,
        make_bad_files.ROW_999,
        make_bad_files.ROW_999_SUFFOLK,
    )
    path = tmp_path / "999-good.csv"
    path.write_bytes(make_bad_files.csv_bytes([header, norfolk, suffolk]))
    _, counts = demo

    result = resource_import(CallAnswerMonthResource, path.read_bytes(), path.name)
    assert resource_messages(result) == []
    assert result.totals["new"] == 2
    october = CallAnswerMonth.objects.get(force__name="Norfolk", month="2023-10-01")
    assert (october.total_calls, october.calls_60s_and_over, str(october.pct_under_10s)) == (9933, 59, "85.3")
    _, after = tables_state()
    assert after["CallAnswerMonth"] == counts["CallAnswerMonth"] + 2
    assert after["ImportLog"] == counts["ImportLog"] + 1


def test_importing_the_same_good_file_again_reports_rows_unchanged(demo, tmp_path):
    path = tmp_path / "999-good.csv"
    path.write_bytes(
        make_bad_files.csv_bytes(
            [make_bad_files.HEADER_999, make_bad_files.ROW_999, make_bad_files.ROW_999_SUFFOLK]
        )
    )
    call_command("import_999", str(path), stdout=io.StringIO())
    output = io.StringIO()
    call_command("import_999", str(path), stdout=output)
    assert output.getvalue() == (
        "Imported 999-good.csv (999 call answering (police.uk)): 0 new, 0 updated, 2 unchanged.\n"
    )
    assert (
        ImportLog.objects.order_by("pk").last().rows_updated,
        ImportLog.objects.order_by("pk").last().rows_unchanged,
    ) == (0, 2)


def test_good_ons_extract_imports(demo):
    path = DATA / "ons-table-p1-extract-ye-june-2025.csv"
    result = resource_import(RecordedCrimeFigureResource, path.read_bytes(), path.name)
    assert resource_messages(result) == []
    figure = RecordedCrimeFigure.objects.get(force__name="Norfolk", period__period_end="2025-06-30")
    assert figure.total == 58881


def test_good_ncpm_file_imports(demo):
    data = make_bad_files.csv_bytes([make_bad_files.NCPM_HEADER, *make_bad_files.NCPM_ROWS])
    result = resource_import(MeasureFigureResource, data, "ncpm-good.csv")
    assert resource_messages(result) == []
    assert result.totals["new"] == 2
    assert MeasureFigure.objects.filter(period__period_end="2023-09-30").count() == 2
