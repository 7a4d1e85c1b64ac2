"""What many test modules do the same way: find the project's files, sign a staff member in, upload
a file to an import page, and read a CSV or JSON file the way a spreadsheet or a program reads it."""

import csv
import io
import json
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.html_tables import parse_page

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent  # the project: manage.py, performance/, deploy/
DATA = TESTS / "data"
DEMO_FIGURES = ROOT / "performance" / "demo_data" / "figures.json"  # the reference page's figures

# What the admin's sign-in form answers: the form again with this error, or (django-axes) this.
SIGN_IN_REFUSED = "Please enter the correct username and password for a staff account."
SIGN_IN_LOCKED = "Account locked: too many login attempts. Please try again later."


def signed_in(user) -> Client:
    """A client of its own, signed in as ``user`` (a session of its own, as another browser has)."""
    client = Client()
    client.force_login(user)
    return client


def status_and_heading(response) -> tuple[int, str]:
    """The answer's status and its page's first top-level heading, as a reader sees them: which
    page was served, not only with which status ("" when the page has no heading)."""
    headings = parse_page(response.content.decode()).headings
    return response.status_code, next((text for level, text in headings if level == "h1"), "")


def tasks_run_on_commit():
    """Run what a request queues once its transaction commits (``transaction.on_commit``): the
    background tasks it starts, at once in the test settings. A test's transaction never commits,
    so without this they would never run."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def upload(client, url: str, file: Path | bytes | str, name: str | None = None, *, follow=False, **fields):
    """Post ``file`` to the import page at ``url`` as its form does, with the form's other
    ``fields`` (e.g. ``format="0"``). ``file`` is a path (sent under its own name unless ``name``
    is given), bytes or text. What the upload queues (a preview in the background) runs at once,
    as it would once the upload's transaction commits.

    The response; with ``follow``, an upload answered by a redirect to the page of what it queued
    (under ``url``) is answered by that page."""
    if isinstance(file, Path):
        data, name = file.read_bytes(), name or file.name
    else:
        data = file.encode() if isinstance(file, str) else file
    with tasks_run_on_commit():
        response = client.post(url, {"import_file": SimpleUploadedFile(name, data), **fields})
    if not follow or response.status_code != 302:
        return response
    assert response.url.startswith(url), response.url
    return client.get(response.url)


def read_csv(source) -> list[list[str]]:
    """The rows of a CSV file (a response, or the file's text), header first, read as a
    spreadsheet reads it: a line end inside a quoted cell stays in the cell."""
    text = source if isinstance(source, str) else source.content.decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def read_json(response):
    """The JSON document a response holds."""
    return json.loads(response.content.decode("utf-8"))


def csv_rows(client, url: str, params: dict | None = None) -> list[list[str]]:
    """The rows of the CSV file served at ``url`` (with the query ``params``), header first."""
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return read_csv(response)


def json_document(client, url: str, params: dict | None = None) -> dict:
    """The JSON document served at ``url`` (with the query ``params``)."""
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return read_json(response)
