"""Home Office police recorded crime open data (Police Force Area tables) in the published layout.

A cover sheet and a notes sheet, then one long sheet per financial year ("2024_25"; a pre-2017
edition's "2016-17", when burglary's subgroups were still "Domestic burglary" and "Non-domestic
burglary"; ``drifted`` gives a later edition's names, "Theft Offences" for "Theft offences").
Each year's rows cover every quarter × force × offence, with the fraud reporting
bodies' rows (Action Fraud, CIFAS, UK Finance) and the ONS short names' quirks ("London, City
of", "Devon & Cornwall", trailing spaces). Written as .xlsx (openpyxl), .ods (odfpy) or one
year's sheet as .csv. The counts are a deterministic function of the row, so a test can sum
them again from ``release_sheets``.

Tests generate the files into a temporary folder; to look at them, run from the project root:
``.venv/bin/python tests/data/make_recorded_crime_files.py OUTPUT_FOLDER``.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

HEADER = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
]
# Force Name cells as the tables spell them (trailing spaces included).
FORCES = ["Norfolk ", "Suffolk", "London, City of", "Devon & Cornwall", "British Transport Police"]
NOT_FORCES = ["Action Fraud", "CIFAS", "UK Finance"]
# (code, description, group, subgroup); burglary's subgroup depends on the year (see offences_for).
OFFENCES = [
    ("1", "Murder", "Violence against the person", "Homicide"),
    ("8N", "Assault with injury", "Violence against the person", "Violence with injury"),
    ("92A", "Trafficking in controlled drugs", "Drug offences", "Trafficking of drugs"),
    ("28A", "Burglary in a dwelling (outcome only)", "Burglary", "Residential burglary"),
    ("30A", "Burglary in a building other than a dwelling", "Burglary", "Non-residential burglary"),
    ("45", "Theft from a vehicle", "Vehicle offences", "Vehicle offences"),
    ("39", "Theft from the person", "Theft offences", "Theft from the person"),
    ("34B", "Robbery of personal property", "Robbery", "Robbery of personal property"),
]
OLD_BURGLARY = {
    "Residential burglary": "Domestic burglary",
    "Non-residential burglary": "Non-domestic burglary",
}
# An offence whose subgroup (and group) a later edition words differently.
MISCELLANEOUS = (
    "802",
    "Dangerous driving",
    "Miscellaneous crimes against society",
    "Miscellaneous crimes against society",
)
# Names as a later edition spells them: a change of case, and a shorter wording.
DRIFTED_NAMES = {
    "Theft offences": "Theft Offences",
    "Vehicle offences": "Vehicle Offences",
    "Miscellaneous crimes against society": "Miscellaneous crimes",
}
FRAUD = ("53A", "Cheque, plastic card and online bank accounts", "Fraud offences", "Fraud: Action Fraud")
YEARS = ["2016-17", "2023_24", "2024_25"]  # sheet names; the newest last


def offences_for(start_year: int, offences=OFFENCES) -> list[tuple[str, str, str, str]]:
    """The offences as a year's sheet names them: before 2017/18, burglary's old subgroups."""
    if start_year >= 2017:
        return list(offences)
    return [(c, d, g, OLD_BURGLARY.get(s, s)) for c, d, g, s in offences]


def drifted(offences) -> list[tuple[str, str, str, str]]:
    """``offences`` with their groups and subgroups named as a later edition names them."""
    return [(c, d, DRIFTED_NAMES.get(g, g), DRIFTED_NAMES.get(s, s)) for c, d, g, s in offences]


def count_for(seed: int, sheet: str, quarter: int, force: str, code: str) -> int:
    return random.Random(f"{seed}|{sheet}|{quarter}|{force.strip()}|{code}").randint(0, 400)


def year_rows(
    sheet: str, *, forces=FORCES, offences=OFFENCES, not_forces=NOT_FORCES, seed: int = 1
) -> list[list]:
    """One financial year's sheet: the header, then quarter × force × offence, fraud rows after."""
    start_year = int(sheet[:4])
    year = f"{start_year}/{(start_year + 1) % 100:02d}"
    rows = [list(HEADER)]
    for quarter in (1, 2, 3, 4):
        for force in forces:
            for code, description, group, subgroup in offences_for(start_year, offences):
                rows.append(
                    [
                        year,
                        quarter,
                        force,
                        description,
                        group,
                        subgroup,
                        code,
                        count_for(seed, sheet, quarter, force, code),
                    ]
                )
        for body in not_forces:
            code, description, group, subgroup = FRAUD
            rows.append(
                [
                    year,
                    quarter,
                    body,
                    description,
                    group,
                    subgroup,
                    code,
                    count_for(seed, sheet, quarter, body, code),
                ]
            )
    return rows


def release_sheets(years=YEARS, **options) -> dict[str, list[list]]:
    """The workbook's sheets in order: cover, notes, then each financial year."""
    sheets = {
        "Cover sheet": [
            ["Police recorded crime open data: Police Force Area tables"],
            [],
            ["This workbook contains one sheet per financial year."],
            ["Source: Home Office"],
        ],
        "Notes": [
            ["Note number", "Note text"],
            ["1", "Fraud offences are recorded by Action Fraud, CIFAS and UK Finance, not by forces."],
            ["2", "Burglary subgroups were renamed in 2017."],
        ],
    }
    for sheet in years:
        sheets[sheet] = year_rows(sheet, **options)
    return sheets


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------


def write_xlsx(sheets: dict[str, list[list]], path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, rows in sheets.items():
        worksheet = book.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    book.save(path)
    return path


def write_ods(sheets: dict[str, list[list]], path: Path) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            table_row = TableRow()
            for value in row:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    cell = TableCell(valuetype="float", value=value)
                else:
                    cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def write_csv(rows: list[list], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    folder.mkdir(parents=True, exist_ok=True)
    sheets = release_sheets()
    write_xlsx(sheets, folder / "recorded-crime.xlsx")
    write_ods(sheets, folder / "recorded-crime.ods")
    write_csv(sheets[YEARS[-1]], folder / "recorded-crime-2024_25.csv")
    print(f"Wrote recorded-crime.xlsx, recorded-crime.ods and recorded-crime-2024_25.csv to {folder}")
