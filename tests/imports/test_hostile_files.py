"""No file can hurt a server: the hostile files of tests/data/make_hostile_files.py through every
upload path — the three release imports of one sheet (999 calls, ONS Table P1, force-supplied
measures), the recorded crime open data, and a library document's text.

Each is refused with its message; the test process (the app) stays alive with its memory bounded
(its peak resident size grows by less than ``APP_GROWTH``); the child that read the file stayed
within its bounds; and the database is unchanged.
"""

from __future__ import annotations

import datetime
import io
import resource

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from performance.crime.recorded_crime import release_import
from performance.imports import untrusted
from performance.library.reading import text_in_child
from performance.models import Document, DocumentCategory
from tests.data.make_hostile_files import million_rows, write_all
from tests.helpers import signed_in, upload
from tests.test_authorization_matrix import database_fingerprint

APP_GROWTH = 200 * 1024 * 1024  # the most the app's peak memory may grow while refusing a file
ADVICE = untrusted.RELEASE_ADVICE
STRAY = 'This file could not be read safely: its sheet "Table P1" claims 1,048,576 rows × 16,384 columns;'
MEMORY = "This file could not be read safely: reading it needed more than 1 GB of memory"
REPEATED = "This file could not be read safely: its sheets claim 3,000,000 rows with something in them"
STRINGS = "This file could not be read safely: its shared strings table claims 2,500,000 different strings;"
PARAGRAPHS = (
    "This file could not be read safely: its part word/document.xml would unpack to 90 MB (94,371,972 bytes)"
)

# file -> the start of the refusal, for a release of one sheet and for the recorded crime open data
RELEASE_REFUSALS = {
    "stray-cell.xlsx": STRAY + " a release has at most 100,000 rows and 200 columns. " + ADVICE,
    # openpyxl is told no range: it stops at the release's row limit
    "stray-cell-undeclared.xlsx": "The sheet has more than 100,000 rows, which no release has.",
    "repeated-rows.ods": REPEATED
    + " (rows repeated with their content); a release has at most 100,000 rows. "
    + ADVICE,
    "shared-strings.xlsx": STRINGS + " a release has at most 200,000. " + ADVICE,
    "paragraphs.docx": "This file could not be read safely: its part word/document.xml would unpack to 90 MB",
}
OPEN_DATA_REFUSALS = {
    "stray-cell.xlsx": STRAY + " a release has at most 2,000,000 rows and 1,000 columns. " + ADVICE,
    "stray-cell-undeclared.xlsx": MEMORY,  # calamine allocates the whole range: the child's bound stops it
    "repeated-rows.ods": REPEATED
    + " (rows repeated with their content); a release has at most 2,000,000 rows. "
    + ADVICE,
    "shared-strings.xlsx": "This file could not be read safely: its shared strings table claims 2,500,000 "
    "different strings; a release has at most 1,000,000. " + ADVICE,
    "paragraphs.docx": "The file could not be opened as a workbook",  # not a workbook: the reader says so
}
DOCUMENT_REFUSALS = {
    "stray-cell.xlsx": STRAY
    + " a document has at most 200,000 rows and 1,000 columns. "
    + untrusted.DOCUMENT_ADVICE,
    "stray-cell-undeclared.xlsx": MEMORY,
    "repeated-rows.ods": REPEATED
    + " (rows repeated with their content); a document has at most 200,000 rows. "
    + untrusted.DOCUMENT_ADVICE,
    "paragraphs.docx": PARAGRAPHS
    + " from 274,836 bytes; a document has parts of at most 50 MB. "
    + untrusted.DOCUMENT_ADVICE,
}
RELEASE_IMPORTS = {
    "999 calls": "admin:performance_callanswermonth_import",
    "ONS Table P1": "admin:performance_recordedcrimefigure_import",
    "force-supplied measures": "admin:performance_measurefigure_import",
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return write_all(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def superuser_client(demo_data, django_user_model) -> Client:
    return signed_in(django_user_model.objects.create_superuser("hostile-publisher", "p@example.org", "x"))


class Bounded:
    """The app's and its children's peak memory around a block."""

    def __enter__(self):
        self.app_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return self

    def __exit__(self, *exc):
        self.app_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - self.app_before
        self.children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024

    def assert_bounded(self):
        assert self.app_growth < APP_GROWTH, f"the app grew by {self.app_growth:,} bytes"
        assert self.children_peak <= untrusted.MEMORY_BYTES + 64 * 1024 * 1024


def page_text(response) -> str:
    return " ".join(response.content.decode().replace("&quot;", '"').replace("&#x27;", "'").split())


@pytest.mark.parametrize("release", RELEASE_IMPORTS)
@pytest.mark.parametrize("name", RELEASE_REFUSALS)
def test_each_hostile_file_is_refused_by_each_release_import(superuser_client, hostile, release, name):
    before = database_fingerprint()
    with Bounded() as bounds:
        response = upload(
            superuser_client, reverse(RELEASE_IMPORTS[release]), hostile[name], name, format="0", resource="0"
        )
    assert response.status_code == 200
    assert RELEASE_REFUSALS[name] in page_text(response)
    assert response.context.get("confirm_form") is None  # nothing to confirm
    bounds.assert_bounded()
    assert database_fingerprint() == before


@pytest.mark.parametrize("name", OPEN_DATA_REFUSALS)
def test_each_hostile_file_is_refused_by_the_open_data_import(demo_data, hostile, name):
    before = database_fingerprint()
    with Bounded() as bounds, hostile[name].open("rb") as file:
        summary = release_import(file, file_name=name, dry_run=True)
    assert summary.problems and summary.problems[0].startswith(OPEN_DATA_REFUSALS[name])
    bounds.assert_bounded()
    assert database_fingerprint() == before


@pytest.mark.parametrize("name", DOCUMENT_REFUSALS)
def test_each_hostile_file_is_refused_as_a_library_document(superuser_client, hostile, name):
    category = DocumentCategory.objects.first()
    before = database_fingerprint()
    with Bounded() as bounds:
        response = superuser_client.post(
            reverse("admin:performance_document_add"),
            {
                "title": "Hostile",
                "file": SimpleUploadedFile(name, hostile[name].read_bytes()),
                "category": category.pk,
                "published_on": "01/04/2024",
                "summary": "",
            },
        )
    assert response.status_code == 200  # the form again, with the refusal
    (error,) = response.context["adminform"].form.errors["file"]
    assert error.startswith(DOCUMENT_REFUSALS[name]) and error.endswith(untrusted.DOCUMENT_ADVICE)
    bounds.assert_bounded()
    assert database_fingerprint() == before
    assert not Document.objects.filter(title="Hostile").exists()


def test_a_file_that_takes_too_long_is_stopped_and_refused(demo_data, hostile, monkeypatch):
    """The child's processor time is bounded: here to 1 second, for a workbook that takes longer."""
    monkeypatch.setattr(untrusted, "RELEASE_SHEET_SECONDS", 1)
    monkeypatch.setattr(untrusted, "RELEASE_SHEET", {**untrusted.RELEASE_SHEET, "strings": 10_000_000})
    before = database_fingerprint()
    with pytest.raises(ValueError) as refused:
        untrusted.sheet_from_upload(hostile["shared-strings.xlsx"].read_bytes(), file_name="strings.xlsx")
    assert str(refused.value).startswith(
        "This file could not be read safely: reading it took more than 1 seconds of processing"
    )
    assert database_fingerprint() == before


def test_a_recorded_crime_file_over_the_row_limit_is_refused_while_it_is_read(
    demo_data, tmp_path, monkeypatch
):
    """The release's row limit (2,000,000) is checked as the rows are read: here, a limit of
    20,000 against a file of 50,000 rows."""
    monkeypatch.setattr(untrusted, "RECORDED_CRIME", {**untrusted.RECORDED_CRIME, "rows": 20_000})
    path = million_rows(tmp_path, rows=50_000)
    before = database_fingerprint()
    with path.open("rb") as file:
        summary = release_import(file, file_name=path.name, dry_run=True)
    assert summary.problems == ["The file has more than 20,000 rows, which no release has."]
    assert database_fingerprint() == before


def test_the_file_read_in_the_child_is_read_as_in_the_app(demo_data):
    """A clean document's words come back from the child whole."""
    category = DocumentCategory.objects.first()
    document = Document.objects.create(
        title="Plan",
        file=SimpleUploadedFile("plan.csv", "Police,and,Crime\nPlan,2024,é".encode()),
        category=category,
        published_on=datetime.date(2024, 4, 1),
    )
    assert document.text == "Police and Crime Plan 2024 é"
    assert text_in_child(io.BytesIO(b"a,b"), kind="csv") == "a b"


@pytest.mark.parametrize("name", OPEN_DATA_REFUSALS)
def test_each_hostile_file_is_refused_on_the_open_data_import_page(superuser_client, hostile, name):
    """Through the admin: the upload queues the preview (run at once here), whose page refuses it."""
    before_counts = database_fingerprint_without_jobs()
    with Bounded() as bounds:
        queued = upload(
            superuser_client, reverse("admin:performance_offencecount_import"), hostile[name], name
        )
    assert queued.status_code == 302
    response = superuser_client.get(queued.url)
    assert response.status_code == 200
    assert OPEN_DATA_REFUSALS[name] in page_text(response)
    assert 'name="token"' not in response.content.decode()  # nothing to confirm
    bounds.assert_bounded()
    assert database_fingerprint_without_jobs() == before_counts


def database_fingerprint_without_jobs() -> str:
    """Every table's rows but the upload and its job, which record the refusal itself."""
    from django.db import connection

    digest = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in {"django_session", "performance_importupload", "performance_importjob"}:
                continue
            if table.startswith("django_tasks"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            digest.append((table, sorted(repr(row) for row in cursor.fetchall())))
    return repr(digest)
