"""Time the open-data files at national scale: every force's 999 months for 20 years.

Creates a scratch database beside the configured one (as bench_library does), loads the demo
office, adds a month for every force for 20 years, ranked (``add_national_months``), and has
the database vacuum and analyse them; NCPM and ONS are the demo office's. Each file is fetched
with the test client as an anonymous reader, with the page cache on as in production:

- after a change: the content version has just moved, so nothing is cached or kept for it;
- new address: the same file again at a new address each time (``?visit=N``), which the page
  cache does not hold;
- same address: the same file at the same address again, which the page cache may hold.

Times are the median of ``--repeat`` requests; the peak is what one more request allocated,
traced with tracemalloc apart from the timings (tracing slows Python down). The queries are the
request's after a change, the content version's among them. Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pcc DEBUG=0 \
        DJANGO_SETTINGS_MODULE=pcc_site.settings_test ./manage.py bench_opendata
"""

import itertools
import statistics
import time
import tracemalloc
from functools import partial

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.calls.models import CallAnswerMonth
from performance.forces.models import SiteSettings
from performance.management.commands._national import add_national_months
from performance.management.commands._scratch import scratch_database

FILES = {
    "999-calls.csv": ("performance:data-calls-999-csv", ""),
    "999-calls.json": ("performance:data-calls-999-json", ""),
    "999-calls.csv?force=norfolk": ("performance:data-calls-999-csv", "force=norfolk"),
    "999-calls.json?year=2023": ("performance:data-calls-999-json", "year=2023"),
    "ncpm.csv": ("performance:data-ncpm-csv", ""),
    "ncpm.json": ("performance:data-ncpm-json", ""),
    "recorded-crime.csv": ("performance:data-ons-csv", ""),
    "recorded-crime.json": ("performance:data-ons-json", ""),
}


def fetched(client, url):
    response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    return response


def changed():
    """Move the content version, as publishing anything does, and drop the page cache's copies
    for the old version (never asked for again)."""
    SiteSettings.content_changed()
    cache.clear()


class Command(BaseCommand):
    help = "Time the open-data files with every force's 999 months for 20 years (in a scratch database)."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=20)
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, years, repeat, **options):
        started = time.perf_counter()
        with scratch_database("bench_opendata"):
            add_national_months(years)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            self.stdout.write(
                f"{connection.vendor}: {CallAnswerMonth.objects.count():,} months of 999 data "
                f"in a scratch database, ready in {time.perf_counter() - started:.1f} s\n"
            )
            with override_settings(PAGE_CACHE_SECONDS=600):
                self.measure_files(repeat)
            cache.clear()

    def measure_files(self, repeat):
        client = Client(HTTP_HOST="localhost")
        visits = itertools.count()
        self.stdout.write(
            f"{'file':<28} {'KB':>6} {'queries':>7}   {'after a change':>17}   {'new address':>17}   "
            f"{'same address':>17}\n{'':<44}" + "   ms  peak MB   " * 3
        )
        for name, (url_name, query) in FILES.items():
            url = reverse(url_name) + (f"?{query}" if query else "")
            new_url = f"{url}{'&' if query else '?'}visit="
            changed()
            with CaptureQueriesContext(connection) as queries:
                size = len(fetched(client, url).content)
            count = len(queries)  # read from the connection's log, which the next request empties
            after_change = self.measure(partial(fetched, client, url), repeat, before=changed)
            new_address = self.measure(
                lambda address=new_url: fetched(client, f"{address}{next(visits)}"), repeat
            )
            same_address = self.measure(partial(fetched, client, url), repeat)
            self.stdout.write(
                f"{name:<28} {size / 1024:>6.0f} {count:>7}"
                + "".join(
                    f"   {ms:>7.1f} {peak:>8.1f}" for ms, peak in (after_change, new_address, same_address)
                )
            )

    @staticmethod
    def measure(request, repeat, before=None):
        """Median milliseconds of ``repeat`` requests, and the megabytes one more allocated at its peak."""
        timings = []
        for _ in range(repeat + 1):
            if before:
                before()
            started = time.perf_counter()
            request()
            timings.append((time.perf_counter() - started) * 1000)
        if before:
            before()
        tracemalloc.start()
        try:
            request()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return statistics.median(timings[1:]), peak / 2**20  # the first warms what is kept
