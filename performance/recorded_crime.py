"""The Home Office's police recorded crime open data, Police Force Area tables.

The release is a workbook (``.ods`` as published, or saved as ``.xlsx``; one sheet exported as
``.csv`` also works) with a cover and notes, then one long sheet per financial year ("2024_25",
older editions "2019-20") headed Financial Year, Financial Quarter, Force Name, Offence
Description, Offence Group, Offence Subgroup, Offence Code, Number of Offences.

The file is read row by row (python-calamine for workbooks, the csv module for CSV) and every row
is checked before anything is written. A file with any problem imports nothing; each problem
names the sheet, row, column and value. Rows for Action Fraud, CIFAS and UK Finance are not
forces' figures: they are skipped and counted. A clean file *replaces* the counts held for every
(force, quarter) it covers, since each release revises earlier quarters: counts the file no longer
has are removed. The write is one transaction of bulk statements; no query is made per row.

The same code runs the admin's preview and confirm and ``manage.py import_recorded_crime``.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.dispatch import Signal

from . import calculations
from .importing import confirms_serialise
from .models import Force, ImportLog, Offence, OffenceCount, normalise_force_name
from .releases import OPEN_DATA_RELEASE, release_day, release_day_text
from .resources import MAX_ERRORS_SHOWN, PREVIEW_OUTDATED, ReleaseProblems
from .spreadsheets import (
    HEADER_SEARCH_ROWS,
    MAX_COUNT,
    Column,
    SpreadsheetError,
    header_key,
    shown,
    size_problem,
    unpacked_size_check,
)

RELEASE_NAME = OPEN_DATA_RELEASE
MAX_FILE_BYTES = 100 * 1024 * 1024  # the published workbook is tens of MB; the other releases keep 5 MB
MAX_UNPACKED_BYTES = 10 * MAX_FILE_BYTES  # its XML parts, unpacked, as for the other releases
BATCH_SIZE = 5000
NOTES_ROWS, NOTES_COLUMNS = 60, 10  # where a cover or notes sheet says when the release was published
READ_CHUNK = 1024 * 1024

# The stages of an import, as a person following its progress is told them.
STAGE_READING = "Reading the file"
STAGE_COMPARING = "Comparing it with the figures held"
STAGE_WRITING = "Writing the counts"
STAGE_COMPUTING = "Computing the quarters' measures"
PROGRESS_EVERY = 10_000  # rows read between reports

Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as an import goes on; total 0 while not known."""


def no_progress(stage: str, done: int, total: int) -> None:
    """Progress nobody follows."""


COLUMNS = [
    Column("year", "Financial Year"),
    Column("quarter", "Financial Quarter"),
    Column("force", "Force Name"),
    Column("description", "Offence Description"),
    Column("group", "Offence Group"),
    Column("subgroup", "Offence Subgroup"),
    Column("code", "Offence Code"),
    Column("count", "Number of Offences"),
]
LABELS = {column.key: column.label for column in COLUMNS}
HEADER_NAMES = {name: column.key for column in COLUMNS for name in column.names()}
TEXT_LIMITS = {"code": 20, "description": 250, "group": 150, "subgroup": 150}  # the Offence columns

# Reporting bodies with rows in the tables that are not police forces (fraud reports).
NOT_FORCES = {normalise_force_name(name) for name in ("Action Fraud", "CIFAS", "UK Finance")}
YEAR_SHEET = re.compile(r"^\s*(\d{4})\s*[_\-/ ]\s*(\d{2})\s*$")  # "2024_25", "2019-20"
FINANCIAL_YEAR = re.compile(r"^(\d{4})\s*[/\-_]\s*(\d{2})$")  # "2024/25"
QUARTER_ENDS = {1: (0, 6, 30), 2: (0, 9, 30), 3: (0, 12, 31), 4: (1, 3, 31)}  # Q1 = April to June
NOT_A_SPREADSHEET = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8")

recorded_crime_imported = Signal()
"""Sent inside a confirmed import's transaction, after its counts are written, with
``sender=None``, ``quarter_ends`` (the set of quarters the file covered), ``user`` (None from
the command line) and ``published_on`` (the release's publication day, None if not known). Work computed from the counts connects here, so it commits or rolls back with
them; a receiver may refuse the import by raising ``ReleaseProblems`` or ``PermissionDenied``."""

recorded_crime_checked = Signal()
"""Sent by every preview and confirm of a clean file, before anything is written, with
``sender=None``, ``namings`` (each offence naming in the file as (code, subgroup, first quarter
end, last quarter end)) and ``quarter_ends``. A receiver returns a list of warnings for staff (a
measure the file does not count); they are shown in the preview and kept in the import log."""


@dataclass
class RecordedCrimeImport:
    """What a file holds and what it would change (a preview), or changed (a confirmed import)."""

    file_name: str
    sha256: str = ""
    rows_read: int = 0
    skipped: Counter = field(default_factory=Counter)  # non-force name -> rows
    forces: list[str] = field(default_factory=list)
    quarter_ends: list[datetime.date] = field(default_factory=list)
    offences: int = 0
    offences_new: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    problems: list[str] = field(default_factory=list)  # at most MAX_ERRORS_SHOWN, then a count
    warnings: list[str] = field(default_factory=list)  # things staff should check; not refusals
    held_fingerprint: str = ""
    import_log: ImportLog | None = None
    notes: list[str] = field(default_factory=list)  # text of the cover and notes sheets
    published_on: datetime.date | None = None  # the release's publication day
    published_on_how: str = ""  # how it was found: as entered, from the file's notes or name

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    @property
    def imported(self) -> bool:
        return self.import_log is not None

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def skipped_text(self) -> str:
        """
        >>> RecordedCrimeImport("x", skipped=Counter({"CIFAS": 2, "Action Fraud": 3})).skipped_text
        'Skipped 5 rows that are not police forces: Action Fraud (3), CIFAS (2).'
        """
        if not self.skipped:
            return ""
        names = ", ".join(f"{name} ({rows:,})" for name, rows in sorted(self.skipped.items()))
        return f"Skipped {self.rows_skipped:,} rows that are not police forces: {names}."

    @property
    def quarters_text(self) -> str:
        if not self.quarter_ends:
            return ""
        first, last = quarter_name(self.quarter_ends[0]), quarter_name(self.quarter_ends[-1])
        return first if first == last else f"{first} to {last}"

    @property
    def totals_text(self) -> str:
        return (
            f"{self.new:,} new, {self.changed:,} changed, {self.unchanged:,} unchanged, "
            f"{self.removed:,} removed"
        )

    @property
    def release_text(self) -> str:
        return release_day_text(
            self.published_on,
            self.published_on_how,
            asked="Enter the day the Home Office published it: without it, this release's figures "
            "cannot be matched to the ONS headline of the same release.",
        )

    def lines(self) -> list[str]:
        """The summary, one fact a line (the command prints it; the admin shows it as a list)."""
        lines = [
            self.release_text,
            f"Rows read: {self.rows_read:,}.",
            self.skipped_text,
            f"Forces: {len(self.forces):,}.",
            f"Quarters: {len(self.quarter_ends):,} ({self.quarters_text}).",
            f"Offences: {self.offences:,} ({self.offences_new:,} not held before).",
            f"Counts: {self.totals_text}.",
        ]
        return [line for line in lines if line]


def quarter_name(quarter_end: datetime.date) -> str:
    """
    >>> quarter_name(datetime.date(2024, 6, 30)), quarter_name(datetime.date(2025, 3, 31))
    ('2024/25 Q1 (April to June 2024)', '2024/25 Q4 (January to March 2025)')
    """
    start_year = quarter_end.year if quarter_end.month > 3 else quarter_end.year - 1
    number = {6: 1, 9: 2, 12: 3, 3: 4}[quarter_end.month]
    first_month = datetime.date(quarter_end.year, quarter_end.month - 2, 1)
    return f"{start_year}/{(start_year + 1) % 100:02d} Q{number} ({first_month:%B} to {quarter_end:%B %Y})"


# --------------------------------------------------------------------------------------------
# Reading: the financial-year sheets of a workbook, or one CSV, row by row
# --------------------------------------------------------------------------------------------


@dataclass
class YearSheet:
    """One financial year's table: its header's columns and its rows below the header."""

    name: str | None  # None for a CSV file
    header_row: int
    positions: dict[str, int]
    rows: Iterator[tuple[int, list]]

    def where(self, row: int, key: str | None = None) -> str:
        place = f"Sheet {self.name}, row {row:,}" if self.name else f"Row {row:,}"
        return f"{place}, column {LABELS[key]}" if key else place


def size_check(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(size_problem(size, MAX_FILE_BYTES))


def year_sheets(file, problems: list[str], notes: list[str] | None = None) -> Iterator[YearSheet]:
    """Every financial-year sheet in ``file`` (a seekable binary file), in the workbook's order.

    A sheet is a year's table if its header row names the release's columns, or if it is named
    like a financial year (then its header must be right); cover and notes sheets are passed
    over. Header problems are added to ``problems``; the text of the first rows of the other
    sheets (cover, notes) to ``notes``."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head.strip(b" \r\n\t\xef\xbb\xbf"):
        raise SpreadsheetError("The file is empty.")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        yield from _workbook_sheets(file, problems, notes if notes is not None else [])
    elif head.startswith(NOT_A_SPREADSHEET) or b"\x00" in head:
        raise SpreadsheetError(
            "This is not a spreadsheet. Upload the release as published (.ods), saved as Excel "
            "(.xlsx), or one year's sheet saved as CSV."
        )
    else:
        sheet = _year_sheet(None, _csv_rows(file), problems, named_as_year=True)
        if sheet is not None:
            yield sheet


def _workbook_sheets(file, problems: list[str], notes: list[str]) -> Iterator[YearSheet]:
    from python_calamine import CalamineWorkbook

    unpacked_size_check(file, limit=MAX_UNPACKED_BYTES)
    try:
        workbook = CalamineWorkbook.from_filelike(file)
    except Exception as error:  # calamine raises several kinds for a damaged or foreign file
        raise SpreadsheetError(
            "The file could not be opened as a workbook (.ods or .xlsx): it may be damaged or not "
            "really a spreadsheet. Open it, save it again and retry."
        ) from error
    found = False
    try:
        for name in workbook.sheet_names:
            if not YEAR_SHEET.match(name):
                notes.extend(_first_texts(workbook, name))
            try:
                rows = enumerate(workbook.get_sheet_by_name(name).iter_rows(), start=1)
            except Exception as error:
                raise SpreadsheetError(
                    f'The sheet "{name}" could not be read: the workbook may be damaged. Open it, '
                    "save it again and retry."
                ) from error
            problems_before = len(problems)
            sheet = _year_sheet(name.strip(), rows, problems, named_as_year=bool(YEAR_SHEET.match(name)))
            found = found or len(problems) > problems_before  # a year's sheet, with a header problem
            if sheet is not None:
                found = True
                yield sheet
        if not found:
            names = ", ".join(f'"{name}"' for name in workbook.sheet_names)
            raise SpreadsheetError(
                "The workbook has no financial-year sheets: none is named like 2024_25 or has the "
                f"header {', '.join(LABELS.values())}. Its sheets are: {names}."
            )
    finally:
        workbook.close()


def _first_texts(workbook, name: str) -> list[str]:
    """The text cells of a sheet's first rows (where a cover or notes sheet says when it was
    published); nothing if the sheet cannot be read (its rows are checked later)."""
    try:
        rows = workbook.get_sheet_by_name(name).iter_rows()
        return [
            cell.strip()
            for row in itertools.islice(rows, NOTES_ROWS)
            for cell in row[:NOTES_COLUMNS]
            if isinstance(cell, str) and cell.strip()
        ]
    except Exception:  # a damaged sheet: its own read says so
        return []


def _csv_rows(file) -> Iterator[tuple[int, list]]:
    """A CSV file's rows, decoded as UTF-8 (with or without BOM) or else Windows-1252."""
    encoding = "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(READ_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1252"
    file.seek(0)
    text = io.TextIOWrapper(file, encoding=encoding, newline="", errors="replace")
    try:
        yield from enumerate(csv.reader(text), start=1)
    except csv.Error as error:
        raise SpreadsheetError(f"The CSV file could not be read: {error}.") from error
    finally:
        text.detach()


def _year_sheet(name, rows: Iterator[tuple[int, list]], problems, *, named_as_year) -> YearSheet | None:
    """The sheet's header (searched for in its first rows) and an iterator over the rows below."""
    searched = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    best = None
    for number, cells in searched:
        positions = {}
        for index, value in enumerate(cells):
            key = HEADER_NAMES.get(header_key(value)) if isinstance(value, str) and value.strip() else None
            if key is not None and key not in positions:
                positions[key] = index
        if len(positions) >= 3 and (best is None or len(positions) > len(best[1])):
            best = (number, positions)
    place = f"Sheet {name}" if name else "The file"
    if best is None:
        if named_as_year:
            problems.append(
                f"{place} has no header row: its table should start with a row naming its columns: "
                f"{', '.join(LABELS.values())}."
            )
        return None
    header_row, positions = best
    missing = [LABELS[key] for key in LABELS if key not in positions]
    if missing:
        problems.append(
            f"{place}, row {header_row:,}: the header has no column "
            + ", ".join(f'"{label}"' for label in missing)
            + ". Each year's sheet needs every column of the published table."
        )
        return None
    below = ((number, cells) for number, cells in searched if number > header_row)
    return YearSheet(name=name, header_row=header_row, positions=positions, rows=itertools.chain(below, rows))


# --------------------------------------------------------------------------------------------
# Checking every row
# --------------------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as text: numbers that are whole ("1.0" from a workbook) lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _whole_number(value) -> int | None:
    """A whole number from a cell, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace(",", "")
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(text.split(".")[0])
    return None


def quarter_end_of(year_text: str, quarter: int) -> datetime.date:
    """
    >>> quarter_end_of("2024/25", 1), quarter_end_of("2024/25", 4)
    (datetime.date(2024, 6, 30), datetime.date(2025, 3, 31))
    """
    start = int(FINANCIAL_YEAR.match(year_text).group(1))
    years, month, day = QUARTER_ENDS[quarter]
    return datetime.date(start + years, month, day)


class ForceMatcher:
    """Force Name cells to forces: any name, full name or alias a force goes by, and the ONS
    short names' "London, City of" order ("City of London")."""

    def __init__(self):
        self.lookup = Force.objects.name_lookup()
        self.cache: dict[str, Force | None] = {}

    def get(self, name: str) -> Force | None:
        if name not in self.cache:
            key = normalise_force_name(name)
            force = self.lookup.get(key)
            if force is None and "," in key:
                first, _, rest = key.partition(",")
                force = self.lookup.get(normalise_force_name(f"{rest} {first}"))
            self.cache[name] = force
        return self.cache[name]


@dataclass
class FileContents:
    """The checked rows: one count per (force, quarter, offence) in the file."""

    counts: dict = field(default_factory=dict)  # (force pk, quarter end, offence index) -> count
    first_seen: dict = field(default_factory=dict)  # same key -> where it was first given
    offences: dict = field(default_factory=dict)  # (code, description, group, subgroup) -> index
    forces: dict = field(default_factory=dict)  # pk -> Force


class ProblemList:
    """Every problem counted; the first ``MAX_ERRORS_SHOWN`` kept to be shown."""

    def __init__(self):
        self.shown: list[str] = []
        self.total = 0

    def append(self, message: str) -> None:
        self.total += 1
        if len(self.shown) < MAX_ERRORS_SHOWN:
            self.shown.append(message)

    def messages(self) -> list[str]:
        more = self.total - len(self.shown)
        return self.shown + ([f"… and {more:,} more problems."] if more else [])


def file_read(file, summary: RecordedCrimeImport, *, progress: Progress | None = None) -> FileContents:
    """Read and check every row. Problems go to ``summary.problems``; the file's contents are
    returned (complete only if there are none).

    The release repeats a few dozen forces, years and offences across ~165,000 rows, so each
    distinct cell value is checked once and remembered."""
    contents = FileContents()
    problems = ProblemList()
    header_problems: list[str] = []
    forces = ForceMatcher()
    names: dict = {}  # Force Name cell -> Force, or its text for a body that is not a force
    periods: dict = {}  # (Financial Year, Financial Quarter) cells -> (year text, quarter, quarter end)
    namings: dict = {}  # the four Offence cells -> the offence's index in the file
    skipped = summary.skipped
    rows_read = 0
    try:
        for sheet in year_sheets(file, header_problems, summary.notes):
            indexes = [sheet.positions[key] for key in LABELS]
            width = max(indexes) + 1
            for number, cells in sheet.rows:
                if len(cells) < width:
                    cells = [*cells, *([""] * (width - len(cells)))]
                year, quarter, name, description, group, subgroup, code, count = (cells[i] for i in indexes)
                if all(value is None or str(value).strip() == "" for value in cells):
                    continue
                rows_read += 1
                if progress is not None and rows_read % PROGRESS_EVERY == 0:
                    progress(STAGE_READING, rows_read, 0)
                row_problems: list[tuple[str, object, str]] = []  # (column key, value, reason)

                force = names.get(name)
                if force is None:
                    force = _force_check(forces, name, row_problems)
                    if force is not None:
                        names[name] = force
                if isinstance(force, str):
                    skipped[force] += 1
                    continue
                period = periods.get((year, quarter))
                if period is None:
                    period = _period_check(year, quarter, row_problems)
                    if period is not None:
                        periods[(year, quarter)] = period
                offence = namings.get((code, description, group, subgroup))
                if offence is None:
                    naming = _naming_check(code, description, group, subgroup, row_problems)
                    if naming is not None:
                        offence = contents.offences.setdefault(naming, len(contents.offences))
                        namings[(code, description, group, subgroup)] = offence
                number_of_offences = count if type(count) is int else _whole_number(count)
                if number_of_offences is None or abs(number_of_offences) > MAX_COUNT:
                    reason = (
                        "is empty; every row needs its Number of Offences." if count in (None, "") else ""
                    )
                    row_problems.append(("count", count, reason or "is not a whole number."))
                if row_problems:
                    for key, value, reason in row_problems:
                        problems.append(f"{sheet.where(number, key)}: {shown(value)} {reason}")
                    continue
                key = (force.pk, period[2], offence)
                if key in contents.counts:
                    first_sheet, first_row = contents.first_seen[key]
                    code_text, description_text = next(
                        n for n, i in contents.offences.items() if i == offence
                    )[:2]
                    problems.append(
                        f"{sheet.where(number)}: {force.name}, {period[0]} quarter {period[1]}, offence "
                        f"{code_text} ({description_text}) is given twice: first at "
                        f"{first_lower(first_sheet.where(first_row))}. Each force, quarter and offence has one row."
                    )
                    continue
                contents.counts[key] = number_of_offences
                contents.first_seen[key] = (sheet, number)
                contents.forces[force.pk] = force
    except SpreadsheetError as error:
        summary.problems = [str(error)]
        return contents
    summary.rows_read = rows_read
    messages = header_problems + problems.messages()
    if not messages and not contents.counts:
        messages = ["The file has no police forces' rows below its header."]
    summary.problems = messages
    summary.forces = sorted(force.name for force in contents.forces.values())
    summary.quarter_ends = sorted({quarter for _, quarter, _ in contents.counts})
    summary.offences = len(contents.offences)
    return contents


def _force_check(forces: ForceMatcher, cell, row_problems: list) -> Force | str | None:
    """The force a Force Name cell names; the name's text for a body that is not a force."""
    name = _text(cell)
    if normalise_force_name(name) in NOT_FORCES:
        return name
    force = forces.get(name) if name else None
    if force is None:
        row_problems.append(
            (
                "force",
                name,
                "is not a force we know. Check the spelling, or add the name as an alias of the force "
                "in the admin."
                if name
                else "is empty; every row needs its Force Name.",
            )
        )
    return force


def _period_check(year, quarter, row_problems: list) -> tuple[str, int, datetime.date] | None:
    year_text = _text(year)
    valid_year = bool(FINANCIAL_YEAR.match(year_text)) and (
        int(year_text[-2:]) == (int(year_text[:4]) + 1) % 100
    )
    if not valid_year:
        row_problems.append(("year", year, 'is not a financial year; give it as published, e.g. "2024/25".'))
    quarter_number = _whole_number(quarter) if quarter not in (None, "") else None
    if quarter_number is None and isinstance(quarter, str):
        quarter_number = _whole_number(quarter.strip().upper().removeprefix("Q"))
    if quarter_number not in QUARTER_ENDS:
        row_problems.append(("quarter", quarter, "is not a financial quarter: it must be 1, 2, 3 or 4."))
        return None
    if not valid_year:
        return None
    return (
        year_text.replace("-", "/").replace("_", "/"),
        quarter_number,
        quarter_end_of(year_text, quarter_number),
    )


def _naming_check(code, description, group, subgroup, row_problems: list) -> tuple[str, str, str, str] | None:
    """The four Offence cells as text. The code stays text end to end ("4.10" is not "4.1"): a
    code a workbook holds as a number with a fraction, or a combined code, is refused."""
    naming = (_text(code), _text(description), _text(group), _text(subgroup))
    problems_before = len(row_problems)
    if not naming[0]:
        row_problems.append(("code", code, "is empty; every row needs its Offence Code."))
    elif problem := calculations.offence_code_problem(code):
        row_problems.append(("code", code, problem))
    for key, text in zip(("code", "description", "group", "subgroup"), naming, strict=True):
        if len(text) > TEXT_LIMITS[key]:
            row_problems.append((key, text, f"is longer than {TEXT_LIMITS[key]} characters."))
    return naming if len(row_problems) == problems_before else None


def names_new_warnings(contents: FileContents) -> list[str]:
    """A warning for each Offence Group or Offence Subgroup name in the file that no offence held
    has (one query), so that staff check the measures' definitions: the names drift between
    editions ("Theft offences", later "Theft Offences"). Nothing on a first import."""
    held = {"group": {}, "subgroup": {}}
    for group, subgroup in Offence.objects.values_list("group", "subgroup").distinct().order_by():
        held["group"].setdefault(calculations.name_key(group), set()).add(group)
        held["subgroup"].setdefault(calculations.name_key(subgroup), set()).add(subgroup)
    if not held["group"]:
        return []
    warnings = []
    for position, key in ((2, "group"), (3, "subgroup")):
        for name in sorted({naming[position] for naming in contents.offences}):
            known = held[key].get(calculations.name_key(name), set())
            if name in known:
                continue
            before = " or ".join(f'"{other}"' for other in sorted(known))
            warnings.append(
                f'Offence {key} "{name}" is new: the data held so far '
                + (f"spells it {before}" if before else "has no such name")
                + ". Check that the measures' definitions count it as they should."
            )
    return warnings


def file_namings(contents: FileContents) -> list[tuple[str, str, datetime.date, datetime.date]]:
    """Each offence naming in the file: (code, subgroup, first quarter end, last quarter end)."""
    spans: dict[int, tuple[datetime.date, datetime.date]] = {}
    for _, quarter, index in contents.counts:
        first, last = spans.get(index, (quarter, quarter))
        spans[index] = (min(first, quarter), max(last, quarter))
    return [
        (code, subgroup, *spans[index])
        for (code, _, _, subgroup), index in contents.offences.items()
        if index in spans
    ]


def first_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def file_sha256(file) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    while chunk := file.read(READ_CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Comparing with the counts held, and writing
# --------------------------------------------------------------------------------------------


@dataclass
class Changes:
    offence_ids: dict  # offence index -> Offence pk (None: not held yet)
    new: list  # (force pk, quarter end, offence index, count)
    changed: list  # the same, for counts held with another value
    stale_ids: list  # held counts the file replaces (changed) or no longer has (removed)
    unchanged: int
    removed: int
    fingerprint: str


def changes_against_held(contents: FileContents) -> Changes:
    """How the file differs from the counts held for the (force, quarter)s it covers (two queries)."""
    held_offences = {
        tuple(naming): pk
        for pk, *naming in Offence.objects.values_list("pk", "code", "description", "group", "subgroup")
    }
    offence_ids = {index: held_offences.get(naming) for naming, index in contents.offences.items()}
    covered = {(force_id, quarter) for force_id, quarter, _ in contents.counts}
    held = {}
    rows = OffenceCount.objects.filter(
        force_id__in={force_id for force_id, _ in covered}, quarter_end__in={q for _, q in covered}
    ).values_list("pk", "force_id", "quarter_end", "offence_id", "count")
    for pk, force_id, quarter, offence_id, count in rows.iterator(chunk_size=BATCH_SIZE):
        if (force_id, quarter) in covered:
            held[(force_id, quarter, offence_id)] = (pk, count)
    fingerprint = hashlib.sha256(
        "\n".join(sorted(f"{f}|{q.isoformat()}|{o}|{c}" for (f, q, o), (_, c) in held.items())).encode()
    ).hexdigest()
    new, changed, stale_ids, unchanged, matched = [], [], [], 0, set()
    for (force_id, quarter, index), count in contents.counts.items():
        offence_id = offence_ids[index]
        found = held.get((force_id, quarter, offence_id)) if offence_id is not None else None
        if found is None:
            new.append((force_id, quarter, index, count))
            continue
        matched.add((force_id, quarter, offence_id))
        if found[1] == count:
            unchanged += 1
        else:
            changed.append((force_id, quarter, index, count))
            stale_ids.append(found[0])
    removed = [pk for key, (pk, _) in held.items() if key not in matched]
    return Changes(
        offence_ids=offence_ids,
        new=new,
        changed=changed,
        stale_ids=stale_ids + removed,
        unchanged=unchanged,
        removed=len(removed),
        fingerprint=fingerprint,
    )


def _write(contents: FileContents, changes: Changes) -> None:
    """Replace the stale counts and add the new ones, in bulk."""
    missing = [naming for naming, index in contents.offences.items() if changes.offence_ids[index] is None]
    if missing:
        created = Offence.objects.bulk_create(
            [Offence(code=c, description=d, group=g, subgroup=s) for c, d, g, s in missing],
            batch_size=BATCH_SIZE,
        )
        for offence, naming in zip(created, missing, strict=True):
            changes.offence_ids[contents.offences[naming]] = offence.pk
    # Counts send no signals (performance/signals.py), so each batch is one DELETE statement;
    # the pages' content version moves once, below.
    per_delete = min(connection.ops.bulk_batch_size(["pk"], changes.stale_ids) or BATCH_SIZE, BATCH_SIZE)
    for start in range(0, len(changes.stale_ids), per_delete):
        OffenceCount.objects.filter(pk__in=changes.stale_ids[start : start + per_delete]).delete()
    counts_insert(
        (force_id, quarter, changes.offence_ids[index], count)
        for force_id, quarter, index, count in itertools.chain(changes.new, changes.changed)
    )


def counts_insert(rows: Iterator[tuple[int, datetime.date, int, int]]) -> None:
    """Insert (force pk, quarter end, offence pk, count) rows, one statement per ``BATCH_SIZE``.

    ``bulk_create`` builds a model instance per row and, on SQLite, sends 249 rows a statement;
    for the release's ~165,000 rows that alone took most of the import's time. PostgreSQL gets
    each batch as four arrays (psycopg's executemany would send a statement per row); SQLite an
    executemany, which runs in-process."""
    ops, meta = connection.ops, OffenceCount._meta
    columns = ", ".join(
        ops.quote_name(meta.get_field(name).column) for name in ("force", "quarter_end", "offence", "count")
    )
    insert = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) "
    dates: dict[datetime.date, object] = {}
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH_SIZE)):
            if connection.vendor == "postgresql":
                cursor.execute(
                    insert + "SELECT * FROM unnest(%s::bigint[], %s::date[], %s::bigint[], %s::integer[])",
                    [list(column) for column in zip(*batch, strict=True)],
                )
                continue
            for index, (force_id, quarter, offence_id, count) in enumerate(batch):
                if quarter not in dates:
                    dates[quarter] = ops.adapt_datefield_value(quarter)
                batch[index] = (force_id, dates[quarter], offence_id, count)
            cursor.executemany(insert + "VALUES (%s, %s, %s, %s)", batch)


def release_import(
    file,
    *,
    file_name: str,
    user=None,
    dry_run: bool = False,
    preview_fingerprint: str | None = None,
    published_on: datetime.date | None = None,
    progress: Progress | None = None,
) -> RecordedCrimeImport:
    """Check ``file`` (a seekable binary file) and, unless ``dry_run``, import it: all or nothing.

    ``preview_fingerprint`` (the admin's confirm) refuses the file if the counts it would replace
    are no longer those its preview compared it with. ``progress`` is told each stage as it
    starts, and the rows read so far as they are read."""
    progress = progress or no_progress
    summary = RecordedCrimeImport(file_name=file_name)
    try:
        file.seek(0, io.SEEK_END)
        size_check(file.tell())
    except SpreadsheetError as error:
        summary.problems = [str(error)]
        return summary
    summary.sha256 = file_sha256(file)
    progress(STAGE_READING, 0, 0)
    contents = file_read(file, summary, progress=progress)
    summary.published_on, summary.published_on_how = release_day(
        entered=published_on, texts=summary.notes, file_name=file_name
    )
    if summary.refused:
        return summary
    try:
        with transaction.atomic():
            if not dry_run:
                confirms_serialise()  # imports of this release one at a time, admin and command alike
            progress(STAGE_COMPARING, summary.rows_read, summary.rows_read)
            changes = changes_against_held(contents)
            summary.held_fingerprint = changes.fingerprint
            summary.offences_new = sum(1 for pk in changes.offence_ids.values() if pk is None)
            summary.new, summary.changed = len(changes.new), len(changes.changed)
            summary.unchanged, summary.removed = changes.unchanged, changes.removed
            if preview_fingerprint is not None and preview_fingerprint != changes.fingerprint:
                raise ReleaseProblems([PREVIEW_OUTDATED])
            summary.warnings = names_new_warnings(contents) + [
                warning
                for _, warnings in recorded_crime_checked.send(
                    sender=None, namings=file_namings(contents), quarter_ends=set(summary.quarter_ends)
                )
                for warning in warnings or ()
            ]
            if dry_run:
                return summary
            progress(STAGE_WRITING, 0, len(changes.new) + len(changes.changed))
            _write(
                contents, changes
            )  # not public: what the public sees is computed from it into drafts and revisions
            summary.import_log = ImportLog.objects.create(
                user=user if getattr(user, "is_authenticated", False) else None,
                resource=RELEASE_NAME,
                file_name=file_name[:255],
                sha256=summary.sha256,
                rows_new=summary.new,
                rows_updated=summary.changed,
                rows_unchanged=summary.unchanged,
                release_published_on=summary.published_on,
                warnings="\n".join(
                    line
                    for line in (
                        summary.release_text if summary.published_on is None else "",
                        summary.skipped_text,
                        f"Removed {summary.removed:,} counts the file no longer has."
                        if summary.removed
                        else "",
                        *summary.warnings,
                    )
                    if line
                ),
            )
            progress(STAGE_COMPUTING, 0, len(summary.quarter_ends))
            recorded_crime_imported.send(
                sender=None,
                quarter_ends=set(summary.quarter_ends),
                user=summary.import_log.user,
                published_on=summary.published_on,
            )
    except ReleaseProblems as refused:
        summary.problems, summary.import_log = refused.messages, None
    except PermissionDenied as refused:
        summary.problems, summary.import_log = [str(refused) or "You may not import this file."], None
    return summary
