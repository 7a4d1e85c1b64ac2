"""Measure how long the public pages take to render and how many queries they run.

Prints figures; asserts nothing.
"""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test import Client, override_settings
from django.urls import reverse

from performance.budgets import page_transfers


class Command(BaseCommand):
    help = "Render the public pages repeatedly and print milliseconds per render and SQL queries."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=200)

    def handle(self, *args, repeat, **options):
        client = Client(HTTP_HOST="localhost")
        pages = {
            "library": reverse("performance:library"),
            "police data": reverse("performance:police-data"),
        }
        self.stdout.write(f"{'page':<40} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'bytes':>8}")
        for name, url in pages.items():
            self.measure(client, name, url, repeat)
        self.budget(client, pages["police data"])

    def measure(self, client, name, url, repeat):
        client.get(url)  # warm caches and template loading
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        with override_settings(DEBUG=True):
            reset_queries()
            client.get(url)
            queries = len(connection.queries)
        p90 = statistics.quantiles(timings, n=10)[-1]
        self.stdout.write(
            f"{name:<40} {statistics.median(timings):>10.2f} {p90:>8.2f} {queries:>8} {len(response.content):>8}"
        )

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
