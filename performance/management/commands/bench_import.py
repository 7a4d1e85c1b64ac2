"""Time the national imports through the same code path staff use, and count their queries.

Generates a police.uk-style 999 file (45 forces × 120 months = 5,400 rows) and an ONS Table P1
workbook, previews (dry run) and imports each, ranks included, and prints rows/s and SQL query
counts. A smaller 999 file shows whether the query count grows with the rows. Prints; asserts
nothing. Run it on a scratch database (``make bench-import`` does).
"""

import csv
import datetime
import io
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from performance.models import CallAnswerMonth, Force
from performance.resources import CallAnswerMonthResource, RecordedCrimeFigureResource, SpreadsheetFormat

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
