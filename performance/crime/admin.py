"""Staff admin for crime figures: ONS recorded crime, the National Crime and Policing Measures,
and the Home Office's recorded crime open data (its counts: ``performance/crime/recorded_crime_admin.py``)."""

from django.contrib import admin
from django.utils.text import capfirst

from performance.crime import ncpm, ons
from performance.crime.models.ncpm import (
    CommissionerStatement,
    Measure,
    MeasureFigure,
    PriorityApplicability,
    PriorityArea,
    PriorityAreaCommentary,
    ReportingPeriod,
)
from performance.crime.models.recorded_crime import RecordedCrimeFigure, RecordedCrimePeriod
from performance.crime.resources import (
    NCPM_TEMPLATE_HELP,
    MeasureFigureExportResource,
    MeasureFigureResource,
    RecordedCrimeFigureExportResource,
    RecordedCrimeFigureResource,
)
from performance.forces.models import SiteSettings
from performance.imports.admin import ReleaseImportExportMixin
from performance.publishing.admin import ContentAdmin, GatedInline, PublishableAdmin, WaitingRevisionsAdmin
from performance.shared import calculations
from performance.shared.richtext import RichTextAdminMixin

# --------------------------------------------------------------------------------------------
# ONS recorded crime
# --------------------------------------------------------------------------------------------


class RecordedCrimeFigureInline(GatedInline, admin.TabularInline):
    model = RecordedCrimeFigure
    extra = 0
    autocomplete_fields = ["force"]
    fields = ["force", "total", "year_before"]
    readonly_fields = ["year_before"]

    @admin.display(description="the year before, as the headline compares it")
    def year_before(self, obj):
        """Computed at import (``ons``): the total, where it comes from and its release."""
        if obj is None or obj.previous_total is None:
            return "Not known yet"
        released = (
            f", published {calculations.long_date(obj.previous_release_on)}"
            if obj.previous_release_on
            else ""
        )
        return f"{calculations.thousands(obj.previous_total)} ({obj.get_previous_source_display()}{released})"


@admin.register(RecordedCrimePeriod)
class RecordedCrimePeriodAdmin(WaitingRevisionsAdmin, PublishableAdmin):
    list_display = ["__str__", "publication_state", "published_on", "next_release_on", "next_period_end"]
    date_hierarchy = "period_end"
    ordering = ["-period_end"]
    inlines = [RecordedCrimeFigureInline]
    readonly_fields = ["pending_revisions"]
    revised = "force"

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "ONS periods", **(extra_context or {})})

    def revisions_apply(self, request, obj) -> int:
        """Publishing a period also applies its recomputed year before (a Publisher's decision)."""
        return ons.ons_revisions_apply(period=obj, user=request.user)


@admin.register(RecordedCrimeFigure)
class RecordedCrimeFigureAdmin(ReleaseImportExportMixin, ContentAdmin):
    import_resource = RecordedCrimeFigureResource
    export_resource = RecordedCrimeFigureExportResource
    import_help = [
        'ONS "Police force area data tables" as published (.xlsx, sheet "Table P1"), or that sheet saved as CSV.',
        "The year ending is read from the title row; country and region rows are skipped.",
    ]

    list_display = ["force", "period", "total_display"]
    list_filter = ["period", "force__kind"]
    list_select_related = ["force", "period"]
    search_fields = ["force__name", "force__full_name", "force__ons_code"]
    ordering = ["-period__period_end", "force__name"]
    autocomplete_fields = ["force"]

    @admin.display(description="total recorded crime (excluding fraud)", ordering="total")
    def total_display(self, obj):
        return calculations.thousands(obj.total)


# --------------------------------------------------------------------------------------------
# National Crime and Policing Measures
# --------------------------------------------------------------------------------------------


@admin.register(PriorityArea)
class PriorityAreaAdmin(ContentAdmin):
    list_display = ["name", "order", "no_force_data_note"]
    search_fields = ["name"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Measure)
class MeasureAdmin(RichTextAdminMixin, ContentAdmin):
    list_display = ["name", "priority_area", "unit", "order"]
    list_filter = ["priority_area", "unit"]
    list_select_related = ["priority_area"]
    search_fields = ["name", "definition_heading", "definition"]
    ordering = ["priority_area__order", "order", "name"]
    filter_horizontal = ["components"]
    fieldsets = [
        (None, {"fields": ["priority_area", "name", "unit", "order", "components"]}),
        (
            "Counted from the recorded crime open data",
            {
                "description": "For a police-recorded measure: the offences it counts in the Home "
                "Office's recorded crime open data. After each import of that data the figures are "
                "computed from these (a published quarter's changes wait for a Publisher). Leave "
                "both blank for a measure the force supplies, entered by hand: victim satisfaction, "
                "or grievous and actual bodily harm, which the open data cannot give. The appendix "
                "says under each definition which it is.",
                "fields": ["offence_subgroups", "offence_codes"],
            },
        ),
        ("Appendix", {"fields": ["definition_heading", "definition"]}),
    ]


class MeasureFigureInline(GatedInline, admin.TabularInline):
    model = MeasureFigure
    template = "admin/performance/edit_inline/tabular_region.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A table's boxes have no labels of their own: each is named after its column.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs["aria-label"] = capfirst(db_field.verbose_name)
        return field

    extra = 0


class PriorityAreaCommentaryInline(GatedInline, admin.StackedInline):
    """A quarter's commentaries: a box ready for each priority area without one yet, its area
    chosen, so staff only write. A box left empty is not saved."""

    model = PriorityAreaCommentary
    extra = 0

    def areas_to_write(self, request, obj) -> list:
        if obj is None or obj.pk is None or not self.has_add_permission(request, obj):
            return []
        written = obj.commentaries.values_list("priority_area_id", flat=True)
        return list(PriorityArea.objects.exclude(pk__in=written).order_by("order", "name"))

    def get_extra(self, request, obj=None, **kwargs):
        return len(self.areas_to_write(request, obj))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        initial = [{"priority_area": area.pk} for area in self.areas_to_write(request, obj)]

        class OneForEachArea(formset):
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("initial", initial)
                super().__init__(*args, **kwargs)

        return OneForEachArea


class CommissionerStatementInline(GatedInline, admin.StackedInline):
    """The quarter's statement: a box ready while it has none, headed with the office holder's
    short title from the site settings ("The Mayor's statement")."""

    model = CommissionerStatement
    fields = ["title", "body", "documents"]
    extra = 0
    max_num = 1

    def get_extra(self, request, obj=None, **kwargs):
        if obj is None or obj.pk is None or not self.has_add_permission(request, obj):
            return 0
        return 0 if CommissionerStatement.objects.filter(period=obj).exists() else 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "title" and field is not None:
            field.initial = statement_title()
        return field


def statement_title() -> str:
    """A new statement's heading, from the office's settings (the model's default without them)."""
    settings = SiteSettings.objects.only("holder_short_title").first()
    return settings.statement_title if settings else CommissionerStatement._meta.get_field("title").default


class PriorityApplicabilityInline(GatedInline, admin.TabularInline):
    """Which national priorities apply in the area this quarter, shown with the statement: a new
    quarter starts with the last quarter's answers (``crime.applicability``), so staff change what
    changed; a row ready for each priority area without an answer, its area chosen. A row whose
    "applies" is left blank is not saved."""

    model = PriorityApplicability
    fields = ["priority_area", "applies", "reason"]
    extra = 0
    template = "admin/performance/edit_inline/tabular_region.html"  # fits the form; scrolls on a phone
    verbose_name = "national priority: does it apply in the area?"
    verbose_name_plural = "Which national priorities apply in the area (published with the statement)"

    def areas_to_answer(self, request, obj) -> list:
        if obj is None or obj.pk is None or not self.has_add_permission(request, obj):
            return []
        answered = obj.applicability.values_list("priority_area_id", flat=True)
        return list(PriorityArea.objects.exclude(pk__in=answered).order_by("order", "name"))

    def get_extra(self, request, obj=None, **kwargs):
        return len(self.areas_to_answer(request, obj))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs["aria-label"] = capfirst(db_field.verbose_name)
        if db_field.name == "reason" and field is not None:
            field.widget.attrs["rows"] = 2
            field.widget.attrs["cols"] = 30
        return field

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        initial = [{"priority_area": area.pk} for area in self.areas_to_answer(request, obj)]

        class OneForEachArea(formset):
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("initial", initial)
                super().__init__(*args, **kwargs)

        return OneForEachArea


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(RichTextAdminMixin, WaitingRevisionsAdmin, PublishableAdmin):
    list_display = [
        "__str__",
        "publication_state",
        "period_end",
        "previous_period_end",
        "baseline_period_end",
    ]
    date_hierarchy = "period_end"
    ordering = ["-period_end"]
    inlines = [
        CommissionerStatementInline,
        PriorityApplicabilityInline,
        MeasureFigureInline,
        PriorityAreaCommentaryInline,
    ]
    readonly_fields = ["pending_revisions"]
    revised = "measure"

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "NCPM quarters", **(extra_context or {})})

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # "Published from": its date and time boxes named, as Django gives them bare words.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "publish_at" and field is not None:
            for widget, name in zip(getattr(field.widget, "widgets", []), ("Date", "Time"), strict=False):
                widget.attrs["aria-label"] = f"Published from: {name.lower()}"
        return field

    def revisions_apply(self, request, obj) -> int:
        """Publishing a quarter also applies its recomputed figures (a Publisher's decision)."""
        return ncpm.ncpm_revisions_apply(period=obj, user=request.user)


@admin.register(MeasureFigure)
class MeasureFigureAdmin(ReleaseImportExportMixin, ContentAdmin):
    import_resource = MeasureFigureResource
    export_resource = MeasureFigureExportResource
    import_help = NCPM_TEMPLATE_HELP

    list_display = ["measure", "period", "latest_display", "previous_display", "baseline_display"]
    list_filter = ["period", "measure__priority_area"]
    list_select_related = ["measure", "period"]
    search_fields = ["measure__name"]
    ordering = ["-period__period_end", "measure__priority_area__order", "measure__order", "measure__name"]

    def figure(self, obj, value) -> str:
        """As published: a count as a whole number with separators ("6,533", not "6533.0")."""
        return calculations.measure_value(value, percent_measure=obj.measure.is_percent) or "–"

    @admin.display(description="most recent 12 months", ordering="latest")
    def latest_display(self, obj):
        return self.figure(obj, obj.latest)

    @admin.display(description="previous 12 months", ordering="previous")
    def previous_display(self, obj):
        return self.figure(obj, obj.previous)

    @admin.display(description="2019 baseline", ordering="baseline")
    def baseline_display(self, obj):
        return self.figure(obj, obj.baseline)


@admin.register(PriorityAreaCommentary)
class PriorityAreaCommentaryAdmin(RichTextAdminMixin, ContentAdmin):
    list_display = ["priority_area", "period"]
    list_filter = ["period", "priority_area"]
    list_select_related = ["priority_area", "period"]
    search_fields = ["priority_area__name", "body"]
    ordering = ["-period__period_end", "priority_area__order", "priority_area__name"]


@admin.register(PriorityApplicability)
class PriorityApplicabilityAdmin(ContentAdmin):
    """Every quarter's answers, to compare across quarters; written on the quarter's form."""

    list_display = ["priority_area", "period", "applies", "reason"]
    list_filter = ["period", "priority_area", "applies"]
    list_select_related = ["priority_area", "period"]
    search_fields = ["priority_area__name", "reason"]
    ordering = ["-period__period_end", "priority_area__order", "priority_area__name"]


@admin.register(CommissionerStatement)
class CommissionerStatementAdmin(RichTextAdminMixin, ContentAdmin):
    list_display = ["__str__", "period"]
    list_select_related = ["period"]
    search_fields = ["title", "body"]
    ordering = ["-period__period_end"]
    autocomplete_fields = ["documents"]

    def get_changeform_initial_data(self, request):
        return {"title": statement_title(), **super().get_changeform_initial_data(request)}


# --------------------------------------------------------------------------------------------
# Recorded crime open data (Home Office): offences and counts, written by the import only
# --------------------------------------------------------------------------------------------


# The open data's offences and counts, and the release's import page, are in
# ``recorded_crime_admin``, which registers them when imported.
from performance.crime import outcomes_admin, recorded_crime_admin  # noqa: E402, F401
