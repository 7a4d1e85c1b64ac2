"""The National Crime and Policing Measures: priority areas and their measures, the quarters with
their figures, the Commissioner's statements and commentaries, and revisions of published figures."""

import datetime
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.text import slugify

from performance.publishing.models import (
    Content,
    Publication,
    Publishable,
    PublishableQuerySet,
    Revised,
    WaitingRevision,
)
from performance.shared import calculations, significance
from performance.shared.richtext import KEPT, RichTextField


class PriorityArea(Content):
    name = models.CharField(
        max_length=200, unique=True, help_text='As the Home Office words it, e.g. "Reduce Serious Violence".'
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        blank=True,
        help_text='Used in data download addresses, e.g. "reduce-serious-violence". Left blank, it is made from the name.',
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position on the page (lowest first).")
    no_force_data_note = models.CharField(
        max_length=250,
        blank=True,
        help_text="Shown instead of a table when there is no force-level police data, e.g. "
        '"Non police data not yet available." for cyber crime.',
    )

    publication = Publication.always_public()

    class Meta:
        permissions = [("publish_priorityarea", "Can change priority areas (public as soon as saved)")]
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.slug = self.slug or slugify(self.name)[:100]
        super().save(*args, **kwargs)


class Measure(Content):
    class Unit(models.TextChoices):
        COUNT = "count", "Count of offences"
        PERCENT = "percent", "Percentage"

    priority_area = models.ForeignKey(
        PriorityArea, on_delete=models.PROTECT, related_name="measures", help_text="The table it appears in."
    )
    name = models.CharField(
        max_length=200, unique=True, help_text='As in the NCPM tables, e.g. "All violence with injury".'
    )
    unit = models.CharField(
        max_length=10,
        choices=Unit.choices,
        default=Unit.COUNT,
        help_text="Counts are compared in percent; percentages (e.g. victim satisfaction) in "
        "percentage points.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in its table.")
    components = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="totals",
        help_text="Measures that add up to this one (neighbourhood crime = residential burglary + "
        "vehicle offences + theft from the person + robbery).",
    )
    offence_subgroups = models.JSONField(
        default=list,
        blank=True,
        help_text="For a police-recorded measure: the Offence Subgroups of the Home Office's recorded "
        'crime open data it counts, e.g. ["Residential burglary", "Domestic burglary"] (list the '
        "names older years used too). Case, spacing and dashes do not matter, and a code counted "
        "under one of these keeps counting when a later year renames the subgroup. Blank for a "
        "measure supplied by the force (entered by hand).",
    )
    offence_codes = models.JSONField(
        default=list,
        blank=True,
        help_text='Offence Codes it counts besides its subgroups, as text in quotes: ["1"] for '
        'murder only; "4.10" and "4.1" are different offences. One code each: a combined code '
        'such as "1/4.1" is refused.',
    )
    definition_heading = models.CharField(
        max_length=100, blank=True, help_text='Heading in the appendix, e.g. "Homicide".'
    )
    definition = RichTextField(blank=True, help_text="Appendix definition: what the measure counts. " + KEPT)

    publication = Publication.always_public()

    class Meta:
        permissions = [("publish_measure", "Can change measure definitions (public as soon as saved)")]
        ordering = ["priority_area__order", "order", "name"]

    def __str__(self):
        return self.name

    @property
    def is_percent(self) -> bool:
        return self.unit == self.Unit.PERCENT

    def clean(self):
        """Subgroups and codes are lists of text, as the open data spells them: a code typed as a
        number (4.1) cannot be told from 4.10, so it must be in quotes."""
        errors = {}
        for field_name, noun, example in (
            ("offence_subgroups", "offence subgroup", '["Violence with injury"]'),
            ("offence_codes", "offence code", '["1", "4.10"]'),
        ):
            value = getattr(self, field_name)
            if not isinstance(value, list):
                errors[field_name] = f"Give a list, e.g. {example}, or [] for none."
                continue
            problems = []
            for item in value:
                if field_name == "offence_codes":
                    problem = calculations.offence_code_problem(item)
                    if problem is None and not isinstance(item, str):
                        problem = "is a number: put each code in quotes, as text."
                elif not isinstance(item, str) or not item.strip():
                    problem = "is not a name: put each subgroup in quotes, as text."
                else:
                    problem = None
                if problem:
                    problems.append(f"{json.dumps(item, ensure_ascii=False)} {problem}")
            if problems:
                errors[field_name] = [
                    *problems,
                    f"Give each {noun} in quotes, as the open data spells it, e.g. {example}.",
                ]
            else:
                setattr(self, field_name, [" ".join(item.split()) for item in value])
        if errors:
            raise ValidationError(errors)


class ReportingPeriodQuerySet(PublishableQuerySet):
    def with_figures(self):
        """Periods with their figures and commentary, ready for the page in a fixed number of queries."""
        return self.prefetch_related(
            Prefetch(
                "figures",
                queryset=MeasureFigure.objects.select_related("measure").order_by(
                    "measure__priority_area__order", "measure__order", "measure__name"
                ),
            ),
            "commentaries",
        )


QUARTER_END_REQUIRED = (
    "The 12 months must end on the last day of a quarter: 31 March, 30 June, 30 September or "
    "31 December (e.g. 30/06/2023)."
)


class ReportingPeriod(Content, Publishable):
    """An NCPM quarter: the latest 12 months, the 12 months before and the 2019 baseline."""

    period_end = models.DateField(
        "12 months ending", unique=True, help_text="Last day of the latest 12 months, e.g. 30/06/2023."
    )
    previous_period_end = models.DateField(
        "previous 12 months ending",
        blank=True,
        help_text="Last day of the previous 12 months. Left blank, it is one year before.",
    )
    baseline_period_end = models.DateField(
        "2019 baseline ending",
        blank=True,
        help_text="Last day of the pre-pandemic baseline year. Left blank, it is the same day in 2019.",
    )

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        permissions = [("publish_reportingperiod", "Can publish NCPM quarters")]
        ordering = ["-period_end"]
        verbose_name = "NCPM reporting period"

    def __str__(self):
        return f"12 months to {self.period_end.day} {self.period_end:%B %Y}"

    def save(self, *args, **kwargs):
        self.fill_comparison_periods()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("performance:ncpm-period", args=[f"{self.period_end:%Y-%m}"])

    def fill_comparison_periods(self):
        """Default the previous period to a year earlier and the baseline to the same day in 2019."""
        if self.period_end:
            if not self.previous_period_end:
                self.previous_period_end = calculations.same_day_years_earlier(self.period_end, 1)
            if not self.baseline_period_end:
                self.baseline_period_end = calculations.same_day_in_year(self.period_end, 2019)

    def clean(self):
        self.fill_comparison_periods()
        errors = {}
        if self.period_end and not calculations.is_quarter_end(self.period_end):
            errors["period_end"] = QUARTER_END_REQUIRED
        if self.period_end and self.previous_period_end >= self.period_end:
            errors["previous_period_end"] = "The previous 12 months must end before the latest 12 months."
        if self.period_end and self.baseline_period_end >= self.period_end:
            errors["baseline_period_end"] = "The baseline must end before the latest 12 months."
        if errors:
            raise ValidationError(errors)


class CommissionerStatement(Content):
    """The Commissioner's statement on the force's contribution to the National Crime and Policing
    Measures for a quarter, as the Specified Information Order requires after each release: shown
    on the Police Data page and the quarter's page, public with its quarter."""

    period = models.OneToOneField(
        ReportingPeriod, on_delete=models.CASCADE, related_name="statement", help_text="The quarter."
    )
    title = models.CharField(
        max_length=200, default="The Commissioner's statement", help_text="The statement's heading."
    )
    body = RichTextField(help_text="The statement. " + KEPT)
    documents = models.ManyToManyField(
        "Document",
        blank=True,
        related_name="statements",
        help_text="Documents it links to, e.g. the Commissioner's response to the ONS release.",
    )

    publication = Publication.parent("period")

    class Meta:
        verbose_name = "Commissioner's statement"

    def __str__(self):
        return f"{self.title} ({self.period})"


class MeasureFigure(Content, Revised):
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="figures", help_text="The quarter."
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        related_name="figures",
        help_text="The measure these figures are for.",
    )
    latest = models.DecimalField(
        "most recent 12 months",
        max_digits=12,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Offences (a whole number) or, for a percentage measure, the percentage (0 to 100).",
    )
    previous = models.DecimalField(
        "previous 12 months",
        max_digits=12,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0))],
        help_text="The same measure for the previous 12 months.",
    )
    baseline = models.DecimalField(
        "2019 baseline",
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="The same measure for the 12 months to the same quarter of 2019.",
    )
    comparison = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="How the home force's change compares with other forces', computed from the "
        'recorded crime open data (``ncpm.ncpm_figures_update``): for "previous" and '
        "\"baseline\", the Most Similar Group's median percent change and the force's position "
        "among the national comparison set's forces (site settings). Empty for a figure entered by hand.",
    )
    revisions_applied = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The revisions of this published figure a Publisher applied, oldest first: the "
        'day and each figure from → to, e.g. [{"applied_on": "2026-12-02", "changes": [["latest", '
        '"2.0", "3.0"]]}]. Written when a ``MeasureFigureRevision`` is applied (those rows are the '
        "record); kept here so that the page shows it without another query.",
    )

    publication = Publication.parent("period")

    class Meta:
        permissions = [
            ("import_measurefigure", "Can import NCPM figures"),
            ("export_measurefigure", "Can export NCPM figures"),
        ]
        ordering = ["period", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["period", "measure"], name="unique_period_measure"),
            models.CheckConstraint(
                condition=Q(latest__gte=0)
                & Q(previous__gte=0)
                & (Q(baseline__gte=0) | Q(baseline__isnull=True)),
                name="measure_figures_gte_0",
            ),
        ]

    def __str__(self):
        return f"{self.measure}, {self.period}"

    def clean(self):
        if not self.measure_id:
            return
        errors = {}
        for field in ("latest", "previous", "baseline"):
            value = getattr(self, field)
            if value is None:
                continue
            if self.measure.is_percent:
                if value > 100:
                    errors[field] = f"{value} is not a percentage: enter a number from 0 to 100."
            elif value != value.to_integral_value():
                errors[field] = f"{value} is not a whole number of offences."
        if errors:
            raise ValidationError(errors)

    def difference(self, against: str) -> calculations.Difference | None:
        other = getattr(self, against)
        if other is None:
            return None
        return calculations.difference(self.latest, other, percent_measure=self.measure.is_percent)

    @property
    def against_previous(self):
        return self.difference("previous")

    @property
    def against_baseline(self):
        return self.difference("baseline")

    def change_test(self, against: str) -> significance.ChangeTest | None:
        """Whether the change from ``against`` ("previous" or "baseline") is larger than chance,
        from this figure's own counts; None for a percentage measure (not a count of offences)
        and when the ``against`` figure is not held."""
        earlier = getattr(self, against)
        if earlier is None or self.measure.is_percent:
            return None
        return significance.change_test(int(self.latest), int(earlier))

    def revision_notices(self) -> list[str]:
        """The "Revised on …" notice of each revision a Publisher applied to this figure."""
        return [
            calculations.revised_on_text(
                datetime.date.fromisoformat(entry["applied_on"]),
                revision_text(self.measure, entry["changes"]),
            )
            for entry in self.revisions_applied
        ]


class MeasureFigureRevision(WaitingRevision):
    """A change to a published quarter's computed figures, waiting for a Publisher.

    A figure the public has seen never changes silently when the open data is revised: the
    recomputation records the figures it would write here, and a Publisher applies them
    (``ncpm.ncpm_revisions_apply``, or by publishing the quarter again). Once applied, the
    quarter page says "Revised on …" with each change from the old value to the new one.
    ``before_*`` are empty when the quarter had no figure for the measure.
    """

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="revisions", help_text="The quarter."
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="revisions", help_text="The measure."
    )
    before_latest = models.DecimalField(
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="The published most recent 12 months.",
    )
    before_previous = models.DecimalField(
        max_digits=12, decimal_places=1, null=True, blank=True, help_text="The published previous 12 months."
    )
    before_baseline = models.DecimalField(
        max_digits=12, decimal_places=1, null=True, blank=True, help_text="The published 2019 baseline."
    )
    before_comparison = models.JSONField(default=dict, blank=True, help_text="The published comparison.")
    latest = models.DecimalField(
        "most recent 12 months", max_digits=12, decimal_places=1, help_text="The recomputed figure."
    )
    previous = models.DecimalField(
        "previous 12 months", max_digits=12, decimal_places=1, help_text="The recomputed figure."
    )
    baseline = models.DecimalField(
        "2019 baseline",
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="The recomputed figure.",
    )
    comparison = models.JSONField(default=dict, blank=True, help_text="The recomputed comparison.")

    class Meta:
        ordering = ["period", "measure", "computed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "measure"],
                condition=Q(applied_at__isnull=True),
                name="one_pending_revision_per_figure",
            ),
        ]

    def __str__(self):
        return f"Revision of {self.measure}, {self.period}"

    def changes(self) -> list[tuple[str, Decimal | None, Decimal | None]]:
        """(field, from, to) for each figure that changes."""
        return [
            (field, getattr(self, f"before_{field}"), getattr(self, field))
            for field in REVISED_FIGURES
            if getattr(self, f"before_{field}") != getattr(self, field)
        ]

    @property
    def notice(self) -> str:
        return revision_text(self.measure, self.changes())


REVISED_FIGURES = {
    "latest": "most recent 12 months",
    "previous": "previous 12 months",
    "baseline": "2019 baseline",
}


def revision_text(measure: Measure, changes) -> str:
    """A revision's wording (``calculations.revision_text``) from (field, from, to) triples."""
    return calculations.revision_text(
        measure.name,
        [
            (
                REVISED_FIGURES[field],
                *(None if value is None else Decimal(value) for value in (before, after)),
            )
            for field, before, after in changes
        ],
        percent_measure=measure.is_percent,
    )


class PriorityAreaCommentary(Content, Revised):
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="commentaries", help_text="The quarter."
    )
    priority_area = models.ForeignKey(
        PriorityArea, on_delete=models.PROTECT, related_name="commentaries", help_text="The priority area."
    )
    body = RichTextField(help_text="The supplementary comment for this priority area and quarter. " + KEPT)

    publication = Publication.parent("period")

    class Meta:
        ordering = ["period", "priority_area"]
        verbose_name_plural = "priority area commentaries"
        constraints = [
            models.UniqueConstraint(fields=["period", "priority_area"], name="unique_period_area_commentary"),
        ]

    def __str__(self):
        return f"{self.priority_area}, {self.period}"


class PriorityApplicability(Content, Revised):
    """Whether a national priority applies in the office's area for a quarter, and why not when
    it does not: the Specified Information Order (as amended in 2021, SI 2021/547) asks for it
    with the statement on the measures. Public with its quarter; a new quarter starts with the
    latest earlier quarter's (``crime.applicability``), so staff change only what changed."""

    YES_NO = [(True, "Yes"), (False, "No")]

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="applicability", help_text="The quarter."
    )
    priority_area = models.ForeignKey(
        PriorityArea,
        on_delete=models.PROTECT,
        related_name="applicability",
        help_text="The national priority, as the Home Office words it.",
    )
    applies = models.BooleanField(
        "applies in the area",
        choices=YES_NO,
        help_text="Yes: the priority applies in the force's area and the statement covers it. No: "
        "it does not apply here (say why).",
    )
    reason = models.TextField(
        "why",
        blank=True,
        max_length=1000,
        help_text="Required when it does not apply: why not, in plain words for residents, e.g. "
        '"The force has no county lines activity: drugs supply is tackled under serious violence." '
        "Optional when it applies. Plain text, no formatting.",
    )

    publication = Publication.parent("period")

    class Meta:
        ordering = ["period", "priority_area__order", "priority_area__name"]
        verbose_name = "national priority's applicability"
        verbose_name_plural = "national priorities' applicability"
        constraints = [
            models.UniqueConstraint(
                fields=["period", "priority_area"], name="unique_period_area_applicability"
            ),
            models.CheckConstraint(
                condition=Q(applies=True) | ~Q(reason=""), name="applicability_reason_when_not_applying"
            ),
        ]

    def __str__(self):
        return f"{self.priority_area}, {self.period}"

    def clean(self):
        self.reason = self.reason.strip()
        if self.applies is False and not self.reason:
            raise ValidationError({"reason": APPLICABILITY_REASON_REQUIRED})


APPLICABILITY_REASON_REQUIRED = "Say why this priority does not apply in the area: residents are told."
