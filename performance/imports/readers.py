"""What the bounded child process (``performance.imports.untrusted``) can be asked to read.

Each reader takes the file's path, its options (plain JSON), a path it may write a large binary
result to and ``progress`` (told rows done, rows expected), and returns plain JSON. It runs ``filechecks`` on what the file claims before
it parses anything. A refusal in the reader's own words is ``Refused``; a file that claims too
much is ``Unsafe``. Nothing here imports Django's settings, models or database.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from performance.imports import filechecks
from performance.imports.filechecks import Bounds, Unsafe  # noqa: F401  (Unsafe: the child's caller catches it)
from performance.imports.spreadsheets import SpreadsheetError, sheet_read

ZIP_HEADS = (b"PK\x03\x04",)


class Refused(Exception):
    """The reader refuses the file in words for staff; ``details`` add to them."""

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.details = details or {}


def bounds_of(options: dict) -> Bounds:
    return Bounds(**options["bounds"])


def is_zip(path: str) -> bool:
    with open(path, "rb") as file:
        return file.read(4).startswith(ZIP_HEADS)


def sheet_rows(path: str, options: dict, data_path: str, *, progress) -> dict:
    """A release's one sheet (999 calls, Table P1, force-supplied measures): its non-empty rows."""
    if is_zip(path):
        filechecks.zip_checked(path, bounds_of(options))
    with open(path, "rb") as file:
        data = file.read()
    try:
        sheet = sheet_read(
            data,
            file_name=options.get("file_name", ""),
            sheet_names=options.get("sheet_names") or (),
            max_rows=options["bounds"]["rows"],
        )
    except SpreadsheetError as error:
        raise Refused(str(error)) from error
    return {"rows": sheet.rows, "sha256": sheet.sha256}


def reader_named(name: str) -> Callable:
    """The reader a request names: this module's own (``"sheet"``), or a domain's, named by its
    place (``"performance.crime.recorded_crime_file:recorded_crime_rows"``), so that a dataset
    brings its own reader without this module knowing it."""
    module_name, _, function = name.rpartition(":")
    if not module_name:
        return READERS[name]
    if not module_name.startswith("performance."):
        raise ValueError(f"Not a reader of this project: {name}")
    return getattr(importlib.import_module(module_name), function)


READERS = {"sheet": sheet_rows}
