"""The 999 call answering data as open data: its dataset, its rows and its CSV's addresses.

The dataset joins the open data registry (``performance.publishing.opendata``) when the app's
ready() imports this module; the site serves its files and lists it on the datasets page.
"""

from urllib.parse import urlencode

from django.db.models import Max, Min, Q
from django.urls import reverse

from performance.calls.models import CALL_BANDS, CallAnswerMonth, CallAnswerRank
from performance.forces.opendata import for_force_filter
from performance.publishing.opendata import (
    LAST_REVISED,
    Column,
    Dataset,
    Filter,
    Selection,
    Source,
    filter_value,
    month_filter,
    register,
    year_filter,
)
from performance.shared import calculations

# --------------------------------------------------------------------------------------------
# Choosing the rows
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Describing the dataset
# --------------------------------------------------------------------------------------------


def rank_columns(scope: str, name: str, among: str) -> tuple[Column, ...]:
    return (
        Column(
            f"{scope}_rank",
            "integer",
            f"Position {among} on the share of calls answered in under 10 seconds (1 = the highest); "
            "blank when not ranked.",
            title=f"{name} rank",
        ),
        Column(
            f"{scope}_rank_joint",
            "boolean",
            "true when the rank is shared; blank when not ranked.",
            title=f"{name} rank is joint",
        ),
        Column(
            f"{scope}_rank_out_of",
            "integer",
            "How many forces were ranked; blank when not known.",
            unit="forces",
            title=f"{name} rank out of",
        ),
    )


def calls_999_times(now) -> dict:
    """The months' first and newest publication, their newest change, and the newest computed
    rank that counts from a scheduled publication (``ranked``)."""
    computed_rank = Q(
        ranks__source=CallAnswerRank.Source.COMPUTED, ranks__preview=False, ranks__valid_from__lte=now
    )
    return CallAnswerMonth.objects.published(now).aggregate(
        first=Min("publish_at"),
        newest=Max("publish_at"),
        changed=Max("updated_at"),
        ranked=Max("ranks__valid_from", filter=computed_rank),
    )


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
    order=10,
    primary_key=("force", "month"),
    selection=calls_999_selection,
    publication_times=calls_999_times,
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
            title="Force's ONS code",
            description="ONS police force area code (E23… or W15…); blank for a force with no police force "
            "area (PSNI, Police Scotland, British Transport Police).",
        ),
        Column("month", "month", "The month the calls were made."),
        Column(
            "total_calls", "integer", "999 calls presented in the month.", unit="calls", title="999 calls"
        ),
        Column(
            "mean_answer_seconds",
            "decimal",
            "Mean time to answer, in seconds, as published (up to 2 decimal places).",
            unit="seconds",
            title="Mean time to answer",
        ),
        Column(
            "median_answer_seconds",
            "decimal",
            "Median time to answer, in seconds, as published (up to 2 decimal places); blank when "
            "not published.",
            unit="seconds",
            title="Median time to answer",
        ),
        *(
            Column(
                f"calls_{band}",
                "integer",
                f"Calls answered in {label}; blank when not published.",
                unit="calls",
                title=f"Calls answered in {label}",
            )
            for band, label in CALL_BANDS
        ),
        *(
            Column(
                f"pct_{band}",
                "decimal",
                f"Percentage of calls answered in {label}, 0 to 100, to 1 decimal place: as published, "
                "or worked out from the published counts when only they are held.",
                places=1,
                unit="percent",
                title=f"Percentage answered in {label}",
            )
            for band, label in CALL_BANDS
        ),
        *rank_columns(
            "national",
            "National",
            "among the forces the office compares nationally (the forces of "
            f"{calculations.national_set_name()}, or of {calculations.national_set_name(northern_ireland=True)})",
        ),
        *rank_columns("msg", "Most Similar Group", "within the home force's Most Similar Group"),
        *rank_columns("regional", "Regional", "within the home force's regional group"),
        Column(
            "rank_source",
            "text",
            "computed (from the national data published here) or entered (as published, for months "
            "whose national data is not published here); blank when the month has no ranks.",
        ),
        LAST_REVISED,
    ),
)

register(CALLS_999)


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
