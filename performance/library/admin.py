"""Staff admin for the reporting channels, the library's pages and sections, and the document
library: documents, their categories and meetings."""

from django.contrib import admin

from performance.library.models import (
    Document,
    DocumentCategory,
    LibraryPage,
    Meeting,
    PageSection,
    ReportingChannel,
)
from performance.publishing.admin import ContentAdmin, GatedInline, PublishableAdmin
from performance.shared.richtext import RichTextAdminMixin


@admin.register(ReportingChannel)
class ReportingChannelAdmin(RichTextAdminMixin, ContentAdmin):
    list_display = ["name", "contact", "is_emergency", "order"]
    list_filter = ["is_emergency"]
    search_fields = ["name", "contact", "description"]
    ordering = ["order", "name"]


class PageSectionInline(GatedInline, admin.StackedInline):
    model = PageSection
    extra = 0


@admin.register(LibraryPage)
class LibraryPageAdmin(RichTextAdminMixin, PublishableAdmin):
    list_display = ["title", "publication_state", "slug", "template", "order"]
    list_filter = ["template"]
    search_fields = ["title", "slug", "summary"]
    ordering = ["order", "title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["documents"]
    inlines = [PageSectionInline]


@admin.register(PageSection)
class PageSectionAdmin(RichTextAdminMixin, ContentAdmin):
    list_display = ["__str__", "page", "slot", "order"]
    list_filter = ["page", "slot"]
    list_select_related = ["page"]
    search_fields = ["heading", "body", "page__title"]
    ordering = ["page__order", "page__title", "slot", "order"]


@admin.register(Document)
class DocumentAdmin(PublishableAdmin):
    list_display = ["title", "publication_state", "category", "meeting", "published_on"]
    list_filter = ["category"]
    list_select_related = ["category", "meeting"]
    search_fields = ["title", "summary"]
    date_hierarchy = "published_on"
    ordering = ["-published_on", "title"]
    autocomplete_fields = ["meeting"]


@admin.register(DocumentCategory)
class DocumentCategoryAdmin(ContentAdmin):
    list_display = ["name", "slug", "order", "description"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["order", "name"]


class MeetingDocumentInline(GatedInline, admin.TabularInline):
    """A meeting's agenda, papers and minutes: listed here, edited on their own pages."""

    model = Document
    fields = ["title", "meeting_part", "publication_state", "published_on"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(PublishableAdmin):
    list_display = ["title", "publication_state", "held_on"]
    search_fields = ["title", "summary"]
    date_hierarchy = "held_on"
    ordering = ["-held_on", "title"]
    inlines = [MeetingDocumentInline]
