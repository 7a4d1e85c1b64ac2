"""Write the hostile files tests/imports/test_hostile_files.py uploads through every upload path.

Each is a few hundred bytes to a few hundred kilobytes that a careless reader turns into gigabytes
or minutes: the files a hostile (or compromised) staff account could upload.

- ``stray-cell.xlsx`` (~1.6 KB): one cell at A1, one at XFD1048576; its sheet declares that range.
  (Its one sheet is called "Table P1", so that every release import reads it, that one included.)
- ``stray-cell-undeclared.xlsx``: the same cells with no ``<dimension>``: only the reader's own
  bounds stop it.
- ``repeated-rows.ods`` (~800 bytes): a row with a value, repeated a million times, three times over.
- ``paragraphs.docx`` (~250 KB): 90 MB of paragraphs once unpacked.
- ``shared-strings.xlsx`` (~100 KB): a shared-strings table of 2.5 million strings.
- ``million-rows.csv`` (~58 MB, written only when asked for): a recorded crime CSV of 1,000,000 rows.

Tests write them into a temporary folder; to look at them, run from the project root:
``.venv/bin/python tests/data/make_hostile_files.py /tmp/hostile``.
"""

from __future__ import annotations

import csv
import sys
import zipfile
from pathlib import Path

STAMP = (2024, 1, 1, 0, 0, 0)  # fixed zip entry dates: the same bytes every time

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Table P1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_START = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def zip_write(path: Path, parts: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def xlsx_write(path: Path, sheet: bytes, strings: bytes) -> Path:
    return zip_write(
        path,
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/sharedStrings.xml", strings),
        ],
    )


def no_strings() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'
    )


def stray_cell(folder: Path, *, declared: bool = True) -> Path:
    dimension = b'<dimension ref="A1:XFD1048576"/>' if declared else b""
    sheet = (
        SHEET_START + dimension + b"<sheetData>"
        b'<row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        b"</sheetData></worksheet>"
    )
    name = "stray-cell.xlsx" if declared else "stray-cell-undeclared.xlsx"
    return xlsx_write(folder / name, sheet, no_strings())


def shared_strings(folder: Path, strings: int = 2_500_000) -> Path:
    sheet = (
        SHEET_START
        + b'<dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    table = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        + f'count="{strings}" uniqueCount="{strings}">'.encode()
        + b"<si><t/></si>" * strings
        + b"</sst>"
    )
    return xlsx_write(folder / "shared-strings.xlsx", sheet, table)


def repeated_rows(folder: Path, times: int = 1_000_000, rows: int = 3) -> Path:
    row = (
        f'<table:table-row table:number-rows-repeated="{times}">'
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
        "</table:table-row>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="2023_24">'
        + row * rows
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    return zip_write(
        folder / "repeated-rows.ods",
        [
            ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", content.encode()),
            ("META-INF/manifest.xml", manifest.encode()),
        ],
    )


def paragraphs_docx(folder: Path, unpacked: int = 90 * 1024 * 1024) -> Path:
    paragraph = b"<w:p><w:r><w:t>Police and crime plan</w:t></w:r></w:p>"
    body = paragraph * (unpacked // len(paragraph))
    document = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + body
        + b"</w:body></w:document>"
    )
    types = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/word/document.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        b"</Types>"
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        b'Target="word/document.xml"/></Relationships>'
    )
    return zip_write(
        folder / "paragraphs.docx",
        [("[Content_Types].xml", types), ("_rels/.rels", rels), ("word/document.xml", document)],
    )


RECORDED_CRIME_HEADER = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
]


def million_rows(folder: Path, rows: int = 1_000_000, forces=("Norfolk", "Suffolk")) -> Path:
    """A recorded crime CSV of ``rows`` rows in the published layout: every row a distinct
    (year, quarter, force, offence), so none is refused as given twice."""
    path = folder / "million-rows.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(RECORDED_CRIME_HEADER)
        written = 0
        offences_per_quarter = max(1, rows // (len(forces) * 4 * 10)) + 1
        for year in range(2014, 2024):
            for quarter in range(1, 5):
                for force in forces:
                    for offence in range(offences_per_quarter):
                        if written == rows:
                            return path
                        writer.writerow(
                            [
                                f"{year}/{(year + 1) % 100:02d}",
                                quarter,
                                force,
                                f"Offence {offence}",
                                "Theft offences",
                                "Other theft",
                                f"{offence}",
                                (offence * 7 + quarter) % 500,
                            ]
                        )
                        written += 1
    return path


def write_all(folder: Path, *, large: bool = False) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        path.name: path
        for path in (
            stray_cell(folder),
            stray_cell(folder, declared=False),
            repeated_rows(folder),
            paragraphs_docx(folder),
            shared_strings(folder),
        )
    }
    if large:
        files["million-rows.csv"] = million_rows(folder)
    return files


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")
    for name, path in write_all(target, large=True).items():
        print(f"{name}: {path.stat().st_size:,} bytes")
