"""Population files in the layouts ONS publishes them, generated for the tests.

- ``estimates_csv``: "Estimates of the population for England and Wales", table MYE2 (persons):
  title rows, then ``Code, Name, Geography, All ages, 0, 1, …``; country, region and county rows
  mixed in with the local authorities (E06/E07/E08/E09/W06), numbers with thousands separators.
- ``lookup_csv``: "Local Authority District to Community Safety Partnership to Police Force Area"
  (``LAD23CD, LAD23NM, CSP23CD, CSP23NM, PFA23CD, PFA23NM, ObjectId``); a local authority can
  appear once per community safety partnership.
- ``pfa_table_csv``: one row per police force area (code, name, population).

Run it to write the three files next to it: ``python tests/data/make_population_files.py``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

# Police force area -> its local authorities (code, name, all-ages population), made up for
# the tests: several local authorities per force area, Welsh ones too.
AREAS = {
    ("E23000024", "Norfolk"): [
        ("E07000143", "Breckland", 143_000),
        ("E07000144", "Broadland", 133_500),
        ("E07000148", "Norwich", 144_000),
        ("E07000149", "South Norfolk", 145_300),
    ],
    ("E23000025", "Suffolk"): [
        ("E07000200", "Babergh", 93_400),
        ("E07000202", "Ipswich", 140_700),
        ("E07000245", "West Suffolk", 182_000),
    ],
    ("E23000012", "Cumbria"): [  # a local authority created in 2023, with its new code
        ("E06000063", "Cumberland", 273_600),
        ("E06000064", "Westmorland and Furness", 225_400),
    ],
    ("W15000002", "Dyfed-Powys"): [
        ("W06000008", "Ceredigion", 71_500),
        ("W06000010", "Carmarthenshire", 189_000),
        ("W06000023", "Powys", 134_000),
    ],
    ("W15000004", "Gwent"): [
        ("W06000018", "Caerphilly", 176_000),
        ("W06000021", "Monmouthshire", 93_900),
        ("W06000022", "Newport", 161_500),
    ],
}
OTHER_ROWS = [  # rows of the estimates that are not local authority districts: read past
    ("K04000001", "ENGLAND AND WALES", "Country", 60_238_000),
    ("E92000001", "ENGLAND", "Country", 57_106_000),
    ("E12000006", "EAST", "Region", 6_398_000),
    ("E10000020", "Norfolk", "County", 565_800),
    ("W92000004", "WALES", "Country", 3_131_600),
    ("S12000033", "Aberdeen City", "Council Area", 227_000),
]
RENAMED = {"E06000063": "E07000026"}  # Cumberland's area under one of its old district codes


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def estimates_csv(*, year: int = 2023, old_codes: bool = False, drop: str = "") -> bytes:
    """MYE2 persons for mid-``year``. ``old_codes``: a local authority under its code before it
    changed (``RENAMED``); ``drop``: a local authority left out."""
    rows = [
        [f"Mid-{year} population estimates for England and Wales: persons"],
        ["Source: made up for the tests"],
        [],
        ["Code", "Name", "Geography", "All ages", "0", "1"],
    ]
    for code, name, geography, total in OTHER_ROWS:
        rows.append([code, name, geography, f"{total:,}", "1", "1"])
    for (_pfa_code, _pfa_name), districts in AREAS.items():
        for code, name, total in districts:
            if code == drop:
                continue
            if old_codes:
                code = RENAMED.get(code, code)
            geography = "Unitary Authority" if code[:3] in ("E06", "W06") else "Non-metropolitan District"
            rows.append([code, name, geography, f"{total:,}", "1", "1"])
    return _csv(rows)


def lookup_csv(*, extra_pfa: tuple[str, str] | None = None) -> bytes:
    """The lookup, 2023 boundaries. Norwich is listed under two community safety partnerships
    (as some districts share one). ``extra_pfa``: a force area code no force has, with one of
    Suffolk's districts moved into it."""
    rows = [["LAD23CD", "LAD23NM", "CSP23CD", "CSP23NM", "PFA23CD", "PFA23NM", "ObjectId"]]
    number = 0
    for (pfa_code, pfa_name), districts in AREAS.items():
        for code, name, _total in districts:
            number += 1
            if extra_pfa and code == "E07000200":
                rows.append([code, name, f"E22{number:06d}", name, *extra_pfa, number])
                continue
            rows.append([code, name, f"E22{number:06d}", name, pfa_code, pfa_name, number])
            if code == "E07000148":
                number += 1
                rows.append(
                    [code, name, f"E22{number:06d}", "Norwich and Broadland", pfa_code, pfa_name, number]
                )
    return _csv(rows)


def pfa_table_csv() -> bytes:
    rows = [["PFA code", "PFA name", "Population"]]
    for (pfa_code, pfa_name), districts in AREAS.items():
        rows.append([pfa_code, pfa_name, f"{sum(total for _code, _name, total in districts):,}"])
    return _csv(rows)


if __name__ == "__main__":
    here = Path(__file__).parent
    (here / "population-estimates-mye2.csv").write_bytes(estimates_csv())
    (here / "lad-csp-pfa-lookup.csv").write_bytes(lookup_csv())
    (here / "population-by-pfa.csv").write_bytes(pfa_table_csv())
