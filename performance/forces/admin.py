"""Staff admin for forces, their aliases and groups, and the site's settings."""

from django.contrib import admin

from performance.forces.models import Force, ForceAlias, ForceGroup, ForceGroupMembership, SiteSettings
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
