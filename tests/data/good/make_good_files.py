"""Regenerate the good import files in this folder: `python tests/data/good/make_good_files.py`.

Every file is built from the constants below (and, for the national 999 file and the ONS
workbook, from the project's own force list and the real ONS extract), so running the script
again writes the same bytes. Workbooks get fixed timestamps, inside and in the zip, for the same
reason.

The 999 figures are Norfolk's published January to March 2023 (police.uk percentages, with band
counts that give them), plus a made-up Suffolk month.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
FORCES_CSV = HERE.parents[2] / "performance" / "demo_data" / "forces.csv"
ONS_EXTRACT = DATA / "ons-table-p1-extract-ye-june-2025.csv"
FIXED_TIME = datetime.datetime(2025, 1, 1, 0, 0, 0)

# (force, month, total, mean seconds, calls <10s, 10-60s, 60s+, % <10s, % 10-60s, % 60s+)
CALL_ROWS = [
    ("Norfolk", datetime.date(2023, 1, 1), 9933, "7.45", 8473, 1400, 60, "85.3", "14.1", "0.6"),
    ("Norfolk", datetime.date(2023, 2, 1), 9060, "7.29", 7846, 1160, 54, "86.6", "12.8", "0.6"),
    ("Norfolk", datetime.date(2023, 3, 1), 10356, "7.57", 8917, 1367, 72, "86.1", "13.2", "0.7"),
    ("Suffolk", datetime.date(2023, 1, 1), 7512, "7.02", 6402, 1050, 60, "85.2", "14.0", "0.8"),
]

COUNT_HEADERS = [
    "Calls answered in under 10 seconds",
    "Calls answered in 10 to under 60 seconds",
    "Calls answered in 60 seconds and over",
]
PERCENT_HEADERS = [
    "% of calls answered in under 10 seconds",
    "% of calls answered in 10 to under 60 seconds",
    "% of calls answered in 60 seconds and over",
]

# The four identifying columns as different publishers head them; case and spacing vary on purpose.
HEADER_VARIANTS = {
    "plain": ["Force", "Month", "Total calls", "Mean answer time (seconds)"],
    "police-uk": ["Police Force Name", "Month-Year", "Total Calls Presented", "Average answer time"],
    "shouted": ["POLICE FORCE", "DATE", "TOTAL CALLS", "MEAN ANSWER TIME (SECONDS)"],
    "spaced": ["  force   name ", " Period", "total  calls  presented", "average   ANSWER time"],
}

MONTH_FORMATS = {
    "mon-yy": "%b-%y",  # Jan-23
    "month-yyyy": "%B %Y",  # January 2023
    "yyyy-mm": "%Y-%m",  # 2023-01
    "mm-slash-yyyy": "%m/%Y",  # 01/2023
    "dd-mm-yyyy": "%d/%m/%Y",  # 01/01/2023, 01/02/2023 (day first)
}

# A Welsh name with an en dash: byte 0x96 in Windows-1252, a control character in Latin-1.
NORTH_WALES_ALIAS = "Heddlu Gogledd Cymru – North Wales"
ENCODING_ROWS = [
    ("Norfolk", "Jan-23", 9933, "7.45", 8473, 1400, 60),
    (NORTH_WALES_ALIAS, "Jan-23", 4120, "6.10", 3708, 371, 41),
]

# Every way the code is meant to recognise a force; one row each, all with the same figures.
FORCE_NAME_ROWS = [
    ("Norfolk", "Jan-23"),
    ("Norfolk Constabulary", "Feb-23"),
    ("  NORFOLK   constabulary ", "Mar-23"),
    ("norfolk", "Apr-23"),  # the police.uk id, an alias
    ("Devon & Cornwall Police", "Jan-23"),
    ("devon and cornwall", "Feb-23"),
    ("Metropolitan Police Service", "Jan-23"),
    ("Metropolitan Police ", "Feb-23"),
    ("Humberside [note 4]", "Jan-23"),
    ("Police Service of Northern Ireland", "Jan-23"),
    ("Police Scotland", "Jan-23"),
]

# First release, then the corrected one: Feb mean answer time corrected, March added.
FIRST_RELEASE = [CALL_ROWS[0], CALL_ROWS[1], CALL_ROWS[3]]
CORRECTED_RELEASE = [
    CALL_ROWS[0],
    CALL_ROWS[1][:3] + ("7.31",) + CALL_ROWS[1][4:],
    CALL_ROWS[3],
    CALL_ROWS[2],
]

NATIONAL_MONTH = datetime.date(2023, 10, 1)
# Forces whose October 2023 share is set by hand (calls <10s, total calls); the rest get 84.0%
# down to 80.3% in alphabetical order. PSNI and Police Scotland answer fastest of all, but are
# not ranked nationally.
NATIONAL_SPECIAL = {
    "Essex": (9500, 10000),  # 95.0%: 1st
    "Norfolk": (9200, 10000),  # 92.0%: joint 2nd
    "Suffolk": (4600, 5000),  # 92.0% of fewer calls: joint 2nd
    "Lincolnshire": (8504, 10000),  # 85.04%, published as 85.0%
    "Wiltshire": (8496, 10000),  # 84.96%, also published as 85.0%, ranked below Lincolnshire
    "Northern Ireland": (9900, 10000),
    "Scotland": (9900, 10000),
}


def one_place(count: int, total: int) -> Decimal:
    return (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def csv_bytes(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with one sheet per entry, saved with fixed timestamps so the bytes repeat."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.properties.creator = "make_good_files.py"
    workbook.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    lambda m: m.group(1) + stamp.encode() + m.group(3),
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# 999 files
# --------------------------------------------------------------------------------------------


def call_row(row, *, month_text=None, counts=True, percents=True, extra=()) -> list:
    force, month, total, mean, c1, c2, c3, p1, p2, p3 = row
    cells = [force, month_text if month_text is not None else month.strftime("%b-%y"), total, mean]
    if counts:
        cells += [c1, c2, c3]
    if percents:
        cells += [p1, p2, p3]
    return cells + list(extra)


def calls_table(rows, *, identifying=None, counts=True, percents=True, month_format=None, median=False):
    header = list(identifying or HEADER_VARIANTS["plain"])
    header += COUNT_HEADERS if counts else []
    header += PERCENT_HEADERS if percents else []
    if median:
        header.append("Median answer time (seconds)")
    table = [header]
    for row in rows:
        month_text = row[1].strftime(month_format) if month_format else None
        extra = [str(Decimal(row[3]) - Decimal("1.1"))] if median else []
        table.append(call_row(row, month_text=month_text, counts=counts, percents=percents, extra=extra))
    return table


def national_rows() -> list[tuple]:
    with FORCES_CSV.open(newline="", encoding="utf-8") as handle:
        forces = [row for row in csv.DictReader(handle) if row["short_name"] != "British Transport Police"]
    rows, others = [], 0
    for force in forces:
        name = force["short_name"]
        if name in NATIONAL_SPECIAL:
            under, total = NATIONAL_SPECIAL[name]
        else:
            under, total = 8400 - 10 * others, 10000
            others += 1
        over = total // 100
        middle = total - under - over
        rows.append(
            (
                force["force_name"],
                NATIONAL_MONTH,
                total,
                "7.5",
                under,
                middle,
                over,
                *(str(one_place(count, total)) for count in (under, middle, over)),
            )
        )
    return rows


def files() -> dict[str, bytes]:
    out = {}
    for name, identifying in HEADER_VARIANTS.items():
        out[f"calls-headers-{name}.csv"] = csv_bytes(
            calls_table(CALL_ROWS, identifying=identifying, median=name == "police-uk")
        )
    out["calls-counts-only.csv"] = csv_bytes(calls_table(CALL_ROWS, percents=False))
    out["calls-percentages-only.csv"] = csv_bytes(calls_table(CALL_ROWS, counts=False))
    for name, pattern in MONTH_FORMATS.items():
        out[f"calls-month-{name}.csv"] = csv_bytes(calls_table(CALL_ROWS, month_format=pattern))
    excel = calls_table(CALL_ROWS)
    for row, source in zip(excel[1:], CALL_ROWS, strict=True):
        row[1] = datetime.datetime.combine(source[1], datetime.time(0))  # a real Excel date cell
        row[3] = float(source[3])
        row[7:10] = [float(value) for value in row[7:10]]
    out["calls-month-excel-dates.xlsx"] = xlsx_bytes({"999 data": excel})

    encoding_table = [HEADER_VARIANTS["plain"] + COUNT_HEADERS, *(list(row) for row in ENCODING_ROWS)]
    out["calls-utf8.csv"] = csv_bytes(encoding_table)
    out["calls-utf8-bom.csv"] = b"\xef\xbb\xbf" + csv_bytes(encoding_table)
    out["calls-windows-1252.csv"] = csv_bytes(encoding_table, encoding="cp1252")

    out["calls-force-names.csv"] = csv_bytes(
        [
            HEADER_VARIANTS["plain"] + COUNT_HEADERS,
            *([name, month, 9933, "7.45", 8473, 1400, 60] for name, month in FORCE_NAME_ROWS),
        ]
    )
    out["calls-first-release.csv"] = csv_bytes(calls_table(FIRST_RELEASE))
    out["calls-corrected-release.csv"] = csv_bytes(calls_table(CORRECTED_RELEASE))
    out["calls-national-2023-10.csv"] = csv_bytes(
        calls_table(national_rows(), identifying=HEADER_VARIANTS["police-uk"])
    )

    out["ons-table-p1-ye-june-2025.xlsx"] = ons_workbook()
    return out


# --------------------------------------------------------------------------------------------
# ONS: the real extract as the published workbook sets it out
# --------------------------------------------------------------------------------------------


def ons_number(text: str):
    text = text.strip()
    if re.fullmatch(r"[\d,]+", text):
        return int(text.replace(",", ""))
    return text


def ons_workbook() -> bytes:
    with ONS_EXTRACT.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    title, header, *data = rows
    table = [
        [title[0]],
        [
            "This worksheet contains one table. Some cells refer to notes which can be found in the notes worksheet."
        ],
        ["Source: Home Office - Police recorded crime"],
        header,
        *([cell or None for cell in row[:2]] + [ons_number(cell) for cell in row[2:]] for row in data),
    ]
    return xlsx_bytes(
        {
            "Cover sheet": [["Police force area data tables: year ending June 2025"]],
            "Notes": [["Note number", "Note text"], [1, "Police recorded crime excluding fraud."]],
            "Table P1 ": table,  # the trailing space is as ONS names the sheet
        }
    )


def main():
    for name, data in sorted(files().items()):
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
