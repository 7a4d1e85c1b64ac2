"""Open data: the framework every open dataset shares, and the registry of datasets.

Each dataset is described once (``Dataset``: its source, its columns in a fixed order, its
filters and its selection function) in its domain's ``opendata`` module, which adds it to
``DATASETS`` with ``register``; the app's ready() imports those modules. The site lists the
registered datasets on the datasets page and gives each its CSV and JSON addresses.

A selection function reads the query string, picks the rows in a fixed number of queries and
turns each into a plain ``{column: value}`` dict of Python values; ``csv_file`` and ``json_file``
only write those values out, column by column. Differences and their wording come from
``calculations`` through the models, so the page, the CSV and the JSON say the same thing.

A whole dataset's file is written once per content version and kept (``data_file``): every
request for it until the content changes is served the same bytes, with no query.

A filter that cannot be read (``?month=Jan``) is answered 400; one naming nothing held (an
unknown force or priority area) 404; both in plain words. A well-formed period with no figures
gives the header row and no rows.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

from performance.publishing.caching import kept_for_the_content_version, public_page
from performance.shared import calculations
from performance.shared.formulas import formula_neutralised

LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
NOTES = [
    "Text that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage "
    "return) starts with an apostrophe, in CSV and JSON alike.",
    "Numbers are plain: no thousands separators and no % signs. An empty CSV cell, or null in JSON, "
    "means the figure is not published.",
]


# --------------------------------------------------------------------------------------------
# Describing a dataset
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnType:
    label: str  # as the datasets page names it
    table_schema: str  # the Table Schema (Frictionless Data) field type the data package gives it


TYPES = {
    "text": ColumnType("Text", "string"),
    "integer": ColumnType("Whole number", "integer"),
    "decimal": ColumnType("Number", "number"),
    "boolean": ColumnType("true or false", "boolean"),
    "month": ColumnType("Month, YYYY-MM", "yearmonth"),
    "date": ColumnType("Date, YYYY-MM-DD", "date"),
    "datetime": ColumnType("Date and time, ISO 8601 (UTC)", "datetime"),
}


@dataclass(frozen=True)
class Column:
    """A column of a dataset's files, declared once: its heading, its type, what it holds and, for
    a measured quantity, its unit. The datasets page, the files and the data package (its Table
    Schema) are all written from it."""

    name: str
    type: str  # a key of TYPES
    description: str
    places: int | None = None  # decimals written to this many places (as published), else plain
    unit: str | None = None  # "seconds", "percent", "calls", "offences": the same in every row
    title: str | None = None  # a heading for people; by default the name in words

    def __post_init__(self):
        assert self.type in TYPES, self.type

    @property
    def type_label(self) -> str:
        return TYPES[self.type].label

    @property
    def heading(self) -> str:
        """``title``, or the name in words: ``force_ons_code`` reads "Force ons code"."""
        return self.title or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Source:
    publisher: str
    url: str


@dataclass(frozen=True)
class Filter:
    name: str
    description: str
    example: str


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    source: Source
    columns: tuple[Column, ...]
    period_column: str  # the column whose first and last values are the JSON "period"
    url_name: str  # "data-calls-999": the CSV is "-csv", the JSON "-json"
    order: int  # its place in ``DATASETS``, and so on the datasets page
    selection: Callable[[Mapping[str, str]], Selection] = field(compare=False)  # the rows a query asks for
    filters: tuple[Filter, ...] = ()
    # The columns that name a row: no two rows have the same values in them (the data package's
    # primaryKey); empty for a dataset whose rows have no such key.
    primary_key: tuple[str, ...] = ()
    # What the JSON adds to its head, given the office's settings (None when there are none).
    json_extra: Callable[[Any], dict] | None = field(default=None, compare=False)
    # For the feed, given the time now: its rows' first publication (``first``), newest
    # (``newest``) and newest change (``changed``, and any other time its rows' ``last_revised``
    # counts from), as its CSV's ``last_revised`` column says.
    publication_times: Callable[[Any], dict] | None = field(default=None, compare=False)

    @property
    def csv_url(self) -> str:
        return reverse(f"performance:{self.url_name}-csv")

    @property
    def json_url(self) -> str:
        return reverse(f"performance:{self.url_name}-json")

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


LAST_REVISED = Column("last_revised", "datetime", "When this row last changed on this site.")


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------

# Every open dataset, in order of ``Dataset.order``: each domain registers its own in its
# ``opendata`` module (``performance/calls/opendata.py``, ``performance/crime/opendata.py``).
DATASETS: list[Dataset] = []
# The data package describing them all is served beside their files as datapackage.json.
DATA_PACKAGE_NAME = "datapackage"


def register(dataset: Dataset) -> Dataset:
    """Adds ``dataset`` to ``DATASETS`` in its place. Its slug (its files' names), its URL name
    and its order are its own: a clash is a mistake in the code, refused when the app loads."""
    if dataset.slug == DATA_PACKAGE_NAME:
        raise ImproperlyConfigured(f"{DATA_PACKAGE_NAME!r} names the data package, not a dataset.")
    names = {column.name for column in dataset.columns}
    if missing := [name for name in dataset.primary_key if name not in names]:
        raise ImproperlyConfigured(
            f"The open dataset {dataset.slug!r} has no column {missing[0]!r} to key by."
        )
    for known in DATASETS:
        if known.slug == dataset.slug or known.url_name == dataset.url_name or known.order == dataset.order:
            raise ImproperlyConfigured(f"The open dataset {dataset.slug!r} clashes with {known.slug!r}.")
    DATASETS.append(dataset)
    DATASETS.sort(key=lambda registered: registered.order)
    return dataset


# --------------------------------------------------------------------------------------------
# Choosing the rows
# --------------------------------------------------------------------------------------------


class FilterProblem(Exception):
    """A query-string filter that cannot be answered: 400 when unreadable, 404 when it names nothing held."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Selection:
    """The rows of a dataset the request asked for, and what they were chosen by."""

    rows: Iterable[dict]  # read once, as the file is written: a national file's are not all held at once
    filters: dict[str, str] = field(default_factory=dict)  # as applied: the file name and the JSON say so
    published: datetime.date | None = None
    next_release: datetime.date | None = None


YEAR = re.compile(r"[0-9]{4}")
YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def filter_value(query, name: str) -> str | None:
    if name not in query:
        return None
    value = query[name].strip()
    if not value:
        raise FilterProblem(400, f"The {name} filter is empty: leave it out, or give a value.")
    if not value.isprintable():
        raise FilterProblem(400, f"The {name} filter has control characters in it: give a plain value.")
    return value


def year_filter(value: str) -> int:
    if not YEAR.fullmatch(value) or int(value) < 1:
        raise FilterProblem(400, f"The year filter takes a year written YYYY, such as 2023, not {value!r}.")
    return int(value)


def month_filter(name: str, value: str) -> datetime.date:
    """``2023-01`` as the first day of the month."""
    match = YEAR_MONTH.fullmatch(value)
    if match and int(match[1]) >= 1 and 1 <= int(match[2]) <= 12:
        return datetime.date(int(match[1]), int(match[2]), 1)
    raise FilterProblem(
        400, f"The {name} filter takes a month written YYYY-MM, such as 2023-01, not {value!r}."
    )


# --------------------------------------------------------------------------------------------
# Writing the rows out
# --------------------------------------------------------------------------------------------


def iso(value) -> str | None:
    """Dates as YYYY-MM-DD; times in UTC to the second."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="seconds")
    return value.isoformat()


def csv_cell(column: Column, value) -> str:
    """One value as CSV text: numbers plain, booleans true/false, text safe from spreadsheets.

    >>> from decimal import Decimal
    >>> pct = Column("pct", "decimal", "", places=1)
    >>> csv_cell(pct, Decimal("82")), csv_cell(Column("n", "decimal", ""), Decimal("-13.0"))
    ('82.0', '-13')
    >>> csv_cell(Column("t", "text", ""), "=1+1"), csv_cell(Column("b", "boolean", ""), False)
    ("'=1+1", 'false')
    """
    if value is None:
        return ""
    match column.type:
        case "text":
            return formula_neutralised(str(value))
        case "boolean":
            return "true" if value else "false"
        case "integer":
            return str(int(value))
        case "decimal":
            if column.places is None:
                return calculations.plain(value)
            return format(calculations.round_half_away(value, column.places), "f")
        case "month":
            return f"{value:%Y-%m}"
        case _:
            return iso(value)


def json_value(column: Column, value):
    """One value for JSON: a real number, a boolean, or text (dates as ISO text)."""
    if value is None:
        return None
    match column.type:
        case "boolean":
            return bool(value)
        case "integer":
            return int(value)
        case "decimal":
            number = value if column.places is None else calculations.round_half_away(value, column.places)
            return int(number) if number == number.to_integral_value() else float(number)
        case _:
            return csv_cell(column, value)


@dataclass(frozen=True)
class DataFile:
    """A file as written, served as it is to every request for the same rows."""

    content: bytes
    content_type: str
    file_name: str | None = None  # a CSV's: it downloads as an attachment of this name

    @functools.cached_property
    def etag(self) -> str:
        """The ETag ConditionalGetMiddleware would give it, worked out once, not per request."""
        return quote_etag(hashlib.md5(self.content, usedforsecurity=False).hexdigest())

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, content_type=self.content_type)
        response["ETag"] = self.etag
        if self.file_name:
            response["Content-Disposition"] = f'attachment; filename="{self.file_name}"'
        return response


def csv_file(dataset: Dataset, selection: Selection) -> DataFile:
    """RFC 4180: a header row of the column names, CRLF line ends, UTF-8 without a byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(column.name for column in dataset.columns)
    for row in selection.rows:
        writer.writerow(csv_cell(column, row[column.name]) for column in dataset.columns)
    name = "-".join([dataset.slug, *selection.filters.values()])
    return DataFile(buffer.getvalue().encode(), "text/csv; charset=utf-8", f"{name}.csv")


# A row laid out as json.dumps(..., indent=2) lays out a row of the document, each value on a line
# of its own, but by the C encoder, which cannot indent and is several times faster.
ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",\n      ", ": "))


def json_file(dataset: Dataset, selection: Selection, **extra) -> DataFile:
    """The rows with what a reader needs to trust them; ``extra`` adds dataset-specific metadata.

    Laid out as ``json.dumps(document, ensure_ascii=False, indent=2)`` lays out the whole
    document, in one pass over the rows: each is written as it is read, its period and revision
    noted for the head of the document, which comes first."""
    period_column = dataset.column(dataset.period_column)
    periods, revised, rows = [], [], []
    for row in selection.rows:
        periods.append(row[period_column.name])
        revised.append(row[LAST_REVISED.name])
        values = {column.name: json_value(column, row[column.name]) for column in dataset.columns}
        rows.append(f"{{\n      {ROW_ENCODER.encode(values)[1:-1]}\n    }}".encode())
    document = {
        "dataset": dataset.slug,
        "title": dataset.title,
        "description": dataset.description,
        "source": {"publisher": dataset.source.publisher, "url": dataset.source.url},
        "licence": LICENCE,
        "filters": selection.filters,
        "period": {
            "from": json_value(period_column, min(periods)) if periods else None,
            "to": json_value(period_column, max(periods)) if periods else None,
        },
        "published": iso(selection.published),
        "next_release": iso(selection.next_release),
        "last_revised": iso(max(revised)) if revised else None,
        **extra,
        "notes": NOTES,
        "columns": [
            {"name": column.name, "type": column.type, "description": column.description}
            for column in dataset.columns
        ],
        "rows": [],
    }
    content = json.dumps(document, ensure_ascii=False, indent=2).encode()
    if rows:
        content = b"".join([content.removesuffix(b"[]\n}"), b"[\n    ", b",\n    ".join(rows), b"\n  ]\n}"])
    return DataFile(content, "application/json")


def data_file(request, name: str, dataset: Dataset, write) -> HttpResponse:
    """The file ``write()`` writes for the request. The whole dataset, asked for by no filter, is
    written once per content version and kept, so that every request for it is served the same
    bytes and a change of content writes it afresh; a filtered file is written for its request."""
    if any(dataset_filter.name in request.GET for dataset_filter in dataset.filters):
        return write().response()
    return kept_file(name, write)


def kept_file(name: str, write) -> HttpResponse:
    """The file ``write()`` writes, written once per content version and kept under ``name``."""
    response = kept_for_the_content_version(f"open-data:{name}", write).response()
    response.kept = True
    return response


# --------------------------------------------------------------------------------------------
# The views' wrapper
# --------------------------------------------------------------------------------------------


def open_data(view):
    """Read-only and cacheable like every public page (Last-Modified here, the ETag with the
    file), readable from any site, and a filter problem answered in plain words. A file kept for
    the content version (``data_file``) is served from there every time: the page cache is given
    no second copy, which it would unpickle whole for every reader."""

    @public_page
    @functools.wraps(view)
    def answered(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except FilterProblem as problem:
            return HttpResponse(
                problem.message, status=problem.status, content_type="text/plain; charset=utf-8"
            )
        response["Access-Control-Allow-Origin"] = "*"
        return response

    @require_safe
    @functools.wraps(answered)  # carries public_page's mark: the page cache knows it as one
    def wrapped(request, *args, **kwargs):
        response = answered(request, *args, **kwargs)
        if getattr(response, "kept", False):
            response.public_cacheable = False
        return response

    return wrapped
