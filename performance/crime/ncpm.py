"""National Crime and Policing Measures computed from the Home Office's recorded crime open data.

The police-recorded measures are sums of offences in the open data (``OffenceCount``: force ×
financial quarter × offence). A measure's definition is data on the ``Measure`` (its offence
subgroups and codes, kept by Publishers); a measure without one is supplied by the force, entered
by hand and never touched here: victim satisfaction, and grievous and actual bodily harm, which
the open data cannot give (8N "Assault with injury" holds GBH without intent with ABH).

After a confirmed import of the open data (the ``recorded_crime_imported`` signal),
``ncpm_figures_update`` writes the home force's figures for every quarter the data allows:

- a quarter not yet held becomes a **draft** ``ReportingPeriod`` with its figures;
- a draft quarter's computed figures are rewritten in place;
- a published or scheduled quarter never changes silently: a computed figure that differs from
  the one the public sees waits as a pending ``MeasureFigureRevision`` until a Publisher applies
  it (``ncpm_revisions_apply``, also run when a Publisher publishes the quarter again). The
  quarter page then says "Revised on …" with what changed.

Because the data covers every force, each figure also stores how the home force's change compares
(its Most Similar Group's median percent change, and its position among the national comparison
set's forces), computed here once per import rather than on every page view.

A figure needs the four quarters of both the latest and the previous 12 months for the home force:
a missing quarter gives no figure rather than a wrong one (an existing figure is then left as it
is), and so does a year in which none of the measure's offences appears (a file without them, or
a name the definition does not match): never a false 0. A missing baseline quarter leaves only the
baseline blank. Before an import is confirmed, ``file_measures_warnings`` names each measure the
file counts nothing for.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from performance.crime.models.ncpm import Measure, MeasureFigure, MeasureFigureRevision, ReportingPeriod
from performance.crime.models.open_data import OffenceCount
from performance.crime.recorded_crime import STAGE_COMPUTING, recorded_crime_checked, recorded_crime_imported
from performance.forces.models import Force, ForceGroupMembership, ForcePopulation, SiteSettings
from performance.imports.jobs import progress_report
from performance.publishing import gate as publication
from performance.shared import calculations, comparisons, rates

AGAINST = ("previous", "baseline")
BASELINE_YEAR = 2019


# --------------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------------


def is_defined(measure: Measure) -> bool:
    """Is ``measure`` counted from the open data (rather than entered by hand)?"""
    return bool(measure.offence_subgroups or measure.offence_codes)


def definition_terms(*, subgroups: Iterable[str], codes: Iterable[str]) -> str:
    """What a definition counts, in the open data's terms.

    >>> definition_terms(subgroups=["Homicide"], codes=[])
    'offence subgroup Homicide'
    >>> definition_terms(subgroups=["Violence with injury", "Death or serious injury – unlawful driving"], codes=["4.10"])
    'offence subgroups Violence with injury; Death or serious injury – unlawful driving, and offence code 4.10'
    >>> definition_terms(subgroups=[], codes=["8N", "8P"])
    'offence codes 8N, 8P'
    """
    subgroups, codes = list(subgroups), list(codes)
    parts = []
    if subgroups:
        parts.append(f"offence subgroup{'s' if len(subgroups) > 1 else ''} {'; '.join(subgroups)}")
    if codes:
        parts.append(f"offence code{'s' if len(codes) > 1 else ''} {', '.join(codes)}")
    return ", and ".join(parts)


def definition_source_text(*, subgroups: Iterable[str], codes: Iterable[str]) -> str:
    """Where a measure's figures come from, as the appendix says it under its definition: read
    from the definition itself, so the words and the sums cannot disagree.

    >>> definition_source_text(subgroups=["Violence with injury"], codes=[])
    'Counted from the Home Office recorded crime open data: offence subgroup Violence with injury.'
    >>> definition_source_text(subgroups=[], codes=[])
    'Supplied by the force: not in the national open data.'
    """
    terms = definition_terms(subgroups=subgroups, codes=codes)
    if not terms:
        return "Supplied by the force: not in the national open data."
    return f"Counted from the Home Office recorded crime open data: {terms}."


def appendix_definitions(measures: Iterable[Measure]) -> list[dict]:
    """One priority area's appendix, from its ``measures`` in their order: each measure with a
    heading, and under it what that measure and the measures after it without a heading of their
    own count (``definition_source_text``), so the appendix and the sums cannot disagree:
    ``[{"measure": m, "sources": [{"name": …, "definition": …, "source": …}, …]}, …]``. A
    measure without a heading brings its own definition, if it has one."""
    entries: list[dict] = []
    waiting: list[dict] = []  # measures before the area's first heading join it
    for measure in measures:
        headed = bool(measure.definition_heading)
        source = {
            "name": measure.name,
            "definition": "" if headed else measure.definition,
            "source": definition_source_text(
                subgroups=measure.offence_subgroups, codes=measure.offence_codes
            ),
        }
        if headed:
            entries.append({"measure": measure, "sources": [*waiting, source]})
            waiting = []
        elif entries:
            entries[-1]["sources"].append(source)
        else:
            waiting.append(source)
    return entries


def defined_measures() -> list[Measure]:
    return [measure for measure in Measure.objects.order_by("pk") if is_defined(measure)]


@dataclass(frozen=True)
class Naming:
    """One naming of an offence (code and subgroup) and the first and last quarters counted
    under it; ``key`` identifies it (an ``Offence`` pk, or a file's offence index)."""

    key: Hashable
    code: str
    subgroup: str
    first: datetime.date
    last: datetime.date


def offences_counted(*, subgroups: Iterable[str], codes: Iterable[str], namings: Iterable[Naming]) -> set:
    """The keys of the ``namings`` a measure with these ``subgroups`` and ``codes`` counts.

    A code counts as written ("4.10" is not "4.1"). A subgroup counts whatever its case, spacing
    or dashes (``calculations.name_key``). The open data's names also drift in wording between
    years ("Miscellaneous crimes against society", later "Miscellaneous crimes"): a code counted
    under one of the measure's subgroups still counts under another subgroup name when that name
    is a renaming, that is when it was never used in the same quarters as the measure's subgroup.
    A subgroup split off while the old one goes on (unlawful driving, out of violence with injury
    in 2018) is not a renaming: the measure counts it only if it names it.

    >>> june = [datetime.date(y, 6, 30) for y in (2021, 2022, 2023, 2024)]
    >>> namings = [
    ...     Naming(1, "99", "Miscellaneous crimes against society", june[0], june[1]),
    ...     Naming(2, "99", "Miscellaneous crimes", june[2], june[3]),
    ...     Naming(3, "4.4", "Violence with injury", june[0], june[0]),
    ...     Naming(4, "4.4", "Death or serious injury - unlawful driving", june[1], june[3]),
    ...     Naming(5, "8N", "Violence  WITH injury", june[1], june[3]),
    ... ]
    >>> sorted(offences_counted(subgroups=["Miscellaneous crimes against society"], codes=[], namings=namings))
    [1, 2]
    >>> sorted(offences_counted(subgroups=["Violence with injury"], codes=[], namings=namings))
    [3, 5]
    >>> sorted(offences_counted(subgroups=[], codes=["4.4"], namings=namings))
    [3, 4]
    """
    wanted = {calculations.name_key(name) for name in subgroups}
    codes = set(codes)
    namings = list(namings)
    spans: dict[str, tuple[datetime.date, datetime.date]] = {}
    for naming in namings:
        name = calculations.name_key(naming.subgroup)
        first, last = spans.get(name, (naming.first, naming.last))
        spans[name] = (min(first, naming.first), max(last, naming.last))
    counted = set()
    counted_under: dict[str, set[str]] = defaultdict(set)  # code -> the measure's subgroups it was under
    for naming in namings:
        name = calculations.name_key(naming.subgroup)
        if name in wanted:
            counted_under[naming.code].add(name)
        if name in wanted or naming.code in codes:
            counted.add(naming.key)

    def apart(one, other):
        return one[1] < other[0] or other[1] < one[0]

    for naming in namings:
        if naming.key in counted or naming.code not in counted_under:
            continue
        own = spans[calculations.name_key(naming.subgroup)]
        if all(apart(own, spans[name]) for name in counted_under[naming.code]):
            counted.add(naming.key)
    return counted


def held_namings(*, excluding_quarters: Iterable[datetime.date] = ()) -> list[Naming]:
    """Every offence naming with counts held (outside ``excluding_quarters``), and the quarters
    they span (one query)."""
    rows = (
        OffenceCount.objects.exclude(quarter_end__in=list(excluding_quarters))
        .values("offence_id", "offence__code", "offence__subgroup")
        .annotate(first=Min("quarter_end"), last=Max("quarter_end"))
        .order_by()
    )
    return [
        Naming(row["offence_id"], row["offence__code"], row["offence__subgroup"], row["first"], row["last"])
        for row in rows
    ]


def measures_offences(
    measures: Iterable[Measure], namings: list[Naming] | None = None
) -> dict[int, set[int]]:
    """The ``Offence`` pks each of ``measures`` counts: ``{measure_id: {offence_id, …}}``."""
    namings = held_namings() if namings is None else namings
    return {
        measure.pk: offences_counted(
            subgroups=measure.offence_subgroups, codes=measure.offence_codes, namings=namings
        )
        for measure in measures
    }


# --------------------------------------------------------------------------------------------
# Computing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComputedFigure:
    """One force's figures for one measure; None where a quarter of that year is not held."""

    latest: int | None
    previous: int | None
    baseline: int | None

    def against(self, other: str) -> Decimal | None:
        """The exact percent change from the ``other`` year ("previous" or "baseline")."""
        earlier = getattr(self, other)
        if self.latest is None or earlier is None:
            return None
        return calculations.percent_change(self.latest, earlier)


@dataclass(frozen=True)
class ComparisonYears:
    """The three 12-month periods a quarter compares: each a tuple of four quarter ends."""

    latest: tuple[datetime.date, ...]
    previous: tuple[datetime.date, ...]
    baseline: tuple[datetime.date, ...] = ()

    @classmethod
    def ending(
        cls,
        period_end: datetime.date,
        *,
        previous_period_end: datetime.date | None = None,
        baseline_period_end: datetime.date | None = None,
    ) -> ComparisonYears:
        """The years compared by the quarter ending ``period_end``; the previous year and the
        baseline default as ``ReportingPeriod`` defaults them. A baseline that does not end a
        quarter, or does not end before ``period_end``, is left out."""
        previous_end = previous_period_end or calculations.same_day_years_earlier(period_end, 1)
        baseline_end = baseline_period_end or calculations.same_day_in_year(period_end, BASELINE_YEAR)
        baseline = ()
        if calculations.is_quarter_end(baseline_end) and baseline_end < period_end:
            baseline = calculations.twelve_month_quarter_ends(baseline_end)
        return cls(
            latest=calculations.twelve_month_quarter_ends(period_end),
            previous=calculations.twelve_month_quarter_ends(previous_end),
            baseline=baseline,
        )

    @property
    def quarters(self) -> set[datetime.date]:
        return {*self.latest, *self.previous, *self.baseline}


def ncpm_figures_compute(
    *,
    years: ComparisonYears,
    measures: Iterable[Measure],
    force_ids: Iterable[int] | None = None,
    counted: dict[int, set[int]] | None = None,
) -> dict[int, dict[int, ComputedFigure]]:
    """Every force's figures (or ``force_ids``') for each of ``measures`` over ``years``:
    ``{force_id: {measure_id: ComputedFigure}}``. ``counted`` is ``measures_offences``' answer
    (looked up here, in one more query, when not given).

    One query, summed in the database by force and quarter: a quarter is held for a force when
    the force has any offence counted in it, and a year is complete when all four of its
    quarters are held. A measure's offences counted 0 give 0; a year in which none of them
    appears at all (a file without them, or names the definition does not match) gives no
    figure, never a false 0."""
    measures = list(measures)
    counted = measures_offences(measures) if counted is None else counted
    sums = {
        f"measure_{measure.pk}": Sum("count", filter=Q(offence_id__in=sorted(counted[measure.pk])))
        for measure in measures
    }
    rows = OffenceCount.objects.filter(quarter_end__in=years.quarters)
    if force_ids is not None:
        rows = rows.filter(force_id__in=list(force_ids))
    by_force: dict[int, dict[datetime.date, dict]] = {}
    for row in rows.values("force_id", "quarter_end").annotate(rows=Count("pk"), **sums).order_by():
        by_force.setdefault(row["force_id"], {})[row["quarter_end"]] = row

    def year_total(quarters, held, key) -> int | None:
        if not quarters or any(quarter not in held for quarter in quarters):
            return None
        sums = [held[quarter][key] for quarter in quarters]  # None: none of its offences that quarter
        if all(total is None for total in sums):
            return None
        return sum(total or 0 for total in sums)

    return {
        force_id: {
            measure.pk: ComputedFigure(
                latest=year_total(years.latest, held, f"measure_{measure.pk}"),
                previous=year_total(years.previous, held, f"measure_{measure.pk}"),
                baseline=year_total(years.baseline, held, f"measure_{measure.pk}"),
            )
            for measure in measures
        }
        for force_id, held in by_force.items()
    }


def ncpm_comparison(
    figures: dict[int, ComputedFigure],
    *,
    home_id: int,
    group_ids: set[int],
    national_ids: set[int],
) -> dict:
    """How the home force's change in one measure compares, as stored on ``MeasureFigure``:
    ``{"previous": {"msg_median": "-3.2", "rank": 12, "joint": False, "of": 43}, "baseline": …}``.

    Changes are percent changes, never counts. The Most Similar Group's median is over its
    members with a change (the home force included), given when at least two have one; the
    position is among the national comparison set's forces with a change, 1st being the largest
    decrease, given when the home force and at least one other have one."""
    comparison = {}
    for against in AGAINST:
        changes = {force_id: figure.against(against) for force_id, figure in figures.items()}
        changes = {force_id: change for force_id, change in changes.items() if change is not None}
        result = {}
        group_changes = [changes[force_id] for force_id in group_ids if force_id in changes]
        if len(group_changes) >= 2:
            result["msg_median"] = str(calculations.median(group_changes))
        national = {force_id: change for force_id, change in changes.items() if force_id in national_ids}
        position = calculations.position_among(national, home_id) if len(national) >= 2 else None
        if position is not None:
            result.update(rank=position[0], joint=position[1], of=position[2])
        if result:
            comparison[against] = result
    return comparison


def ncpm_rates(
    figures: dict[int, ComputedFigure],
    *,
    period_end: datetime.date,
    home_id: int,
    group_ids: set[int],
    populations: dict[int, int],
    names: dict[int, str],
) -> dict:
    """The home force's rate per 1,000 residents in one measure over the latest 12 months, its
    Most Similar Group's rates and its position among them, as stored under ``"rate"`` in a
    figure's comparison (``rates.group_rates``, with ``"population_year"``); ``{}`` without the
    home force's population.

    The rule: the 12 months ending ``period_end`` are divided by each force area's residents at
    the mid-year (30 June) inside those 12 months (``rates.mid_year_within``): the year ending
    September 2023 by mid-2023, the year ending March 2024 by mid-2023. ``populations`` are that
    mid-year's (``{force_id: residents}``); a force without one is left out of the group, and no
    other year's estimate stands in for a missing one."""
    counts = {
        force_id: figures[force_id].latest if force_id in figures else None
        for force_id in {*group_ids, home_id}
    }
    result = rates.group_rates(counts, populations, home=home_id, names=names)
    if result:
        result["population_year"] = rates.mid_year_within(period_end)
    return result


def _stored_comparison(figure: MeasureFigure, against: str):
    """The home force's exact change in ``figure`` against ``against``, and how it compares as
    stored: (change, MSG median, position) with None for what is not known."""
    stored = (figure.comparison or {}).get(against) or {}
    earlier = getattr(figure, against)
    change = None
    if figure.latest is not None and earlier is not None:
        change = calculations.percent_change(figure.latest, earlier)
    median = stored.get("msg_median")
    position = (stored["rank"], stored["joint"], stored["of"]) if "rank" in stored else None
    return change, Decimal(median) if median is not None else None, position


def comparison_notes(figure: MeasureFigure, *, force_name: str, northern_ireland: bool = False) -> list[str]:
    """The sentence under a table saying how the force's change in ``figure`` compares with other
    forces: one per measure, on the previous 12 months where that was compared, else on the
    baseline (``northern_ireland``: the national comparison set includes PSNI). The detail is in
    the comparison table (``comparison_rows``)."""
    labels = {"previous": "against the previous 12 months", "baseline": "against the 2019 baseline"}
    for against in AGAINST:
        if not (figure.comparison or {}).get(against):
            continue
        change, median, position = _stored_comparison(figure, against)
        text = comparisons.comparison_sentence(
            force_name=force_name,
            change=change,
            msg_median=median,
            position=position,
            northern_ireland=northern_ireland,
        )
        if text:
            return [f"{figure.measure.name}, {labels[against]}: {text}"]
    return []


def rate_notes(figure: MeasureFigure, *, force_name: str) -> list[str]:
    """The sentence under a table giving the force's rate per 1,000 residents in ``figure`` over
    the latest 12 months, as computed with it (``ncpm_rates``); none without a population."""
    text = rates.stored_rate_sentence((figure.comparison or {}).get("rate"), force_name=force_name)
    return [f"{figure.measure.name}, per 1,000 residents: {text}"] if text else []


def comparison_rows(figure: MeasureFigure, *, baseline_year: int) -> list[list[str]]:
    """The comparison table's rows for ``figure``: one for each year its change was compared on."""
    rows = []
    for against in AGAINST:
        if not (figure.comparison or {}).get(against):
            continue
        change, median, position = _stored_comparison(figure, against)
        rows.append(
            comparisons.comparison_row(
                measure_name=figure.measure.name,
                against=against,
                baseline_year=baseline_year,
                change=change,
                msg_median=median,
                position=position,
            )
        )
    return rows


# --------------------------------------------------------------------------------------------
# Writing the home force's quarters
# --------------------------------------------------------------------------------------------


@dataclass
class UpdateResult:
    """What ``ncpm_figures_update`` did, quarter by quarter (12 months ending)."""

    created: list[datetime.date] = field(default_factory=list)
    figures_written: int = 0
    revisions_pending: int = 0


def _figure_values(computed: ComputedFigure, comparison: dict) -> dict:
    return {
        "latest": Decimal(computed.latest),
        "previous": Decimal(computed.previous),
        "baseline": None if computed.baseline is None else Decimal(computed.baseline),
        "comparison": comparison,
    }


def _same(figure: MeasureFigure | None, values: dict) -> bool:
    return figure is not None and all(getattr(figure, key) == value for key, value in values.items())


def ncpm_figures_update(*, quarter_ends: Iterable[datetime.date] | None = None) -> UpdateResult:
    """Recompute the home force's NCPM quarters touched by ``quarter_ends`` (every quarter the
    data allows when None). Acts for the system: what it writes to a published quarter waits
    for a Publisher as a pending revision."""
    result = UpdateResult()
    settings = SiteSettings.objects.select_related("home_force").first()
    measures = defined_measures()
    if settings is None or not measures:
        return result
    counted = measures_offences(measures)
    home = settings.home_force
    held = set(OffenceCount.objects.filter(force=home).values_list("quarter_end", flat=True).distinct())
    periods = {period.period_end: period for period in ReportingPeriod.objects.all()}
    changed = None if quarter_ends is None else set(quarter_ends)
    group_ids = (
        set(
            ForceGroupMembership.objects.filter(group_id=settings.most_similar_group_id).values_list(
                "force_id", flat=True
            )
        )
        if settings.most_similar_group_id
        else set()
    )
    national_ids = set(Force.objects.national(settings.national_comparison).values_list("pk", flat=True))
    names = dict(Force.objects.filter(pk__in={*group_ids, home.pk}).values_list("pk", "name"))
    populations_by_year: dict[int, dict[int, int]] = {}
    todo = []
    for period_end in sorted(held):
        if not calculations.is_quarter_end(period_end):
            continue
        period = periods.get(period_end)
        years = ComparisonYears.ending(
            period_end,
            previous_period_end=period.previous_period_end if period else None,
            baseline_period_end=period.baseline_period_end if period else None,
        )
        baseline_end = years.baseline[-1] if years.baseline else None
        if baseline_end is None or not held.issuperset([*years.latest, *years.previous]):
            continue  # no baseline year before it, or the home force's data is incomplete
        if changed is not None and not changed & years.quarters:
            continue
        todo.append((period_end, period, years))
    for done, (period_end, period, years) in enumerate(todo):
        progress_report(STAGE_COMPUTING, done, len(todo))  # whoever follows the import
        computed = ncpm_figures_compute(years=years, measures=measures, counted=counted)
        home_figures = computed.get(home.pk, {})
        mid_year = rates.mid_year_within(period_end)
        if mid_year not in populations_by_year:
            populations_by_year[mid_year] = ForcePopulation.objects.for_year(mid_year)
        with transaction.atomic(), publication.acting_as(publication.SYSTEM):
            if period is None:
                period = ReportingPeriod(period_end=period_end)
                period.full_clean()
                period.save()
                result.created.append(period_end)
            _write_period(
                period,
                measures=measures,
                home_figures=home_figures,
                comparisons={
                    measure.pk: _with_rate(
                        ncpm_comparison(
                            {force_id: figures[measure.pk] for force_id, figures in computed.items()},
                            home_id=home.pk,
                            group_ids=group_ids,
                            national_ids=national_ids,
                        ),
                        {}
                        if measure.is_percent
                        else ncpm_rates(
                            {force_id: figures[measure.pk] for force_id, figures in computed.items()},
                            period_end=period_end,
                            home_id=home.pk,
                            group_ids=group_ids,
                            populations=populations_by_year[mid_year],
                            names=names,
                        ),
                    )
                    for measure in measures
                },
                result=result,
            )
    if todo:
        progress_report(STAGE_COMPUTING, len(todo), len(todo))
    return result


def _with_rate(comparison: dict, rate: dict) -> dict:
    return {**comparison, "rate": rate} if rate else comparison


def _write_period(period, *, measures, home_figures, comparisons, result: UpdateResult) -> None:
    figures = {figure.measure_id: figure for figure in period.figures.all()}
    pending = {revision.measure_id: revision for revision in period.revisions.pending()}
    for measure in measures:
        computed = home_figures.get(measure.pk)
        if computed is None or computed.latest is None or computed.previous is None:
            continue
        values = _figure_values(computed, comparisons[measure.pk])
        figure = figures.get(measure.pk)
        if period.publish_at is None:  # a draft: the figures are written as computed
            if not _same(figure, values):
                figure = figure or MeasureFigure(period=period, measure=measure)
                for key, value in values.items():
                    setattr(figure, key, value)
                figure.full_clean()
                figure.save()
                result.figures_written += 1
            continue
        revision = pending.get(measure.pk)
        if _same(figure, values):  # the data came back to what the public sees
            if revision is not None:
                revision.delete()
            continue
        revision = revision or MeasureFigureRevision(period=period, measure=measure)
        revision.before_latest = figure.latest if figure else None
        revision.before_previous = figure.previous if figure else None
        revision.before_baseline = figure.baseline if figure else None
        revision.before_comparison = figure.comparison if figure else {}
        for key, value in values.items():
            setattr(revision, key, value)
        revision.save()
        result.revisions_pending += 1


def ncpm_revisions_apply(*, period: ReportingPeriod, user) -> int:
    """Apply ``period``'s pending revisions for ``user``, who must be a Publisher: the figures
    change (their history keeps both versions) and the quarter page says when, and what
    changed. Returns how many figures changed."""
    if not publication.can_publish(user, ReportingPeriod):
        raise PermissionDenied(publication.REFUSED)
    applied = 0
    with transaction.atomic(), publication.acting_as(user):
        revisions = list(period.revisions.pending().select_for_update().select_related("measure"))
        figures = {figure.measure_id: figure for figure in period.figures.all()}
        now = timezone.now()
        for revision in revisions:
            figure = figures.get(revision.measure_id) or MeasureFigure(
                period=period, measure=revision.measure
            )
            changes = [
                [field, *(None if value is None else str(value) for value in (before, after))]
                for field, before, after in revision.changes()
            ]
            figure.latest, figure.previous = revision.latest, revision.previous
            figure.baseline, figure.comparison = revision.baseline, revision.comparison
            figure.revisions_applied = [
                *figure.revisions_applied,
                {"applied_on": timezone.localdate(now).isoformat(), "changes": changes},
            ]
            figure._history_user = user if getattr(user, "pk", None) else None
            figure.full_clean()
            figure.save()
            revision.applied_at = now
            revision.applied_by = user if getattr(user, "pk", None) else None
            revision.save()
            applied += 1
    return applied


# --------------------------------------------------------------------------------------------
# After an import
# --------------------------------------------------------------------------------------------


def recorded_crime_imported_received(sender, *, quarter_ends, user=None, **kwargs):
    """A confirmed import of the open data: recompute the quarters it touched. The figures are
    computed, so this acts for the system whoever imported; a published quarter's changes
    still wait for a Publisher."""
    ncpm_figures_update(quarter_ends=quarter_ends)


recorded_crime_imported.connect(recorded_crime_imported_received, dispatch_uid="ncpm_figures_update")


def file_measures_warnings(*, namings, quarter_ends) -> list[str]:
    """A warning for each measure that counts none of the offences in a file about to be
    imported: it gets no figure from those quarters (rather than 0), so what is held stays."""
    measures = defined_measures()
    if not measures:
        return []
    in_file = [
        Naming(("file", index), code, subgroup, first, last)
        for index, (code, subgroup, first, last) in enumerate(namings)
    ]
    everything = in_file + held_namings(excluding_quarters=quarter_ends)
    warnings = []
    for measure in measures:
        counted = offences_counted(
            subgroups=measure.offence_subgroups, codes=measure.offence_codes, namings=everything
        )
        if not any(naming.key in counted for naming in in_file):
            terms = definition_terms(subgroups=measure.offence_subgroups, codes=measure.offence_codes)
            warnings.append(
                f"No offence in this file is counted by {measure.name} ({terms}): its figures are "
                "left as they were. Check its definition (Measures) against the file's names."
            )
    return warnings


def recorded_crime_checked_received(sender, *, namings, quarter_ends, **kwargs) -> list[str]:
    return file_measures_warnings(namings=namings, quarter_ends=quarter_ends)


recorded_crime_checked.connect(recorded_crime_checked_received, dispatch_uid="ncpm_file_measures_warnings")
