"""Staff admin for forces, their aliases and groups, and the site's settings."""

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from performance.forces import population
from performance.forces.models import (
    Force,
    ForceAlias,
    ForceGroup,
    ForceGroupMembership,
    ForcePopulation,
    SiteSettings,
)
from performance.publishing.admin import ContentAdmin, GatedInline


class ForceAliasInline(GatedInline, admin.TabularInline):
    model = ForceAlias
    extra = 1


class ForceGroupMembershipInline(GatedInline, admin.TabularInline):
    model = ForceGroupMembership
    autocomplete_fields = ["force"]
    extra = 1


@admin.register(Force)
class ForceAdmin(ContentAdmin):
    list_display = ["name", "full_name", "ons_code", "police_uk_id", "region", "kind"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "full_name", "ons_code", "police_uk_id", "aliases__alias"]
    ordering = ["name"]
    inlines = [ForceAliasInline]


@admin.register(ForceAlias)
class ForceAliasAdmin(ContentAdmin):
    list_display = ["alias", "force"]
    list_filter = ["force"]
    list_select_related = ["force"]
    search_fields = ["alias", "force__name", "force__full_name"]
    ordering = ["alias"]
    autocomplete_fields = ["force"]


@admin.register(ForceGroup)
class ForceGroupAdmin(ContentAdmin):
    list_display = ["name", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    ordering = ["name"]
    inlines = [ForceGroupMembershipInline]


@admin.register(ForceGroupMembership)
class ForceGroupMembershipAdmin(ContentAdmin):
    list_display = ["force", "group"]
    list_filter = ["group"]
    list_select_related = ["force", "group"]
    search_fields = ["force__name", "group__name"]
    ordering = ["group__name", "force__name"]
    autocomplete_fields = ["force"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(ContentAdmin):
    """A single row: it can be added once and never deleted."""

    list_display = [
        "office_name",
        "home_force",
        "answer_target_percent",
        "answer_target_seconds",
        "national_comparison",
    ]
    list_select_related = ["home_force"]
    search_fields = ["office_name", "commissioner_name"]
    ordering = ["pk"]
    autocomplete_fields = ["home_force"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class PopulationImportForm(forms.Form):
    year = forms.IntegerField(
        label="Mid-year",
        min_value=1981,
        max_value=2100,
        help_text="The year of the estimates, e.g. 2022 for mid-2022 (residents on 30 June 2022).",
    )
    estimates = forms.FileField(
        label="Population estimates",
        help_text='ONS "Estimates of the population for England and Wales" as .xlsx or CSV: the sheet '
        '"MYE2 - Persons", "MYE4" or "MYE5" (or the first sheet of a CSV), with a column of local '
        "authority codes (E06000001, W06000001 …), their names and the all-ages total for the year "
        '("All ages" or "Mid-2022"). Or a table with one row per police force area: its E23…/W15… '
        "code, name and population, with no lookup.",
    )
    lookup = forms.FileField(
        label="Lookup to police force areas",
        required=False,
        help_text='The ONS lookup "Local Authority District to Community Safety Partnership to Police '
        'Force Area" as CSV or .xlsx (columns LAD23CD, LAD23NM, CSP23CD, CSP23NM, PFA23CD, PFA23NM), '
        "for the same boundaries as the estimates. Leave empty for a table by police force area.",
    )
    source = forms.CharField(
        max_length=250,
        help_text='The publication, e.g. "ONS mid-year population estimates, mid-2022 (released 26 March 2024)".',
    )
    source_url = forms.URLField(
        label="Source address", required=False, help_text="Its address on ons.gov.uk, if it has one."
    )


POPULATION_SALT = "performance.forcepopulation.import"
POPULATION_PREVIEW_SECONDS = 60 * 60


@admin.register(ForcePopulation)
class ForcePopulationAdmin(ContentAdmin):
    """Residents per force area and mid-year: typed by a Publisher with its source, or imported
    from the ONS estimates (preview, then confirm: all or nothing)."""

    list_display = ["force", "year", "population", "source"]
    list_filter = ["year"]
    list_select_related = ["force"]
    search_fields = ["force__name", "source"]
    ordering = ["-year", "force__name"]
    autocomplete_fields = ["force"]
    change_list_template = "admin/performance/forcepopulation/change_list.html"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        population.populations_changed_send()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        population.populations_changed_send()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        population.populations_changed_send()

    def get_urls(self):
        urls = [
            path(
                "import-estimates/",
                self.admin_site.admin_view(self.estimates_import_view),
                name="performance_forcepopulation_estimates",
            )
        ]
        return urls + super().get_urls()

    def estimates_import_view(self, request):
        """Upload, preview (each force's residents), confirm. The preview's figures travel to the
        confirmation signed, so what is written is exactly what was shown."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import populations",
        }
        if request.method == "POST" and "confirm" in request.POST:
            try:
                payload = signing.loads(
                    request.POST.get("payload", ""), salt=POPULATION_SALT, max_age=POPULATION_PREVIEW_SECONDS
                )
                written = population.populations_save(
                    year=payload["year"],
                    populations={int(key): value for key, value in payload["populations"].items()},
                    source=payload["source"],
                    source_url=payload["source_url"],
                )
            except signing.BadSignature:
                self.message_user(
                    request,
                    "The preview has expired or was changed: nothing was saved. Upload the files again.",
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.path)
            except (population.PopulationRefused, ValidationError) as refused:
                self.message_user(request, f"Nothing was saved: {refused}", messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(
                request, f"Saved the mid-{payload['year']} populations of {written} force areas."
            )
            return HttpResponseRedirect(reverse("admin:performance_forcepopulation_changelist"))
        form = PopulationImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            lookup = data["lookup"]
            try:
                result = population.populations_from_files(
                    estimates=data["estimates"].read(),
                    estimates_name=data["estimates"].name,
                    lookup=lookup.read() if lookup else None,
                    lookup_name=lookup.name if lookup else "",
                    year=data["year"],
                )
            except population.PopulationRefused as refused:
                context["problems"] = refused.problems
            else:
                held = ForcePopulation.objects.for_year(data["year"])
                context.update(
                    result=result,
                    rows=[(area, held.get(area.force.pk)) for area in result.areas],
                    payload=signing.dumps(
                        {
                            "year": data["year"],
                            "source": data["source"],
                            "source_url": data["source_url"],
                            "populations": {str(area.force.pk): area.population for area in result.areas},
                        },
                        salt=POPULATION_SALT,
                    ),
                )
        context["form"] = form
        return TemplateResponse(request, "admin/performance/forcepopulation/import.html", context)
