"""Measure how long the public pages take to render and how many queries they run.

Prints figures; asserts nothing.
"""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test import Client, override_settings
from django.urls import reverse


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
