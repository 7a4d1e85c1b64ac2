"""The ONS headline's year before, computed when data is imported and never when a page is read.

The Police Data page compares a force's police recorded crime (excluding fraud) for the latest
year ending with the 12 months a year earlier. Table P1 holds only the latest year, so the year
before comes from one of two places, decided here and stored on the ``RecordedCrimeFigure``:

- **the recorded crime open data of the same release** (``"open data"``): the Home Office
  publishes it on the day ONS publishes Table P1, with every earlier quarter as revised in that
  release. It is used only when the open data's release (``ImportLog.release_published_on``) is
  the period's release (``RecordedCrimePeriod.published_on``), so both years come from one
  release, and only when it holds all four quarters of the year before;
- otherwise **the Table P1 imported a year earlier** (``"Table P1"``), as first published then.

What is written depends on who may see it: a draft period's figures are written as computed; a
published or scheduled period's figures never change silently: the change waits as a pending
``RecordedCrimeRevision`` until a Publisher publishes the period again (``ons_revisions_apply``),
and the page then says "Revised on …". A later open-data release never touches a period of an
earlier release: its comparison stays as that release had it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from performance.crime.models.open_data import OffenceCount
from performance.crime.models.recorded_crime import (
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    RecordedCrimeRevision,
)
from performance.forces.models import ForceGroupMembership, ForcePopulation, SiteSettings
from performance.imports.models import ImportLog
from performance.imports.releases import OPEN_DATA_RELEASE
from performance.publishing import gate as publication
from performance.shared import calculations, rates


@dataclass(frozen=True)
class YearBefore:
    """The year before as the headline compares it: its total, where it comes from and the day
    the release that gave it was published."""

    total: int | None
    source: str = ""
    release_on: datetime.date | None = None

    @classmethod
    def of(cls, figure) -> YearBefore:
        return cls(figure.previous_total, figure.previous_source, figure.previous_release_on)


def open_data_release() -> datetime.date | None:
    """The publication day of the open data held now: the newest confirmed import's release."""
    return (
        ImportLog.objects.filter(resource=OPEN_DATA_RELEASE)
        .order_by("-created_at", "-pk")
        .values_list("release_published_on", flat=True)
        .first()
    )


def years_before(
    period: RecordedCrimePeriod, *, open_data_release_on: datetime.date | None
) -> dict[int, YearBefore]:
    """Each of ``period``'s figures' year before, by force id (two queries)."""
    figures = list(period.figures.all())
    year_earlier = calculations.same_day_years_earlier(period.period_end, 1)
    same_release = open_data_release_on is not None and open_data_release_on == period.published_on
    open_data = (
        OffenceCount.objects.year_totals(year_earlier, forces=[figure.force_id for figure in figures])
        if same_release
        else {}
    )
    earlier = {
        figure.force_id: figure
        for figure in RecordedCrimeFigure.objects.filter(
            period__period_end=year_earlier, force_id__in=[figure.force_id for figure in figures]
        ).select_related("period")
    }
    result = {}
    for figure in figures:
        stored = YearBefore.of(figure)
        if figure.force_id in open_data:
            result[figure.force_id] = YearBefore(
                open_data[figure.force_id], "open data", open_data_release_on
            )
        elif stored.source == "open data" and stored.release_on and stored.release_on == period.published_on:
            result[figure.force_id] = stored  # as the period's own release had it: kept
        elif figure.force_id in earlier:
            p1 = earlier[figure.force_id]
            result[figure.force_id] = YearBefore(p1.total, "Table P1", p1.period.published_on)
        else:
            result[figure.force_id] = YearBefore(None)
    return result


def period_rates(period: RecordedCrimePeriod) -> dict[int, dict]:
    """Each of ``period``'s figures' rate per 1,000 residents, by force id (``{}`` for a force
    without the population): the latest year's total divided by the force area's residents at
    the mid-year inside the year (``rates.mid_year_within``); the home force's figure also has
    its Most Similar Group's rates and its position among them (``rates.group_rates``). Three
    queries."""
    year = rates.mid_year_within(period.period_end)
    populations = ForcePopulation.objects.for_year(year)
    figures = list(period.figures.select_related("force"))
    settings = SiteSettings.objects.first()
    home_id = settings.home_force_id if settings else None
    group_ids = (
        set(
            ForceGroupMembership.objects.filter(group_id=settings.most_similar_group_id).values_list(
                "force_id", flat=True
            )
        )
        if settings and settings.most_similar_group_id
        else set()
    )
    counts = {figure.force_id: figure.total for figure in figures}
    names = {figure.force_id: figure.force.name for figure in figures}
    result = {}
    for figure in figures:
        members = group_ids if figure.force_id == home_id else set()
        own = rates.group_rates(
            {
                force_id: counts.get(force_id)
                for force_id in {*members, figure.force_id}
                if force_id in counts
            },
            populations,
            home=figure.force_id,
            names=names,
        )
        if own and figure.force_id != home_id:
            own = {key: value for key, value in own.items() if key not in ("group", "position")}
        result[figure.force_id] = {**own, "population_year": year} if own else {}
    return result


@dataclass
class UpdateResult:
    written: int = 0
    revisions_pending: int = 0


def ons_previous_update(
    *,
    periods: Iterable[RecordedCrimePeriod] | None = None,
    open_data_release_on: datetime.date | None = None,
    user=None,
) -> UpdateResult:
    """Recompute the year before of ``periods`` (every period when None), from the open data of
    release ``open_data_release_on`` (the held data's release when None).

    A draft period's figures are written; a published or scheduled period's changes wait for a
    Publisher, unless ``user`` is one (a Publisher's own Table P1 import writes its periods)."""
    result = UpdateResult()
    if open_data_release_on is None:
        open_data_release_on = open_data_release()
    direct = user is not None and publication.can_publish(user, RecordedCrimePeriod)
    periods = list(RecordedCrimePeriod.objects.all() if periods is None else periods)
    with transaction.atomic(), publication.acting_as(user if direct else publication.SYSTEM):
        for period in periods:
            computed = years_before(period, open_data_release_on=open_data_release_on)
            computed_rates = period_rates(period)
            pending = {revision.force_id: revision for revision in period.revisions.pending()}
            for figure in period.figures.select_related("force"):
                year_before = computed[figure.force_id]
                stored = YearBefore.of(figure)
                figure_rates = computed_rates.get(figure.force_id, {})
                same = year_before == stored and figure_rates == figure.rates
                if period.publish_at is None or direct:
                    if not same:
                        _figure_write(figure, year_before, figure_rates)
                        result.written += 1
                    if figure.force_id in pending:
                        pending[figure.force_id].delete()
                    continue
                revision = pending.get(figure.force_id)
                if same:  # the data came back to what the public sees
                    if revision is not None:
                        revision.delete()
                    continue
                revision = revision or RecordedCrimeRevision(period=period, force=figure.force)
                revision.before_previous_total = stored.total
                revision.before_previous_source = stored.source
                revision.before_previous_release_on = stored.release_on
                revision.before_rates = figure.rates
                revision.previous_total = year_before.total
                revision.previous_source = year_before.source
                revision.previous_release_on = year_before.release_on
                revision.rates = figure_rates
                revision.save()
                result.revisions_pending += 1
    return result


def _figure_write(figure: RecordedCrimeFigure, year_before: YearBefore, figure_rates: dict) -> None:
    figure.previous_total = year_before.total
    figure.previous_source = year_before.source
    figure.previous_release_on = year_before.release_on
    figure.rates = figure_rates
    figure.save()


def ons_revisions_apply(*, period: RecordedCrimePeriod, user) -> int:
    """Apply ``period``'s pending revisions for ``user``, who must be a Publisher. The figures'
    history keeps both versions and the page says "Revised on …". Returns how many changed."""
    if not publication.can_publish(user, RecordedCrimePeriod):
        raise PermissionDenied(publication.REFUSED)
    applied = 0
    with transaction.atomic(), publication.acting_as(user):
        revisions = list(period.revisions.pending().select_for_update())
        figures = {figure.force_id: figure for figure in period.figures.all()}
        now = timezone.now()
        for revision in revisions:
            figure = figures.get(revision.force_id)
            if figure is not None:
                before, after = revision.before_previous_total, revision.previous_total
                before_rate, after_rate = revision.before_rates.get("rate"), revision.rates.get("rate")
                changes = []
                if before != after or before_rate == after_rate:  # the year before's source, at least
                    changes.append(
                        [
                            "previous_total",
                            *(None if value is None else str(value) for value in (before, after)),
                        ]
                    )
                if before_rate != after_rate:
                    changes.append(["rate", before_rate, after_rate])
                figure.revisions_applied = [
                    *figure.revisions_applied,
                    {"applied_on": timezone.localdate(now).isoformat(), "changes": changes},
                ]
                figure._history_user = user if getattr(user, "pk", None) else None
                _figure_write(
                    figure,
                    YearBefore(
                        revision.previous_total, revision.previous_source, revision.previous_release_on
                    ),
                    revision.rates,
                )
                applied += 1
            revision.applied_at = now
            revision.applied_by = user if getattr(user, "pk", None) else None
            revision.save()
    return applied


def recorded_crime_imported_received(sender, *, quarter_ends, published_on=None, **kwargs):
    """A confirmed import of the open data: recompute the year before of the periods of the same
    release whose year before it covers. Acts for the system whoever imported. Connected to
    ``recorded_crime.recorded_crime_imported`` when the app is ready."""
    if published_on is None:
        return
    covered = set(quarter_ends)
    periods = [
        period
        for period in RecordedCrimePeriod.objects.filter(published_on=published_on)
        if covered.issuperset(
            calculations.twelve_month_quarter_ends(calculations.same_day_years_earlier(period.period_end, 1))
        )
    ]
    if periods:
        ons_previous_update(periods=periods, open_data_release_on=published_on)
