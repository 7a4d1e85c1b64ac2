"""Regenerate the bad release files in tests/data/bad/ that tests/imports/test_import_refusals.py refuses.

Run from the project root: ``.venv/bin/python tests/data/make_bad_files.py``. The output is
deterministic (fixed workbook timestamps and zip entry dates), so running it again changes no bytes.
Each file is a plausible mistake in a national release; the tests assert the message a staff member
sees for it and that nothing in the database changes.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"
ONS_EXTRACT = HERE / "ons-table-p1-extract-ye-june-2025.csv"

HEADER_999 = [
    "Force Name",
    "Month-Year",
    "Total Calls Presented",
    "Mean answer time (seconds)",
    "Number of calls answered in under 10 seconds",
    "Number of calls answered in 10 to under 60 seconds",
    "Number of calls answered in 60 seconds and over",
    "% of calls answered in under 10 seconds",
    "% of calls answered in 10 to under 60 seconds",
    "% of calls answered in 60 seconds and over",
]
# Columns: force, month, total, mean, three band counts, three band percentages.
ROW_999 = ["Norfolk Constabulary", "Oct-23", 9933, 7.45, 8473, 1401, 59, 85.3, 14.1, 0.6]
ROW_999_SUFFOLK = ["Suffolk Constabulary", "Oct-23", 7000, 8.1, 5950, 980, 70, 85.0, 14.0, 1.0]
PERCENT_ONLY = [0, 1, 2, 3, 7, 8, 9]  # header/row positions without the band counts

NCPM_HEADER = ["Measure", "12 months ending", "Latest 12 months", "Previous 12 months", "2019 baseline"]
NCPM_ROWS = [
    ["All violence with injury", "30/09/2023", 8400, 8500, 7091],
    ["Robbery", "30/09/2023", 350, 343, 505],
]

FIXED_TIME = datetime.datetime(2024, 1, 1, 0, 0, 0)
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
# The start of a real OLE2 compound file (an Excel 97-2003 .xls); the rest is padding.
OLD_XLS_BYTES = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + bytes.fromhex("3e000300feff0900") + bytes(488)


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The workbook's bytes with fixed timestamps, so the file is the same on every run."""
    workbook.properties.creator = "make_bad_files.py"
    workbook.properties.created = FIXED_TIME
    raw = io.BytesIO()
    workbook.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()


def workbook_999(rows: list[list]) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "999 data"
    sheet.append(HEADER_999)
    for row in rows:
        sheet.append(row)
    return workbook


def with_999(**changes) -> list:
    """The good Norfolk row with some columns changed, by position name."""
    positions = {
        "force": 0,
        "month": 1,
        "total": 2,
        "mean": 3,
        "under_10": 4,
        "ten_to_60": 5,
        "over_60": 6,
        "pct_under_10": 7,
        "pct_ten_to_60": 8,
        "pct_over_60": 9,
    }
    row = list(ROW_999)
    for name, value in changes.items():
        row[positions[name]] = value
    return row


def percent_only(rows: list[list]) -> list[list]:
    return [[row[i] for i in PERCENT_ONLY] for row in rows]


def ons_rows() -> list[list[str]]:
    with ONS_EXTRACT.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def ons_changed(code: str, **changes) -> list[list[str]]:
    """The real ONS extract with one force area's row changed (columns by header position)."""
    rows = ons_rows()
    for row in rows:
        if row and row[0] == code:
            for index, value in changes.items():
                row[int(index.removeprefix("col"))] = value
    return rows


def many_bad_rows() -> list[list]:
    """60 months of Norfolk rows, each with text where the total calls should be."""
    rows = [HEADER_999]
    for offset in range(60):
        year, month = divmod(2018 * 12 + offset, 12)
        label = datetime.date(year, month + 1, 1).strftime("%b-%y")
        rows.append(with_999(month=label, total=f"about {9000 + offset}"))
    return rows


def files() -> dict[str, bytes]:
    good_xlsx = xlsx_bytes(workbook_999([ROW_999, ROW_999_SUFFOLK]))

    stray = workbook_999([ROW_999])
    stray.active.cell(row=1_000_000, column=1, value="x")

    excel_date = workbook_999([with_999(month=datetime.datetime(2023, 1, 15))])
    excel_date.active["B2"].number_format = "dd/mm/yyyy"

    formula = workbook_999([with_999(force='=HYPERLINK("http://example.com","Norfolk")')])

    no_p1 = Workbook()
    no_p1.active.title = "Cover sheet"
    no_p1.active.append(["Police force area data tables, year ending June 2025"])
    p2 = no_p1.create_sheet("Table P2")
    for row in ons_rows():
        p2.append(row)

    header_no_total = [h for h in HEADER_999 if h != "Total Calls Presented"]
    row_no_total = [v for i, v in enumerate(ROW_999) if i != 2]

    return {
        # --- police.uk 999 call answering ---------------------------------------------------
        "999-missing-total-calls-column.csv": csv_bytes([header_no_total, row_no_total]),
        "999-misspelt-header.csv": csv_bytes(
            [[("Totl Calls" if h == "Total Calls Presented" else h) for h in HEADER_999], ROW_999]
        ),
        "999-empty.csv": b"",
        "999-whitespace-only.csv": b"   \r\n\t\r\n  \r\n",
        "999-header-only.csv": csv_bytes([HEADER_999]),
        "999-png-named.csv": PNG_BYTES,
        "999-pdf-named.xlsx": PDF_BYTES,
        "999-truncated.xlsx": good_xlsx[: len(good_xlsx) // 2],
        "999-old-excel.xls": OLD_XLS_BYTES,
        "999-stray-cell-row-1000000.xlsx": xlsx_bytes(stray),
        "999-negative-count.csv": csv_bytes([HEADER_999, with_999(over_60=-59)]),
        "999-fractional-count.csv": csv_bytes([HEADER_999, with_999(ten_to_60="12.7")]),
        "999-text-in-number.csv": csv_bytes([HEADER_999, ROW_999_SUFFOLK, with_999(total="twelve")]),
        "999-percentage-over-100.csv": csv_bytes([HEADER_999, with_999(pct_under_10=185.3)]),
        "999-shares-as-fractions.csv": csv_bytes(
            percent_only([HEADER_999, with_999(pct_under_10=0.853, pct_ten_to_60=0.141, pct_over_60=0.006)])
        ),
        "999-band-counts-exceed-total.csv": csv_bytes([HEADER_999, with_999(over_60=1059)]),
        "999-band-percentages-not-100.csv": csv_bytes(
            percent_only([HEADER_999, with_999(pct_under_10=80.0, pct_ten_to_60=14.1, pct_over_60=0.6)])
        ),
        "999-same-force-month-twice.csv": csv_bytes([HEADER_999, ROW_999, ROW_999_SUFFOLK, ROW_999]),
        "999-future-month.csv": csv_bytes([HEADER_999, with_999(month="Jan-2099")]),
        "999-excel-date-not-first.xlsx": xlsx_bytes(excel_date),
        "999-month-day-first.csv": csv_bytes([HEADER_999, with_999(month="02/01/2023")]),
        "999-formula-force.csv": csv_bytes(
            [HEADER_999, with_999(force='=HYPERLINK("http://example.com","Norfolk")')]
        ),
        "999-formula-force.xlsx": xlsx_bytes(formula),
        "999-unknown-force.csv": csv_bytes([HEADER_999, with_999(force="Narfolk Constabulary")]),
        "999-empty-total-calls.csv": csv_bytes([HEADER_999, with_999(total="")]),
        "999-unreadable-month.csv": csv_bytes([HEADER_999, with_999(month="Smarch 2023")]),
        "999-negative-mean-answer.csv": csv_bytes([HEADER_999, with_999(mean=-7.45)]),
        # 0x81 is undefined in Windows-1252 and invalid as a UTF-8 start byte.
        "999-not-utf8-or-cp1252.csv": csv_bytes([HEADER_999, ROW_999]).replace(
            b"Norfolk Constabulary", b"Norfolk Constabulary\x81"
        ),
        # A UTF-8 byte order mark, then Windows-1252 text ("Ã©" would be UTF-8; 0xE9 alone is not).
        "999-bom-then-not-utf8.csv": b"\xef\xbb\xbf"
        + csv_bytes([HEADER_999, with_999(force="Norfolk Constabulary (caf\u00e9)")], encoding="cp1252"),
        "999-many-bad-rows.csv": csv_bytes(many_bad_rows()),
        # Consistent rows whose numbers do not fit the database columns.
        "999-total-calls-too-big.csv": csv_bytes(
            [
                HEADER_999,
                with_999(
                    total=3_000_000_000,
                    under_10=3_000_000_000,
                    ten_to_60=0,
                    over_60=0,
                    pct_under_10=100,
                    pct_ten_to_60=0,
                    pct_over_60=0,
                ),
            ]
        ),
        "999-mean-answer-too-big.csv": csv_bytes([HEADER_999, with_999(mean=123456.7)]),
        # --- ONS police force area tables, Table P1 ------------------------------------------
        "ons-p1-no-table-p1-sheet.xlsx": xlsx_bytes(no_p1),
        "ons-p1-no-title-row.csv": csv_bytes(ons_rows()[1:]),
        "ons-p1-text-in-total.csv": csv_bytes(ons_changed("E23000024", col2="58,881*")),
        "ons-p1-unknown-area-code.csv": csv_bytes(ons_changed("E23000024", col0="E23009999")),
        # --- NCPM figures template ---------------------------------------------------------------
        "ncpm-unknown-measure.csv": csv_bytes(
            [NCPM_HEADER, *NCPM_ROWS, ["Knife crime offences", "30/09/2023", 120, 130, 110]]
        ),
        "ncpm-missing-previous-column.csv": csv_bytes(
            [[v for i, v in enumerate(row) if i != 3] for row in [NCPM_HEADER, *NCPM_ROWS]]
        ),
        "ncpm-percentage-over-100.csv": csv_bytes(
            [
                NCPM_HEADER,
                *NCPM_ROWS,
                ["Satisfaction amongst victims of domestic abuse", "30/09/2023", 178, 77, 79],
            ]
        ),
    }


def main() -> None:
    BAD.mkdir(exist_ok=True)
    made = files()
    for name, data in made.items():
        (BAD / name).write_bytes(data)
    print(f"Wrote {len(made)} files to {BAD}")


if __name__ == "__main__":
    main()
