"""Reading and checking the police recorded crime open data, row by row.

The Home Office's Police Force Area tables are a workbook (``.ods`` as published, or saved as
``.xlsx``; one sheet exported as ``.csv`` also works) with a cover and notes, then one long sheet
per financial year ("2024_25", older editions "2019-20") headed Financial Year, Financial Quarter,
Force Name, Offence Description, Offence Group, Offence Subgroup, Offence Code, Number of
Offences.

This module reads and checks every row and returns what the file holds; it writes nothing and
imports nothing of Django's, because it runs in the bounded child process that every upload is
read in (``performance.imports.untrusted``, ``performance.imports.readers``). Comparing with the counts held and
writing them is ``performance.crime.recorded_crime``'s.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from performance.imports import filechecks, readers
from performance.imports.spreadsheets import (
    HEADER_SEARCH_ROWS,
    MAX_COUNT,
    MAX_ERRORS_SHOWN,
    Column,
    SpreadsheetError,
    header_key,
    headings_key,
    normalise_force_name,
    shown,
)
from performance.shared import calculations

MAX_ROWS = 2_000_000  # the release has ~165,000 rows a year of quarters; ten times its history is plenty
NOTES_ROWS, NOTES_COLUMNS = 60, 10  # where a cover or notes sheet says when the release was published
READ_CHUNK = 1024 * 1024
PROGRESS_EVERY = 10_000  # rows read between reports

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


class Layout:
    """A release's long table: its columns (each with the headings it is published under), in
    the order a row is read. The recorded crime and the crime outcomes open data share the
    workbook's shape and differ in their columns."""

    def __init__(self, columns: list[Column]):
        self.columns = columns
        self.labels = {column.key: column.label for column in columns}
        self.header_names = {name: column.key for column in columns for name in column.names()}


RECORDED_CRIME = Layout(COLUMNS)
LABELS = RECORDED_CRIME.labels
TEXT_LIMITS = {"code": 20, "description": 250, "group": 150, "subgroup": 150}  # the Offence columns

# Reporting bodies with rows in the tables that are not police forces (fraud reports).
NOT_FORCES = {normalise_force_name(name) for name in ("Action Fraud", "CIFAS", "UK Finance")}
YEAR_SHEET = re.compile(r"^\s*(\d{4})\s*[_\-/ ]\s*(\d{2})\s*$")  # "2024_25", "2019-20"
FINANCIAL_YEAR = re.compile(r"^(\d{4})\s*[/\-_]\s*(\d{2})$")  # "2024/25"
QUARTER_ENDS = {1: (0, 6, 30), 2: (0, 9, 30), 3: (0, 12, 31), 4: (1, 3, 31)}  # Q1 = April to June
NOT_A_SPREADSHEET = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8")


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
    labels: dict[str, str] = field(default_factory=lambda: LABELS)

    def where(self, row: int, key: str | None = None) -> str:
        place = f"Sheet {self.name}, row {row:,}" if self.name else f"Row {row:,}"
        return f"{place}, column {self.labels[key]}" if key else place


@dataclass
class HeaderQuestions:
    """What the sheets' headers leave to a person: the column choices made before for a header
    row (``choices``: its ``headings_key`` -> {column key: the file's heading}), and the first
    header row with columns still not found (``missing``: their keys; ``headings``: the row's
    headings; ``unclaimed``: those no column claims), for the import's column-choice step."""

    choices: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    unclaimed: list[str] = field(default_factory=list)

    def asked(self) -> dict | None:
        if not self.missing or not self.unclaimed:
            return None
        return {"missing": self.missing, "headings": self.headings, "unclaimed": self.unclaimed}


def year_sheets(
    file,
    problems: list[str],
    notes: list[str] | None = None,
    *,
    layout: Layout = RECORDED_CRIME,
    questions: HeaderQuestions | None = None,
) -> Iterator[YearSheet]:
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
        yield from _workbook_sheets(file, problems, notes if notes is not None else [], layout, questions)
    elif head.startswith(NOT_A_SPREADSHEET) or b"\x00" in head:
        raise SpreadsheetError(
            "This is not a spreadsheet. Upload the release as published (.ods), saved as Excel "
            "(.xlsx), or one year's sheet saved as CSV."
        )
    else:
        sheet = _year_sheet(
            None, _csv_rows(file), problems, named_as_year=True, layout=layout, questions=questions
        )
        if sheet is not None:
            yield sheet


def _workbook_sheets(
    file, problems: list[str], notes: list[str], layout: Layout, questions: HeaderQuestions | None
) -> Iterator[YearSheet]:
    from python_calamine import CalamineWorkbook

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
            sheet = _year_sheet(
                name.strip(),
                rows,
                problems,
                named_as_year=bool(YEAR_SHEET.match(name)),
                layout=layout,
                questions=questions,
            )
            found = found or len(problems) > problems_before  # a year's sheet, with a header problem
            if sheet is not None:
                found = True
                yield sheet
        if not found:
            names = ", ".join(f'"{name}"' for name in workbook.sheet_names)
            raise SpreadsheetError(
                "The workbook has no financial-year sheets: none is named like 2024_25 or has the "
                f"header {', '.join(layout.labels.values())}. Its sheets are: {names}."
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


def _year_sheet(
    name,
    rows: Iterator[tuple[int, list]],
    problems,
    *,
    named_as_year,
    layout: Layout,
    questions: HeaderQuestions | None = None,
) -> YearSheet | None:
    """The sheet's header (searched for in its first rows) and an iterator over the rows below."""
    searched = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    best = None
    for number, cells in searched:
        positions = {}
        for index, value in enumerate(cells):
            key = (
                layout.header_names.get(header_key(value))
                if isinstance(value, str) and value.strip()
                else None
            )
            if key is not None and key not in positions:
                positions[key] = index
        if len(positions) >= 3 and (best is None or len(positions) > len(best[1])):
            best = (number, positions)
    place = f"Sheet {name}" if name else "The file"
    if best is None:
        if named_as_year:
            problems.append(
                f"{place} has no header row: its table should start with a row naming its columns: "
                f"{', '.join(layout.labels.values())}."
            )
        return None
    header_row, positions = best
    if questions is not None and len(positions) < len(layout.labels):
        _chosen_columns(positions, dict(searched)[header_row], layout, questions)
    missing = [label for key, label in layout.labels.items() if key not in positions]
    if missing:
        problems.append(
            f"{place}, row {header_row:,}: the header has no column "
            + ", ".join(f'"{label}"' for label in missing)
            + ". Each year's sheet needs every column of the published table."
        )
        return None
    below = ((number, cells) for number, cells in searched if number > header_row)
    return YearSheet(
        name=name,
        header_row=header_row,
        positions=positions,
        rows=itertools.chain(below, rows),
        labels=layout.labels,
    )


def _chosen_columns(positions: dict, cells: list, layout: Layout, questions: HeaderQuestions) -> None:
    """Find the columns a header row does not name by the choices a person made for the same
    header row before; note what is still missing, once, for the column-choice step."""
    headings = [str(cell).strip() if cell is not None else "" for cell in cells]
    while headings and not headings[-1]:
        headings.pop()
    index_of = {header_key(heading): index for index, heading in enumerate(headings) if heading}
    for key, heading in questions.choices.get(headings_key(headings), {}).items():
        index = index_of.get(header_key(heading))
        if (
            key in layout.labels
            and key not in positions
            and index is not None
            and index not in positions.values()
        ):
            positions[key] = index
    missing = [key for key in layout.labels if key not in positions]
    if missing and not questions.missing:
        claimed = set(positions.values())
        questions.missing, questions.headings = missing, headings
        questions.unclaimed = [
            heading for index, heading in enumerate(headings) if heading and index not in claimed
        ]


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


@dataclass(frozen=True)
class ForceRef:
    """A force as the reading knows it: its primary key and name."""

    pk: int
    name: str


class ForceMatcher:
    """Force Name cells to forces: any name, full name or alias a force goes by (``lookup``: each
    normalised name's (pk, name)), and the ONS short names' "London, City of" order ("City of
    London")."""

    def __init__(self, lookup: dict[str, tuple[int, str]]):
        self.lookup = {key: ForceRef(pk, name) for key, (pk, name) in lookup.items()}
        self.cache: dict[str, ForceRef | None] = {}

    def get(self, name: str) -> ForceRef | None:
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
    forces: dict = field(default_factory=dict)  # pk -> ForceRef


@dataclass
class FileFacts:
    """What reading the file found besides its counts."""

    rows_read: int = 0
    skipped: Counter = field(default_factory=Counter)  # non-force name -> rows
    problems: list[str] = field(default_factory=list)  # at most MAX_ERRORS_SHOWN, then a count
    notes: list[str] = field(default_factory=list)  # text of the cover and notes sheets
    forces: list[str] = field(default_factory=list)
    quarter_ends: list[datetime.date] = field(default_factory=list)
    offences: int = 0
    questions: HeaderQuestions = field(default_factory=HeaderQuestions)


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


def file_read(
    file,
    summary: FileFacts,
    forces_lookup: dict[str, tuple[int, str]],
    *,
    progress: Callable[[int, int], None] | None = None,
    rows_expected: int = 0,
    max_rows: int = MAX_ROWS,
) -> FileContents:
    """Read and check every row. Problems go to ``summary.problems``; the file's contents are
    returned (complete only if there are none). ``progress`` is told the rows read so far and
    ``rows_expected`` (0: not known).

    The release repeats a few dozen forces, years and offences across ~165,000 rows, so each
    distinct cell value is checked once and remembered."""
    contents = FileContents()
    problems = ProblemList()
    header_problems: list[str] = []
    forces = ForceMatcher(forces_lookup)
    names: dict = {}  # Force Name cell -> Force, or its text for a body that is not a force
    periods: dict = {}  # (Financial Year, Financial Quarter) cells -> (year text, quarter, quarter end)
    namings: dict = {}  # the four Offence cells -> the offence's index in the file
    skipped = summary.skipped
    rows_read = 0
    try:
        for sheet in year_sheets(file, header_problems, summary.notes, questions=summary.questions):
            indexes = [sheet.positions[key] for key in LABELS]
            width = max(indexes) + 1
            for number, cells in sheet.rows:
                if len(cells) < width:
                    cells = [*cells, *([""] * (width - len(cells)))]
                year, quarter, name, description, group, subgroup, code, count = (cells[i] for i in indexes)
                if all(value is None or str(value).strip() == "" for value in cells):
                    continue
                rows_read += 1
                if rows_read % PROGRESS_EVERY == 0:
                    if rows_read > max_rows:
                        raise SpreadsheetError(
                            f"The file has more than {max_rows:,} rows, which no release has."
                        )
                    if progress is not None:
                        progress(rows_read, max(rows_expected, rows_read))
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


def _force_check(forces: ForceMatcher, cell, row_problems: list) -> ForceRef | str | None:
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


def first_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def release_file_read(path: str, options: dict, read: Callable, *, progress) -> tuple:
    """An open data release at ``path`` read by ``read`` (a ``file_read`` of this module's or the
    outcomes' shape) in the bounded child, its rows counted first so that progress has a total:
    (its contents, the facts gathered on the way)."""
    if readers.is_zip(path):
        rows_expected = filechecks.zip_checked(path, readers.bounds_of(options)).rows
    else:
        rows_expected = filechecks.csv_rows_counted(path)
    facts = FileFacts(questions=HeaderQuestions(choices=options.get("choices") or {}))
    lookup = {key: tuple(value) for key, value in options["forces"].items()}
    progress(0, rows_expected)
    with open(path, "rb") as file:
        contents = read(
            file,
            facts,
            lookup,
            progress=progress,
            rows_expected=rows_expected,
            max_rows=options["bounds"]["rows"],
        )
    progress(facts.rows_read, facts.rows_read)
    return contents, facts


def counts_written(data_path: str, rows: Iterable[tuple[int, ...]], width: int) -> None:
    """``rows`` of ``width`` whole numbers written to ``data_path`` as ``width`` arrays of 64-bit
    integers, one column after another (read back by ``arrays_loaded``)."""
    columns = [array("q") for _ in range(width)]
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    with open(data_path, "wb") as out:
        for column in columns:
            column.tofile(out)


def in_index_order(namings: dict) -> list[list]:
    """Names kept with their index (offences, outcomes), as lists in index order."""
    return [list(naming) for naming, _ in sorted(namings.items(), key=lambda item: item[1])]


def recorded_crime_rows(path: str, options: dict, data_path: str, *, progress) -> dict:
    """The recorded crime open data, read and checked row by row (``recorded_crime_file``). The
    counts go to ``data_path`` as four arrays of 64-bit integers — force pk, quarter end (its
    proleptic ordinal), offence index, count — the rest is returned."""
    contents, facts = release_file_read(path, options, file_read, progress=progress)
    if not facts.problems:
        counts_written(
            data_path,
            (
                (force_id, quarter.toordinal(), offence, count)
                for (force_id, quarter, offence), count in contents.counts.items()
            ),
            4,
        )
    return {
        "rows_read": facts.rows_read,
        "skipped": dict(facts.skipped),
        "problems": facts.problems,
        "notes": facts.notes,
        "forces": facts.forces,
        "quarter_ends": facts.quarter_ends,
        "offences": in_index_order(contents.offences),
        "force_ids": sorted(contents.forces),
        "counts": len(contents.counts),
        "headings_missing": facts.questions.asked(),
    }
