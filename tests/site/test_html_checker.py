"""Every kind of public page is valid HTML, as the Nu HTML checker (the W3C's validator, from
npm's ``vnu-jar``) reads it: one page of each public URL pattern of the demo site, a library
search and the page not found, rendered with the test client and checked in one run of the
checker. Any error fails the test with the checker's message, the page and the line.
"""

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.urls import resolve

from tests.publishing.test_public_reads_published_only import SEARCHES, enumerated_addresses

VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
NOT_FOUND = "/document-library/no-such-page/"


def one_page_of_each_kind(client) -> dict[str, str]:
    """An HTML page of every public URL pattern (the first of its addresses that is one), a
    search and the page not found, by what it is."""
    pages = {}
    for name, addresses in enumerated_addresses().items():
        for address in addresses:
            response = client.get(address)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                pages[name] = address
                break
    pages["search"] = SEARCHES[0]
    pages["not found"] = NOT_FOUND
    return pages


def checker_errors(files: list[Path]) -> list[dict]:
    """The Nu checker's errors in ``files``, run once over them all."""
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(run.stderr)  # the checker writes its JSON report to stderr
    assert run.returncode in (0, 1), run.stderr  # 1: it found errors, listed in the report
    return [message for message in report["messages"] if message["type"] in ("error", "non-document-error")]


def test_the_checker_is_installed():
    assert shutil.which("java"), "The Nu HTML checker needs Java: make install-test installs it."
    assert VNU.exists(), "The Nu HTML checker is vnu-jar from npm: make install-test installs it."


def test_the_checker_reports_an_error_when_there_is_one(tmp_path):
    """The check below could fail: a page with a stray end tag and a duplicate id is reported."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head>'
        '<body><p id="a">One</p><p id="a">Two</p></div></body></html>'
    )
    messages = [error["message"] for error in checker_errors([page])]
    assert any("Duplicate ID" in message for message in messages), messages
    assert any("Stray end tag" in message for message in messages), messages


def test_every_kind_of_public_page_is_valid_html(client, demo_data, tmp_path):
    pages = one_page_of_each_kind(client)
    for kind in ("performance:police-data", "performance:datasets", "performance:ncpm-period", "search"):
        assert kind in pages, kind
    files = {}
    for kind, address in pages.items():
        response = client.get(address)
        expected = 404 if kind == "not found" else 200
        assert response.status_code == expected, address
        if kind != "not found":
            assert resolve(urlsplit(address).path).view_name == kind or kind == "search"
        path = tmp_path / f"page-{len(files):02d}.html"
        path.write_bytes(response.content)
        files[path.name] = address

    errors = checker_errors([tmp_path / name for name in files])

    found = [
        f"{files[unquote(error.get('url', '')).rsplit('/', 1)[-1]]} line {error.get('lastLine')}: "
        f"{error['message']}"
        for error in errors
    ]
    assert found == [], "\n".join(found)
    assert len(files) >= 12  # every kind was checked: the checker was given them all
