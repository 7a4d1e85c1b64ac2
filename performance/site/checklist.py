"""The staff checklist of what the site must publish (``RequiredItem``): for each item, where it is
on the site, the newest public thing that meets it, when that was last updated, and whether it is
up to date.

The judgements (``category_judgement``, ``statement_judgement``, ``applicability_judgement``) are
pure functions of dates and names, so they are tested with plain values; ``checklist`` reads what they need in at most six queries
however many items, documents, quarters, priority areas and releases the database holds.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from performance.crime.models.ncpm import PriorityApplicability, PriorityArea, ReportingPeriod
from performance.crime.models.recorded_crime import RecordedCrimePeriod
from performance.library.models import Document
from performance.publishing.models import RequiredItem
from performance.shared import calculations

OK = "ok"
OVERDUE = "overdue"
MISSING = "missing"
STATUS_WORDS = {OK: "Up to date", OVERDUE: "Overdue", MISSING: "Missing"}


@dataclass(frozen=True)
class Judgement:
    status: str  # OK, OVERDUE or MISSING
    reason: str = ""


@dataclass(frozen=True)
class Row:
    """One line of the checklist."""

    item: RequiredItem
    where_name: str
    where_url: str
    judgement: Judgement
    latest_title: str = ""
    latest_url: str = ""
    updated: datetime.date | datetime.datetime | None = None

    @property
    def status(self) -> str:
        return self.judgement.status

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.judgement.status]

    @property
    def reason(self) -> str:
        return self.judgement.reason


def category_judgement(
    *, published_on: datetime.date | None, refresh_days: int | None, today: datetime.date, missing: str
) -> Judgement:
    """Whether the newest matching document, published on ``published_on`` (None: there is
    none), is recent enough: overdue once it is more than ``refresh_days`` days old.

    >>> category_judgement(published_on=datetime.date(2023, 1, 1), refresh_days=90,
    ...                    today=datetime.date(2023, 4, 1), missing="").status
    'ok'
    >>> category_judgement(published_on=datetime.date(2023, 1, 1), refresh_days=90,
    ...                    today=datetime.date(2023, 4, 2), missing="").reason
    'The newest was published on 1 January 2023, more than 90 days ago: a newer one was due by 1 April 2023.'
    """
    if published_on is None:
        return Judgement(MISSING, missing)
    if refresh_days:
        due = published_on + datetime.timedelta(days=refresh_days)
        if today > due:
            return Judgement(
                OVERDUE,
                f"The newest was published on {calculations.long_date(published_on)}, more than {refresh_days} days "
                f"ago: a newer one was due by {calculations.long_date(due)}.",
            )
    return Judgement(OK)


def statement_judgement(
    *,
    releases: dict[datetime.date, datetime.date],
    with_statement: set[datetime.date],
    refresh_days: int | None,
    today: datetime.date,
) -> Judgement:
    """Whether every quarter ONS has released (``releases``: 12 months ending → release day) has
    a public statement (``with_statement``: the quarters' 12 months ending) once it is due,
    ``refresh_days`` days after the release (none: on the release day).

    Overdue names the earliest quarter without one; with none overdue, missing when no statement
    is public at all.

    >>> june, released = datetime.date(2023, 6, 30), datetime.date(2023, 10, 19)
    >>> statement_judgement(releases={june: released}, with_statement=set(), refresh_days=0,
    ...                     today=datetime.date(2023, 10, 20)).reason
    'No statement for the 12 months to 30 June 2023, although ONS released those figures on 19 October 2023.'
    >>> statement_judgement(releases={june: released}, with_statement={june}, refresh_days=0,
    ...                     today=datetime.date(2023, 10, 20)).status
    'ok'
    """
    allowed = datetime.timedelta(days=refresh_days or 0)
    without = sorted(period_end for period_end in releases if period_end not in with_statement)
    overdue = [period_end for period_end in without if today > releases[period_end] + allowed]
    if overdue:
        first, more = overdue[0], len(overdue) - 1
        reason = (
            f"No statement for the 12 months to {calculations.long_date(first)}, although ONS released those "
            f"figures on {calculations.long_date(releases[first])}"
            + (f" (it was due within {refresh_days} days)." if refresh_days else ".")
        )
        if more:
            reason += f" {more} later quarter{'s have' if more > 1 else ' has'} none either."
        return Judgement(OVERDUE, reason)
    if not with_statement:
        return Judgement(MISSING, "No Commissioner's statement has been published yet.")
    if without:
        due = releases[without[0]] + allowed
        return Judgement(
            OK,
            f"The statement for the 12 months to {calculations.long_date(without[0])} is due by {calculations.long_date(due)}.",
        )
    return Judgement(OK)


def applicability_judgement(
    *, quarter: datetime.date | None, areas: list[str], stated: set[str]
) -> Judgement:
    """Whether the latest published NCPM quarter (its 12 months ending, ``quarter``; None: none
    is published) says whether each national priority (``areas``, in order) applies in the area:
    ``stated`` are those it says. Overdue names those it does not.

    >>> june = datetime.date(2023, 6, 30)
    >>> applicability_judgement(quarter=june, areas=["Reduce Murder", "Tackle Cyber Crime"],
    ...                         stated={"Reduce Murder"}).reason
    'The 12 months to 30 June 2023 do not say whether this priority applies in the area: Tackle Cyber Crime.'
    >>> applicability_judgement(quarter=june, areas=["Reduce Murder"], stated={"Reduce Murder"}).status
    'ok'
    """
    if quarter is None:
        return Judgement(MISSING, "No NCPM quarter has been published yet.")
    unstated = [area for area in areas if area not in stated]
    if unstated:
        these = "these priorities apply" if len(unstated) > 1 else "this priority applies"
        return Judgement(
            OVERDUE,
            f"The 12 months to {calculations.long_date(quarter)} do not say whether {these} in the "
            f"area: {', '.join(unstated)}.",
        )
    return Judgement(OK)


def ons_releases(periods, *, today: datetime.date) -> dict[datetime.date, datetime.date]:
    """The ONS releases out by ``today``, as 12 months ending → release day: each recorded
    release, and each announced next release whose day has come (its period may not be held
    yet). A release's own date wins over the day announced for it.

    ``periods``: ``RecordedCrimePeriod`` rows, or anything with their four dates.
    """
    releases = {}
    for period in periods:
        if period.next_period_end and period.next_release_on and period.next_release_on <= today:
            releases.setdefault(period.next_period_end, period.next_release_on)
    for period in periods:
        if period.published_on and period.published_on <= today:
            releases[period.period_end] = period.published_on
    return releases


def public_as_of(today: datetime.date) -> datetime.datetime:
    """The moment the checklist judges publication at: the end of ``today``, or now if earlier
    (something scheduled for later has not been published yet)."""
    end_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))
    return min(timezone.now(), end_of_day)


def checklist(today: datetime.date | None = None) -> list[Row]:
    """Every required item, in its order, with where it is and whether it is up to date on
        ``today`` (default: today), judged on what was public by then. At most six queries: the
    items, their newest documents, the ONS releases and the quarters with a statement, the latest
    published quarter and whether it says each priority area applies."""
    today = today or timezone.localdate()
    now = public_as_of(today)
    public_documents = Document.objects.published(now)
    newest = (
        public_documents.filter(category=OuterRef("category"), title__icontains=OuterRef("title_contains"))
        .order_by("-published_on", "-publish_at", "-pk")
        .values("pk")[:1]
    )
    items = list(
        RequiredItem.objects.select_related("category")
        .annotate(newest_document=Subquery(newest))
        .order_by("order", "name")
    )
    newest_ids = [item.newest_document for item in items if item.newest_document]
    documents = Document.objects.in_bulk(newest_ids) if newest_ids else {}
    releases, quarters = {}, []
    if any(item.rule == RequiredItem.Check.NCPM_STATEMENT for item in items):
        releases = ons_releases(
            list(
                RecordedCrimePeriod.objects.only(
                    "period_end", "published_on", "next_release_on", "next_period_end"
                )
            ),
            today=today,
        )
        quarters = list(
            ReportingPeriod.objects.published(now)
            .filter(statement__isnull=False)
            .select_related("statement")
            .order_by("-period_end")
        )
    latest, areas = None, []
    if any(item.rule == RequiredItem.Check.NCPM_APPLICABILITY for item in items):
        latest = ReportingPeriod.objects.published(now).order_by("-period_end").first()
        areas = list(
            PriorityArea.objects.annotate(
                stated=Exists(
                    PriorityApplicability.objects.filter(period=latest, priority_area=OuterRef("pk"))
                )
            ).order_by("order", "name")
        )
    rows = []
    for item in items:
        if item.rule == RequiredItem.Check.NCPM_STATEMENT:
            rows.append(statement_row(item, releases=releases, quarters=quarters, today=today))
        elif item.rule == RequiredItem.Check.NCPM_APPLICABILITY:
            rows.append(applicability_row(item, quarter=latest, areas=areas))
        else:
            rows.append(category_row(item, document=documents.get(item.newest_document), today=today))
    return rows


def category_row(item: RequiredItem, *, document: Document | None, today: datetime.date) -> Row:
    category = item.category
    if category is None:
        return Row(item, "", "", Judgement(MISSING, "No category is chosen for this item."))
    words = f", with “{item.title_contains}” in its title" if item.title_contains else ""
    judgement = category_judgement(
        published_on=document.published_on if document else None,
        refresh_days=item.refresh_days,
        today=today,
        missing=f"Nothing public in {category.name}{words}.",
    )
    return Row(
        item,
        category.name,
        category.get_absolute_url(),
        judgement,
        latest_title=document.title if document else "",
        latest_url=document.get_absolute_url() if document else "",
        updated=document.published_on if document else None,
    )


def statement_row(
    item: RequiredItem,
    *,
    releases: dict[datetime.date, datetime.date],
    quarters: list[ReportingPeriod],
    today: datetime.date,
) -> Row:
    """``quarters``: the public quarters that have a statement, newest first."""
    judgement = statement_judgement(
        releases=releases,
        with_statement={quarter.period_end for quarter in quarters},
        refresh_days=item.refresh_days,
        today=today,
    )
    latest = quarters[0] if quarters else None
    return Row(
        item,
        "National Crime and Policing Measures",
        reverse("performance:ncpm-archive"),
        judgement,
        latest_title=f"{latest.statement.title}, {latest}" if latest else "",
        latest_url=latest.get_absolute_url() if latest else "",
        updated=latest.publish_at if latest else None,
    )


def applicability_row(
    item: RequiredItem, *, quarter: ReportingPeriod | None, areas: list[PriorityArea]
) -> Row:
    """``quarter``: the latest published quarter (or None); ``areas``: every priority area, each
    with ``stated``: whether ``quarter`` says if it applies."""
    judgement = applicability_judgement(
        quarter=quarter.period_end if quarter else None,
        areas=[area.name for area in areas],
        stated={area.name for area in areas if area.stated},
    )
    return Row(
        item,
        "National Crime and Policing Measures",
        reverse("performance:ncpm-archive"),
        judgement,
        latest_title=f"Which national priorities apply, {quarter}" if quarter else "",
        latest_url=quarter.get_absolute_url() if quarter else "",
        updated=quarter.publish_at if quarter else None,
    )
