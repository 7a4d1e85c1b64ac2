"""Read a rendered page as a person would: its headings in order, and its tables cell by cell."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Table:
    caption: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    def row(self, first_cell: str) -> list[str]:
        matches = [row for row in self.rows if row[0] == first_cell]
        assert len(matches) == 1, f"{first_cell!r} is in {len(matches)} rows of {self.caption!r}"
        return matches[0]


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[Table] = []
        self.headings: list[tuple[str, str]] = []
        self._text: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self._heading: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(Table())
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th", "caption"):
            self._text = []
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading, self._text = tag, []

    def handle_endtag(self, tag):
        text = " ".join("".join(self._text or []).split())
        if tag == "caption":
            self.tables[-1].caption = text
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                self.tables[-1].header = self._row
            else:
                self.tables[-1].rows.append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == self._heading:
            self.headings.append((tag, text))
            self._heading = None
        if tag in ("td", "th", "caption", "h1", "h2", "h3", "h4", "h5", "h6"):
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser
