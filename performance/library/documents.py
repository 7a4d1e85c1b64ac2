"""Published documents: only real files of the allowed kinds, stored under safe names.

The kind is checked from the file's first bytes (and, for Office files, the parts inside the
zip), not from its name, so a renamed executable or image is refused.
"""

import zipfile

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

# extension -> (content type, how to recognise the content)
DOCUMENT_KINDS = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/document.xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/workbook.xml"),
    "odt": ("application/vnd.oasis.opendocument.text", "content.xml"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "content.xml"),
    "csv": ("text/csv", "text"),
}


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def document_upload_to(instance, filename: str) -> str:
    """documents/<year>/<slug of the name>.<ext>: no path or odd characters from the uploader."""
    stem = slugify(filename.rsplit(".", 1)[0])[:80] or "document"
    return f"documents/{timezone.now():%Y}/{stem}.{extension_of(filename)}"


def validate_document(upload) -> None:
    kind = extension_of(upload.name)
    if kind not in DOCUMENT_KINDS:
        allowed = ", ".join(f".{k}" for k in DOCUMENT_KINDS)
        raise ValidationError(f"Documents must be one of {allowed}; this file is not.")
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            f"The file is {upload.size:,} bytes; documents may be at most {MAX_DOCUMENT_BYTES // 1024 // 1024} MB."
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    check = DOCUMENT_KINDS[kind][1]
    if check == "pdf":
        ok = head.startswith(b"%PDF-")
    elif check == "text":
        ok = b"\x00" not in head and _is_text(head)
    else:
        ok = head.startswith(b"PK\x03\x04") and _zip_has(upload, check)
    if not ok:
        raise ValidationError(
            f"This file's content is not a .{kind} file. Upload the document itself, saved as .{kind}."
        )
    if not getattr(upload, "_committed", False):  # a new file: read its words now, safely
        document_words_read(upload)


def document_words_read(upload) -> str:
    """The words of a newly uploaded document, read once in the bounded child and kept on the
    upload for ``Document.save``. A file that claims more than a document could, or whose
    reading goes past the child's bounds, is refused here, before anything is saved."""
    from performance.imports import untrusted
    from performance.library.reading import text_in_child

    if not hasattr(upload, "words_read"):
        try:
            upload.words_read = text_in_child(upload, kind=extension_of(upload.name))
        except untrusted.FileUnsafe as unsafe:
            raise ValidationError(f"{unsafe} {untrusted.DOCUMENT_ADVICE}") from None
    return upload.words_read


def _is_text(head: bytes) -> bool:
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _zip_has(upload, member: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return member in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)
