"""Reading and checking the crime outcomes open data, row by row.

The Home Office publishes the crime outcomes open data beside the recorded crime open data, in
the same shape (Police Force Area tables: a workbook with a cover and notes, then one long sheet
per financial year, or one year's sheet as CSV). Each row is a financial year and quarter, a
force, an offence (description, group, subgroup, code, as in the recorded crime data) and an
outcome (description, group, type number), with two counts: outcomes assigned in the quarter to
offences recorded in that quarter, and outcomes assigned in the quarter to offences recorded in
earlier quarters.

Like ``recorded_crime_file`` (whose sheet reading and cell checks this reuses), this runs in the
bounded child process and imports nothing of Django's; ``outcomes_import`` compares and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from performance.crime.recorded_crime_file import (
    MAX_ROWS,
    PROGRESS_EVERY,
    FileFacts,
    ForceMatcher,
    Layout,
    ProblemList,
    _force_check,
    _naming_check,
    _period_check,
    _text,
    _whole_number,
    counts_written,
    first_lower,
    in_index_order,
    release_file_read,
    year_sheets,
)
from performance.imports.spreadsheets import MAX_COUNT, Column, SpreadsheetError, shown

OUTCOMES = Layout(
    [
        Column("year", "Financial Year"),
        Column("quarter", "Financial Quarter"),
        Column("force", "Force Name"),
        Column("description", "Offence Description"),
        Column("group", "Offence Group"),
        Column("subgroup", "Offence Subgroup"),
        Column("code", "Offence Code"),
        Column("outcome_description", "Outcome Description"),
        Column("outcome_group", "Outcome Group"),
        Column("outcome_type", "Outcome Type", aliases=("Outcome Type Number", "Outcome Number")),
        Column(
            "in_quarter",
            "Force outcomes for offences recorded in quarter",
            aliases=("Outcomes for offences recorded in quarter", "Force outcomes recorded in quarter"),
        ),
        Column(
            "earlier",
            "Force outcomes for offences recorded in previous quarters",
            aliases=(
                "Outcomes for offences recorded in previous quarters",
                "Force outcomes for offences recorded in earlier quarters",
            ),
        ),
    ]
)
MAX_OUTCOME_TYPE = 99  # the Counting Rules number their outcome types 1 to 22 (and sub-types as 8A…)
OUTCOME_TEXT_LIMITS = {"outcome_description": 250, "outcome_group": 150}
DATA_COLUMNS = 6  # force pk, quarter end ordinal, offence index, outcome index, two counts


@dataclass
class OutcomesContents:
    """The checked rows: one pair of counts per (force, quarter, offence, outcome type)."""

    counts: dict = field(default_factory=dict)  # (force pk, quarter end, offence, outcome) -> (in, earlier)
    first_seen: dict = field(default_factory=dict)  # (force pk, quarter end, offence, type) -> (sheet, row)
    offences: dict = field(default_factory=dict)  # (code, description, group, subgroup) -> index
    outcomes: dict = field(default_factory=dict)  # (type, description, group) -> index
    forces: dict = field(default_factory=dict)  # pk -> ForceRef


def _count_check(value, key: str, label: str, row_problems: list) -> int | None:
    number = value if type(value) is int else _whole_number(value)
    if number is None or abs(number) > MAX_COUNT:
        reason = (
            f"is empty; every row needs its {label}." if value in (None, "") else "is not a whole number."
        )
        row_problems.append((key, value, reason))
        return None
    return number


def _outcome_check(number, description, group, row_problems: list) -> tuple[int, str, str] | None:
    problems_before = len(row_problems)
    outcome_type = _whole_number(number) if number not in (None, "") else None
    if outcome_type is None or not 1 <= outcome_type <= MAX_OUTCOME_TYPE:
        row_problems.append(
            ("outcome_type", number, "is not an outcome type: give its number as published, e.g. 1.")
        )
    texts = {"outcome_description": _text(description), "outcome_group": _text(group)}
    for key, text in texts.items():
        if len(text) > OUTCOME_TEXT_LIMITS[key]:
            row_problems.append((key, text, f"is longer than {OUTCOME_TEXT_LIMITS[key]} characters."))
    if len(row_problems) > problems_before:
        return None
    return outcome_type, texts["outcome_description"], texts["outcome_group"]


def file_read(
    file,
    summary: FileFacts,
    forces_lookup: dict[str, tuple[int, str]],
    *,
    progress: Callable[[int, int], None] | None = None,
    rows_expected: int = 0,
    max_rows: int = MAX_ROWS,
) -> OutcomesContents:
    """Read and check every row. Problems go to ``summary.problems``; the file's contents are
    returned (complete only if there are none)."""
    contents = OutcomesContents()
    problems = ProblemList()
    header_problems: list[str] = []
    forces = ForceMatcher(forces_lookup)
    names: dict = {}
    periods: dict = {}
    namings: dict = {}
    outcome_namings: dict = {}
    outcome_types: list[int] = []  # outcome index -> its type number
    rows_read = 0
    try:
        for sheet in year_sheets(
            file, header_problems, summary.notes, layout=OUTCOMES, questions=summary.questions
        ):
            indexes = [sheet.positions[key] for key in OUTCOMES.labels]
            width = max(indexes) + 1
            for number, cells in sheet.rows:
                if all(value is None or str(value).strip() == "" for value in cells):
                    continue
                if len(cells) < width:
                    cells = [*cells, *([""] * (width - len(cells)))]
                (year, quarter, name, description, group, subgroup, code, outcome_description, outcome_group,
                 outcome_type, in_quarter, earlier) = (cells[i] for i in indexes)  # fmt: skip
                rows_read += 1
                if rows_read % PROGRESS_EVERY == 0:
                    if rows_read > max_rows:
                        raise SpreadsheetError(
                            f"The file has more than {max_rows:,} rows, which no release has."
                        )
                    if progress is not None:
                        progress(rows_read, max(rows_expected, rows_read))
                row_problems: list[tuple[str, object, str]] = []
                force = names.get(name)
                if force is None:
                    force = _force_check(forces, name, row_problems)
                    if force is not None:
                        names[name] = force
                if isinstance(force, str):
                    summary.skipped[force] += 1
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
                outcome = outcome_namings.get((outcome_type, outcome_description, outcome_group))
                if outcome is None:
                    checked = _outcome_check(outcome_type, outcome_description, outcome_group, row_problems)
                    if checked is not None:
                        outcome = contents.outcomes.setdefault(checked, len(contents.outcomes))
                        if outcome == len(outcome_types):
                            outcome_types.append(checked[0])
                        outcome_namings[(outcome_type, outcome_description, outcome_group)] = outcome
                counts = (
                    _count_check(in_quarter, "in_quarter", OUTCOMES.labels["in_quarter"], row_problems),
                    _count_check(earlier, "earlier", OUTCOMES.labels["earlier"], row_problems),
                )
                if row_problems:
                    for key, value, reason in row_problems:
                        problems.append(f"{sheet.where(number, key)}: {shown(value)} {reason}")
                    continue
                type_number = outcome_types[outcome]
                seen_key = (force.pk, period[2], offence, type_number)
                if seen_key in contents.first_seen:
                    first_sheet, first_row = contents.first_seen[seen_key]
                    code_text = next(n for n, i in contents.offences.items() if i == offence)[0]
                    problems.append(
                        f"{sheet.where(number)}: {force.name}, {period[0]} quarter {period[1]}, offence "
                        f"{code_text}, outcome type {type_number} is given twice: first at "
                        f"{first_lower(first_sheet.where(first_row))}. Each force, quarter, offence and "
                        "outcome type has one row."
                    )
                    continue
                contents.first_seen[seen_key] = (sheet, number)
                contents.counts[(force.pk, period[2], offence, outcome)] = counts
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
    summary.quarter_ends = sorted({quarter for _, quarter, _, _ in contents.counts})
    summary.offences = len(contents.offences)
    return contents


def outcome_rows(path: str, options: dict, data_path: str, *, progress) -> dict:
    """The crime outcomes open data, read and checked row by row. The counts go to ``data_path``
    as six arrays of 64-bit integers (``DATA_COLUMNS``); the rest is returned."""
    contents, facts = release_file_read(path, options, file_read, progress=progress)
    if not facts.problems:
        counts_written(
            data_path,
            (
                (force_id, quarter.toordinal(), offence, outcome, in_quarter, earlier)
                for (force_id, quarter, offence, outcome), (in_quarter, earlier) in contents.counts.items()
            ),
            DATA_COLUMNS,
        )
    return {
        "rows_read": facts.rows_read,
        "skipped": dict(facts.skipped),
        "problems": facts.problems,
        "notes": facts.notes,
        "forces": facts.forces,
        "quarter_ends": facts.quarter_ends,
        "offences": in_index_order(contents.offences),
        "outcomes": in_index_order(contents.outcomes),
        "force_ids": sorted(contents.forces),
        "counts": len(contents.counts),
        "headings_missing": facts.questions.asked(),
    }
