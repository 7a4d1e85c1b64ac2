"""The words inside an uploaded document, for search: read once, when the file is uploaded.

PDF with pypdf, Word (.docx) with python-docx, OpenDocument text and spreadsheets (.odt, .ods)
with odfpy, an Excel workbook's text cells (.xlsx) with calamine, and a CSV file's cells.
Whitespace is collapsed to single spaces: the text is for matching words, not for showing.

Reading never fails an upload: a damaged file, or a PDF that needs a password to open, gives ""
and a warning in the log. An uploaded file is someone else's input, so the work is bounded: at
most ``MAX_CHARACTERS`` characters, ``MAX_PDF_PAGES`` pages of a PDF, and no zip-based file
(Word, OpenDocument, Excel) that would unpack to more than ``MAX_UNPACKED_BYTES``.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from odf import teletype
from odf.namespaces import TEXTNS
from odf.office import Body
from odf.opendocument import load as load_odf
from pypdf import PasswordType, PdfReader
from python_calamine import CalamineWorkbook

from performance.imports import filechecks, readers
from performance.library.documents import MAX_DOCUMENT_BYTES, extension_of

logger = logging.getLogger(__name__)

MAX_CHARACTERS = 1_000_000  # enough for any report's words (search keeps as many)
MAX_PDF_PAGES = 2_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a 20 MB Word file of text unpacks to far less
MAX_ZIP_MEMBERS = 10_000

# Characters a database text column or a search index refuses or cannot use: control
# characters (PostgreSQL rejects NUL) and lone surrogates (not encodable as UTF-8).
UNUSABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class Unreadable(Exception):
    """The file cannot be read as the kind its name says (damaged, encrypted, too big unpacked)."""


def extracted_text(file) -> str:
    """The words of an uploaded document, whitespace collapsed, at most ``MAX_CHARACTERS``; ""
    for a file that cannot be read. ``file`` is a Django ``File`` or ``FieldFile``; it is read
    from its start and left at its start, ready for the storage to save it.

    The file is read in the bounded child (``reading.text_in_child``, which runs
    ``text_of``): a file that would take more memory or time than it allows gives "" too, and a
    warning in the log."""
    from performance.library.reading import text_in_child

    name = getattr(file, "name", "") or ""
    kind = extension_of(name)
    if kind not in READERS:
        return ""
    try:
        if getattr(file, "closed", False):
            file.open("rb")
        return text_in_child(file, kind=kind, name=name)
    except Exception as error:  # a damaged upload must never stop the document being saved
        logger.warning("No text read from %s: %s: %s", name, type(error).__name__, error)
        return ""


def text_of(data: bytes, kind: str, name: str = "") -> str:
    """The words of a document's bytes, read in this process (the child's work); "" and a
    warning for a file that cannot be read."""
    reader = READERS.get(kind)
    if reader is None:
        return ""
    if len(data) > MAX_DOCUMENT_BYTES:
        logger.warning("No text read from %s: larger than %s bytes", name, f"{MAX_DOCUMENT_BYTES:,}")
        return ""
    try:
        return limited_text(reader(data))
    except MemoryError:
        raise
    except Exception as error:  # a damaged upload must never stop the document being saved
        logger.warning("No text read from %s: %s: %s", name, type(error).__name__, error)
        return ""


def limited_text(pieces: Iterable[str]) -> str:
    """The pieces joined with single spaces, stopping once ``MAX_CHARACTERS`` are held.

    >>> limited_text(["  Police \\n and\\tCrime ", "", "Plan\\x00 2024 "])
    'Police and Crime Plan 2024'
    """
    words, held = [], 0
    for piece in pieces:
        cleaned = " ".join(UNUSABLE.sub(" ", piece).split())
        if not cleaned:
            continue
        words.append(cleaned)
        held += len(cleaned) + 1
        if held > MAX_CHARACTERS:
            break
    return " ".join(words)[:MAX_CHARACTERS].rstrip()


# --------------------------------------------------------------------------------------------
# One reader per kind: each yields the text piece by piece, so reading stops at the limit
# --------------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> Iterator[str]:
    """Page by page. A PDF that opens without a password (one with only an owner password, which
    restricts printing or copying, does) is read; one that needs a password is not."""
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise Unreadable("the PDF needs a password to open")
    unread = []
    try:
        for number, page in enumerate(reader.pages, start=1):
            if number > MAX_PDF_PAGES:
                logger.warning("Text read from the first %s pages of a PDF only", MAX_PDF_PAGES)
                return
            try:
                yield page.extract_text()
            except Exception:  # one damaged page: keep the others' words
                unread.append(number)
    finally:
        if unread:
            logger.warning(
                "No text read from %s of the pages of a PDF (the first: page %s)", len(unread), unread[0]
            )


def docx_text(data: bytes) -> Iterator[str]:
    """Every paragraph of the body, tables' cells included, in order (not headers and footers)."""
    checked_zip(data)
    body = docx.Document(io.BytesIO(data)).element.body
    for paragraph in body.iter(qn("w:p")):
        yield Paragraph(paragraph, None).text


def odf_text(data: bytes) -> Iterator[str]:
    """Every heading and paragraph (a spreadsheet's cells hold paragraphs), in document order."""
    checked_zip(data)
    wanted = {(TEXTNS, "p"), (TEXTNS, "h")}
    # Depth first, in order; a paragraph inside another (a note, a text box) is read with it.
    pending = load_odf(io.BytesIO(data)).getElementsByType(Body)[:1]
    while pending:
        element = pending.pop()
        if getattr(element, "qname", None) in wanted:
            yield teletype.extractText(element)
        else:
            pending.extend(reversed(getattr(element, "childNodes", ())))


def xlsx_text(data: bytes) -> Iterator[str]:
    """The text cells of every sheet, row by row (not the numbers: figures are no use to search)."""
    checked_zip(data)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in workbook.sheet_names:
        for row in workbook.get_sheet_by_name(name).iter_rows():
            yield " ".join(value for value in row if isinstance(value, str))


def csv_text(data: bytes) -> Iterator[str]:
    """Every cell's text (UTF-8, or Windows-1252 as Excel saves it)."""
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = data.decode("cp1252", errors="replace")
    for row in csv.reader(io.StringIO(decoded, newline="")):
        yield " ".join(row)


def checked_zip(data: bytes) -> zipfile.ZipFile:
    """The archive, if unpacking it stays within bounds (the sizes it declares are the most the
    zip module will unpack, so checking them is enough)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise Unreadable(f"more than {MAX_ZIP_MEMBERS:,} parts")
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise Unreadable(f"unpacks to more than {MAX_UNPACKED_BYTES:,} bytes")
    return archive


READERS = {
    "pdf": pdf_text,
    "docx": docx_text,
    "odt": odf_text,
    "ods": odf_text,
    "xlsx": xlsx_text,
    "csv": csv_text,
}


def document_text(path: str, options: dict, data_path: str, *, progress) -> dict:
    """The words of a library document (``text_of``), and the warnings reading it
    gave (a damaged file: no words)."""
    if readers.is_zip(path):
        filechecks.zip_checked(path, readers.bounds_of(options))
    warnings: list[str] = []

    class Kept(logging.Handler):
        def emit(self, record):
            warnings.append(record.getMessage())

    logger.addHandler(Kept(logging.WARNING))
    logger.propagate = False
    with open(path, "rb") as file:
        data = file.read(MAX_DOCUMENT_BYTES + 1)
    text = text_of(data, options.get("kind", ""), options.get("name", ""))
    return {"text": text, "warnings": warnings}
