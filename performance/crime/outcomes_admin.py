"""The crime outcomes open data's staff pages: its outcome counts (read only), its Import page
(``recorded_crime_admin.OpenDataImportAdmin``, as the recorded crime open data's). The
charge/summons rates computed from it are shown on their quarter's page (a staff member's preview
shows a draft's)."""

from django.contrib import admin

from performance.crime.models.crime_outcomes import OutcomeCount
from performance.crime.outcomes_file import OUTCOMES
from performance.crime.outcomes_tasks import outcomes_confirm, outcomes_preview
from performance.crime.recorded_crime_admin import OpenDataImportAdmin
from performance.shared import calculations


@admin.register(OutcomeCount)
class OutcomeCountAdmin(OpenDataImportAdmin):
    """The outcomes open data's counts, and its Import page."""

    preview_task = outcomes_preview
    confirm_task = outcomes_confirm
    import_title = "Import crime outcomes open data"
    import_template = "admin/performance/outcomes_import.html"
    layout = OUTCOMES
    list_display = [
        "quarter_end",
        "force",
        "offence",
        "subgroup",
        "outcome_type",
        "outcome_description",
        "in_quarter_display",
        "earlier_display",
    ]
    list_filter = ["quarter_end", "outcome_type", "force__kind", "offence__group", "force"]
    list_select_related = ["force", "offence"]
    search_fields = ["force__name", "offence__code", "offence__description", "outcome_description"]
    date_hierarchy = "quarter_end"
    ordering = ["-quarter_end", "force__name", "offence__code", "outcome_type"]

    @admin.display(description="for offences recorded in the quarter", ordering="recorded_in_quarter")
    def in_quarter_display(self, obj):
        return calculations.thousands(obj.recorded_in_quarter)

    @admin.display(description="for offences recorded earlier", ordering="recorded_earlier")
    def earlier_display(self, obj):
        return calculations.thousands(obj.recorded_earlier)
