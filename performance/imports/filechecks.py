"""Cheap checks on an uploaded workbook or document before anything parses it.

A workbook or Word file is a zip of XML parts, and its size on disk says little about what
reading it costs: a sheet that claims 1,048,576 rows × 16,384 columns (one cell at A1, one at
XFD1048576) is 1.6 KB, and a reader that trusts the claim allocates the whole grid; an 801-byte
OpenDocument sheet can repeat a row a million times; a 105 KB shared-strings table can list 2.5
million strings. These checks read only what the file says about itself — the zip's directory,
the head of each sheet (``<dimension>``), the head of the shared strings (``count``), and the
repeat counts in an OpenDocument sheet — and refuse a file that claims more than any release has,
in words a staff member can act on (``Unsafe``).

They are the first line; the second is the child process the file is read in
(``performance.imports.untrusted``), whose memory and processor time are bounded whatever the file
claims. This module imports nothing from Django: it runs in that child.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

HEAD_BYTES = 64 * 1024  # how much of a part's start is read for what it declares
SCAN_CHUNK = 1024 * 1024
LOOK_AHEAD = 64 * 1024  # how far past a repeat count the content of its row or cell is looked for


class Unsafe(Exception):
    """The file claims more than a release or document could: it is not read. The message
    completes "This file could not be read safely: …"."""


@dataclass(frozen=True)
class Bounds:
    """The most a file of one kind may claim."""

    rows: int
    columns: int
    part_bytes: int  # one part, unpacked
    total_bytes: int  # every part, unpacked
    parts: int = 1_000
    strings: int = 1_000_000  # an XLSX's shared strings
    called: str = "a release"  # what such a file is, in the refusals: "a release", "a document"


@dataclass
class Claims:
    """What a file says about its size: rows across its sheets (0 when it does not say)."""

    rows: int = 0


def bytes_text(size: int) -> str:
    """
    >>> bytes_text(90 * 1024 * 1024), bytes_text(5_000)
    ('90 MB', '5,000 bytes')
    """
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:,.0f} MB"
    return f"{size:,} bytes"


def zip_checked(path: str, bounds: Bounds) -> Claims:
    """Check a zip-based file (XLSX, ODS, DOCX, ODT) at ``path``; what it claims. A file that is
    not a readable zip passes: its reader refuses it in its own words."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return Claims()
    with archive:
        parts = archive.infolist()
        if len(parts) > bounds.parts:
            raise Unsafe(
                f"it is made of {len(parts):,} parts, more than the {bounds.parts:,} {bounds.called} could need"
            )
        for part in parts:
            if part.file_size > bounds.part_bytes:
                raise Unsafe(
                    f"its part {part.filename} would unpack to {bytes_text(part.file_size)} "
                    f"({part.file_size:,} bytes) from {bytes_text(part.compress_size)}; {bounds.called} "
                    f"has parts of at most {bytes_text(bounds.part_bytes)}"
                )
        total = sum(part.file_size for part in parts)
        if total > bounds.total_bytes:
            raise Unsafe(
                f"it would unpack to {bytes_text(total)} ({total:,} bytes); {bounds.called} "
                f"unpacks to at most {bytes_text(bounds.total_bytes)}"
            )
        names = {part.filename for part in parts}
        if "xl/workbook.xml" in names:
            return _xlsx_checked(archive, names, bounds)
        if "content.xml" in names and _mimetype(archive).endswith("spreadsheet"):
            return _ods_checked(archive, bounds)
    return Claims()


def _mimetype(archive: zipfile.ZipFile) -> str:
    try:
        return archive.read("mimetype")[:100].decode("ascii", "replace").strip()
    except KeyError:
        return ""


def _head(archive: zipfile.ZipFile, name: str) -> str:
    with archive.open(name) as part:
        return part.read(HEAD_BYTES).decode("utf-8", "replace")


# --------------------------------------------------------------------------------------------
# XLSX: each sheet's declared used range, and the shared strings' declared count
# --------------------------------------------------------------------------------------------

DIMENSION = re.compile(r"<(?:\w+:)?dimension\b[^>]*\bref=\"([A-Z]{0,3})(\d*)(?::([A-Z]{1,3})(\d+))?\"")
STRING_COUNT = re.compile(
    r"<(?:\w+:)?sst\b[^>]*?\b(count|uniqueCount)=\"(\d+)\"(?:[^>]*?\b(count|uniqueCount)=\"(\d+)\")?"
)
SHEET_ENTRY = re.compile(r"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"[^>]*?\br:id=\"([^\"]*)\"")
RELATION = re.compile(
    r"<Relationship\b[^>]*?\bId=\"([^\"]*)\"[^>]*?\bTarget=\"([^\"]*)\"|<Relationship\b[^>]*?\bTarget=\"([^\"]*)\"[^>]*?\bId=\"([^\"]*)\""
)


def column_number(letters: str) -> int:
    """
    >>> column_number("A"), column_number("Z"), column_number("XFD")
    (1, 26, 16384)
    """
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _sheet_names(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Each worksheet part's sheet name, as the workbook lists them."""
    try:
        workbook = _head(archive, "xl/workbook.xml")
        relations = (
            _head(archive, "xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else ""
        )
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    targets = {}
    for match in RELATION.finditer(relations):
        identifier, target = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        )
        target = target.lstrip("/")
        targets[identifier] = target if target.startswith("xl/") else f"xl/{target}"
    return {targets[rid]: name for name, rid in SHEET_ENTRY.findall(workbook) if rid in targets}


def _xlsx_checked(archive: zipfile.ZipFile, names: set[str], bounds: Bounds) -> Claims:
    sheet_names = _sheet_names(archive, names)
    claims = Claims()
    for name in sorted(names):
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        match = DIMENSION.search(_head(archive, name))
        if match is None:
            continue
        first_column, first_row, last_column, last_row = match.groups()
        rows = int(last_row or first_row or 0)
        columns = column_number(last_column or first_column or "")
        label = sheet_names.get(name, name.rsplit("/", 1)[-1].removesuffix(".xml"))
        if rows > bounds.rows or columns > bounds.columns:
            raise Unsafe(
                f'its sheet "{label}" claims {rows:,} rows × {columns:,} columns; {bounds.called} '
                f"has at most {bounds.rows:,} rows and {bounds.columns:,} columns"
            )
        claims.rows += rows
    if "xl/sharedStrings.xml" in names:
        match = STRING_COUNT.search(_head(archive, "xl/sharedStrings.xml"))
        if match is not None:
            counts = {match.group(1): int(match.group(2))}
            if match.group(3):
                counts[match.group(3)] = int(match.group(4))
            strings = counts.get("uniqueCount", counts.get("count", 0))
            if strings > bounds.strings:
                raise Unsafe(
                    f"its shared strings table claims {strings:,} different strings; {bounds.called} "
                    f"has at most {bounds.strings:,}"
                )
    return claims


# --------------------------------------------------------------------------------------------
# ODS: rows and cells repeated with content
# --------------------------------------------------------------------------------------------

REPEAT = re.compile(rb"number-(rows|columns)-repeated=\"(\d+)\"")
ROW_START = re.compile(rb"<table:table-row[\s>]")
ROW_END = b"</table:table-row>"
HAS_VALUE = re.compile(rb"office:value-type=|<text:p[\s>]")


def _ods_checked(archive: zipfile.ZipFile, bounds: Bounds) -> Claims:
    """Repeat counts are how a spreadsheet program writes many empty rows or cells in a few
    bytes (every saved sheet ends with a row repeated to the millionth); a repeated row or cell
    *with content* is as many rows or cells to a reader. Rows are counted with their repeats
    where they hold something, once where they do not."""
    rows = 0
    with archive.open("content.xml") as content:
        tail = b""
        while True:
            chunk = content.read(SCAN_CHUNK)
            buffer = tail + chunk
            final = not chunk
            # Matches are taken only where the look-ahead is whole, unless the part has ended.
            limit = len(buffer) if final else max(0, len(buffer) - LOOK_AHEAD)
            rows += sum(1 for match in ROW_START.finditer(buffer) if match.start() < limit)
            for match in REPEAT.finditer(buffer):
                if match.start() >= limit:
                    break
                times = int(match.group(2))
                if times <= 1:
                    continue
                if match.group(1) == b"rows":
                    end = buffer.find(ROW_END, match.end(), match.end() + LOOK_AHEAD)
                    row = buffer[match.end() : end if end >= 0 else match.end() + LOOK_AHEAD]
                    if HAS_VALUE.search(row):
                        rows += times - 1
                else:
                    tag_end = buffer.find(b">", match.end(), match.end() + LOOK_AHEAD)
                    tag = buffer[match.start() : tag_end if tag_end >= 0 else match.end()]
                    if b"office:value-type=" in tag and times > bounds.columns:
                        raise Unsafe(
                            f"a cell in it is repeated across {times:,} columns; {bounds.called} "
                            f"has at most {bounds.columns:,} columns"
                        )
            if final:
                break
            tail = buffer[limit:]
    if rows > bounds.rows:
        raise Unsafe(
            f"its sheets claim {rows:,} rows with something in them (rows repeated with their "
            f"content); {bounds.called} has at most {bounds.rows:,} rows"
        )
    return Claims(rows=rows)


def csv_rows_counted(path: str) -> int:
    """Lines in a text file, counted without decoding it (for progress)."""
    lines = 0
    with open(path, "rb") as file:
        while chunk := file.read(SCAN_CHUNK):
            lines += chunk.count(b"\n")
    return lines
