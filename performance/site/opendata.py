"""Open data: every public table as CSV and JSON at stable addresses, and the datasets page.

Each dataset is described once (``Dataset``: its source and its columns, in a fixed order). A
selection function reads the query string, picks the rows in a fixed number of queries and turns
each into a plain ``{column: value}`` dict of Python values; ``csv_file`` and ``json_file`` only
write those values out, column by column. Differences and their wording come from
``calculations`` through the models, so the page, the CSV and the JSON say the same thing.

A whole dataset's file is written once per content version and kept (``data_file``): every
request for it until the content changes is served the same bytes, with no query.

A filter that cannot be read (``?month=Jan``) is answered 400; one naming nothing held (an
unknown force or priority area) 404; both in plain words. A well-formed period with no figures
gives the header row and no rows.
"""

import csv
import datetime
import functools
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import quote_etag
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from performance.calls.models import CALL_BANDS, CallAnswerMonth, CallAnswerRank
from performance.crime.models.ncpm import MeasureFigure, PriorityArea, ReportingPeriod
from performance.crime.models.recorded_crime import RecordedCrimeFigure, RecordedCrimePeriod
from performance.forces.models import Force
from performance.imports.resources import formula_neutralised
from performance.publishing.caching import kept_for_the_content_version, public_page
from performance.shared import calculations
from performance.site.office import site_settings_for

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

TYPES = {
    "text": "Text",
    "integer": "Whole number",
    "decimal": "Number",
    "boolean": "true or false",
    "month": "Month, YYYY-MM",
    "date": "Date, YYYY-MM-DD",
    "datetime": "Date and time, ISO 8601 (UTC)",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a key of TYPES
    description: str
    places: int | None = None  # decimals written to this many places (as published), else plain

    def __post_init__(self):
        assert self.type in TYPES, self.type

    @property
    def type_label(self) -> str:
        return TYPES[self.type]


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
    filters: tuple[Filter, ...] = ()

    @property
    def csv_url(self) -> str:
        return reverse(f"performance:{self.url_name}-csv")

    @property
    def json_url(self) -> str:
        return reverse(f"performance:{self.url_name}-json")

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def rank_columns(scope: str, among: str) -> tuple[Column, ...]:
    return (
        Column(
            f"{scope}_rank",
            "integer",
            f"Position {among} on the share of calls answered in under 10 seconds (1 = the highest); "
            "blank when not ranked.",
        ),
        Column(f"{scope}_rank_joint", "boolean", "true when the rank is shared; blank when not ranked."),
        Column(f"{scope}_rank_out_of", "integer", "How many forces were ranked; blank when not known."),
    )


LAST_REVISED = Column("last_revised", "datetime", "When this row last changed on this site.")

CALLS_999 = Dataset(
    slug="999-calls",
    title="999 call answering data",
    description="How quickly each police force held here answered 999 calls, month by month, as "
    "police.uk publishes it: the calls, the mean time to answer and the calls answered in under 10 "
    "seconds, 10 to under 60 seconds and 60 seconds or longer, with the ranks on the share answered "
    "in under 10 seconds. Rows are in order of force and month.",
    source=Source("police.uk", "https://www.police.uk/pu/performance/999-data/"),
    period_column="month",
    url_name="data-calls-999",
    filters=(
        Filter("force", "One force: its police.uk id or its short name.", "norfolk"),
        Filter("year", "One calendar year, YYYY.", "2023"),
        Filter("month", "One month, YYYY-MM.", "2023-01"),
    ),
    columns=(
        Column("force", "text", "The force's short name, as ONS and police.uk use it."),
        Column(
            "force_ons_code",
            "text",
            "ONS police force area code (E23… or W15…); blank for a force with no police force "
            "area (PSNI, Police Scotland, British Transport Police).",
        ),
        Column("month", "month", "The month the calls were made."),
        Column("total_calls", "integer", "999 calls presented in the month."),
        Column(
            "mean_answer_seconds",
            "decimal",
            "Mean time to answer, in seconds, as published (up to 2 decimal places).",
        ),
        Column(
            "median_answer_seconds",
            "decimal",
            "Median time to answer, in seconds, as published (up to 2 decimal places); blank when "
            "not published.",
        ),
        *(
            Column(f"calls_{band}", "integer", f"Calls answered in {label}; blank when not published.")
            for band, label in CALL_BANDS
        ),
        *(
            Column(
                f"pct_{band}",
                "decimal",
                f"Percentage of calls answered in {label}, 0 to 100, to 1 decimal place: as published, "
                "or worked out from the published counts when only they are held.",
                places=1,
            )
            for band, label in CALL_BANDS
        ),
        *rank_columns(
            "national",
            "among the forces the office compares nationally (the forces of "
            f"{calculations.national_set_name()}, or of {calculations.national_set_name(northern_ireland=True)})",
        ),
        *rank_columns("msg", "within the home force's Most Similar Group"),
        *rank_columns("regional", "within the home force's regional group"),
        Column(
            "rank_source",
            "text",
            "computed (from the national data published here) or entered (as published, for months "
            "whose national data is not published here); blank when the month has no ranks.",
        ),
        LAST_REVISED,
    ),
)


def change_columns(against: str, label: str) -> tuple[Column, ...]:
    return (
        Column(
            f"change_{against}",
            "decimal",
            f"latest minus {label}: offences, or percentage points for a percentage measure; "
            f"blank when the {label} figure is not held.",
        ),
        Column(
            f"change_{against}_percent",
            "integer",
            f"The change as a whole percentage of the {label} figure (halves rounded away from "
            f"zero); blank for a percentage measure and when the {label} figure is 0.",
        ),
        Column(
            f"change_{against}_text",
            "text",
            'The change as the Police Data page words it: "87% decrease", "0% decrease", '
            '"1 percentage point increase", "no change" or "n/a".',
        ),
    )


NCPM = Dataset(
    slug="ncpm",
    title="National Crime and Policing Measures figures",
    description="The home force's National Crime and Policing Measures, quarter by quarter: each "
    "measure for the latest 12 months, the previous 12 months and the 2019 baseline, with the "
    "differences as the Police Data page shows them. Rows are in order of period, priority area "
    "and measure.",
    source=Source(
        "Home Office National Crime and Policing Measures; the force's figures as compiled by the office",
        "https://www.gov.uk/government/publications/national-crime-and-policing-measures",
    ),
    period_column="period_end",
    url_name="data-ncpm",
    filters=(
        Filter("period", "One quarter: the month its 12 months end, YYYY-MM.", "2023-06"),
        Filter("area", "One priority area, by the name used in its addresses.", "reduce-serious-violence"),
    ),
    columns=(
        Column("period_end", "date", "Last day of the latest 12 months."),
        Column("previous_period_end", "date", "Last day of the previous 12 months."),
        Column("baseline_period_end", "date", "Last day of the 2019 baseline year."),
        Column("priority_area", "text", "The national priority the measure belongs to."),
        Column("measure", "text", "The measure, as the NCPM tables name it."),
        Column("unit", "text", "count (offences) or percent (e.g. victim satisfaction, 0 to 100)."),
        Column("latest", "decimal", "The measure for the latest 12 months."),
        Column("previous", "decimal", "The measure for the previous 12 months."),
        Column("baseline", "decimal", "The measure for the 2019 baseline year; blank when not held."),
        *change_columns("previous", "previous"),
        *change_columns("baseline", "baseline"),
        Column(
            "revisions",
            "text",
            "Revisions to the published figures, oldest first: when and what changed; blank when none.",
        ),
        LAST_REVISED,
    ),
)

ONS = Dataset(
    slug="recorded-crime",
    title="ONS police recorded crime",
    description="Total police recorded crime, excluding fraud, for each police force area held here "
    'and each "year ending" period, from Table P1 of the ONS police force area data tables. The '
    "JSON adds the home force's headline: the latest year against the year before. Rows are in "
    "order of force and period.",
    source=Source(
        "Office for National Statistics",
        "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice/datasets/policeforceareadatatables",
    ),
    period_column="year_ending",
    url_name="data-ons",
    filters=(
        Filter("force", "One police force area: the force's police.uk id or its short name.", "norfolk"),
    ),
    columns=(
        Column("force", "text", "The police force area, by the force's short name."),
        Column("force_ons_code", "text", "ONS police force area code (E23… or W15…)."),
        Column("year_ending", "date", "Last day of the 12 months."),
        Column(
            "total_recorded_crime_excluding_fraud",
            "integer",
            "Offences recorded by the police in the 12 months.",
        ),
        Column("published_on", "date", "The day ONS published the period; blank when not recorded."),
        LAST_REVISED,
    ),
)

DATASETS = (CALLS_999, NCPM, ONS)


# --------------------------------------------------------------------------------------------
# Addresses the pages link to
# --------------------------------------------------------------------------------------------


def calls_999_csv_url(*, force=None, year: int | None = None, month=None) -> str:
    """Address of the 999 CSV, optionally for one force (its police.uk id), year or month."""
    query = {}
    if force is not None:
        query["force"] = force.police_uk_id or force.name
    if year is not None:
        query["year"] = year
    if month is not None:
        query["month"] = f"{month:%Y-%m}"
    url = reverse("performance:data-calls-999-csv")
    return f"{url}?{urlencode(query)}" if query else url


def ncpm_csv_url(*, period=None, area=None) -> str:
    """Address of the NCPM CSV, optionally for one period (YYYY-MM) and one priority area (slug)."""
    query = {}
    if period is not None:
        query["period"] = f"{period.period_end:%Y-%m}"
    if area is not None:
        query["area"] = area.slug
    url = reverse("performance:data-ncpm-csv")
    return f"{url}?{urlencode(query)}" if query else url


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


def force_filter(value: str) -> Force:
    """A force by its police.uk id or short name (either case); the id wins if both match."""
    found = Force.objects.filter(Q(police_uk_id__iexact=value) | Q(name__iexact=value))
    best = sorted(found, key=lambda force: force.police_uk_id.lower() != value.lower())
    if not best:
        raise FilterProblem(404, f"No force called {value!r} is held. Use a police.uk id such as norfolk.")
    return best[0]


def for_force_filter(rows, query, filters: dict):
    """``rows`` for the force the query names, if it names one (noting it in ``filters``)."""
    if (value := filter_value(query, "force")) is None:
        return rows
    force = force_filter(value)
    filters["force"] = force.police_uk_id or slugify(force.name)
    return rows.filter(force=force)


CALLS_999_FIELDS = (
    "pk",
    "force__name",
    "force__ons_code",
    "month",
    "total_calls",
    "mean_answer_seconds",
    "median_answer_seconds",
    *(f"calls_{band}" for band, _ in CALL_BANDS),
    *(f"pct_{band}" for band, _ in CALL_BANDS),
    "updated_at",
)
RANK_FIELDS = ("call_month_id", "scope", "rank", "joint", "out_of", "source", "valid_from")


def calls_999_selection(query) -> Selection:
    """The months and the ranks their readers see, read as plain values in two queries: a
    national file has tens of thousands of each, too many to make model instances of. The ranks
    are read first; the months one by one as the file is written."""
    months = CallAnswerMonth.objects.published().order_by("force__name", "month")
    filters = {}
    months = for_force_filter(months, query, filters)
    if (value := filter_value(query, "year")) is not None:
        year = year_filter(value)
        months = months.filter(month__year=year)
        filters["year"] = f"{year:04d}"
    if (value := filter_value(query, "month")) is not None:
        month = month_filter("month", value)
        months = months.filter(month=month)
        filters["month"] = f"{month:%Y-%m}"
    shown = CallAnswerRank.objects.shown().filter(call_month__in=months.values("pk")).order_by()
    ranks = {(rank.call_month_id, rank.scope): rank for rank in shown.values_list(*RANK_FIELDS, named=True)}
    months = months.values_list(*CALLS_999_FIELDS, named=True).iterator()
    return Selection(rows=(calls_999_row(month, ranks) for month in months), filters=filters)


def calls_999_row(month, ranks: dict) -> dict:
    """A month's row from its values (``CALLS_999_FIELDS``) and ``ranks`` by month and scope."""
    row = {
        "force": month.force__name,
        "force_ons_code": month.force__ons_code,
        "month": month.month,
        "total_calls": month.total_calls,
        "mean_answer_seconds": month.mean_answer_seconds,
        "median_answer_seconds": month.median_answer_seconds,
    }
    for band, _ in CALL_BANDS:
        row[f"calls_{band}"] = getattr(month, f"calls_{band}")
    for band, _ in CALL_BANDS:
        share = CallAnswerMonth.band_percent(month, band)  # as published, or from the counts
        row[f"pct_{band}"] = None if share is None else calculations.round_half_away(share, 1)
    scopes = ("national", "msg", "regional")  # the columns' order
    shown = {scope: ranks.get((month.pk, scope)) for scope in scopes}
    for scope, rank in shown.items():
        row[f"{scope}_rank"] = rank.rank if rank else None
        row[f"{scope}_rank_joint"] = rank.joint if rank else None
        row[f"{scope}_rank_out_of"] = rank.out_of if rank else None
    ranks = [rank for rank in shown.values() if rank is not None]
    row["rank_source"] = rank_source(ranks)
    # A rank computed for a scheduled publication changes the row when that time comes.
    row["last_revised"] = max([month.updated_at, *(rank.valid_from for rank in ranks if rank.valid_from)])
    return row


def rank_source(ranks: list) -> str | None:
    """Where a month's ranks came from. A month's ranks are all computed (national data held)
    or all entered; were they ever mixed, "computed" says that some were worked out here."""
    sources = {rank.source for rank in ranks}
    if not sources:
        return None
    computed = CallAnswerRank.Source.COMPUTED in sources
    return (CallAnswerRank.Source.COMPUTED if computed else CallAnswerRank.Source.ENTERED).value


def ncpm_selection(query) -> Selection:
    figures = (
        MeasureFigure.objects.filter(period__in=ReportingPeriod.objects.published())
        .select_related("period", "measure__priority_area")
        .order_by("period__period_end", "measure__priority_area__order", "measure__order", "measure__name")
    )
    filters = {}
    if (value := filter_value(query, "period")) is not None:
        month = month_filter("period", value)
        figures = figures.filter(period__period_end__year=month.year, period__period_end__month=month.month)
        filters["period"] = f"{month:%Y-%m}"
    if (value := filter_value(query, "area")) is not None:
        area = PriorityArea.objects.filter(slug=value).first()
        if area is None:
            raise FilterProblem(
                404, f"No priority area {value!r} is held. Use one such as reduce-serious-violence."
            )
        figures = figures.filter(measure__priority_area=area)
        filters["area"] = area.slug
    return Selection(rows=[ncpm_row(figure) for figure in figures], filters=filters)


def ncpm_row(figure: MeasureFigure) -> dict:
    row = {
        "period_end": figure.period.period_end,
        "previous_period_end": figure.period.previous_period_end,
        "baseline_period_end": figure.period.baseline_period_end,
        "priority_area": figure.measure.priority_area.name,
        "measure": figure.measure.name,
        "unit": figure.measure.unit,
        "latest": figure.latest,
        "previous": figure.previous,
        "baseline": figure.baseline,
    }
    for against, change in (("previous", figure.against_previous), ("baseline", figure.against_baseline)):
        row[f"change_{against}"] = change.absolute if change else None
        row[f"change_{against}_percent"] = change.percent if change else None
        row[f"change_{against}_text"] = change.text if change else None
    row["revisions"] = "; ".join(figure.revision_notices()) or None
    row["last_revised"] = figure.updated_at
    return row


def ons_selection(query) -> Selection:
    """Recorded crime by force and period; the publication dates are the newest period's."""
    figures = (
        RecordedCrimeFigure.objects.filter(period__in=RecordedCrimePeriod.objects.published())
        .select_related("force", "period")
        .order_by("force__name", "period__period_end")
    )
    filters = {}
    figures = list(for_force_filter(figures, query, filters))
    newest = max((figure.period for figure in figures), key=lambda period: period.period_end, default=None)
    return Selection(
        rows=[ons_row(figure) for figure in figures],
        filters=filters,
        published=newest.published_on if newest else None,
        next_release=newest.next_release_on if newest else None,
    )


def ons_row(figure: RecordedCrimeFigure) -> dict:
    return {
        "force": figure.force.name,
        "force_ons_code": figure.force.ons_code,
        "year_ending": figure.period.period_end,
        "total_recorded_crime_excluding_fraud": figure.total,
        "published_on": figure.period.published_on,
        "last_revised": figure.updated_at,
    }


def ons_headline(force: Force | None) -> dict | None:
    """The Police Data page's ONS sentence for ``force`` and the figures and dates behind it."""
    headline = RecordedCrimeFigure.objects.headline_for(force) if force else None
    if headline is None:
        return None
    period = headline.period
    return {
        "force": formula_neutralised(force.name),
        "year_ending": iso(period.period_end),
        "latest": headline.latest.total,
        "previous_year_ending": iso(headline.previous_period_end) if headline.previous_total else None,
        "previous": headline.previous_total,
        "previous_source": headline.previous_source or None,
        "previous_published_on": iso(headline.latest.previous_release_on),
        "revisions": "; ".join(headline.revision_notices()) or None,
        "sentence": formula_neutralised(headline.sentence),
        "published_on": iso(period.published_on),
        "next_release_on": iso(period.next_release_on),
        "next_period_end": iso(period.next_period_end),
    }


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
    response = kept_for_the_content_version(f"open-data:{name}", write).response()
    response.kept = True
    return response


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


def site_settings(request):
    return site_settings_for(request)


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


@public_page
def datasets(request):
    return render(request, "performance/datasets.html", {"datasets": DATASETS, "notes": NOTES})


@open_data
def calls_999_csv(request):
    return data_file(
        request, "999-calls.csv", CALLS_999, lambda: csv_file(CALLS_999, calls_999_selection(request.GET))
    )


@open_data
def calls_999_json(request):
    return data_file(
        request, "999-calls.json", CALLS_999, lambda: json_file(CALLS_999, calls_999_selection(request.GET))
    )


@open_data
def ncpm_csv(request):
    return data_file(request, "ncpm.csv", NCPM, lambda: csv_file(NCPM, ncpm_selection(request.GET)))


@open_data
def ncpm_json(request):
    return data_file(request, "ncpm.json", NCPM, lambda: json_file(NCPM, ncpm_selection(request.GET)))


@open_data
def ons_csv(request):
    return data_file(request, "recorded-crime.csv", ONS, lambda: csv_file(ONS, ons_selection(request.GET)))


@open_data
def ons_json(request):
    def write():
        settings = site_settings(request)
        headline = ons_headline(settings.home_force if settings else None)
        return json_file(ONS, ons_selection(request.GET), headline=headline)

    return data_file(request, "recorded-crime.json", ONS, write)
