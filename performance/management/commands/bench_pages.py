"""Measure how long the public pages take to render and how many queries they run.

On the current database (the demo office), then on a scratch database with every force's 999
months for 20 years (``--no-national`` leaves that out). Each page is fetched with the stored
page cache empty, first with the page cache switched off (every request reads and builds
everything), then switched on (a first visit: what is the same for every reader is kept for the
content version). Prints figures; asserts nothing.
"""

import statistics
import time

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Max
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.calls.models import CallAnswerMonth
from performance.management.commands._national import add_national_months
from performance.management.commands._scratch import scratch_database
from performance.publishing.caching import content_version, forget_version
from performance.shared.budgets import page_transfers


class Command(BaseCommand):
    help = "Render the public pages repeatedly and print milliseconds per render and SQL queries."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=200)
        parser.add_argument("--no-national", action="store_true", help="Only the current database.")

    def handle(self, *args, repeat, no_national, **options):
        client = Client(HTTP_HOST="localhost")
        pages = {
            "library": reverse("performance:library"),
            "police data": reverse("performance:police-data"),
            "999 calls, every year": reverse("performance:calls-999-archive"),
        }
        latest = CallAnswerMonth.objects.aggregate(latest=Max("month"))["latest"]
        if latest:
            every_force = reverse("performance:calls-999-national", args=[f"{latest:%Y-%m}"])
            pages["999 calls, every force"] = every_force
            pages["999 calls, every force by calls"] = f"{every_force}?sort=-calls"
        self.targets = []
        self.stdout.write("The current database (make bench: the demo office)")
        self.measure_all(client, pages, repeat)
        self.budget(client, pages["police data"])
        if not no_national:
            with scratch_database("bench_pages"):
                added = add_national_months(20)
                self.stdout.write(f"\nEvery force's 999 months for 20 years ({added:,} months added, ranked)")
                self.measure_all(client, pages, max(20, repeat // 10), scale="national")
        self.stdout.write("\nTargets (median ms, page cache off)")
        for scale, name, median, target, goal in self.targets:
            met = "met" if median <= target else "NOT met"
            aim = f"target {target}" + (f", goal {goal}" if goal else "")
            self.stdout.write(f"{name} ({scale}): {median:.1f} ms ({aim}): {met}")

    # The targets (milliseconds, median, page cache off): the Police Data page on the demo, and
    # the every-force month at national scale.
    TARGETS = {
        ("demo", "police data (page cache off)"): (15, 10),
        ("national", "999 calls, every force (page cache off)"): (40, None),
    }

    def measure_all(self, client, pages, repeat, scale="demo"):
        self.stdout.write(
            f"{'page, not from the page cache':<52} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'bytes':>8}"
        )
        for cached, label in ((0, "page cache off"), (600, "page cache on, first visit")):
            with override_settings(PAGE_CACHE_SECONDS=cached):
                forget_version()
                for name, url in pages.items():
                    median = self.measure(client, f"{name} ({label})", url, repeat)
                    target = self.TARGETS.get((scale, f"{name} ({label})"))
                    if target:
                        self.targets.append((scale, name, median, *target))
        cache.clear()

    def measure(self, client, name, url, repeat):
        client.get(url)  # warm caches and template loading
        timings = []
        for _ in range(repeat):
            cache.clear()  # never the stored page
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        cache.clear()
        content_version(fresh=True)  # read at most once a second: not one of the page's own queries
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        queries = len(queries)
        p90 = statistics.quantiles(timings, n=10)[-1]
        self.stdout.write(
            f"{name:<52} {statistics.median(timings):>10.2f} {p90:>8.2f} {queries:>8} {len(response.content):>8}"
        )
        return statistics.median(timings)

    def budget(self, client, url):
        """The first load's bytes as WhiteNoise serves them (Brotli), against the page's budget."""
        transfers = page_transfers(client.get(url).content.decode())
        self.stdout.write(f"\n{'police data first load':<40} {'raw':>9} {'gzip':>9} {'brotli':>9}")
        for t in transfers:
            self.stdout.write(f"{t.url:<40} {t.raw:>9,} {t.gzip:>9,} {t.brotli:>9,}")
        javascript = sum(t.brotli for t in transfers if t.kind == "js")
        total = sum(t.brotli for t in transfers)
        self.stdout.write(
            f"JavaScript {javascript / 1024:.1f} KB of 100 KB; everything {total / 1024:.1f} KB of 300 KB (Brotli)."
        )
