"""The Atom feed of new and revised publications: documents, NCPM quarters, meetings and the open
datasets, the most recently changed first.

An entry is public content only (never a draft or a scheduled publication, even for staff). Its
``published`` time is when it became public; its ``updated`` time is when it last changed in
public view: the latest of that and its last saved change, from its history (rows loaded from a
fixture have none) or, for rows of figures, their ``updated_at``. The sitemap's ``lastmod`` uses
the same times (``sitemaps``).

The feed is a public page like the others (``caching.public_page``): its Last-Modified is the
content version, and anonymous readers get the stored copy for that version.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from itertools import chain

from django.contrib.syndication.views import Feed
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from performance.crime.models.ncpm import (
    CommissionerStatement,
    MeasureFigure,
    PriorityAreaCommentary,
    ReportingPeriod,
)
from performance.forces.models import SiteSettings
from performance.library.models import Document, Meeting
from performance.publishing.caching import public_page
from performance.publishing.opendata import DATASETS, Dataset

MAX_ENTRIES = 50


@dataclass(frozen=True)
class Entry:
    """One publication as the feed lists it."""

    id: str  # permanent: a tag URI, the same however the entry is retitled or revised
    title: str
    path: str  # its address on the site
    summary: str
    category: str
    published: datetime.datetime  # when it became public
    updated: datetime.datetime  # when it last changed in public view; never before ``published``


def tag_uri(authority: str, published: datetime.datetime, key: str) -> str:
    """An entry's permanent id (RFC 4151): the site, the day it was first public (UK time), what
    it is.

    >>> tag_uri("opcc.example", datetime.datetime(2024, 6, 30, 23, 30, tzinfo=datetime.UTC), "document/12")
    'tag:opcc.example,2024-07-01:document/12'
    """
    return f"tag:{authority},{timezone.localdate(published):%Y-%m-%d}:{key}"


# --------------------------------------------------------------------------------------------
# When things changed
# --------------------------------------------------------------------------------------------


def last_saved(model, *, by: str = "pk") -> Subquery:
    """When a row of ``model`` was last saved, from its history: the row with the outer query's
    ``pk``, or ``by="period"`` the row whose ``period`` it is. None when no history is held."""
    field = model._meta.pk.attname if by == "pk" else by
    rows = model.history.model.objects.filter(**{field: OuterRef("pk")})
    return Subquery(rows.order_by("-history_date").values("history_date")[:1])


def newest_updated_at(model, *, by: str) -> Subquery:
    """The newest ``updated_at`` of the rows of ``model`` whose ``by`` is the outer query's row."""
    return Subquery(
        model.objects.filter(**{by: OuterRef("pk")}).order_by("-updated_at").values("updated_at")[:1]
    )


def publication_or_later(*changes):
    """The latest of ``publish_at`` and ``changes`` (a change not known counts for nothing)."""
    return Greatest(F("publish_at"), *(Coalesce(change, F("publish_at")) for change in changes))


def revised(queryset):
    """Publishable rows with ``revised_at``: the later of their publication and their last save."""
    return queryset.annotate(revised_at=publication_or_later(last_saved(queryset.model)))


def quarters_revised(now: datetime.datetime | None = None):
    """Published NCPM quarters with ``revised_at``: what their page shows changes with their
    figures, commentaries and the Commissioner's statement as well as with the quarter itself."""
    return ReportingPeriod.objects.published(now).annotate(
        revised_at=publication_or_later(
            last_saved(ReportingPeriod),
            newest_updated_at(MeasureFigure, by="period"),
            newest_updated_at(PriorityAreaCommentary, by="period"),
            last_saved(CommissionerStatement, by="period"),
        )
    )


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The moment a document dated ``day`` becomes public (UK time), if already published."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --------------------------------------------------------------------------------------------
# The entries
# --------------------------------------------------------------------------------------------


def feed_entries(
    *, authority: str, now: datetime.datetime | None = None, holder: str = "Commissioner"
) -> list[Entry]:
    """The newest ``MAX_ENTRIES`` public publications, most recently changed first, in a fixed
    number of queries however many are held (``holder``: the office holder's short title, as
    the site settings give it)."""
    now = now or timezone.now()
    entries = [
        *document_entries(authority, now),
        *quarter_entries(authority, now, holder=holder),
        *meeting_entries(authority, now),
        *dataset_entries(authority, now),
    ]
    entries.sort(key=lambda entry: (entry.updated, entry.id), reverse=True)
    return entries[:MAX_ENTRIES]


def document_entries(authority: str, now: datetime.datetime) -> list[Entry]:
    """The newest public documents. One dated ahead of its publication becomes public (and new
    here) on its date: the newest by either time are enough to find the newest by the later."""
    public = revised(Document.objects.published(now)).select_related("category")
    newest = chain(
        public.order_by("-revised_at", "-pk")[:MAX_ENTRIES],
        public.order_by("-published_on", "-revised_at", "-pk")[:MAX_ENTRIES],
    )
    entries = {}
    for document in newest:
        published = max(document.publish_at, start_of_day(document.published_on))
        entries[document.pk] = Entry(
            id=tag_uri(authority, published, f"document/{document.pk}"),
            title=document.title,
            path=document.get_absolute_url(),
            summary=document.summary or f"{document.title}, in {document.category}.",
            category=document.category.name,
            published=published,
            updated=max(document.revised_at, published),
        )
    return list(entries.values())


def quarter_entries(authority: str, now: datetime.datetime, *, holder: str = "Commissioner") -> list[Entry]:
    """The newest public quarters; a quarter with a statement says so, naming the office holder
    by ``holder`` (the short title: "the Commissioner's statement", "the Mayor's statement")."""
    quarters = quarters_revised(now).annotate(
        has_statement=Exists(CommissionerStatement.objects.filter(period=OuterRef("pk")))
    )
    return [
        Entry(
            id=tag_uri(authority, period.publish_at, f"ncpm/{period.period_end:%Y-%m}"),
            title=f"National Crime and Policing Measures: {period}",
            path=period.get_absolute_url(),
            summary=f"The force's National Crime and Policing Measures for the {period}, against the "
            "12 months before and the 2019 baseline"
            + (f", with the {holder}'s statement on them." if period.has_statement else "."),
            category="National Crime and Policing Measures",
            published=period.publish_at,
            updated=period.revised_at,
        )
        for period in quarters.order_by("-revised_at", "-pk")[:MAX_ENTRIES]
    ]


def meeting_entries(authority: str, now: datetime.datetime) -> list[Entry]:
    return [
        Entry(
            id=tag_uri(authority, meeting.publish_at, f"meeting/{meeting.pk}"),
            title=str(meeting),
            path=meeting.get_absolute_url(),
            summary=meeting.summary or f"The agenda, papers and minutes of the {meeting}.",
            category="Meetings",
            published=meeting.publish_at,
            updated=meeting.revised_at,
        )
        for meeting in revised(Meeting.objects.published(now)).order_by("-revised_at", "-pk")[:MAX_ENTRIES]
    ]


def dataset_entries(authority: str, now: datetime.datetime) -> list[Entry]:
    """One entry per open dataset with public rows: first public with its first row, revised
    whenever a row changes or a new release is published."""
    entries = []
    for dataset, times in dataset_times(now).items():
        if times["first"] is None:
            continue  # nothing public yet
        entries.append(
            Entry(
                id=tag_uri(authority, times["first"], f"dataset/{dataset.slug}"),
                title=dataset.title,
                path=f"{reverse('performance:datasets')}#{dataset.slug}",
                summary=dataset.description,
                category="Open data",
                published=times["first"],
                updated=max(time for time in times.values() if time is not None),
            )
        )
    return entries


def dataset_times(now: datetime.datetime) -> dict[Dataset, dict]:
    """For each open dataset: its first publication (``first``), its newest (``newest``) and its
    rows' newest change (``changed``, and any other time its CSV's ``last_revised`` counts from),
    as the dataset tells them (``Dataset.publication_times``)."""
    return {dataset: dataset.publication_times(now) for dataset in DATASETS if dataset.publication_times}


# --------------------------------------------------------------------------------------------
# The feed
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedSource:
    office: str
    authority: str  # the site's host name, for the entries' ids
    holder: str = "Commissioner"  # the office holder's short title (site settings)


class PublicationsFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # Last-Modified comes from the content version (public_page), not the newest entry: a
        # publication withdrawn changes the feed without making any entry newer.
        del response["Last-Modified"]
        return response

    def get_object(self, request, *args, **kwargs) -> FeedSource:
        settings = SiteSettings.objects.first()
        return FeedSource(
            office=settings.office_name if settings else "",
            authority=split_domain_port(request.get_host())[0] or "localhost",
            holder=settings.holder_short_title if settings else "Commissioner",
        )

    def title(self, source: FeedSource) -> str:
        return (
            f"{source.office}: new and revised publications"
            if source.office
            else "New and revised publications"
        )

    def subtitle(self, source: FeedSource) -> str:
        return (
            "Documents, National Crime and Policing Measures quarters, meetings and open data, "
            "as they are published or revised."
        )

    def link(self) -> str:
        return reverse("performance:library")

    def feed_url(self) -> str:
        return reverse("performance:feed")

    def author_name(self, source: FeedSource) -> str:
        return source.office

    def items(self, source: FeedSource) -> list[Entry]:
        return feed_entries(authority=source.authority, holder=source.holder)

    def item_title(self, entry: Entry) -> str:
        return entry.title

    def item_description(self, entry: Entry) -> str:
        return escape(entry.summary)  # Atom's summary is HTML here: the summary is plain text

    def item_link(self, entry: Entry) -> str:
        return entry.path

    def item_guid(self, entry: Entry) -> str:
        return entry.id

    def item_pubdate(self, entry: Entry) -> datetime.datetime:
        return entry.published

    def item_updateddate(self, entry: Entry) -> datetime.datetime:
        return entry.updated

    def item_categories(self, entry: Entry) -> tuple[str, ...]:
        return (entry.category,)


publications = public_page(PublicationsFeed())
