"""Which national priorities apply in the office's area: carried forward from quarter to quarter.

The Specified Information Order asks, with each statement on the measures, which national
priorities apply in the area and which do not, and why. That rarely changes, so a new quarter
(made by an import or by hand) starts with the latest earlier quarter's answers: a draft with the
quarter, which staff change where something changed and a Publisher publishes with it.
"""

from django.db.models.signals import post_save

from performance.crime.models.ncpm import PriorityApplicability, ReportingPeriod
from performance.publishing import gate as publication


def applicability_carry_forward(*, period: ReportingPeriod) -> list[PriorityApplicability]:
    """Copy the applicability of the latest earlier quarter that has any into ``period`` (for
    the areas ``period`` has none for yet). Written for the system: the quarter is new, and the
    copy says only what the office already published. Returns the rows written."""
    earlier = (
        ReportingPeriod.objects.filter(period_end__lt=period.period_end, applicability__isnull=False)
        .order_by("-period_end")
        .values_list("pk", flat=True)
        .first()
    )
    if earlier is None:
        return []
    held = set(period.applicability.values_list("priority_area_id", flat=True))
    written = []
    with publication.acting_as(publication.SYSTEM):
        for row in PriorityApplicability.objects.filter(period_id=earlier).exclude(priority_area_id__in=held):
            copy = PriorityApplicability(
                period=period, priority_area_id=row.priority_area_id, applies=row.applies, reason=row.reason
            )
            copy.save()
            written.append(copy)
    return written


def reporting_period_saved(sender, instance: ReportingPeriod, created: bool, raw: bool = False, **kwargs):
    if created and not raw:  # not a fixture's row: a fixture brings its own
        applicability_carry_forward(period=instance)


post_save.connect(reporting_period_saved, sender=ReportingPeriod, dispatch_uid="applicability_carry_forward")
