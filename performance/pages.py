"""What the public pages show, picked from the database once per request.

Views call these and render; the same rows feed every table on the page. Each function runs a
fixed number of queries however many months or periods the database holds.
"""

from collections import defaultdict
from itertools import groupby

from django.db.models import Prefetch

from .models import (
    CallAnswerMonth,
    LibraryPage,
    Measure,
    PageSection,
    PriorityArea,
    RecordedCrimeFigure,
    ReportingChannel,
    ReportingPeriod,
    SiteSettings,
)
from .tables import DataTable, call_answer_table, measure_figure_table


def site_settings_for(request) -> SiteSettings | None:
    """The office's settings, read once per request and shared by views and templates."""
    if not hasattr(request, "_site_settings"):
        request._site_settings = SiteSettings.objects.for_site()
    return request._site_settings


def call_answer_tables(settings: SiteSettings) -> list[DataTable]:
    """One table per calendar year, newest year first, months in calendar order."""
    force = settings.home_force
    months = (
        CallAnswerMonth.objects.filter(force=force)
        .prefetch_related("ranks")
        .order_by("-month__year", "month")
    )
    regional_name = settings.regional_group.name if settings.regional_group else ""
    return [
        call_answer_table(
            rows,
            caption=f"{force.full_name} 999 Call Performance Data ({year})",
            regional_group_name=regional_name,
        )
        for year, rows in groupby(months, key=lambda row: row.month.year)
    ]


def ncpm_priority_areas(period: ReportingPeriod | None, force_name: str) -> list[dict]:
    """Each priority area with its figures table and commentary for ``period``."""
    areas = PriorityArea.objects.prefetch_related(
        Prefetch("measures", queryset=Measure.objects.order_by("order", "name"))
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
        sections.append(
            {
                "area": area,
                "table": measure_figure_table(figures, period=period, caption=f"{force_name}: {area.name}")
                if figures
                else None,
                "commentary": commentary_by_area.get(area.pk),
                "definitions": [m for m in area.measures.all() if m.definition_heading],
            }
        )
    return sections


def police_data_context(request) -> dict:
    settings = site_settings_for(request)
    page = (
        LibraryPage.objects.filter(template=LibraryPage.Template.POLICE_DATA)
        .prefetch_related(Prefetch("sections", queryset=PageSection.objects.order_by("order")))
        .first()
    )
    sections = defaultdict(list)
    if page is not None:
        for section in page.sections.all():
            sections[section.slot].append(section)
    context = {"page": page, "sections": dict(sections), "settings": settings}
    if settings is None:
        return context
    force = settings.home_force
    period = ReportingPeriod.objects.with_figures().first()
    context.update(
        call_tables=call_answer_tables(settings),
        groups=[g for g in (settings.most_similar_group, settings.regional_group) if g],
        ons=RecordedCrimeFigure.objects.headline_for(force),
        period=period,
        priority_areas=ncpm_priority_areas(period, force.full_name),
        channels=list(ReportingChannel.objects.all()),
    )
    return context
