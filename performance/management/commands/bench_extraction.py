"""Time reading the words of a large, text-heavy PDF, as an upload does (``extraction``).

Generates a PDF of about 5 MB (``--megabytes``): page after page of report-like prose in a
standard font, each page's text drawn line by line from a compressed content stream, as a word
processor's PDF export writes it. Times ``extracted_text`` on it (median of 5 runs) and prints
the file's size and pages, the characters read and the seconds. Such a file holds more words
than search keeps, so reading stops at ``MAX_CHARACTERS``; ``--every-page`` also times reading
every page up to the page limit with no character limit (the most such a file can cost).

Then times the whole upload as a member of staff makes it: the admin's "Add document" form
posted with the file (the upload parsed, the file checked, read and stored, the row, its
history and its search vectors written), in a scratch database made for it (median of 3).
Target: ≤ 2 s.
"""

import random
import statistics
import time
import zlib
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from performance.library import extraction
from performance.library.models import DocumentCategory
from performance.management.commands._scratch import scratch_database

VOCABULARY = (
    "police crime commissioner force victims neighbourhood policing officers community safety "
    "panel budget precept report performance quarter measures violence burglary antisocial "
    "behaviour response calls answered seconds inspection accountability partnership funding "
    "strategy plan priorities county public confidence domestic abuse road harm prevention the "
    "of and to in for with on by as is was were will this that from at which their"
)
LINES_PER_PAGE = 48
LINE_CHARACTERS = 95


def prose_pages(count: int, *, seed: int = 1) -> list[list[str]]:
    """``count`` pages of lines of random words from a policing vocabulary."""
    rng = random.Random(seed)
    words = VOCABULARY.split()
    pages = []
    for _ in range(count):
        lines = []
        for _ in range(LINES_PER_PAGE):
            line = rng.choice(words).capitalize()
            while len(line) < LINE_CHARACTERS:
                line += " " + rng.choice(words)
            lines.append(line + ".")
        pages.append(lines)
    return pages


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF 1.4 file, one page per item of ``pages``, each line drawn in Helvetica 10 pt from
    a Flate-compressed content stream."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        None,  # the page tree, once the pages' numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for lines in pages:
        drawn = "\n".join(f"({escaped(line)}) Tj T*" for line in lines)
        content = zlib.compress(f"BT /F1 10 Tf 12 TL 50 800 Td\n{drawn}\nET".encode("cp1252"))
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content)
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def escaped(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_of_size(megabytes: float) -> tuple[bytes, int]:
    """A text PDF of about ``megabytes`` MB, and its page count."""
    sample = len(text_pdf(prose_pages(20)))
    count = max(1, round(megabytes * 1024 * 1024 / (sample / 20)))
    return text_pdf(prose_pages(count)), count


class Command(BaseCommand):
    help = "Time reading the text of a generated ~5 MB text-heavy PDF (median of 5 runs)."

    def add_arguments(self, parser):
        parser.add_argument("--megabytes", type=float, default=5.0, help="Size of the PDF (5).")
        parser.add_argument("--runs", type=int, default=5, help="Runs to take the median of (5).")
        parser.add_argument(
            "--every-page",
            action="store_true",
            help="Also time one run reading every page (up to the page limit) with no character limit.",
        )

        parser.add_argument(
            "--no-upload", action="store_true", help="Only time reading the text (needs no database)."
        )

    def handle(self, *args, megabytes, runs, every_page, no_upload, **options):
        data, pages = pdf_of_size(megabytes)
        self.stdout.write(f"PDF: {len(data) / 1024 / 1024:.1f} MB, {pages:,} pages")

        seconds, text = self.timed(data, runs)
        self.stdout.write(
            f"extracted_text: {len(text):,} characters in {seconds:.2f} s (median of {runs}); "
            f"reading stops at {extraction.MAX_CHARACTERS:,} characters"
        )

        if every_page:
            with mock.patch.object(extraction, "MAX_CHARACTERS", 10**9):
                seconds, text = self.timed(data, 1)
            self.stdout.write(
                f"every page up to {extraction.MAX_PDF_PAGES:,}, no character limit: "
                f"{len(text):,} characters in {seconds:.2f} s (one run)"
            )
        if not no_upload:
            with scratch_database("bench_extraction"):
                seconds = self.uploaded(data, 3)
            self.stdout.write(
                f"upload through the admin ({connection.vendor}): {seconds:.2f} s (median of 3), "
                "the request from posting the form to its answer"
            )

    @staticmethod
    def uploaded(data: bytes, runs: int) -> float:
        """Seconds to add a document with the admin's form, posting ``data`` as its file."""
        client = Client(HTTP_HOST="localhost")
        client.force_login(
            get_user_model().objects.create_superuser("bench-upload", "bench@example.org", None)
        )
        url = reverse("admin:performance_document_add")
        category = DocumentCategory.objects.first()
        times = []
        for number in range(runs):
            form = {
                "title": f"Annual report {number}",
                "category": category.pk,
                "published_on": "2024-06-01",
                "summary": "The year in figures.",
                "file": SimpleUploadedFile(f"annual-report-{number}.pdf", data, "application/pdf"),
            }
            started = time.perf_counter()
            response = client.post(url, form, secure=True)
            times.append(time.perf_counter() - started)
            if response.status_code != 302:
                errors = response.context["adminform"].form.errors if response.context else ""
                raise CommandError(f"The upload was not saved ({response.status_code}): {errors}")
        return statistics.median(times)

    @staticmethod
    def timed(data: bytes, runs: int) -> tuple[float, str]:
        times = []
        for _ in range(runs):
            upload = ContentFile(data, name="report.pdf")
            started = time.perf_counter()
            text = extraction.extracted_text(upload)
            times.append(time.perf_counter() - started)
        return statistics.median(times), text
