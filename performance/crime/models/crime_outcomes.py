"""Crime outcomes open data (Home Office, Police Force Area tables): each force's outcomes per
quarter, offence and outcome type as released, and the charge/summons rates computed from them
with the recorded crime open data, published with their NCPM quarter."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from performance.crime.models.ncpm import Measure, ReportingPeriod
from performance.crime.models.open_data import Offence
from performance.forces.models import Force
from performance.publishing.models import Content, Publication, Revised
from performance.shared import shares
from performance.shared.significance import Interval

CHARGED_SUMMONSED = 1  # the Home Office Counting Rules' outcome type 1, "Charged/Summonsed"


class OutcomeCount(models.Model):
    """Outcomes a force assigned in one financial quarter to one offence, of one outcome type:
    the outcomes open data's rows, with both of its counts."""

    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="outcome_counts", help_text="The police force area."
    )
    quarter_end = models.DateField(
        db_index=True,
        help_text="Last day of the financial quarter the outcomes were assigned in (Q1 = April to "
        "June: 30 June).",
    )
    offence = models.ForeignKey(
        Offence,
        on_delete=models.PROTECT,
        related_name="outcome_counts",
        help_text="The offence, named as in the recorded crime open data (code, description, group, subgroup).",
    )
    outcome_type = models.PositiveSmallIntegerField(
        help_text='The Outcome Type number of the Home Office Counting Rules, e.g. 1 for "Charged/Summonsed".'
    )
    outcome_description = models.CharField(
        max_length=250, help_text='The Outcome Description as published, e.g. "Charged/Summonsed".'
    )
    outcome_group = models.CharField(
        max_length=150, help_text='The Outcome Group as published, e.g. "Charged/Summonsed".'
    )
    recorded_in_quarter = models.IntegerField(
        help_text="Outcomes assigned in the quarter to offences recorded in the same quarter, as "
        "published (a number of outcomes)."
    )
    recorded_earlier = models.IntegerField(
        help_text="Outcomes assigned in the quarter to offences recorded in earlier quarters, as "
        "published (a number of outcomes)."
    )

    publication = Publication.not_content(
        "the crime outcomes open data as released: the public reads only the charge rates "
        "computed from it into a quarter that a Publisher then published"
    )

    class Meta:
        permissions = [("import_outcomecount", "Can import the crime outcomes open data")]
        ordering = ["force", "quarter_end", "offence", "outcome_type"]
        verbose_name = "crime outcome count"
        constraints = [
            models.UniqueConstraint(
                fields=["force", "quarter_end", "offence", "outcome_type"],
                name="unique_force_quarter_offence_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.force} {self.quarter_end}: {self.offence}, outcome {self.outcome_type}"

    @property
    def outcomes(self) -> int:
        """Every outcome of this type assigned in the quarter, whenever the offence was recorded."""
        return self.recorded_in_quarter + self.recorded_earlier


class ChargeRateFigureQuerySet(models.QuerySet):
    def for_page(self, period, force):
        """``force``'s figures for ``period``, with their measures: one query."""
        return self.filter(period=period, force=force).select_related("measure")


class ChargeRateFigure(Content, Revised):
    """One force's charge/summons rate for an NCPM quarter's 12 months, for one measure (or all
    crime), with the year before and the comparisons: computed from the outcomes and recorded
    crime open data when either is imported (``crime.charge_rates``), public with its quarter."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="charge_rates", help_text="The quarter."
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charge_rates",
        help_text="The NCPM measure whose offences are counted; blank for all recorded crime "
        "(excluding fraud).",
    )
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="charge_rates", help_text="The police force area."
    )
    charges = models.PositiveIntegerField(
        help_text="Charged/Summonsed outcomes (type 1) assigned in the 12 months, whenever the "
        "offence was recorded (a number of outcomes)."
    )
    offences = models.PositiveIntegerField(help_text="Offences recorded in the same 12 months.")
    previous_charges = models.PositiveIntegerField(
        null=True, blank=True, help_text="Charges in the previous 12 months (blank: not held)."
    )
    previous_offences = models.PositiveIntegerField(
        null=True, blank=True, help_text="Offences recorded in the previous 12 months (blank: not held)."
    )
    interval_low = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Lower end of the rate's 95% Wilson interval, in percent (blank: no interval).",
    )
    interval_high = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Upper end of the rate's 95% Wilson interval, in percent (blank: no interval).",
    )
    msg_median_rate = models.DecimalField(
        "Most Similar Group median rate",
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="The median of the Most Similar Group's forces' rates, in percent (blank: fewer "
        "than two forces with a rate).",
    )
    england_wales_charges = models.PositiveIntegerField(
        null=True, blank=True, help_text="Charges summed over the forces of England and Wales with a rate."
    )
    england_wales_offences = models.PositiveIntegerField(
        null=True, blank=True, help_text="Offences recorded, summed over the same forces."
    )

    objects = ChargeRateFigureQuerySet.as_manager()

    publication = Publication.parent("period")

    class Meta:
        ordering = ["period", "force", "measure"]
        verbose_name = "charge/summons rate"
        constraints = [
            models.UniqueConstraint(
                fields=["period", "measure", "force"],
                condition=Q(measure__isnull=False),
                name="unique_period_measure_force_charge_rate",
            ),
            models.UniqueConstraint(
                fields=["period", "force"],
                condition=Q(measure__isnull=True),
                name="unique_period_force_all_crime_charge_rate",
            ),
        ]

    def __str__(self):
        return f"{self.force}, {self.measure or 'all crime'}, {self.period}"

    @property
    def rate(self) -> Decimal | None:
        return shares.share_percent(self.charges, self.offences)

    @property
    def previous_rate(self) -> Decimal | None:
        if self.previous_charges is None or self.previous_offences is None:
            return None
        return shares.share_percent(self.previous_charges, self.previous_offences)

    @property
    def england_wales_rate(self) -> Decimal | None:
        if self.england_wales_charges is None or self.england_wales_offences is None:
            return None
        return shares.share_percent(self.england_wales_charges, self.england_wales_offences)

    @property
    def interval(self) -> Interval | None:
        if self.interval_low is None or self.interval_high is None:
            return None
        return Interval(low=self.interval_low / 100, high=self.interval_high / 100)

    @property
    def what(self) -> str:
        return "all recorded crime" if self.measure_id is None else self.measure.name
