"""The words inside uploaded documents, read once for search: real files of each kind, built here
with the libraries that write them, and damaged or hostile ones that must not stop an upload."""

import datetime
import io
import logging

import docx
import pytest
from django.core.files.base import ContentFile
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.table import Table, TableCell, TableRow
from odf.text import H, P, S, Span
from openpyxl import Workbook
from pypdf import PageObject, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from performance.library import extraction
from performance.library.extraction import extracted_text
from performance.models import Document, DocumentCategory


def pdf_file(*pages: list[str], user_password: str | None = None, owner_password: str | None = None) -> bytes:
    """A PDF written by pypdf: each page draws its lines in Helvetica from its content stream."""
    writer = PdfWriter()
    helvetica = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for lines in pages:
        page = writer.add_blank_page(width=595, height=842)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): helvetica})}
        )
        drawn = " ".join(f"({line}) Tj T*" for line in lines)
        contents = DecodedStreamObject()
        contents.set_data(f"BT /F1 12 Tf 14 TL 72 770 Td {drawn} ET".encode())
        page.replace_contents(contents)
    if user_password is not None or owner_password is not None:
        writer.encrypt(user_password or "", owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_file() -> bytes:
    document = docx.Document()
    document.add_heading("Police and Crime Plan", level=1)
    document.add_paragraph("Our priorities for safer neighbourhoods.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Burglary"
    table.cell(0, 1).text = "Reduced"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_file() -> bytes:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Annual Report"))
    paragraph = P(text="Victims")
    paragraph.addElement(S(c=3))
    paragraph.addElement(Span(text="first, always."))
    document.text.addElement(paragraph)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def ods_file() -> bytes:
    document = OpenDocumentSpreadsheet()
    table = Table(name="Budget")
    for label, amount in (("Precept", "12.5"), ("Grant", "40")):
        row = TableRow()
        for value in (label, amount):
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def xlsx_file() -> bytes:
    book = Workbook()
    book.active.append(["Force", "Calls"])
    book.active.append(["Norfolk", 10_250])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data: bytes, name: str) -> ContentFile:
    return ContentFile(data, name=name)


# --------------------------------------------------------------------------------------------
# Each kind
# --------------------------------------------------------------------------------------------


def test_a_pdf_gives_the_words_on_every_page_in_order():
    data = pdf_file(["Police and Crime Plan", "2024 to 2028"], ["Safer neighbourhoods"])

    assert (
        extracted_text(upload(data, "plan.pdf")) == "Police and Crime Plan 2024 to 2028 Safer neighbourhoods"
    )


def test_a_word_document_gives_its_headings_paragraphs_and_table_cells():
    assert extracted_text(upload(docx_file(), "plan.docx")) == (
        "Police and Crime Plan Our priorities for safer neighbourhoods. Burglary Reduced"
    )


def test_an_opendocument_text_gives_its_headings_and_paragraphs_with_their_spaces():
    assert extracted_text(upload(odt_file(), "report.odt")) == "Annual Report Victims first, always."


def test_an_opendocument_spreadsheet_gives_its_cells():
    assert extracted_text(upload(ods_file(), "budget.ods")) == "Precept 12.5 Grant 40"


def test_an_excel_workbook_gives_its_text_cells_only():
    assert extracted_text(upload(xlsx_file(), "calls.xlsx")) == "Force Calls Norfolk"


def test_a_csv_file_gives_its_cells_in_utf8_or_windows_1252():
    assert extracted_text(upload("Force,Note\r\nNorfolk,“Good”\r\n".encode(), "calls.csv")) == (
        "Force Note Norfolk “Good”"
    )
    assert extracted_text(upload("Café,50\r\n".encode("cp1252"), "calls.csv")) == "Café 50"


def test_a_kind_documents_cannot_be_gives_no_text():
    assert extracted_text(upload(b"Police and Crime Plan", "plan.txt")) == ""


# --------------------------------------------------------------------------------------------
# Damaged, locked and hostile files
# --------------------------------------------------------------------------------------------


def test_a_damaged_pdf_gives_no_text_and_a_warning(caplog):
    damaged = pdf_file(["Police and Crime Plan"])[:200]  # the upload was cut short

    with caplog.at_level(logging.WARNING, logger="performance.library.extraction"):
        assert extracted_text(upload(damaged, "plan.pdf")) == ""
    assert "No text read from plan.pdf" in caplog.text


def test_a_pdf_that_is_not_a_pdf_at_all_gives_no_text():
    assert extracted_text(upload(b"%PDF-1.7\n" + b"\x00\xff" * 500, "plan.pdf")) == ""


def test_a_page_that_cannot_be_read_leaves_the_other_pages_words(monkeypatch, caplog):
    read_page = PageObject.extract_text

    def damaged_second_page(page, *args, **kwargs):
        text = read_page(page, *args, **kwargs)
        if text.startswith("Second"):
            raise KeyError("/Font")
        return text

    monkeypatch.setattr(PageObject, "extract_text", damaged_second_page)
    data = pdf_file(["First page"], ["Second page"], ["Third page"])

    with caplog.at_level(logging.WARNING, logger="performance.library.extraction"):
        assert extraction.text_of(data, "pdf") == "First page Third page"
    assert "No text read from 1 of the pages of a PDF (the first: page 2)" in caplog.text


def test_a_pdf_that_needs_a_password_gives_no_text(caplog):
    locked = pdf_file(["Police and Crime Plan"], user_password="secret")

    with caplog.at_level(logging.WARNING, logger="performance.library.extraction"):
        assert extracted_text(upload(locked, "plan.pdf")) == ""
    assert "needs a password" in caplog.text


def test_a_pdf_with_only_an_owner_password_is_read_like_any_other():
    """Restricting printing or copying with an owner password does not stop a reader opening it."""
    restricted = pdf_file(["Police and Crime Plan"], owner_password="office-only")

    assert extracted_text(upload(restricted, "plan.pdf")) == "Police and Crime Plan"


@pytest.mark.parametrize("name", ["plan.docx", "report.odt", "budget.ods", "calls.xlsx"])
def test_a_damaged_office_file_gives_no_text(name):
    assert extracted_text(upload(b"PK\x03\x04" + b"not really a zip" * 50, name)) == ""


def test_an_office_file_that_would_unpack_too_large_is_not_read(monkeypatch, caplog):
    """A zip bomb is refused from the sizes it declares, before anything is unpacked."""
    monkeypatch.setattr(extraction, "MAX_UNPACKED_BYTES", 1_000)

    with caplog.at_level(logging.WARNING, logger="performance.library.extraction"):
        assert extraction.text_of(docx_file(), "docx") == ""
    assert "unpacks to more than 1,000 bytes" in caplog.text


def test_reading_stops_at_the_character_limit(monkeypatch):
    monkeypatch.setattr(extraction, "MAX_CHARACTERS", 12)

    assert extraction.text_of(pdf_file(["Police and Crime Plan"], ["Never read"]), "pdf") == "Police and C"


def test_reading_stops_at_the_page_limit(monkeypatch):
    monkeypatch.setattr(extraction, "MAX_PDF_PAGES", 2)
    data = pdf_file(["First page"], ["Second page"], ["Third page"])

    assert extraction.text_of(data, "pdf") == "First page Second page"


def test_characters_a_database_refuses_are_removed():
    """PostgreSQL refuses NUL in text; control characters are no use to search."""
    text = extracted_text(upload(b"Crime\x00Plan,\x07Safer\r\n", "plan.csv"))

    assert text == "Crime Plan Safer"


def test_the_file_is_left_at_its_start_for_the_storage_to_save():
    file = upload(pdf_file(["Police and Crime Plan"]), "plan.pdf")
    file.read(10)  # read part of the way, as a validator might

    assert extracted_text(file) == "Police and Crime Plan"
    assert file.tell() == 0


# --------------------------------------------------------------------------------------------
# Through the upload
# --------------------------------------------------------------------------------------------


def test_saving_a_document_stores_the_words_of_its_file_and_the_whole_file(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = pdf_file(["Police and Crime Plan"], ["Safer neighbourhoods"])
    category = DocumentCategory.objects.create(name="Plans", slug="plans")

    document = Document(
        title="Police and Crime Plan",
        file=ContentFile(data, name="plan.pdf"),
        category=category,
        published_on=datetime.date(2024, 4, 1),
    )
    document.save()

    document.refresh_from_db()
    assert document.text == "Police and Crime Plan Safer neighbourhoods"
    with document.file.open("rb") as stored:
        assert stored.read() == data


def test_saving_a_document_with_a_damaged_file_stores_it_without_text(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    category = DocumentCategory.objects.create(name="Plans", slug="plans")

    document = Document.objects.create(
        title="Police and Crime Plan",
        file=ContentFile(b"%PDF-1.7 cut short", name="plan.pdf"),
        category=category,
        published_on=datetime.date(2024, 4, 1),
    )

    document.refresh_from_db()
    assert document.text == ""
    assert document.file.size == len(b"%PDF-1.7 cut short")
