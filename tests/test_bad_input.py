"""Bad input that once got through: each is refused in words a staff member understands (or
answered with the right status), and changes nothing."""

from __future__ import annotations

import csv
import datetime
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from performance.calls.resources import CallAnswerMonthResource
from performance.crime import recorded_crime
from performance.crime.recorded_crime import release_import
from performance.crime.resources import MeasureFigureResource, RecordedCrimeFigureResource
from performance.imports import untrusted
from performance.imports.filechecks import bytes_text
from performance.imports.resources import SpreadsheetFormat
from performance.models import CallAnswerMonth, Document, DocumentCategory, ReportingPeriod
from tests.helpers import ROOT, status_and_heading
from tests.test_authorization_matrix import database_fingerprint

CALLS_HEADER = [
    "Force",
    "Month",
    "Total calls",
    "Mean answer time (seconds)",
    "Calls answered in under 10 seconds",
    "Calls answered in 10 to under 60 seconds",
    "Calls answered in 60 seconds and over",
]
NCPM_HEADER = ["Measure", "12 months ending", "Latest 12 months", "Previous 12 months", "2019 baseline"]
ONS_HEADER = ["Area Code", "Area Name", "Total recorded crime (excluding fraud)"]
ONS_TITLE = "Table P1: Police recorded crime by police force area, England and Wales, year ending {}"


def csv_bytes(rows: list[list]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode()


def refusal(resource_class, data: bytes, file_name: str) -> list[str]:
    """The messages an import of ``data`` is refused with (none if it imported)."""
    dataset = SpreadsheetFormat().create_dataset(data)
    result = resource_class().import_data(dataset, dry_run=False, file_name=file_name)
    return [str(error.error) for error in result.base_errors] + [
        str(error.error) for _, errors in result.row_errors() for error in errors
    ]


def zip_with_parts(parts: dict[str, tuple[bytes, int]]) -> bytes:
    """A small zip whose parts unpack to ``chunk * repeat`` bytes each (written in pieces)."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, (chunk, repeat) in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                block = chunk * max(1, (1024 * 1024) // len(chunk))
                whole, rest = divmod(repeat * len(chunk), len(block))
                for _ in range(whole):
                    part.write(block)
                part.write(chunk * (rest // len(chunk)))
    return packed.getvalue()


def unpacked_sizes(data: bytes) -> tuple[int, str, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
    largest = max(parts, key=lambda part: part.file_size)
    return sum(part.file_size for part in parts), largest.filename, largest.file_size


def part_refusal(data: bytes, bounds: dict) -> str:
    """The refusal of a workbook whose largest part unpacks past what a release's part may."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        largest = max(archive.infolist(), key=lambda part: part.file_size)
    return (
        f"This file could not be read safely: its part {largest.filename} would unpack to "
        f"{bytes_text(largest.file_size)} ({largest.file_size:,} bytes) from "
        f"{bytes_text(largest.compress_size)}; a release has parts of at most "
        f"{bytes_text(bounds['part_bytes'])}. {untrusted.RELEASE_ADVICE}"
    )


# --------------------------------------------------------------------------------------------
# 1. Decimals checked after rounding, against the column
# --------------------------------------------------------------------------------------------


def test_999_mean_answer_time_that_rounds_past_the_column_is_refused_and_changes_nothing(demo_data):
    # Given a 999 file whose mean answer time is under 10,000 seconds but rounds to 10,000.00
    data = csv_bytes([CALLS_HEADER, ["Norfolk", "Jan-23", 9933, "9999.995", 8473, 1400, 60]])
    before = database_fingerprint()

    # When it is imported
    messages = refusal(CallAnswerMonthResource, data, "999-mean-rounds-over.csv")

    # Then it is refused by row, column, value and reason, and nothing changes
    assert messages == [
        'Row 2, column "Mean answer time (seconds)": "9999.995" rounds to 10,000.00 (2 decimal places), '
        "too large to be held here; the largest this column holds is 9,999.99."
    ]
    assert database_fingerprint() == before
    assert not CallAnswerMonth.objects.filter(mean_answer_seconds__gte=10_000).exists()


# --------------------------------------------------------------------------------------------
# 2. Workbooks that expand when unpacked
# --------------------------------------------------------------------------------------------


def test_workbooks_that_unpack_far_beyond_their_size_are_refused_before_parsing(demo_data):
    # Given XLSX files of a megabyte or two: a sheet of 60 MB of padding, 20 million shared strings,
    # and a workbook of more parts than any release has
    padded_sheet = zip_with_parts(
        {
            "[Content_Types].xml": (b"<Types/>", 1),
            "xl/worksheets/sheet1.xml": (b"<c/>", 15 * 1024 * 1024),
        }
    )
    shared_strings = zip_with_parts(
        {"[Content_Types].xml": (b"<Types/>", 1), "xl/sharedStrings.xml": (b"<si><t/></si>", 20_000_000)}
    )
    many_parts = zip_with_parts(
        {f"xl/media/image{n}.png": (b"x", 1) for n in range(untrusted.RELEASE_SHEET["parts"] + 1)}
    )
    assert max(len(padded_sheet), len(shared_strings)) < 2 * 1024 * 1024  # well under the 5 MB limit
    before = database_fingerprint()

    # When each is imported, Then it is refused in words and nothing changes
    assert refusal(CallAnswerMonthResource, padded_sheet, "999-padded.xlsx") == [
        part_refusal(padded_sheet, untrusted.RELEASE_SHEET)
    ]
    assert refusal(CallAnswerMonthResource, shared_strings, "999-strings.xlsx") == [
        part_refusal(shared_strings, untrusted.RELEASE_SHEET)
    ]
    parts = untrusted.RELEASE_SHEET["parts"]
    assert refusal(MeasureFigureResource, many_parts, "ncpm-parts.xlsx") == [
        f"This file could not be read safely: it is made of {parts + 1:,} parts, more than the "
        f"{parts:,} a release could need. {untrusted.RELEASE_ADVICE}"
    ]
    assert database_fingerprint() == before


def test_open_data_workbook_that_unpacks_beyond_its_bound_is_refused_before_parsing(demo_data):
    # Given an ODS of a few megabytes whose content.xml unpacks to over a gigabyte
    limit = untrusted.RECORDED_CRIME["part_bytes"]
    bomb = zip_with_parts(
        {
            "mimetype": (b"application/vnd.oasis.opendocument.spreadsheet", 1),
            "content.xml": (b" " * 1024, limit // 1024 + 1),
        }
    )
    assert len(bomb) < recorded_crime.MAX_FILE_BYTES // 10
    before = database_fingerprint()

    # When it is imported
    summary = release_import(io.BytesIO(bomb), file_name="recorded-crime.ods")

    # Then it is refused before calamine reads it, and nothing changes
    assert summary.problems == [part_refusal(bomb, untrusted.RECORDED_CRIME)]
    assert database_fingerprint() == before


# --------------------------------------------------------------------------------------------
# 3. Periods that cannot be right, and rows whose code and name disagree
# --------------------------------------------------------------------------------------------


def test_ncpm_periods_must_be_past_quarter_ends_after_their_baseline(demo_data):
    # Given an NCPM file with a mid-month end, a future quarter and a 2019 quarter
    future = datetime.date(timezone.localdate().year + 1, 6, 30)
    data = csv_bytes(
        [
            NCPM_HEADER,
            ["All violence with injury", "15/06/2023", 8400, 8500, 7091],
            ["All violence with injury", f"{future:%d/%m/%Y}", 8400, 8500, 7091],
            ["All violence with injury", "30/06/2019", 8400, 8500, 7091],
        ]
    )
    before = database_fingerprint()

    # When it is imported
    messages = refusal(MeasureFigureResource, data, "ncpm-bad-periods.csv")

    # Then each row is refused by row, column, value and reason, and nothing changes
    assert messages == [
        'Row 2, column "12 months ending": "15/06/2023" is not the last day of a quarter; the 12 months '
        "end on 31 March, 30 June, 30 September or 31 December (e.g. 30/06/2023).",
        f'Row 3, column "12 months ending": "{future:%d/%m/%Y}" is 30 June {future.year}, which has not '
        "come yet; the figures are for 12 months that are over.",
        'Row 4, column "12 months ending": "30/06/2019" is not after its 2019 baseline (the 12 months to '
        "30/06/2019); the latest 12 months must end after 2019.",
    ]
    assert database_fingerprint() == before


def test_reporting_period_ending_mid_quarter_is_refused_in_the_admin_form(db):
    period = ReportingPeriod(period_end=datetime.date(2023, 6, 15))
    with pytest.raises(ValidationError) as refused:
        period.full_clean()
    assert refused.value.message_dict["period_end"] == [
        "The 12 months must end on the last day of a quarter: 31 March, 30 June, 30 September or "
        "31 December (e.g. 30/06/2023)."
    ]


def test_ons_year_not_yet_ended_is_refused(demo_data):
    # Given Table P1 titled with a year that has not ended
    year = timezone.localdate().year + 5
    data = csv_bytes([[ONS_TITLE.format(f"June {year}")], ONS_HEADER, ["E23000024", "Norfolk", "58,881"]])
    before = database_fingerprint()

    assert refusal(RecordedCrimeFigureResource, data, "ons-future.csv") == [
        f'Row 1: the title says "year ending June {year}", a year that has not ended yet; Table P1 '
        "covers a year that is over. Upload the table as ONS publishes it."
    ]
    assert database_fingerprint() == before


def test_ons_row_whose_area_code_and_name_are_different_forces_is_refused(demo_data):
    # Given a Table P1 row with Devon and Cornwall's code and Suffolk's name
    data = csv_bytes(
        [
            [ONS_TITLE.format("June 2025")],
            ONS_HEADER,
            ["E23000024", "Norfolk", "58,881"],
            ["E23000035", "Suffolk", "47,000"],
        ]
    )
    before = database_fingerprint()

    assert refusal(RecordedCrimeFigureResource, data, "ons-shifted.csv") == [
        'Row 4: the Area Code "E23000035" is Devon and Cornwall but the Area Name "Suffolk" is Suffolk. '
        "A row's code and name must be the same police force area; check the rows were not shifted or "
        "pasted out of line."
    ]
    assert database_fingerprint() == before


# --------------------------------------------------------------------------------------------
# 4. Addresses and filters
# --------------------------------------------------------------------------------------------


NOT_MONTHS = [
    "/document-library/police-data/ncpm/0000-06/",
    "/document-library/police-data/ncpm/2023-00/",
    "/document-library/police-data/ncpm/2023-13/",
    "/document-library/police-data/ncpm/\u0662\u0660\u0662\u0663-\u0660\u0666/",  # Arabic-Indic digits
]


def test_ncpm_address_that_is_not_a_real_month_in_ascii_digits_is_not_found(client, demo_data):
    assert {address: status_and_heading(client.get(address)) for address in NOT_MONTHS} == dict.fromkeys(
        NOT_MONTHS, (404, "Not Found")
    )


def test_nul_byte_in_an_open_data_filter_is_a_bad_request(client, demo_data):
    before = database_fingerprint()
    response = client.get("/document-library/police-data/data/999-calls.csv?force=%00")
    assert response.status_code == 400
    assert response.content.decode() == "The force filter has control characters in it: give a plain value."
    assert database_fingerprint() == before


def test_document_whose_file_is_missing_from_storage_is_not_found(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = Document(
        title="Annual report",
        file=SimpleUploadedFile("annual-report.pdf", b"%PDF-1.7\n%%EOF\n"),
        published_on="2023-10-19",
        publish_at=timezone.now() - datetime.timedelta(days=1),
        category=DocumentCategory.objects.get(slug="other"),
    )
    document.full_clean()
    document.save()
    Path(document.file.path).unlink()

    assert status_and_heading(client.get(document.get_absolute_url())) == (404, "Not Found")


# --------------------------------------------------------------------------------------------
# 5. A development checkout's .env
# --------------------------------------------------------------------------------------------


def manage(args: list[str], cwd: Path, **environment: str) -> subprocess.CompletedProcess:
    """``manage.py`` run from ``cwd`` with the environment a fresh shell would have (no settings)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "READ_DOTENV", "DATABASE_URL"}
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manage_py_reads_a_local_env_file_and_the_environment_wins(tmp_path):
    # Given a directory whose .env turns DEBUG on and sets a key, and a shell with neither set
    (tmp_path / ".env").write_text("DEBUG=1\nSECRET_KEY=from-dotenv\n")
    show_key = [
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)",
    ]

    # When manage.py runs there, Then it works with the .env's settings
    checked = manage(["check"], tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout
    assert manage(show_key, tmp_path).stdout.strip() == "True from-dotenv"

    # And a variable already in the environment wins over the .env
    assert manage(show_key, tmp_path, SECRET_KEY="from-environment").stdout.strip() == "True from-environment"

    # And with no .env (a server, CI) nothing changes: no key, no DEBUG, no start
    (tmp_path / ".env").unlink()
    refused = manage(["check"], tmp_path)
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr


# --------------------------------------------------------------------------------------------
# 6. The admin index, as staff read it
# --------------------------------------------------------------------------------------------


def test_admin_index_names_the_security_sections_for_staff_and_has_the_favicon(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert "Sign-in records" in page
    assert "Two-factor devices" in page
    assert ">Axes<" not in page
    assert "OTP_TOTP" not in page
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
