"""The charge/summons rate of each NCPM quarter, from the crime outcomes and recorded crime open data.

For the 12 months to a quarter's end, each force's rate is the outcomes of type 1
("Charged/Summonsed") assigned in those 12 months, whenever the offence was recorded (both of
the outcomes data's counts), as a share of the offences recorded in the same 12 months: the
Home Office outcomes bulletin's rate (``shared.shares``). It is computed for all recorded crime
(fraud left out, as the ONS headline leaves it out) and for each NCPM measure counted from the
open data (its offence subgroups and codes, matched as ``ncpm.offences_counted`` matches them),
with the previous 12 months, the Most Similar Group's median rate, the England and Wales rate
(sums over the territorial forces with a rate) and a 95% Wilson interval.

The results are ``ChargeRateFigure`` rows, content published with their quarter. They are
computed when either release is imported (``charge_rates_update``), never when a page is shown;
a quarter already published keeps what the public has seen, and the import says so.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum

from performance.crime import ncpm
from performance.crime.models.crime_outcomes import CHARGED_SUMMONSED, ChargeRateFigure, OutcomeCount
from performance.crime.models.ncpm import Measure, ReportingPeriod
from performance.crime.models.open_data import OffenceCount
from performance.forces.models import Force, ForceGroupMembership, SiteSettings
from performance.publishing import gate as publication
from performance.shared import calculations, shares
from performance.shared.significance import wilson_interval

ALL_CRIME = None  # the measure key of all recorded crime (fraud left out)
FRAUD = Q(offence__group__icontains="fraud")

# --------------------------------------------------------------------------------------------
# Pure: from each force's counts to the stored figures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargeRate:
    """One force's figures for one measure, as ``ChargeRateFigure`` stores them."""

    charges: int
    offences: int
    previous_charges: int | None
    previous_offences: int | None
    interval_low: Decimal | None
    interval_high: Decimal | None
    msg_median_rate: Decimal | None
    england_wales_charges: int | None
    england_wales_offences: int | None

    @property
    def rate(self) -> Decimal | None:
        return shares.share_percent(self.charges, self.offences)


def stored(value: Decimal | None) -> Decimal | None:
    """A percentage to the four places the figures keep.

    >>> stored(Decimal("7.123456")), stored(None)
    (Decimal('7.1235'), None)
    """
    return None if value is None else calculations.round_half_away(value, 4)


def charge_rates_compute(
    *,
    latest: dict[int, tuple[int, int]],
    previous: dict[int, tuple[int, int]],
    group_ids: Iterable[int],
    england_wales_ids: Iterable[int],
) -> dict[int, ChargeRate]:
    """Every force's figures for one measure, from ``latest`` and ``previous``: each force's
    (charges, offences recorded) in the 12 months and in the 12 months before, for the forces
    with all four quarters of both releases held.

    >>> figures = charge_rates_compute(
    ...     latest={1: (71, 1000), 2: (50, 1000), 3: (30, 100)},
    ...     previous={1: (65, 1000)},
    ...     group_ids={1, 2},
    ...     england_wales_ids={1, 2},
    ... )
    >>> figures[1].rate, figures[1].previous_charges, figures[1].msg_median_rate
    (Decimal('7.1'), 65, Decimal('6.0500'))
    >>> figures[1].england_wales_charges, figures[1].england_wales_offences
    (121, 2000)
    >>> figures[1].interval_low, figures[1].interval_high
    (Decimal('5.6670'), Decimal('8.8614'))
    >>> figures[3].previous_charges is None
    True
    """
    group_ids, england_wales_ids = set(group_ids), set(england_wales_ids)
    msg_median = shares.median_share(latest[force_id] for force_id in sorted(group_ids & latest.keys()))
    national = [
        latest[force_id] for force_id in sorted(england_wales_ids & latest.keys()) if latest[force_id][1]
    ]
    ew_charges, ew_offences = shares.summed_share(national) if national else (None, None)
    figures = {}
    for force_id, (charges, offences) in latest.items():
        interval = wilson_interval(charges, offences) if offences > 0 and charges <= offences else None
        previous_charges, previous_offences = previous.get(force_id, (None, None))
        figures[force_id] = ChargeRate(
            charges=charges,
            offences=offences,
            previous_charges=previous_charges,
            previous_offences=previous_offences,
            interval_low=None if interval is None else stored(interval.low * 100),
            interval_high=None if interval is None else stored(interval.high * 100),
            msg_median_rate=stored(msg_median),
            england_wales_charges=ew_charges,
            england_wales_offences=ew_offences,
        )
    return figures


def year_counts(
    charges: dict[int, dict[datetime.date, int | None]],
    offences: dict[int, dict[datetime.date, int | None]],
    quarters: Iterable[datetime.date],
) -> dict[int, tuple[int, int]]:
    """Each force's (charges, offences) over ``quarters``, from each force's sums per quarter
    (a quarter is held when the force has rows in it; its sum is None when none of the
    measure's offences appear). A force needs every quarter in both releases; a year in which
    none of the measure's offences was recorded has no figure, never a false 0.

    >>> q = [datetime.date(2023, 6, 30), datetime.date(2023, 9, 30)]
    >>> year_counts({1: {q[0]: 2, q[1]: None}, 2: {q[0]: 1}}, {1: {q[0]: 10, q[1]: 5}, 2: {q[0]: 3, q[1]: 4}}, q)
    {1: (2, 15)}
    >>> year_counts({1: {q[0]: 0, q[1]: 0}}, {1: {q[0]: None, q[1]: None}}, q)
    {}
    """
    quarters = list(quarters)
    counts = {}
    for force_id, recorded in offences.items():
        charged = charges.get(force_id, {})
        if not all(quarter in recorded and quarter in charged for quarter in quarters):
            continue
        recorded_sums = [recorded[quarter] for quarter in quarters]
        if all(total is None for total in recorded_sums):
            continue
        counts[force_id] = (
            sum(charged[quarter] or 0 for quarter in quarters),
            sum(total or 0 for total in recorded_sums),
        )
    return counts


# --------------------------------------------------------------------------------------------
# From the database
# --------------------------------------------------------------------------------------------


def outcome_namings() -> list[ncpm.Naming]:
    """Each offence naming with outcomes held and the quarters it spans (one query)."""
    rows = (
        OutcomeCount.objects.values("offence_id", "offence__code", "offence__subgroup")
        .annotate(first=Min("quarter_end"), last=Max("quarter_end"))
        .order_by()
    )
    return [
        ncpm.Naming(
            row["offence_id"], row["offence__code"], row["offence__subgroup"], row["first"], row["last"]
        )
        for row in rows
    ]


def quarter_sums(model, quarters: Iterable[datetime.date], counted: dict, *, value, rows=None) -> dict:
    """``{key: {force_id: {quarter_end: sum}}}`` for each measure key of ``counted`` (its
    ``Offence`` pks; ``ALL_CRIME``: every offence but fraud), one query over ``rows``."""
    rows = (rows if rows is not None else model.objects.all()).filter(quarter_end__in=list(quarters))
    names = {key: f"sum_{index}" for index, key in enumerate(counted)}
    sums = {
        names[key]: Sum(value, filter=~FRAUD if ids is None else Q(offence_id__in=sorted(ids)))
        for key, ids in counted.items()
    }
    found: dict = {key: {} for key in counted}
    for row in rows.values("force_id", "quarter_end").annotate(rows=Count("pk"), **sums).order_by():
        for key, name in names.items():
            found[key].setdefault(row["force_id"], {})[row["quarter_end"]] = row[name]
    return found


@dataclass
class ChargeRatesResult:
    written: list[datetime.date]  # draft quarters whose charge rates were written
    published: list[datetime.date]  # published quarters whose charge rates were left as they are


def charge_rates_update(*, quarter_ends: Iterable[datetime.date] | None = None) -> ChargeRatesResult:
    """Recompute the charge rates of the draft NCPM quarters whose 12 months (or the 12 months
    before) include one of ``quarter_ends`` (every quarter when None). A published quarter keeps
    what the public has seen; it is listed in the result so that the import can say so."""
    result = ChargeRatesResult(written=[], published=[])
    settings = SiteSettings.objects.select_related("home_force").first()
    if settings is None:
        return result
    changed = None if quarter_ends is None else set(quarter_ends)
    todo = []
    for period in ReportingPeriod.objects.order_by("period_end"):
        latest = calculations.twelve_month_quarter_ends(period.period_end)
        previous = (
            calculations.twelve_month_quarter_ends(period.previous_period_end)
            if calculations.is_quarter_end(period.previous_period_end)
            else ()
        )
        if changed is not None and not changed & {*latest, *previous}:
            continue
        if period.publish_at is not None:
            result.published.append(period.period_end)
            continue
        todo.append((period, latest, previous))
    if not todo:
        return result
    measures = [measure for measure in Measure.objects.order_by("pk") if ncpm.is_defined(measure)]
    namings = ncpm.held_namings() + outcome_namings()
    counted: dict = {ALL_CRIME: None} | {
        measure.pk: ncpm.offences_counted(
            subgroups=measure.offence_subgroups, codes=measure.offence_codes, namings=namings
        )
        for measure in measures
    }
    group_ids = set(
        ForceGroupMembership.objects.filter(group_id=settings.most_similar_group_id).values_list(
            "force_id", flat=True
        )
    )
    england_wales_ids = set(Force.objects.filter(kind=Force.Kind.TERRITORIAL).values_list("pk", flat=True))
    charged = OutcomeCount.objects.filter(outcome_type=CHARGED_SUMMONSED)
    for period, latest, previous in todo:
        quarters = [*latest, *previous]
        charges = quarter_sums(
            OutcomeCount,
            quarters,
            counted,
            value=F("recorded_in_quarter") + F("recorded_earlier"),
            rows=charged,
        )
        held = quarter_sums(OutcomeCount, quarters, {ALL_CRIME: None}, value="recorded_in_quarter")[ALL_CRIME]
        offences = quarter_sums(OffenceCount, quarters, counted, value="count")
        figures = []
        for key in counted:
            # a force's quarter is held when it has any outcome rows in it, charges or not
            charged_by_force = {
                force_id: {quarter: charges[key].get(force_id, {}).get(quarter, 0) for quarter in by_quarter}
                for force_id, by_quarter in held.items()
            }
            computed = charge_rates_compute(
                latest=year_counts(charged_by_force, offences[key], latest),
                previous=year_counts(charged_by_force, offences[key], previous) if previous else {},
                group_ids=group_ids,
                england_wales_ids=england_wales_ids,
            )
            figures.extend(
                ChargeRateFigure(period=period, measure_id=key, force_id=force_id, **vars(rate))
                for force_id, rate in computed.items()
            )
        with transaction.atomic(), publication.acting_as(publication.SYSTEM):
            ChargeRateFigure.objects.filter(period=period).delete()
            ChargeRateFigure.objects.bulk_create(figures)
        result.written.append(period.period_end)
    return result


def published_kept_warnings(period_ends: Iterable[datetime.date]) -> list[str]:
    """What staff are told of the published quarters whose charge rates an import left as the
    public has seen them.

    >>> published_kept_warnings([datetime.date(2023, 6, 30)])
    ['The quarter to June 2023 is published: its charge rates were not recomputed. Withdraw it to a draft and import again to update them.']
    """
    return [
        f"The quarter to {period_end:%B %Y} is published: its charge rates were not recomputed. "
        "Withdraw it to a draft and import again to update them."
        for period_end in period_ends
    ]


def recorded_crime_imported_received(sender, *, quarter_ends, **kwargs):
    """A confirmed import of the recorded crime open data: the offences recorded changed, so the
    draft quarters' charge rates are recomputed (after ``ncpm`` has added its quarters)."""
    charge_rates_update(quarter_ends=quarter_ends)
