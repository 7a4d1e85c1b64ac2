"""Staff admin of the site as a whole: what it must publish (``RequiredItem``) and the checklist
of where each item is and whether it is overdue, which reads across the domains
(``checklist``). Registered when ``performance/admin.py`` imports this module."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from performance.publishing.admin import ContentAdmin
from performance.publishing.models import RequiredItem
from performance.site.checklist import checklist


@admin.register(RequiredItem)
class RequiredItemAdmin(ContentAdmin):
    """What the site must publish (as data), and the checklist of where each is and whether it is overdue."""

    list_display = ["name", "rule", "category", "refresh_days", "order"]
    list_select_related = ["category"]
    search_fields = ["name", "requirement"]
    ordering = ["order", "name"]
    change_list_template = "admin/performance/requireditem/change_list.html"

    def get_urls(self):
        checklist_url = path(
            "checklist/",
            self.admin_site.admin_view(self.checklist_view),
            name="performance_requireditem_checklist",
        )
        return [checklist_url, *super().get_urls()]

    def checklist_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "What the site must publish: checklist",
            "opts": self.opts,
            "rows": checklist(),
        }
        return TemplateResponse(request, "admin/performance/requireditem/checklist.html", context)
