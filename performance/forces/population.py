"""Police force area populations from the ONS mid-year estimates: read, summed, checked, saved.

ONS publishes the mid-year estimates by local authority ("Estimates of the population for
England and Wales": a column of local authority codes such as E06000001 or W06000001, their
names and the all-ages total for the year). A police force area is a set of whole local
authorities, listed by the ONS lookup "Local Authority District to Community Safety Partnership
to Police Force Area" (columns LADyyCD, LADyyNM, CSPyyCD, CSPyyNM, PFAyyCD, PFAyyNM, yy the
year of the boundaries). A force area's residents are the sum of its local authorities'.

The estimates file may instead hold one row per police force area (its E23…/W15… code, a name
and the population): then no lookup is needed and each row is taken as it is.

Nothing is written unless everything adds up: a local authority of the lookup with no estimate,
an estimate of a local authority the lookup does not name (a code that changed between the two
files), a police force area code that is no force's ``Force.ons_code``, a code given twice or a
population that is not a whole number refuses the whole import with each problem named. Both
files are read in the bounded child (``untrusted.sheet_from_upload``); they hold a few hundred
rows, so the import runs inside the request.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal

from performance.forces.models import Force, ForcePopulation
from performance.imports import spreadsheets
from performance.imports.spreadsheets import Column, SpreadsheetError

# Local authority districts of England and Wales: unitary authorities, non-metropolitan
# districts, metropolitan districts, London boroughs (with the City of London) and Welsh
# unitary authorities. Other rows of the estimates (counties, regions, countries, Scotland's
# and Northern Ireland's areas) are read past.
LA_CODE = re.compile(r"^(E0[6789]|W06)\d{6}$")
PFA_CODE = re.compile(r"^(E23|W15)\d{6}$")
BOUNDARY_YEARS = range(10, 40)  # LAD10CD … LAD39CD

# Sent once populations have been saved or deleted (an import, or a Publisher's edit in the
# admin), after the transaction commits: the crime domain recomputes the rates from them.
populations_changed = Signal()


def populations_changed_send() -> None:
    transaction.on_commit(lambda: populations_changed.send(sender=ForcePopulation))


class PopulationRefused(ValueError):
    """The files do not add up; ``problems`` name each reason, for staff. Nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


def estimate_columns(year: int) -> list[Column]:
    return [
        Column("code", "Code", aliases=("LA code", "Area code", "Geography code", "ladcode", "PFA code")),
        Column(
            "name", "Name", aliases=("LA name", "Area name", "Geography name", "PFA name"), required=False
        ),
        Column(
            "population",
            "All ages",
            aliases=(
                f"Mid-{year}",
                f"Mid {year}",
                f"Estimated Population mid-{year}",
                f"Population mid-{year}",
                "Population",
                "All persons",
            ),
        ),
    ]


LOOKUP_COLUMNS = [
    Column("la_code", "LADCD", aliases=tuple(f"LAD{yy}CD" for yy in BOUNDARY_YEARS)),
    Column("la_name", "LADNM", aliases=tuple(f"LAD{yy}NM" for yy in BOUNDARY_YEARS), required=False),
    Column("pfa_code", "PFACD", aliases=tuple(f"PFA{yy}CD" for yy in BOUNDARY_YEARS)),
    Column("pfa_name", "PFANM", aliases=tuple(f"PFA{yy}NM" for yy in BOUNDARY_YEARS), required=False),
]


@dataclass(frozen=True)
class Estimate:
    code: str
    name: str
    population: int
    row: int


@dataclass(frozen=True)
class LookupRow:
    la_code: str
    la_name: str
    pfa_code: str
    pfa_name: str
    row: int


def estimates_read(sheet: spreadsheets.Sheet, *, year: int) -> dict[str, Estimate]:
    """The rows of an estimates sheet with a local authority or police force area code:
    ``{code: Estimate}``. Refuses a code given twice or a population that is not a count."""
    header = spreadsheets.header_find(sheet, estimate_columns(year))
    estimates: dict[str, Estimate] = {}
    problems = []
    for number, cells in spreadsheets.data_rows(sheet, header):
        code = str(spreadsheets.cell(cells, header, "code") or "").strip().upper()
        if not (LA_CODE.match(code) or PFA_CODE.match(code)):
            continue
        if code in estimates:
            problems.append(f"Row {number}: {code} is given twice (first in row {estimates[code].row}).")
            continue
        value = spreadsheets.cell(cells, header, "population")
        try:
            population = spreadsheets.count_value(value)
        except ValueError as error:
            problems.append(f"Row {number}, {code}: the population {spreadsheets.shown(value)} {error}")
            continue
        name = spreadsheets.text_value(spreadsheets.cell(cells, header, "name") or "")
        estimates[code] = Estimate(code, name, population, number)
    if problems:
        raise PopulationRefused(problems)
    return estimates


def lookup_read(sheet: spreadsheets.Sheet) -> dict[str, LookupRow]:
    """The lookup's local authorities: ``{LA code: LookupRow}``. Refuses malformed codes and a
    local authority placed in two force areas (one listed under several community safety
    partnerships in the same force area is fine)."""
    header = spreadsheets.header_find(sheet, LOOKUP_COLUMNS)
    rows: dict[str, LookupRow] = {}
    problems = []
    for number, cells in spreadsheets.data_rows(sheet, header):
        la_code = str(spreadsheets.cell(cells, header, "la_code") or "").strip().upper()
        pfa_code = str(spreadsheets.cell(cells, header, "pfa_code") or "").strip().upper()
        if not la_code and not pfa_code:
            continue
        if not LA_CODE.match(la_code):
            problems.append(
                f'Row {number}: "{la_code}" is not a local authority code (E06…, E07…, E08…, E09…, W06…).'
            )
            continue
        if not PFA_CODE.match(pfa_code):
            problems.append(f'Row {number}: "{pfa_code}" is not a police force area code (E23… or W15…).')
            continue
        la_name = spreadsheets.text_value(spreadsheets.cell(cells, header, "la_name") or "")
        pfa_name = spreadsheets.text_value(spreadsheets.cell(cells, header, "pfa_name") or "")
        known = rows.get(la_code)
        if known is not None and known.pfa_code != pfa_code:
            problems.append(
                f"Row {number}: {la_code} is placed in {pfa_code}, but row {known.row} places it in "
                f"{known.pfa_code}. A local authority lies in one police force area."
            )
            continue
        rows.setdefault(la_code, LookupRow(la_code, la_name, pfa_code, pfa_name, number))
    if problems:
        raise PopulationRefused(problems)
    if not rows:
        raise PopulationRefused(["The lookup has no local authority rows."])
    return rows


@dataclass
class ForceArea:
    force: Force
    population: int
    local_authorities: int  # 0: taken from a police force area row


@dataclass
class PopulationResult:
    year: int
    areas: list[ForceArea]
    warnings: list[str] = field(default_factory=list)


def populations_sum(
    *, estimates: dict[str, Estimate], lookup: dict[str, LookupRow] | None, year: int
) -> PopulationResult:
    """Each force area's residents: the sum of its local authorities' estimates through
    ``lookup``, or the estimates' police force area rows when there is no lookup. Raises
    ``PopulationRefused`` naming every problem."""
    forces = {force.ons_code: force for force in Force.objects.exclude(ons_code=None).exclude(ons_code="")}
    problems: list[str] = []
    totals: dict[str, int] = defaultdict(int)
    counted: dict[str, int] = defaultdict(int)
    if lookup is None:
        for code, estimate in estimates.items():
            if PFA_CODE.match(code):
                totals[code] = estimate.population
        if not totals:
            raise PopulationRefused(
                [
                    "The file has no police force area rows (E23… or W15… codes). To sum local "
                    "authorities, add the ONS lookup from local authority districts to police force areas."
                ]
            )
    else:
        names = {row.pfa_code: row.pfa_name for row in lookup.values()}
        for pfa_code in sorted(names):
            if pfa_code not in forces:
                problems.append(
                    f"The lookup's police force area {pfa_code} ({names[pfa_code] or 'no name'}) is not "
                    "any force's ONS code. Check the forces' ONS codes (Forces) or the lookup."
                )
        for la_code, row in sorted(lookup.items()):
            estimate = estimates.get(la_code)
            if estimate is None:
                problems.append(
                    f"{la_code} ({row.la_name or 'no name'}, in {row.pfa_name or row.pfa_code}) is in "
                    f"the lookup but has no mid-{year} estimate: are both files for the same boundaries?"
                )
                continue
            totals[row.pfa_code] += estimate.population
            counted[row.pfa_code] += 1
        for code, estimate in sorted(estimates.items()):
            if LA_CODE.match(code) and code not in lookup:
                problems.append(
                    f"{code} ({estimate.name or 'no name'}, row {estimate.row}) has an estimate but is "
                    "not in the lookup: a code that changed? Use a lookup for the estimates' boundaries."
                )
    for code in sorted(totals):
        if code not in forces and lookup is None:
            problems.append(f"The police force area {code} is not any force's ONS code.")
    if problems:
        raise PopulationRefused(problems)
    areas = [
        ForceArea(forces[code], totals[code], counted.get(code, 0))
        for code in sorted(totals, key=lambda code: forces[code].name)
    ]
    missing = sorted(
        force.name
        for code, force in forces.items()
        if code not in totals and force.kind == Force.Kind.TERRITORIAL
    )
    warnings = [f"No population for {', '.join(missing)}: not in these files."] if missing else []
    return PopulationResult(year=year, areas=areas, warnings=warnings)


def populations_from_files(
    *,
    estimates: bytes,
    estimates_name: str,
    lookup: bytes | None = None,
    lookup_name: str = "",
    year: int,
) -> PopulationResult:
    """Read the uploaded files in the bounded child and sum them (``populations_sum``). Raises
    ``PopulationRefused`` with the problems for staff."""
    from performance.imports.untrusted import sheet_from_upload

    try:
        estimates_sheet = sheet_from_upload(
            estimates,
            file_name=estimates_name,
            sheet_names=["MYE2 - Persons", "MYE4", "MYE5"],
            max_rows=20_000,
        )
        lookup_sheet = (
            sheet_from_upload(lookup, file_name=lookup_name, max_rows=5_000) if lookup is not None else None
        )
        return populations_sum(
            estimates=estimates_read(estimates_sheet, year=year),
            lookup=lookup_read(lookup_sheet) if lookup_sheet is not None else None,
            year=year,
        )
    except SpreadsheetError as error:
        raise PopulationRefused([str(error)]) from None


def populations_save(*, year: int, populations: dict[int, int], source: str, source_url: str = "") -> int:
    """Write each force's residents at mid-``year`` (``{force_id: population}``), all or none;
    rows held for that year are updated. Returns how many rows were written."""
    if not source.strip():
        raise PopulationRefused(["Name the publication the populations come from."])
    written = 0
    with transaction.atomic():
        held = {
            row.force_id: row for row in ForcePopulation.objects.filter(year=year, force_id__in=populations)
        }
        for force_id, population in populations.items():
            row = held.get(force_id) or ForcePopulation(force_id=force_id, year=year)
            row.population, row.source, row.source_url = population, source, source_url
            row.full_clean()
            row.save()
            written += 1
        populations_changed_send()
    return written
