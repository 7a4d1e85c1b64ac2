"""What the public pages show, picked from the database once per request.

Views call these and render; the same rows feed every table and chart on the page. Each function
runs a fixed number of queries however many months or periods the database holds.
"""

from collections import defaultdict
from itertools import groupby

from django.db.models import BooleanField, Count, Max, Min, OuterRef, Prefetch, Q, Subquery, Value
from django.http import Http404

from performance.calls import charts as call_charts
from performance.calls.models import CallAnswerMonth, CallAnswerRank
from performance.calls.opendata import calls_999_csv_url
from performance.crime import charts as measure_charts
from performance.crime import ncpm
from performance.crime.charge_rate_display import charge_rate_section
from performance.crime.models.crime_outcomes import ChargeRateFigure
from performance.crime.models.ncpm import (
    Measure,
    MeasureFigure,
    PriorityApplicability,
    PriorityArea,
    ReportingPeriod,
)
from performance.crime.models.recorded_crime import RecordedCrimeFigure
from performance.crime.opendata import charge_rates_csv_url, ncpm_applicability_csv_url, ncpm_csv_url
from performance.forces.models import SiteSettings
from performance.library.models import Document, LibraryPage, PageSection, ReportingChannel
from performance.publishing.preview import is_preview
from performance.shared import significance, summary
from performance.shared.tables import (
    applicability_table,
    call_answer_table,
    comparison_table,
    measure_figure_table,
    measures_rates_table,
)
from performance.site.office import site_settings_for

YEARS_ON_POLICE_DATA_PAGE = 3


def calls_999_context(
    settings: SiteSettings, *, latest_years: int | None = None, preview: bool = False
) -> dict:
    """The home force's 999 months: one table per year (newest first), charts, and the group
    comparison for the latest month. ``latest_years`` limits the tables to the most recent years.

    Three queries: the span of months held, then the home force's months with the groups'
    forces' latest month, and their ranks."""
    force = settings.home_force
    visible = CallAnswerMonth.objects.visible(preview=preview)
    span = visible.filter(force=force).aggregate(earliest=Min("month"), latest=Max("month"))
    latest = span["latest"]
    if latest is None:
        return {"call_tables": [], "older_call_years": False, "calls_charts": [], "group_charts": []}
    first_year = latest.year - latest_years + 1 if latest_years else None
    home = Q(force=force, month__year__gte=first_year) if first_year else Q(force=force)
    forces = {member.pk: member for group in settings.comparison_groups for member in group.members.all()}
    forces[force.pk] = force
    read = list(
        visible.filter(home | Q(month=latest, force_id__in=forces.keys() - {force.pk}))
        .with_ranks(preview=preview)
        .order_by("month", "force_id")
    )
    for month in read:
        month.force = forces[month.force_id]  # read with the settings
    months = [month for month in read if month.force_id == force.pk]
    regional_name = settings.regional_group.name if settings.regional_group else ""
    by_year = groupby(sorted(months, key=lambda m: (-m.month.year, m.month)), key=lambda m: m.month.year)
    tables = [
        call_answer_table(
            rows,
            caption=f"{force.full_name} 999 Call Performance Data ({year})",
            regional_group_name=regional_name,
            target_percent=settings.answer_target_percent,
            csv_url=calls_999_csv_url(force=force, year=year),
        )
        for year, rows in by_year
    ]
    return {
        "call_tables": tables,
        "latest_call_month": months[-1],
        "national_month": national_month(preview=preview),
        "older_call_years": bool(first_year) and span["earliest"].year < first_year,
        "calls_charts": call_charts.calls_charts(
            months, settings=settings, csv_url=calls_999_csv_url(force=force)
        ),
        "group_charts": group_charts(
            settings, latest, {month.force_id: month for month in read if month.month == latest}
        ),
    }


def national_month(*, preview: bool = False):
    """The latest month with more than one force's figures: the every-force table's month."""
    return (
        CallAnswerMonth.objects.visible(preview=preview)
        .values("month")
        .annotate(forces=Count("id"))
        .filter(forces__gt=1)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def group_charts(settings: SiteSettings, month, rows: dict) -> list:
    """The home force against its Most Similar Group and regional group in ``month``, when
    ``rows`` (each force's month, read with its ranks) hold the other forces' figures for it."""
    result = []
    for group in settings.comparison_groups:
        group_rows = [rows[force.pk] for force in group.members.all() if force.pk in rows]
        if len(group_rows) > 1:
            chart = call_charts.group_chart(
                group_rows, settings=settings, group=group, csv_url=calls_999_csv_url(month=month)
            )
            if chart is not None:
                result.append(chart)
    return result


def ncpm_context(
    period: ReportingPeriod | None, force_name: str, *, area_name: str = "", northern_ireland: bool = False
) -> dict:
    """Each priority area with its figures table, chart and commentary for ``period``, the
    quarter's Commissioner's statement with which priorities apply in the area (``area_name``:
    the force's area, e.g. "Norfolk"), and the appendix definitions (``northern_ireland``: the
    national comparison set includes PSNI, as the notes then say).

    Whether each area applies is read with the areas (``with_applicability``): no query more."""
    areas = with_applicability(
        PriorityArea.objects.prefetch_related(
            Prefetch("measures", queryset=Measure.objects.order_by("order", "name"))
        ),
        period,
    )
    figures_by_area = defaultdict(list)
    commentary_by_area = {}
    if period is not None:
        for figure in period.figures.all():
            figures_by_area[figure.measure.priority_area_id].append(figure)
        commentary_by_area = {c.priority_area_id: c for c in period.commentaries.all()}
    sections = []
    for area in areas:
        figures = figures_by_area.get(area.pk, [])
        csv_url = ncpm_csv_url(period=period, area=area) if period else ""
        notes = [
            *(notice for figure in figures for notice in figure.revision_notices()),
            *(
                note
                for figure in figures
                for note in ncpm.comparison_notes(
                    figure, force_name=force_name, northern_ireland=northern_ireland
                )
            ),
            *(note for figure in figures for note in ncpm.rate_notes(figure, force_name=force_name)),
        ]
        sections.append(
            {
                "area": area,
                "table": measure_figure_table(
                    figures,
                    period=period,
                    caption=f"{force_name}: {area.name}",
                    csv_url=csv_url,
                    notes=notes,
                )
                if figures
                else None,
                "comparison": comparison_table(
                    (
                        row
                        for figure in figures
                        for row in ncpm.comparison_rows(figure, baseline_year=period.baseline_period_end.year)
                    ),
                    caption=f"How {force_name}'s changes compare: {area.name}",
                    force_name=force_name,
                    northern_ireland=northern_ireland,
                )
                if figures
                else None,
                "rates": measures_rates_table(
                    figures,
                    caption=f"Per 1,000 residents: {force_name} and similar forces, {area.name}",
                ),
                "chart": measure_charts.measures_chart(figures, period=period, area=area, csv_url=csv_url)
                if figures
                else None,
                "commentary": commentary_by_area.get(area.pk),
                "definitions": ncpm.appendix_definitions(area.measures.all()),
            }
        )
    return {
        "period": period,
        # None without one; read with the quarter when the caller used ``with_statement``.
        "statement": getattr(period, "statement", None),
        "applicability": applicability_table(
            (
                (area.name, area.applies_here, area.applies_reason)
                for area in areas
                if area.applies_here is not None
            ),
            area_name=area_name,
            csv_url=ncpm_applicability_csv_url(period=period) if period else "",
        ),
        "priority_areas": sections,
        "change_method": significance.CHANGE_METHOD_TEXT,
    }


def with_applicability(areas, period: ReportingPeriod | None):
    """``areas`` (priority areas) with whether each applies in the area in ``period``
    (``applies_here``: True, False, or None when the quarter does not say) and why
    (``applies_reason``), read in the same query as the areas. The quarter was read already
    for its reader (published, or a staff preview), and its applicability is public with it."""
    if period is None:
        return areas.annotate(applies_here=Value(None, BooleanField()), applies_reason=Value(""))
    stated = PriorityApplicability.objects.filter(period=period, priority_area=OuterRef("pk"))
    return areas.annotate(
        applies_here=Subquery(stated.values("applies")[:1], output_field=BooleanField()),
        applies_reason=Subquery(stated.values("reason")[:1]),
    )


def with_statement(periods, *, preview: bool = False):
    """``periods`` with each quarter's Commissioner's statement (``period.statement``) and the
    statement's documents its reader may see (``statement.shown_documents``: the public ones, or
    drafts too for a staff preview), in one more query when a quarter has a statement.

    The statement has no publication time of its own: it is public exactly when its quarter is,
    so the quarters' own ``visible()`` filter is the statement's gate too."""
    return periods.select_related("statement").prefetch_related(
        Prefetch(
            "statement__documents",
            queryset=Document.objects.visible(preview=preview),
            to_attr="shown_documents",
        )
    )


def page_sections(template: str, *, preview: bool = False) -> tuple[LibraryPage | None, dict]:
    page = (
        LibraryPage.objects.visible(preview=preview)
        .filter(template=template)
        .prefetch_related(Prefetch("sections", queryset=PageSection.objects.order_by("order")))
        .first()
    )
    sections = defaultdict(list)
    if page is not None:
        for section in page.sections.all():
            sections[section.slot].append(section)
    return page, dict(sections)


def police_data_context(request) -> dict:
    settings = site_settings_for(request)
    preview = is_preview(request)
    page, sections = page_sections(LibraryPage.Template.POLICE_DATA, preview=preview)
    context = {
        "page": page,
        "sections": sections,
        "settings": settings,
        "preview": preview,
        "significance_glossary": significance.GLOSSARY_TEXT,
    }
    if settings is None:
        return context
    force = settings.home_force
    periods = list(
        with_statement(ReportingPeriod.objects.visible(preview=preview).with_figures(), preview=preview)[:1]
    )
    context.update(
        calls_999_context(settings, latest_years=YEARS_ON_POLICE_DATA_PAGE, preview=preview),
        groups=settings.comparison_groups,
        ons=RecordedCrimeFigure.objects.headline_for(force, preview=preview),
        channels=list(ReportingChannel.objects.all()),
        **ncpm_context(
            periods[0] if periods else None,
            force.full_name,
            area_name=force.name,
            northern_ireland=settings.includes_northern_ireland,
        ),
    )
    context["glance"] = [
        item
        for item in (
            calls_999_glance(context.get("latest_call_month"), settings),
            ons_glance(context["ons"]),
            *ncpm_glance(context),
        )
        if item is not None
    ]
    return context


# "At a glance": each page's summary, worded by ``shared.summary`` from the rows its context
# already holds, so that it costs no query.


def calls_999_glance(month: CallAnswerMonth | None, settings: SiteSettings) -> summary.GlanceItem | None:
    """The home force's newest published month, with the national rank its reader sees (read
    with the month, ``with_ranks``)."""
    if month is None:
        return None
    rank = month.rank_for(CallAnswerRank.Scope.NATIONAL)
    return summary.calls_999_glance(
        month=month.month,
        share=month.band_percent("under_10s"),
        target_percent=settings.answer_target_percent,
        rank=rank.rank if rank else None,
        joint=bool(rank and rank.joint),
        out_of=rank.out_of if rank else None,
        northern_ireland=settings.includes_northern_ireland,
    )


def ons_glance(headline) -> summary.GlanceItem | None:
    if headline is None:
        return None
    return summary.recorded_crime_glance(
        offences=headline.latest.total,
        previous_offences=headline.previous_total,
        period_end=headline.period.period_end,
    )


def ncpm_glance(context: dict) -> list[summary.GlanceItem]:
    """The quarter's measures (its figures, prefetched with ``with_figures``); a percentage
    measure links to its priority area's section."""
    period = context.get("period")
    if period is None:
        return []
    slugs = {item["area"].pk: item["area"].slug for item in context["priority_areas"]}
    changes = [
        summary.MeasureChange(
            name=figure.measure.name,
            latest=figure.latest,
            previous=figure.previous,
            percent_measure=figure.measure.is_percent,
            section=f"area-{slugs[figure.measure.priority_area_id]}",
        )
        for figure in period.figures.all()
    ]
    return summary.measures_glance(changes, period_end=period.period_end)


def calls_999_archive_context(request) -> dict:
    settings = site_settings_for(request)
    if settings is None:
        raise Http404("No office has been set up yet.")
    preview = is_preview(request)
    return {"settings": settings, "preview": preview, **calls_999_context(settings, preview=preview)}


def ncpm_period_context(request, period: str) -> dict:
    """One NCPM quarter at its stable address, e.g. 2023-06 for the 12 months to June 2023."""
    settings = site_settings_for(request)
    preview = is_preview(request)
    year, month = (int(part) for part in period.split("-"))
    found = (
        with_statement(ReportingPeriod.objects.visible(preview=preview).with_figures(), preview=preview)
        .filter(period_end__year=year, period_end__month=month)
        .first()
    )
    if settings is None or found is None:
        raise Http404("No National Crime and Policing Measures are published for that quarter.")
    context = {
        "settings": settings,
        "preview": preview,
        **ncpm_context(
            found,
            settings.home_force.full_name,
            area_name=settings.home_force.name,
            northern_ireland=settings.includes_northern_ireland,
        ),
        "charge_rates": charge_rate_section(
            list(ChargeRateFigure.objects.for_page(found, settings.home_force)),
            period_end=found.period_end,
            force_name=settings.home_force.full_name,
            area_name=settings.home_force.name,
            csv_url=charge_rates_csv_url(period=found),
        ),
    }
    return context | {"glance": ncpm_glance(context)}


def ncpm_archive_context(request) -> dict:
    """Every published NCPM quarter, newest first, with each measure's trend across them."""
    settings = site_settings_for(request)
    preview = is_preview(request)
    periods = list(ReportingPeriod.objects.visible(preview=preview).order_by("-period_end"))
    figures = list(
        MeasureFigure.objects.filter(period__in=periods)
        .select_related("measure", "period")
        .order_by("measure__priority_area__order", "measure__order", "period__period_end")
    )
    return {
        "settings": settings,
        "preview": preview,
        "periods": periods,
        "trend_charts": measure_charts.measure_trend_charts(figures, csv_url=ncpm_csv_url())
        if len(periods) > 1
        else [],
    }
