"""Home Office crime outcomes open data (Police Force Area tables) in the published layout.

A cover sheet and a notes sheet, then one long sheet per financial year ("2023_24"), headed
Financial Year, Financial Quarter, Force Name, Offence Description, Offence Group, Offence
Subgroup, Offence Code, Outcome Description, Outcome Group, Outcome Type, Force outcomes for
offences recorded in quarter, Force outcomes for offences recorded in previous quarters. Each
year's rows cover quarter × force × offence × outcome type, for the forces and offences of the
recorded crime files (``make_recorded_crime_files``, so that both releases can be imported
together), with the ONS short names' quirks. ``variant=True`` writes the headings another
edition uses ("Outcomes for offences recorded in quarter", "Outcome Type Number"). The counts
are a deterministic function of the row, so a test can sum them again from ``release_sheets``.

Tests generate the files into a temporary folder; to look at them, run from the project root:
``.venv/bin/python tests/data/make_outcomes_files.py OUTPUT_FOLDER``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from tests.data.make_recorded_crime_files import FORCES, OFFENCES, write_csv, write_ods, write_xlsx

HEADER = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Outcome Description",
    "Outcome Group",
    "Outcome Type",
    "Force outcomes for offences recorded in quarter",
    "Force outcomes for offences recorded in previous quarters",
]
VARIANT_HEADINGS = {
    "Outcome Type": "Outcome Type Number",
    "Force outcomes for offences recorded in quarter": "Outcomes for offences recorded in quarter",
    "Force outcomes for offences recorded in previous quarters": "Outcomes for offences recorded in previous quarters",
}
# (type number, description, group), as the Home Office Counting Rules name them.
OUTCOMES = [
    (1, "Charged/Summonsed", "Charged/Summonsed"),
    (3, "Caution - adults", "Out-of-court (formal)"),
    (8, "Community resolution", "Out-of-court (informal)"),
    (
        14,
        "Evidential difficulties: suspect not identified; victim does not support further action",
        "Evidential difficulties (victim does not support action)",
    ),  # fmt: skip
    (18, "Investigation complete - no suspect identified", "Investigation complete - no suspect identified"),
]
YEARS = ["2022_23", "2023_24"]  # sheet names; the newest last


def counts_for(seed: int, sheet: str, quarter: int, force: str, code: str, outcome: int) -> tuple[int, int]:
    """Outcomes for offences recorded in the quarter, and in earlier quarters."""
    chance = random.Random(f"{seed}|{sheet}|{quarter}|{force.strip()}|{code}|{outcome}")
    return chance.randint(0, 60), chance.randint(0, 40)


def year_rows(
    sheet: str, *, forces=FORCES, offences=OFFENCES, outcomes=OUTCOMES, seed: int = 1, variant=False
):
    """One financial year's sheet: the header, then quarter × force × offence × outcome."""
    start_year = int(sheet[:4])
    year = f"{start_year}/{(start_year + 1) % 100:02d}"
    rows = [[VARIANT_HEADINGS.get(name, name) for name in HEADER] if variant else list(HEADER)]
    for quarter in (1, 2, 3, 4):
        for force in forces:
            for code, description, group, subgroup in offences:
                for number, outcome_description, outcome_group in outcomes:
                    in_quarter, earlier = counts_for(seed, sheet, quarter, force, code, number)
                    rows.append(
                        [
                            year,
                            quarter,
                            force,
                            description,
                            group,
                            subgroup,
                            code,
                            outcome_description,
                            outcome_group,
                            number,
                            in_quarter,
                            earlier,
                        ]
                    )
    return rows


def release_sheets(years=YEARS, **options) -> dict[str, list[list]]:
    """The workbook's sheets in order: cover, notes, then each financial year."""
    sheets = {
        "Cover sheet": [
            ["Crime outcomes open data: Police Force Area tables"],
            [],
            ["This workbook contains one sheet per financial year."],
            ["Source: Home Office"],
        ],
        "Notes": [
            ["Note number", "Note text"],
            ["1", "Outcomes are assigned in a quarter to offences recorded in that quarter or earlier."],
        ],
    }
    for sheet in years:
        sheets[sheet] = year_rows(sheet, **options)
    return sheets


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    folder.mkdir(parents=True, exist_ok=True)
    sheets = release_sheets()
    write_xlsx(sheets, folder / "crime-outcomes.xlsx")
    write_ods(sheets, folder / "crime-outcomes.ods")
    write_csv(release_sheets(variant=True)[YEARS[-1]], folder / "crime-outcomes-2023_24.csv")
    print(f"Wrote crime-outcomes.xlsx, crime-outcomes.ods and crime-outcomes-2023_24.csv to {folder}")
