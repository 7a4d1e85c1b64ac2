"""Staff admin for every performance model. Field help text lives on the models."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import path
from django.utils.dateformat import format as date_format
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm

from . import calculations
from .models import (
    CallAnswerMonth,
    CallAnswerRank,
    Document,
    Force,
    ForceAlias,
    ForceGroup,
    ForceGroupMembership,
    ImportLog,
    LibraryPage,
    Measure,
    MeasureFigure,
    PageSection,
    PriorityArea,
    PriorityAreaCommentary,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingChannel,
    ReportingPeriod,
    SiteSettings,
)
from .resources import (
    NCPM_TEMPLATE_HELP,
    CallAnswerMonthExportResource,
    CallAnswerMonthResource,
    MeasureFigureExportResource,
    MeasureFigureResource,
    RecordedCrimeFigureExportResource,
    RecordedCrimeFigureResource,
    SafeCSV,
    SafeXLSX,
    SpreadsheetFormat,
    ncpm_template,
)
from .spreadsheets import MAX_FILE_BYTES, size_problem
from .tables import RANK_SCOPES, rank_cell


class ReleaseImportForm(ImportForm):
    def clean_import_file(self):
        """Refuse an oversized upload from its size alone, before anything reads it."""
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(size_problem(upload.size))
        return upload


class ReleaseImportExportMixin(ImportExportMixin):
    """Upload a national release, preview it, confirm it; export the dataset as CSV or XLSX."""

    import_template_name = "admin/performance/import.html"
    import_form_class = ReleaseImportForm
    import_formats = [SpreadsheetFormat]
    export_formats = [SafeCSV, SafeXLSX]
    import_resource = None
    export_resource = None
    import_help: list[str] = []

    def get_import_resource_classes(self, request):
        return [self.import_resource]

    def get_export_resource_classes(self, request):
        return [self.export_resource]

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error("import_file", str(e))

    def get_import_context_data(self, **kwargs):
        return {**super().get_import_context_data(**kwargs), "import_help": self.import_help}


# --------------------------------------------------------------------------------------------
# Forces and groups
# --------------------------------------------------------------------------------------------


class ForceAliasInline(admin.TabularInline):
    model = ForceAlias
    extra = 1


class ForceGroupMembershipInline(admin.TabularInline):
    model = ForceGroupMembership
    autocomplete_fields = ["force"]
    extra = 1


@admin.register(Force)
class ForceAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name", "ons_code", "police_uk_id", "region", "kind"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "full_name", "ons_code", "police_uk_id", "aliases__alias"]
    ordering = ["name"]
    inlines = [ForceAliasInline]


@admin.register(ForceAlias)
class ForceAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "force"]
    list_filter = ["force"]
    list_select_related = ["force"]
    search_fields = ["alias", "force__name", "force__full_name"]
    ordering = ["alias"]
    autocomplete_fields = ["force"]


@admin.register(ForceGroup)
class ForceGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    ordering = ["name"]
    inlines = [ForceGroupMembershipInline]


@admin.register(ForceGroupMembership)
class ForceGroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["force", "group"]
    list_filter = ["group"]
    list_select_related = ["force", "group"]
    search_fields = ["force__name", "group__name"]
    ordering = ["group__name", "force__name"]
    autocomplete_fields = ["force"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """A single row: it can be added once and never deleted."""

    list_display = ["office_name", "home_force", "answer_target_percent", "answer_target_seconds"]
    list_select_related = ["home_force"]
    search_fields = ["office_name", "commissioner_name"]
    ordering = ["pk"]
    autocomplete_fields = ["home_force"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


# --------------------------------------------------------------------------------------------
# 999 calls and ONS recorded crime
# --------------------------------------------------------------------------------------------


class CallAnswerRankInline(admin.TabularInline):
    model = CallAnswerRank
    extra = 0
    fields = ["scope", "rank", "joint", "out_of", "source"]
    readonly_fields = ["source"]


@admin.register(CallAnswerMonth)
class CallAnswerMonthAdmin(ReleaseImportExportMixin, admin.ModelAdmin):
    import_resource = CallAnswerMonthResource
    export_resource = CallAnswerMonthExportResource
    import_help = [
        "The monthly 999 data file from police.uk, as CSV or Excel (.xlsx): one row per force per month.",
        "Forces already held for a month are updated, never duplicated. Ranks are recomputed after the import.",
    ]

    list_display = [
        "force",
        "month_display",
        "total_calls",
        "mean_answer_display",
        "under_10s_display",
        "ranks_display",
    ]
    list_filter = ["force"]
    list_select_related = ["force"]
    search_fields = ["force__name", "force__full_name"]
    date_hierarchy = "month"
    ordering = ["force__name", "-month"]
    autocomplete_fields = ["force"]
    inlines = [CallAnswerRankInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("ranks")

    @admin.display(description="month", ordering="month")
    def month_display(self, obj):
        return date_format(obj.month, "F Y")

    @admin.display(description="mean answer time (s)", ordering="mean_answer_seconds")
    def mean_answer_display(self, obj):
        return calculations.seconds(obj.mean_answer_seconds)

    @admin.display(description="% under 10s", ordering="pct_under_10s")
    def under_10s_display(self, obj):
        return calculations.percent(obj.band_percent("under_10s"))

    @admin.display(description="ranks (national / MSG / regional)")
    def ranks_display(self, obj):
        return " / ".join(rank_cell(obj.rank_for(scope)) or "–" for scope in RANK_SCOPES)


@admin.register(CallAnswerRank)
class CallAnswerRankAdmin(admin.ModelAdmin):
    list_display = ["call_month", "scope", "rank", "joint", "out_of", "source"]
    list_filter = ["scope", "source", "call_month__force"]
    list_select_related = ["call_month__force"]
    search_fields = ["call_month__force__name"]
    ordering = ["-call_month__month", "call_month__force__name", "scope"]
    raw_id_fields = ["call_month"]


class RecordedCrimeFigureInline(admin.TabularInline):
    model = RecordedCrimeFigure
    extra = 0
    autocomplete_fields = ["force"]
    fields = ["force", "total"]


@admin.register(RecordedCrimePeriod)
class RecordedCrimePeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "published_on", "next_release_on", "next_period_end"]
    date_hierarchy = "period_end"
    ordering = ["-period_end"]
    inlines = [RecordedCrimeFigureInline]


@admin.register(RecordedCrimeFigure)
class RecordedCrimeFigureAdmin(ReleaseImportExportMixin, admin.ModelAdmin):
    import_resource = RecordedCrimeFigureResource
    export_resource = RecordedCrimeFigureExportResource
    import_help = [
        'ONS "Police force area data tables" as published (.xlsx, sheet "Table P1"), or that sheet saved as CSV.',
        "The year ending is read from the title row; country and region rows are skipped.",
    ]

    list_display = ["force", "period", "total"]
    list_filter = ["period", "force__kind"]
    list_select_related = ["force", "period"]
    search_fields = ["force__name", "force__full_name", "force__ons_code"]
    ordering = ["-period__period_end", "force__name"]
    autocomplete_fields = ["force"]


# --------------------------------------------------------------------------------------------
# National Crime and Policing Measures
# --------------------------------------------------------------------------------------------


@admin.register(PriorityArea)
class PriorityAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "no_force_data_note"]
    search_fields = ["name"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["name", "priority_area", "unit", "order"]
    list_filter = ["priority_area", "unit"]
    list_select_related = ["priority_area"]
    search_fields = ["name", "definition_heading", "definition"]
    ordering = ["priority_area__order", "order", "name"]
    filter_horizontal = ["components"]


class MeasureFigureInline(admin.TabularInline):
    model = MeasureFigure
    extra = 0


class PriorityAreaCommentaryInline(admin.StackedInline):
    model = PriorityAreaCommentary
    extra = 0


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "period_end", "previous_period_end", "baseline_period_end"]
    date_hierarchy = "period_end"
    ordering = ["-period_end"]
    inlines = [MeasureFigureInline, PriorityAreaCommentaryInline]


@admin.register(MeasureFigure)
class MeasureFigureAdmin(ReleaseImportExportMixin, admin.ModelAdmin):
    import_resource = MeasureFigureResource
    export_resource = MeasureFigureExportResource
    import_help = NCPM_TEMPLATE_HELP

    def get_urls(self):
        return [
            path(
                "import/template/",
                self.admin_site.admin_view(self.template_view),
                name="performance_measurefigure_import_template",
            ),
            *super().get_urls(),
        ]

    def template_view(self, request):
        """The documented NCPM template, one row per measure, as CSV."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        response = HttpResponse(
            SafeCSV().export_data(ncpm_template()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="ncpm-figures-template.csv"'
        return response

    list_display = ["measure", "period", "latest", "previous", "baseline"]
    list_filter = ["period", "measure__priority_area"]
    list_select_related = ["measure", "period"]
    search_fields = ["measure__name"]
    ordering = ["-period__period_end", "measure__priority_area__order", "measure__order", "measure__name"]


@admin.register(PriorityAreaCommentary)
class PriorityAreaCommentaryAdmin(admin.ModelAdmin):
    list_display = ["priority_area", "period"]
    list_filter = ["period", "priority_area"]
    list_select_related = ["priority_area", "period"]
    search_fields = ["priority_area__name", "body"]
    ordering = ["-period__period_end", "priority_area__order", "priority_area__name"]


# --------------------------------------------------------------------------------------------
# Reporting channels and the document library
# --------------------------------------------------------------------------------------------


@admin.register(ReportingChannel)
class ReportingChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "contact", "is_emergency", "order"]
    list_filter = ["is_emergency"]
    search_fields = ["name", "contact", "description"]
    ordering = ["order", "name"]


class PageSectionInline(admin.StackedInline):
    model = PageSection
    extra = 0


@admin.register(LibraryPage)
class LibraryPageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "template", "order"]
    list_filter = ["template"]
    search_fields = ["title", "slug", "summary"]
    ordering = ["order", "title"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PageSectionInline]


@admin.register(PageSection)
class PageSectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "page", "slot", "order"]
    list_filter = ["page", "slot"]
    list_select_related = ["page"]
    search_fields = ["heading", "body", "page__title"]
    ordering = ["page__order", "page__title", "slot", "order"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "published_on"]
    list_filter = ["category"]
    search_fields = ["title", "summary"]
    date_hierarchy = "published_on"
    ordering = ["-published_on", "title"]


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    """A read-only record of every confirmed import."""

    list_display = [
        "created_at",
        "resource",
        "file_name",
        "user",
        "rows_new",
        "rows_updated",
        "rows_unchanged",
    ]
    list_filter = ["resource"]
    list_select_related = ["user"]
    search_fields = ["file_name", "sha256", "user__username"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
