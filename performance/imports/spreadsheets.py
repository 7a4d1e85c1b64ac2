"""Reading the spreadsheets national releases come in, and turning their cells into values.

Files arrive as CSV (UTF-8 with or without BOM, or Windows-1252) or XLSX. Anything else, a
damaged workbook, a file over ``MAX_FILE_BYTES`` or a sheet whose used range is absurd is refused
before it is read into memory. Every refusal is a ``SpreadsheetError`` in words a staff member
understands; cell problems are ``CellError``s that name the row, the column and the value.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from performance.shared.calculations import ordinal

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SHEET_ROWS = 100_000  # a 999 release of every force for every month since 2010 has ~8,000
MAX_SHEET_COLUMNS = 200
HEADER_SEARCH_ROWS = 30
MAX_COUNT = 2_147_483_647  # the largest whole number the database columns hold
MAX_ERRORS_SHOWN = 50  # problems listed in full; the rest are counted
# A workbook is a zip of XML parts. Its size on disk says little about what parsing it costs: a
# sheet or shared-strings part of repeated text packs a thousandfold, so the parts' unpacked
# sizes, read from the zip's directory, are bounded before any XML is parsed.
MAX_UNPACKED_BYTES = 10 * MAX_FILE_BYTES
MAX_ZIP_ENTRIES = 1_000


class SpreadsheetError(ValueError):
    """The file as a whole cannot be imported."""


class HeadingsMissing(SpreadsheetError):
    """Columns an import needs were not found by their headings: a person can say which of the
    file's other columns holds each (``missing``: the columns; ``unclaimed``: the file's headings
    no column claims; ``headings``: the whole header row, as written)."""

    def __init__(self, message: str, *, missing: list, headings: list[str], unclaimed: list[str]):
        super().__init__(message)
        self.missing = missing
        self.headings = headings
        self.unclaimed = unclaimed


def size_problem(size: int, limit: int = MAX_FILE_BYTES) -> str:
    """
    >>> size_problem(5 * 1024 * 1024 + 1024)
    'The file is 5,243,904 bytes, over the 5 MB (5,242,880 bytes) limit. Remove anything that is not part of the release and try again.'
    """
    return (
        f"The file is {size:,} bytes, over the {limit // 1024 // 1024} MB ({limit:,} bytes) "
        "limit. Remove anything that is not part of the release and try again."
    )


@dataclass(frozen=True)
class CellError:
    row: int
    column: str
    value: object
    reason: str

    def __str__(self):
        return f'Row {self.row}, column "{self.column}": {shown(self.value)} {self.reason}'


def shown(value) -> str:
    if value is None or value == "":
        return "the cell"
    if isinstance(value, datetime.datetime | datetime.date):
        return f'"{value:%d/%m/%Y}"'
    return f'"{value}"'


@dataclass
class Sheet:
    """The non-empty rows of one sheet, each with its row number as the spreadsheet shows it."""

    rows: list[tuple[int, list]]
    file_name: str = ""
    sha256: str = ""
    title_rows: list[str] = field(default_factory=list)
    unread_headings: list[str] = field(default_factory=list)  # set by header_find


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def sheet_read(
    data: bytes, *, file_name: str = "", sheet_names: Iterable[str] = (), max_rows: int = MAX_SHEET_ROWS
) -> Sheet:
    """Read CSV or XLSX bytes. ``sheet_names``: the sheet to read in a workbook (first match).

    Run it on a file someone uploaded only in the bounded child (``untrusted.sheet_from_upload``)."""
    if len(data) > MAX_FILE_BYTES:
        raise SpreadsheetError(size_problem(len(data)))
    if not data.strip(b" \r\n\t\xef\xbb\xbf"):
        raise SpreadsheetError("The file is empty.")
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data, list(sheet_names), max_rows)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            "This is an old-style Excel file (.xls). Open it in Excel and save it as .xlsx or CSV."
        )
    else:
        rows = _csv_rows(data, max_rows)
    if not rows:
        raise SpreadsheetError("The file has no rows with anything in them.")
    return Sheet(rows=rows, file_name=file_name, sha256=hashlib.sha256(data).hexdigest())


def _csv_rows(data: bytes, max_rows: int = MAX_SHEET_ROWS) -> list[tuple[int, list]]:
    if b"\x00" in data[:4096] or data.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8")):
        raise SpreadsheetError(
            "This is not a spreadsheet. Upload the release as a CSV or Excel (.xlsx) file."
        )
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(
                "The file's text could not be read (it is neither UTF-8 nor Windows-1252). "
                "Save it from Excel as 'CSV UTF-8' and try again."
            ) from error
    rows = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number > max_rows:
                raise SpreadsheetError(f"The file has more than {max_rows:,} rows, which no release has.")
            values = [cell if cell.strip() else None for cell in cells]
            if any(value is not None for value in values):
                rows.append((number, _trimmed(values)))
    except csv.Error as error:
        raise SpreadsheetError(f"The CSV file could not be read: {error}.") from error
    return rows


def unpacked_size_check(file, *, limit: int = MAX_UNPACKED_BYTES, entries: int = MAX_ZIP_ENTRIES) -> None:
    """Refuse a workbook (XLSX or ODS: a zip) whose parts would unpack to more than ``limit``
    bytes, or that has more than ``entries`` parts, before any reader opens it.

    The sizes come from the zip's central directory; a part that unpacks to more than it declares
    fails the zip's own check when read. ``file``: bytes or a seekable binary file."""
    source = io.BytesIO(file) if isinstance(file, bytes) else file
    position = source.tell()
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return  # not a readable zip: the reader refuses it in its own words
    finally:
        source.seek(position)
    if len(parts) > entries:
        raise SpreadsheetError(
            f"The workbook is made of {len(parts):,} parts, more than the {entries:,} a release "
            "could need. Open it, copy the table into a new workbook, save that and try again."
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limit:
        largest = max(parts, key=lambda part: part.file_size)
        raise SpreadsheetError(
            f"The workbook would unpack to {unpacked:,} bytes ({largest.filename} alone is "
            f"{largest.file_size:,}), over the {limit // 1024 // 1024:,} MB a release could need: it "
            "is padded with repeated or hidden content. Open it, copy the table into a new "
            "workbook, save that and try again."
        )


def _xlsx_rows(data: bytes, sheet_names: list[str], max_rows: int = MAX_SHEET_ROWS) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    unpacked_size_check(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise SpreadsheetError(
            "The file could not be opened as an Excel workbook (.xlsx): it may be damaged or "
            "not really a workbook. Open it in Excel, save it again and retry."
        ) from error
    try:
        worksheet = _pick_sheet(workbook, sheet_names)
        if worksheet.max_row and worksheet.max_row > max_rows:
            raise SpreadsheetError(
                f'The sheet "{worksheet.title}" has cells down to row {worksheet.max_row:,}, but a release '
                f"has at most {max_rows:,} rows. Delete the stray cells below the table and try again."
            )
        if worksheet.max_column and worksheet.max_column > MAX_SHEET_COLUMNS:
            raise SpreadsheetError(
                f'The sheet "{worksheet.title}" has cells across {worksheet.max_column:,} columns. '
                "Delete the stray cells to the right of the table and try again."
            )
        rows = []
        for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if number > max_rows:
                raise SpreadsheetError(f"The sheet has more than {max_rows:,} rows, which no release has.")
            values = [None if isinstance(cell, str) and not cell.strip() else cell for cell in cells]
            if any(value is not None for value in values):
                rows.append((number, _trimmed(values)))
        return rows
    except SpreadsheetError:
        raise
    except Exception as error:  # openpyxl raises many kinds on damaged XML
        raise SpreadsheetError(
            "The workbook could not be read: it may be damaged. Open it in Excel, save it again and retry."
        ) from error
    finally:
        workbook.close()


def _pick_sheet(workbook, sheet_names: list[str]):
    if not sheet_names:
        return workbook.worksheets[0]
    wanted = {name.strip().lower() for name in sheet_names}
    for worksheet in workbook.worksheets:
        if worksheet.title.strip().lower() in wanted:
            return worksheet
    available = ", ".join(f'"{ws.title}"' for ws in workbook.worksheets)
    raise SpreadsheetError(
        f'The workbook has no sheet called "{sheet_names[0]}". Its sheets are: {available}.'
    )


def _trimmed(values: list) -> list:
    while values and values[-1] is None:
        values.pop()
    return values


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------


NOTE_MARKER = re.compile(r"\[\s*note\s*\d+\s*\]", re.IGNORECASE)


def normalise_force_name(name: str) -> str:
    """The form names are matched in: case, spacing, "&"/"and" and "[note N]" markers ignored.

    >>> normalise_force_name("  Devon & Cornwall Police ") == normalise_force_name("devon and cornwall police")
    True
    >>> normalise_force_name("Humberside [note 4]")
    'humberside'
    """
    name = NOTE_MARKER.sub(" ", name).replace("&", " and ").lower()
    return " ".join(name.split())


def header_key(text) -> str:
    """Headers compared without case, spacing, line breaks, "[note N]" or "&" versus "and".

    >>> header_key("Total recorded crime\\n (excluding fraud) \\n[note 2]")
    'total recorded crime (excluding fraud)'
    """
    text = NOTE_MARKER.sub(" ", str(text)).replace("&", " and ").lower()
    return " ".join(text.split())


def headings_key(headings) -> str:
    """A header row's identity, whatever its case or spacing: the key its column choices are
    kept under (``ColumnMapping``), computable where Django is not loaded (the bounded child).

    >>> headings_key(["Force", "Month"]) == headings_key([" force ", "MONTH"])
    True
    """
    return hashlib.sha256("\x1f".join(header_key(h) for h in headings).encode()).hexdigest()


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    required_unless: tuple[str, ...] = ()  # not needed when a file has one of these columns
    unless_note: str = ""  # what happens then, for the import page

    def names(self) -> set[str]:
        return {header_key(self.label), *(header_key(alias) for alias in self.aliases)}

    def needed(self, positions) -> bool:
        return self.required and not any(key in positions for key in self.required_unless)


@dataclass
class Header:
    row: int
    positions: dict[str, int]  # column key -> index in the row
    extras: dict[int, str]  # index -> header text, for headers no column claims (keep_extras)


def header_find(
    sheet: Sheet,
    columns: list[Column],
    *,
    ignored: Iterable[str] = (),
    keep_extras=False,
    mapping: dict[str, str] | None = None,
) -> Header:
    """Find the header row (preamble rows may come first) and map each column to its position.

    ``mapping`` names, for a column key, the heading of the file's column that holds it (a
    person's choice, ``ColumnMapping``). Missing required columns are refused by name
    (``HeadingsMissing``). Headings no column claims are read past, and noted on the sheet
    (``unread_headings``) for the import to warn about: never refused.
    """
    lookup = {name: column for column in columns for name in column.names()}
    by_key = {column.key: column for column in columns}
    lookup.update(
        {header_key(heading): by_key[key] for key, heading in (mapping or {}).items() if key in by_key}
    )
    ignored_keys = {header_key(name) for name in ignored}
    best = None
    for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        matches = sum(1 for cell in cells if cell is not None and header_key(cell) in lookup)
        if matches >= 2 and (best is None or matches > best[0]):
            best = (matches, number, cells)
    if best is None:
        expected = ", ".join(f'"{c.label}"' for c in columns if c.required)
        raise SpreadsheetError(
            f"No header row was found. The table's first row should name its columns: {expected}."
        )
    _, number, cells = best
    positions, extras, duplicates = {}, {}, []
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        column = lookup.get(header_key(cell))
        if column is None:
            if header_key(cell) not in ignored_keys:
                extras[index] = " ".join(str(cell).split())
        elif column.key in positions:
            duplicates.append(column.label)
        else:
            positions[column.key] = index
    problems = []
    missing_columns = [c for c in columns if c.needed(positions) and c.key not in positions]
    missing = [c.label for c in missing_columns]
    if missing:
        not_read = ", ".join(f'"{heading}"' for heading in extras.values()) if not keep_extras else ""
        unread = f" (the file's columns this import does not read: {not_read})" if not_read else ""
        problems.append(
            "Missing column"
            + ("s: " if len(missing) > 1 else ": ")
            + ", ".join(f'"{m}"' for m in missing)
            + unread
        )
    if duplicates:
        problems.append("Columns given twice: " + ", ".join(f'"{d}"' for d in duplicates))
    if problems:
        message = f"The header row (row {number}) is not right. " + ". ".join(problems) + "."
        if missing and not duplicates:
            raise HeadingsMissing(
                message,
                missing=missing_columns,
                headings=[" ".join(str(c).split()) for c in cells if c is not None],
                unclaimed=[
                    " ".join(str(c).split())
                    for c in cells
                    if c is not None and header_key(c) not in lookup and str(c).strip()
                ],
            )
        raise SpreadsheetError(message)
    sheet.unread_headings = [] if keep_extras else list(extras.values())
    if not keep_extras:
        extras = {}
    sheet.title_rows = [
        " ".join(str(c) for c in row_cells if c is not None)
        for row_number, row_cells in sheet.rows
        if row_number < number
    ]
    return Header(row=number, positions=positions, extras=extras)


def data_rows(sheet: Sheet, header: Header) -> list[tuple[int, list]]:
    """The rows below the header row; the header row repeated (tables pasted one after another,
    e.g. a page's table per year) is read past."""
    headings = next(_keys(cells) for number, cells in sheet.rows if number == header.row)
    rows = [
        (number, cells) for number, cells in sheet.rows if number > header.row and _keys(cells) != headings
    ]
    if not rows:
        raise SpreadsheetError("The file has a header row but no data rows below it.")
    return rows


def _keys(cells: list) -> list[str]:
    return [header_key(cell) if cell is not None else "" for cell in _trimmed(list(cells))]


def cell(cells: list, header: Header, key: str):
    index = header.positions.get(key)
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    return value.strip() if isinstance(value, str) else value


# --------------------------------------------------------------------------------------------
# Cell values. Each returns the value or raises ValueError with the reason, worded to follow
# 'Row 5, column "Total calls": "twelve" '.
# --------------------------------------------------------------------------------------------


def text_value(value) -> str:
    """
    >>> text_value(" Norfolk ")
    'Norfolk'
    >>> text_value('=HYPERLINK("http://x","Norfolk")')
    Traceback (most recent call last):
    ...
    ValueError: is a spreadsheet formula; type the plain text instead.
    """
    if value is None or str(value).strip() == "":
        raise ValueError("is empty; it must be filled in.")
    text = str(value).strip()
    if text.startswith("="):
        raise ValueError("is a spreadsheet formula; type the plain text instead.")
    return text


def decimal_value(value) -> Decimal:
    """A number from a cell: Excel numbers as they are, text with thousands separators or a % sign.

    >>> decimal_value("1,234.5"), decimal_value(7.45), decimal_value("85.3%")
    (Decimal('1234.5'), Decimal('7.45'), Decimal('85.3'))
    >>> decimal_value("twelve")
    Traceback (most recent call last):
    ...
    ValueError: is not a number.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("is empty; it must be filled in.")
    if isinstance(value, (bool, datetime.date)):
        raise ValueError("is not a number.")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip()
    if text.startswith("="):
        raise ValueError("is a spreadsheet formula; type the number itself instead.")
    text = text.replace(",", "").removesuffix("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("is not a number.") from None
    if not number.is_finite():
        raise ValueError("is not a number.")
    return number


def decimal_fitted(number: Decimal | int, *, max_digits: int, decimal_places: int) -> Decimal:
    """``number`` rounded (half up) to the column's decimal places, then checked against the
    digits the column holds: a value that only overflows once rounded is refused too.

    >>> decimal_fitted(Decimal("12.345"), max_digits=6, decimal_places=2)
    Decimal('12.35')
    >>> decimal_fitted(Decimal("9999.995"), max_digits=6, decimal_places=2)
    Traceback (most recent call last):
    ...
    ValueError: rounds to 10,000.00 (2 decimal places), too large to be held here; the largest this column holds is 9,999.99.
    """
    places = Decimal(1).scaleb(-decimal_places)
    rounded = Decimal(number).quantize(places, ROUND_HALF_UP)
    largest = Decimal(10) ** (max_digits - decimal_places) - places
    if abs(rounded) > largest:
        return_text = f"{rounded:,.{decimal_places}f}"
        raise ValueError(
            f"rounds to {return_text} ({decimal_places} decimal place{'s' if decimal_places != 1 else ''}), "
            f"too large to be held here; the largest this column holds is {largest:,.{decimal_places}f}."
        )
    return rounded


def count_value(value) -> int:
    """A whole, non-negative count.

    >>> count_value("9,933"), count_value(12.0)
    (9933, 12)
    >>> count_value("12.7")
    Traceback (most recent call last):
    ...
    ValueError: is not a whole number; counts of calls or offences cannot have a fraction.
    >>> count_value(-5)
    Traceback (most recent call last):
    ...
    ValueError: is below zero; counts cannot be negative.
    """
    number = decimal_value(value)
    if number < 0:
        raise ValueError("is below zero; counts cannot be negative.")
    if number > MAX_COUNT:
        raise ValueError(f"is too large to be a count; the largest this can hold is {MAX_COUNT:,}.")
    if number != number.to_integral_value():
        raise ValueError("is not a whole number; counts of calls or offences cannot have a fraction.")
    return int(number)


RANK_TEXT = re.compile(r"^(?:(joint|=)\s*)?(\d+)\s*([a-z]{2})?\s*(=)?$", re.IGNORECASE)


def rank_value(value, *, out_of: int | None = None) -> tuple[int, bool] | None:
    """A rank as a page gives it, as ``(rank, joint)``: "14th", "14", "joint 2nd", "=2nd" or
    "2nd="; None for an empty cell. ``out_of``: how many are ranked, if known.

    >>> rank_value("14th"), rank_value(3.0), rank_value("joint 2nd"), rank_value("2nd="), rank_value(" ")
    ((14, False), (3, False), (2, True), (2, True), None)
    >>> rank_value("14st")
    Traceback (most recent call last):
    ...
    ValueError: is not a rank we can read: 14 is written "14th".
    >>> rank_value("50th", out_of=43)
    Traceback (most recent call last):
    ...
    ValueError: is past the last place: 43 are ranked.
    """
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    match = RANK_TEXT.match(str(value).strip())
    if match is None:
        raise ValueError('is not a rank we can read; give a position such as "14th", "14" or "joint 2nd".')
    joint, number, suffix, joint_after = match.groups()
    rank = int(number)
    if suffix is not None and f"{rank}{suffix.lower()}" != ordinal(rank):
        raise ValueError(f'is not a rank we can read: {rank} is written "{ordinal(rank)}".')
    if rank < 1:
        raise ValueError("is not a rank: the first place is 1st.")
    if out_of is not None and rank > out_of:
        raise ValueError(f"is past the last place: {out_of} are ranked.")
    return rank, bool(joint or joint_after)


def percentage_value(value) -> Decimal:
    """A percentage from 0 to 100.

    >>> percentage_value("85.3%"), percentage_value(0.6)
    (Decimal('85.3'), Decimal('0.6'))
    >>> percentage_value(185.3)
    Traceback (most recent call last):
    ...
    ValueError: is not a percentage from 0 to 100.
    """
    number = decimal_value(value)
    if not 0 <= number <= 100:
        raise ValueError("is not a percentage from 0 to 100.")
    return number


MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
MONTH_NAME_YEAR = re.compile(r"^([a-z]+)[\s\-/]+(\d{2}|\d{4})$")
YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
MONTH_SLASH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def month_value(value, *, today: datetime.date) -> datetime.date:
    """The month a row is for, as its first day; the month must be over.

    Excel dates, "Jan-23", "January 2023", "2023-01", "01/2023"; dd/mm/yyyy is read day-first
    and must be the 1st, so "02/01/2023" is refused rather than guessed.

    >>> today = datetime.date(2026, 11, 25)
    >>> [month_value(v, today=today) for v in ("Jan-23", "January 2023", "2023-01", "01/2023", "01/01/2023")]
    [datetime.date(2023, 1, 1), datetime.date(2023, 1, 1), datetime.date(2023, 1, 1), datetime.date(2023, 1, 1), datetime.date(2023, 1, 1)]
    >>> month_value("02/01/2023", today=today)
    Traceback (most recent call last):
    ...
    ValueError: is 2 January 2023, not the 1st of a month; give the month, e.g. "Jan-23" or 01/01/2023.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("is empty; it must be filled in.")
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0):
            raise ValueError('has a time of day; give the month, e.g. "Jan-23".')
        value = value.date()
    if isinstance(value, datetime.date):
        day = value
    else:
        day = _month_from_text(str(value).strip())
    if day.day != 1:
        raise ValueError(
            f'is {day.day} {day:%B %Y}, not the 1st of a month; give the month, e.g. "Jan-23" or 01/{day:%m/%Y}.'
        )
    if day >= today.replace(day=1):
        raise ValueError(f"is {day:%B %Y}, which has not ended yet; a release only covers past months.")
    return day


def _month_from_text(text: str) -> datetime.date:
    lowered = text.lower()
    try:
        if match := MONTH_NAME_YEAR.match(lowered):
            name, year = match.groups()
            if name in MONTHS:
                year = int(year) + (2000 if len(year) == 2 else 0)
                return datetime.date(year, MONTHS[name], 1)
        elif match := YEAR_MONTH.match(lowered):
            year, month, day = match.groups()
            return datetime.date(int(year), int(month), int(day or 1))
        elif match := MONTH_SLASH_YEAR.match(lowered):
            month, year = match.groups()
            return datetime.date(int(year), int(month), 1)
        elif match := DAY_MONTH_YEAR.match(lowered):
            day, month, year = match.groups()
            return datetime.date(int(year), int(month), int(day))
    except ValueError:
        pass
    raise ValueError('is not a month we can read; use a form such as "Jan-23", "January 2023" or "2023-01".')
