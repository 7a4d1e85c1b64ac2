"""What the bounded child process (``performance.imports.untrusted``) can be asked to read.

Each reader takes the file's path, its options (plain JSON), a path it may write a large binary
result to and ``progress`` (told rows done, rows expected), and returns plain JSON. It runs ``filechecks`` on what the file claims before
it parses anything. A refusal in the reader's own words is ``Refused``; a file that claims too
much is ``Unsafe``. Nothing here imports Django's settings, models or database.
"""

from __future__ import annotations

from array import array

from performance.imports import filechecks
from performance.imports.filechecks import Bounds, Unsafe  # noqa: F401  (Unsafe: the child's caller catches it)
from performance.imports.spreadsheets import SpreadsheetError, sheet_read

ZIP_HEADS = (b"PK\x03\x04",)


class Refused(Exception):
    """The reader refuses the file in words for staff; ``details`` add to them."""

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.details = details or {}


def _bounds(options: dict) -> Bounds:
    return Bounds(**options["bounds"])


def _is_zip(path: str) -> bool:
    with open(path, "rb") as file:
        return file.read(4).startswith(ZIP_HEADS)


def sheet_rows(path: str, options: dict, data_path: str, *, progress) -> dict:
    """A release's one sheet (999 calls, Table P1, force-supplied measures): its non-empty rows."""
    if _is_zip(path):
        filechecks.zip_checked(path, _bounds(options))
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


def recorded_crime_rows(path: str, options: dict, data_path: str, *, progress) -> dict:
    """The recorded crime open data, read and checked row by row (``recorded_crime_file``). The
    counts go to ``data_path`` as four arrays of 64-bit integers — force pk, quarter end (its
    proleptic ordinal), offence index, count — the rest is returned."""
    from performance.crime import recorded_crime_file

    if _is_zip(path):
        rows_expected = filechecks.zip_checked(path, _bounds(options)).rows
    else:
        rows_expected = filechecks.csv_rows_counted(path)
    facts = recorded_crime_file.FileFacts()
    lookup = {key: tuple(value) for key, value in options["forces"].items()}
    progress(0, rows_expected)
    with open(path, "rb") as file:
        contents = recorded_crime_file.file_read(
            file,
            facts,
            lookup,
            progress=progress,
            rows_expected=rows_expected,
            max_rows=options["bounds"]["rows"],
        )
    progress(facts.rows_read, facts.rows_read)
    if not facts.problems:
        columns = [array("q") for _ in range(4)]
        for (force_id, quarter, offence), count in contents.counts.items():
            columns[0].append(force_id)
            columns[1].append(quarter.toordinal())
            columns[2].append(offence)
            columns[3].append(count)
        with open(data_path, "wb") as out:
            for column in columns:
                column.tofile(out)
    return {
        "rows_read": facts.rows_read,
        "skipped": dict(facts.skipped),
        "problems": facts.problems,
        "notes": facts.notes,
        "forces": facts.forces,
        "quarter_ends": facts.quarter_ends,
        "offences": [
            list(naming) for naming, _ in sorted(contents.offences.items(), key=lambda item: item[1])
        ],
        "force_ids": sorted(contents.forces),
        "counts": len(contents.counts),
    }


def document_text(path: str, options: dict, data_path: str, *, progress) -> dict:
    """The words of a library document (``extraction.text_of``), and the warnings reading it
    gave (a damaged file: no words)."""
    import logging

    from performance.library import extraction

    if _is_zip(path):
        filechecks.zip_checked(path, _bounds(options))
    warnings: list[str] = []

    class Kept(logging.Handler):
        def emit(self, record):
            warnings.append(record.getMessage())

    extraction.logger.addHandler(Kept(logging.WARNING))
    extraction.logger.propagate = False
    with open(path, "rb") as file:
        data = file.read(extraction.MAX_DOCUMENT_BYTES + 1)
    text = extraction.text_of(data, options.get("kind", ""), options.get("name", ""))
    return {"text": text, "warnings": warnings}


READERS = {
    "sheet": sheet_rows,
    "recorded_crime": recorded_crime_rows,
    "text": document_text,
}
