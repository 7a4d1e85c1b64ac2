"""Time the document library's pages with a large library, and its django-tables2 table against
a plain hand-written one.

Creates a scratch database beside the configured one (as the tests do: on PostgreSQL
``<name>_bench_library``, on SQLite a file in a temporary folder), migrates it, loads the demo office, adds 5,000
documents and 200 meetings, commits them and has the database vacuum and analyse them, as a
live library's would be; the scratch database is dropped at the end. Pages are fetched with the
test client, never from the page cache: first with the cache off (every request reads
everything), then with it on and each request a new address (a first visit: the office's
settings and the year list are kept for the content version). The table alone is then rendered
by the site's lean template, by django-tables2's default one, and by a plain hand-written one.
Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pcc DEBUG=0 \
        DJANGO_SETTINGS_MODULE=pcc_site.settings_test ./manage.py bench_library
"""

import datetime
import itertools
import random
import statistics
import time

from django.contrib.postgres.search import SearchVector
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import TextField, Value
from django.template import engines
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from performance.library import views as library
from performance.library.models import Document, DocumentCategory, Meeting
from performance.management.commands._scratch import scratch_database
from performance.publishing.caching import content_version

PUBLISHED = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)

VOCABULARY = (
    "police crime commissioner plan budget force officers community safety victims panel report "
    "annual strategy neighbourhood policing performance complaints decision estates finance grant "
    "partnership violence women girls rural roads drugs county lines fraud cyber prevention youth "
    "justice court custody response emergency calls answered seconds contact centre inspection "
    "recommendations progress accountability meeting minutes agenda papers precept council tax"
)
WORDS = VOCABULARY.split()
RARE_WORD = "burglary"  # in about one document in ten

# The same columns and markup as the library's table, written out by hand.
PLAIN_TABLE = """<div class="table-wrap library-table-wrap" role="region" aria-labelledby="documents-caption" tabindex="0">
<table class="data-table data-table--text library-table"><caption id="documents-caption">Documents</caption>
<thead><tr>{% for header in headers %}<th scope="col"><a href="?sort={{ header.1 }}">{{ header.0 }}</a></th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr><td><a href="{{ row.url }}">{{ row.document.title }}</a> <span class="library-kind">{{ row.kind }}</span>{% if row.document.summary %}<span class="library-detail">{{ row.document.summary }}</span>{% endif %}</td>
<td><a href="{{ row.category_url }}">{{ row.document.category.name }}</a></td>
<td>{% if row.meeting_url %}<a href="{{ row.meeting_url }}">{{ row.document.meeting }}</a>{% endif %}</td>
<td>{{ row.document.published_on|date:"j F Y" }}</td></tr>{% endfor %}</tbody></table></div>"""


class PerCellDocumentTable(library.DocumentTable):
    """The library's table as django-tables2 renders it by default: each cell by its column's
    render method (the site's lean template writes the cells itself)."""

    def render_title(self, record):
        detail = record.summary
        return format_html(
            '<a href="{}">{}</a> <span class="library-kind">{}</span>{}',
            record.get_absolute_url(),
            record.title,
            library.kind_name(record.file.name),
            format_html('<span class="library-detail">{}</span>', detail) if detail else "",
        )

    def render_category(self, value):
        return format_html(
            '<a href="{}">{}</a>', self.link("performance:library-category", value.slug), value
        )

    def render_meeting(self, value):
        if not value.is_published:
            return ""
        return format_html('<a href="{}">{}</a>', self.link("performance:library-meeting", value.slug), value)

    def render_published(self, value):
        return date_format(value, "j F Y")


class Command(BaseCommand):
    help = (
        "Time the library's pages with 5,000 documents (added, then rolled back) and compare table templates."
    )

    def add_arguments(self, parser):
        parser.add_argument("--documents", type=int, default=5000)
        parser.add_argument("--meetings", type=int, default=200)
        parser.add_argument(
            "--words",
            type=int,
            default=1500,
            help="Words of text per document (1,500: about 10,000 characters).",
        )
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, documents, meetings, words, repeat, **options):
        started = time.perf_counter()
        with scratch_database("bench_library"):
            categories, meeting = self.generate(documents, meetings, words)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            self.stdout.write(
                f"{connection.vendor}: {documents:,} documents, {meetings} meetings in a scratch "
                f"database, ready in {time.perf_counter() - started:.1f} s\n"
            )
            self.measure_pages(categories, meeting, repeat, deep_page=min(40, max(1, documents // 50)))
            self.measure_tables(repeat)

    @transaction.atomic
    def generate(self, count, meetings, words):
        chance = random.Random(2024)
        categories = list(DocumentCategory.objects.all()) or [
            DocumentCategory.objects.create(name=f"Category {n}", slug=f"category-{n}", order=n)
            for n in range(8)
        ]
        held = [
            Meeting(
                title=f"Panel meeting {n}",
                held_on=f"{2016 + n // 25}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                slug=f"bench-panel-meeting-{n}",
                publish_at=PUBLISHED,
            )
            for n in range(meetings)
        ]
        Meeting.objects.bulk_create(held)
        kinds = ["pdf"] * 6 + ["docx", "xlsx", "csv", "odt", "ods"]
        parts = [choice for choice, _ in Document.MeetingPart.choices]
        rows = []
        for n in range(count):
            text = [chance.choice(WORDS) for _ in range(words)]
            if n % 10 == 0:
                text[chance.randrange(words)] = RARE_WORD
            in_meeting = n % 5 < 2
            title = " ".join(chance.sample(WORDS, 6)).capitalize() + f" {n}"
            summary = " ".join(chance.sample(WORDS, 12)).capitalize() + "."
            rows.append(
                Document(
                    title=title,
                    summary=summary,
                    text=" ".join(text),
                    search_vector=self.vector(title, summary, " ".join(text)),
                    heading_vector=self.vector(title, summary),
                    file=f"documents/bench/document-{n}.{chance.choice(kinds)}",
                    category=categories[n % len(categories)],
                    meeting=held[n % len(held)] if in_meeting else None,
                    meeting_part=parts[n % len(parts)] if in_meeting else "",
                    published_on=f"{2016 + n % 9}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                    publish_at=None if n % 20 == 19 else PUBLISHED,  # some drafts
                )
            )
        Document.objects.bulk_create(rows, batch_size=500)
        return categories, held[0]

    @staticmethod
    def vector(title, summary, text=None):
        """The document's search vector, computed as it is inserted (set by an UPDATE afterwards,
        every row would be written twice)."""
        if connection.vendor != "postgresql":
            return None
        heading = SearchVector(
            Value(title, output_field=TextField()), weight="A", config="english"
        ) + SearchVector(Value(summary, output_field=TextField()), weight="B", config="english")
        if text is None:
            return heading
        return heading + SearchVector(Value(text, output_field=TextField()), weight="C", config="english")

    def measure_pages(self, categories, meeting, repeat, deep_page):
        client = Client(HTTP_HOST="localhost")
        category = categories[0].slug
        index = reverse("performance:library")
        pages = {
            "library index": index,
            f"library index, page {deep_page} by title": f"{index}?sort=title&page={deep_page}",
            "filtered: category, year, type": f"{index}?category={category}&year=2020&type=pdf",
            f'search "{RARE_WORD}"': f"{index}?q={RARE_WORD}",
            'search "police budget", page 2': f"{index}?q=police+budget&page=2",
            "search, filtered and sorted": f"{index}?q=police&category={category}&sort=-published",
            f'site search "{RARE_WORD}"': f"{reverse('performance:search')}?q={RARE_WORD}",
            'site search "police budget", page 2': f"{reverse('performance:search')}?q=police+budget&page=2",
            "category page": reverse("performance:library-category", args=[category]),
            "meeting page": meeting.get_absolute_url(),
        }
        self.stdout.write(
            f"{'page (full request, not from the cache)':<42} {'median ms':>10} {'p90 ms':>8} {'queries':>8}"
        )
        with override_settings(PAGE_CACHE_SECONDS=0):
            self.stdout.write("  the page cache off: every request reads everything")
            for name, url in pages.items():
                self.measure(name, lambda url=url: self.fetched(client, url), repeat)
        with override_settings(PAGE_CACHE_SECONDS=600):
            self.stdout.write(
                "  the page cache on, each request a page not in it yet (the year list is kept)"
            )
            visits = itertools.count()
            for name, url in pages.items():
                address = f"{url}{'&' if '?' in url else '?'}visit="
                self.measure(
                    name, lambda address=address: self.fetched(client, f"{address}{next(visits)}"), repeat
                )
        cache.clear()

    @staticmethod
    def fetched(client, url):
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def measure_tables(self, repeat):
        """The same 25 rows, fetched once, rendered by the three templates."""
        request = RequestFactory().get(reverse("performance:library"))
        documents = (
            Document.objects.published().select_related("category", "meeting").only(*library.LISTED_FIELDS)
        )

        def table(table_class=library.DocumentTable, template_name=None):
            table = table_class(documents, caption="Documents", order_by="-published")
            if template_name:
                table.template_name = template_name
            library.paginated(table, request)
            table.page.object_list.data = list(table.page.object_list.data)  # read before timing
            return table

        lean, default = table(), table(PerCellDocumentTable, "django_tables2/table.html")
        tables2 = engines["django"].from_string("{% load django_tables2 %}{% render_table table %}")
        plain = engines["django"].from_string(PLAIN_TABLE)
        plain_documents = list(documents.order_by("-published_on", "title", "pk")[:25])
        headers = [
            ("Title", "title"),
            ("Category", "category"),
            ("Meeting", "-meeting"),
            ("Published", "published"),
        ]
        self.stdout.write(
            f"\n{'the table alone (25 rows, render only)':<42} {'median ms':>10} {'p90 ms':>8} {'queries':>8}"
        )

        def render_lean():
            lean.__dict__.pop("written_rows", None)  # the rows are written again each time
            return tables2.render({"table": lean}, request)

        self.measure("tables2, lean template (the site's)", render_lean, repeat)
        self.measure(
            "tables2, default template, cells by column",
            lambda: tables2.render({"table": default}, request),
            repeat,
        )
        self.measure(
            "plain template, rows built by hand",
            lambda: plain.render({"rows": self.plain_rows(plain_documents), "headers": headers}, request),
            repeat,
        )

    @staticmethod
    def plain_rows(documents):
        """What a hand-written view would do per row: the links and the kind of file."""
        return [
            {
                "document": document,
                "url": document.get_absolute_url(),
                "kind": library.kind_name(document.file.name),
                "category_url": reverse("performance:library-category", args=[document.category.slug]),
                "meeting_url": reverse("performance:library-meeting", args=[document.meeting.slug])
                if document.meeting and document.meeting.is_published
                else "",
            }
            for document in documents
        ]

    def measure(self, name, work, repeat):
        work()  # warm template loading and caches
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            work()
            timings.append((time.perf_counter() - started) * 1000)
        content_version(fresh=True)  # read at most once a second: not one of the page's own queries
        with CaptureQueriesContext(connection) as queries:
            work()
        p90 = statistics.quantiles(timings, n=10)[-1]
        self.stdout.write(f"{name:<42} {statistics.median(timings):>10.2f} {p90:>8.2f} {len(queries):>8}")
