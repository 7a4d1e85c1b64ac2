"""Time the national imports through the same code path staff use, and count their queries.

Generates a police.uk-style 999 file (45 forces × 120 months = 5,400 rows) and an ONS Table P1
workbook, previews (dry run) and imports each, ranks included, and prints rows/s and SQL query
counts. A smaller 999 file shows whether the query count grows with the rows. Then the Home
Office's recorded crime open data in its published layout (six financial-year sheets × every
force × 150 offence codes × 4 quarters, about 165,000 rows, as XLSX): preview and confirm time,
rows/s, queries and peak memory, and how long calamine and openpyxl each take to read the file.
Prints; asserts nothing. Run it on a scratch database (``make bench-import`` does).
"""

import csv
import datetime
import io
import random
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from performance.calls.models import CallAnswerMonth
from performance.calls.resources import CallAnswerMonthResource
from performance.crime import recorded_crime
from performance.crime.models.open_data import OffenceCount
from performance.crime.resources import RecordedCrimeFigureResource
from performance.forces.models import Force
from performance.imports.resources import SpreadsheetFormat

CALLS_HEADER = [
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


def national_calls_csv(forces, months: int, *, first=datetime.date(2014, 1, 1), seed=1) -> bytes:
    """A 999 national release: every force, ``months`` consecutive months, consistent bands."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CALLS_HEADER)
    month = first
    for _ in range(months):
        for force in forces:
            total = rng.randint(8_000, 12_000)
            under_10 = int(total * rng.uniform(0.70, 0.97))
            ten_to_60 = int((total - under_10) * 0.85)
            over_60 = total - under_10 - ten_to_60
            counts = (under_10, ten_to_60, over_60)
            shares = [round(c * 100 / total, 1) for c in counts]
            writer.writerow(
                [force.full_name, f"{month:%b-%y}", total, round(rng.uniform(3, 15), 2), *counts, *shares]
            )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out.getvalue().encode()


def ons_p1_xlsx(forces, *, seed=2) -> bytes:
    """An ONS Table P1 workbook as published: title and preamble rows, then the table."""
    rng = random.Random(seed)
    book = Workbook()
    sheet = book.active
    sheet.title = "Table P1 "
    sheet.append(
        [
            "Table P1:  Police recorded crime by offence group and police force area, England and Wales, "
            "number of offences, year ending June 2025 [note 1]"
        ]
    )
    sheet.append(["This worksheet contains one table."])
    sheet.append(["Source: Home Office police recorded crime"])
    sheet.append(
        [
            "Area Code",
            "Area Name",
            "Total recorded crime\n (excluding fraud) \n[note 2]",
            "Homicide",
            "Robbery",
        ]
    )
    sheet.append(["K04000001", "ENGLAND AND WALES [note 3]", 5_287_312, 518, 80_297])
    for force in forces:
        if force.ons_code:
            sheet.append(
                [force.ons_code, force.name + " ", rng.randint(20_000, 900_000), rng.randint(0, 100), 400]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Command(BaseCommand):
    help = "Benchmark the 999 and ONS imports (dry run + confirm, ranks included)."

    def handle(self, *args, **options):
        forces = list(Force.objects.exclude(kind=Force.Kind.SPECIAL).order_by("name"))
        self.stdout.write(
            f"{'import':<34} {'rows':>6} {'step':<8} {'seconds':>8} {'rows/s':>8} {'queries':>8}"
        )
        small = national_calls_csv(forces, 12, first=datetime.date(2010, 1, 1))
        self.run_import("999, 12 months", CallAnswerMonthResource, small, "small.csv")
        big = national_calls_csv(forces, 120)
        total = self.run_import(
            f"999, {len(forces)} forces × 120 months", CallAnswerMonthResource, big, "national.csv"
        )
        self.run_import("ONS Table P1 (xlsx)", RecordedCrimeFigureResource, ons_p1_xlsx(forces), "p1.xlsx")
        self.stdout.write(
            f"\n5,400-row national file previewed and imported, ranks included: {total:.2f} s "
            f"({CallAnswerMonth.objects.count():,} call months now held)."
        )
        with tempfile.TemporaryDirectory() as folder:
            self.recorded_crime(Force.objects.order_by("name"), Path(folder))

    def recorded_crime(self, forces, folder: Path) -> None:
        """The open data release: six years × every force × 150 codes × 4 quarters, as XLSX."""
        from tests.data import make_recorded_crime_files as layout  # the layout the tests use

        offences = [
            (f"{n}", f"Offence {n}", f"Offence group {n % 12}", f"Offence subgroup {n % 40}")
            for n in range(1, 151)
        ]
        years = [f"{start}_{(start + 1) % 100:02d}" for start in range(2019, 2025)]
        names = [force.name + (" " if index % 3 == 0 else "") for index, force in enumerate(forces)]
        start = time.perf_counter()
        sheets = layout.release_sheets(years=years, forces=names, offences=offences)
        path = layout.write_xlsx(sheets, folder / "recorded-crime.xlsx")
        rows = sum(len(rows) - 1 for name, rows in sheets.items() if name in years)
        del sheets
        self.stdout.write(
            f"\nRecorded crime open data: {len(years)} years × {len(names)} forces × {len(offences)} codes "
            f"× 4 quarters = {rows:,} rows (fraud rows included), {path.stat().st_size / 1e6:.1f} MB XLSX, "
            f"written in {time.perf_counter() - start:.1f} s."
        )
        self.stdout.write(
            f"{'step':<28} {'seconds':>8} {'rows/s':>8} {'queries':>8} {'peak RSS MB':>12}  result"
        )
        for step, options in (
            ("preview (empty database)", {"dry_run": True}),
            ("confirm (all new)", {}),
            ("preview (all unchanged)", {"dry_run": True}),
            ("confirm (all unchanged)", {}),
        ):
            with path.open("rb") as opened, CaptureQueriesContext(connection) as queries:
                begun = time.perf_counter()
                summary = recorded_crime.release_import(opened, file_name=path.name, **options)
                seconds = time.perf_counter() - begun
            if summary.refused:
                raise CommandError("; ".join(summary.problems))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            self.stdout.write(
                f"{step:<28} {seconds:>8.2f} {summary.rows_read / seconds:>8.0f} {len(queries):>8} "
                f"{peak:>12.0f}  {summary.totals_text}"
            )
        tracemalloc.start()
        with path.open("rb") as opened:
            recorded_crime.release_import(opened, file_name=path.name, dry_run=True)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.stdout.write(
            f"Python objects at their peak in a preview (tracemalloc): {traced_peak / 1e6:.0f} MB; the "
            f"process's peak RSS so far (calamine's cells included): "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB. "
            f"{OffenceCount.objects.count():,} counts held."
        )
        self.read_times(path)

    def read_times(self, path: Path) -> None:
        """Reading every row of every sheet, and nothing else: calamine against openpyxl."""
        from openpyxl import load_workbook
        from python_calamine import CalamineWorkbook

        begun = time.perf_counter()
        workbook = CalamineWorkbook.from_path(str(path))
        cells = sum(
            len(row) for name in workbook.sheet_names for row in workbook.get_sheet_by_name(name).iter_rows()
        )
        calamine_seconds = time.perf_counter() - begun
        begun = time.perf_counter()
        book = load_workbook(path, read_only=True)
        cells_openpyxl = sum(
            len(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        )
        book.close()
        openpyxl_seconds = time.perf_counter() - begun
        self.stdout.write(
            f"Reading the XLSX ({cells:,} cells; openpyxl {cells_openpyxl:,}): calamine "
            f"{calamine_seconds:.2f} s, openpyxl (read-only) {openpyxl_seconds:.2f} s "
            f"({openpyxl_seconds / calamine_seconds:.1f}× slower)."
        )

    def run_import(self, label, resource_class, data, file_name) -> float:
        elapsed = 0.0
        for step, dry_run in (("preview", True), ("confirm", False)):
            dataset = SpreadsheetFormat().create_dataset(data)
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                result = resource_class().import_data(dataset, dry_run=dry_run, file_name=file_name)
                seconds = time.perf_counter() - start
            elapsed += seconds
            if result.has_errors():
                raise CommandError("; ".join(str(error.error) for error in result.base_errors))
            rows = result.total_rows
            self.stdout.write(
                f"{label:<34} {rows:>6} {step:<8} {seconds:>8.2f} {rows / seconds:>8.0f} {len(queries):>8}"
            )
        return elapsed
