"""Staff admin for 999 calls: the monthly answering figures (imported from police.uk) and their
ranks, computed or entered by hand."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.dateformat import format as date_format

from performance.calls.models import CallAnswerMonth, CallAnswerRank
from performance.calls.resources import CallAnswerMonthExportResource, CallAnswerMonthResource
from performance.forces.models import SiteSettings
from performance.imports.admin import ReleaseImportExportMixin
from performance.publishing.admin import GatedAdmin, GatedInline, PublishableAdmin
from performance.shared import calculations
from performance.shared.tables import RANK_SCOPES, rank_cell

COMPUTED_RANKS_HELD = (
    "This month's ranks are computed from the national data held for it, so none can be entered "
    "by hand. The month shows its computed ranks."
)


def is_computed(rank) -> bool:
    return rank is not None and rank.source == CallAnswerRank.Source.COMPUTED


class EnteredRankForm(forms.ModelForm):
    """A rank entered by hand, as published: only for a month whose ranks are not computed."""

    def clean(self):
        cleaned = super().clean()
        month = cleaned.get("call_month")
        moving = self.instance._state.adding or "call_month" in self.changed_data
        if (
            moving
            and month is not None
            and month.pk is not None
            and CallAnswerRank.objects.filter(
                call_month=month, source=CallAnswerRank.Source.COMPUTED
            ).exists()
        ):
            raise ValidationError(COMPUTED_RANKS_HELD, code="ranks_computed")
        return cleaned


class CallAnswerRankInline(GatedInline, admin.TabularInline):
    """The month's ranks entered by hand; its computed ranks are shown read-only on the month."""

    model = CallAnswerRank
    form = EnteredRankForm
    extra = 0
    fields = ["scope", "rank", "joint", "out_of"]
    verbose_name_plural = "999 answering ranks entered by hand"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(source=CallAnswerRank.Source.ENTERED)


@admin.register(CallAnswerMonth)
class CallAnswerMonthAdmin(ReleaseImportExportMixin, PublishableAdmin):
    import_resource = CallAnswerMonthResource
    export_resource = CallAnswerMonthExportResource
    import_help = [
        "The monthly 999 data file from police.uk, as CSV or Excel (.xlsx): one row per force per month.",
        "Forces already held for a month are updated, never duplicated. Ranks are recomputed after the import.",
    ]

    list_display = [
        "force",
        "month_display",
        "publication_state",  # before the figures, so it shows on a laptop's screen
        "total_calls_display",
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
    readonly_fields = ["ranks_display"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_ranks()

    def review_set(self, obj):
        """A month is reviewed and published for every force at once: the ranks compare them."""
        drafts = CallAnswerMonth.objects.filter(month=obj.month, publish_at=None)
        return (drafts | CallAnswerMonth.objects.filter(pk=obj.pk)).order_by("pk")

    def review_name(self, obj) -> str:
        forces = CallAnswerMonth.objects.filter(month=obj.month, publish_at=None).count()
        others = forces - 1 if obj.publish_at is None else forces
        return f"999 calls, {obj.month:%B %Y}: {obj.force}" + (
            f" and {others} other force{'s' if others != 1 else ''}" if others > 0 else ""
        )

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "999 months", **(extra_context or {})})

    @admin.display(description="total calls", ordering="total_calls")
    def total_calls_display(self, obj):
        return calculations.thousands(obj.total_calls)

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
        """The ranks the public sees, marked when computed from the national data (not editable)."""
        ranks = [obj.rank_for(scope) for scope in RANK_SCOPES]
        text = " / ".join(rank_cell(rank) or "–" for rank in ranks)
        return f"{text} (computed)" if any(is_computed(rank) for rank in ranks) else text


@admin.register(CallAnswerRank)
class CallAnswerRankAdmin(GatedAdmin, admin.ModelAdmin):
    """Ranks entered by hand can be added, changed and deleted (as the publication gate allows).
    Computed ranks, the public's and the previews', can only be viewed: they follow the national
    data, and are recomputed whenever it changes."""

    form = EnteredRankForm
    list_display = ["call_month", "scope", "rank", "joint", "out_of", "source", "preview", "valid_from"]
    list_filter = ["scope", "source", "preview", "call_month__force"]
    list_select_related = ["call_month__force"]
    search_fields = ["call_month__force__name"]
    ordering = ["-call_month__month", "call_month__force__name", "scope", "preview", "valid_from"]
    raw_id_fields = ["call_month"]
    readonly_fields = ["source"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_computed(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_computed(obj)

    def delete_model(self, request, obj):
        """Deletes send no signal for ranks (see ``signals``): note the change here."""
        super().delete_model(request, obj)
        SiteSettings.content_changed()

    def delete_queryset(self, request, queryset):
        if queryset.filter(source=CallAnswerRank.Source.COMPUTED).exists():
            raise PermissionDenied
        super().delete_queryset(request, queryset)
        SiteSettings.content_changed()
