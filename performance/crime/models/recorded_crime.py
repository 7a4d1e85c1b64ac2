"""ONS police recorded crime: the "year ending" periods, each force area's figure from Table P1,
the Police Data page's headline and the revisions of a published figure's year before."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from performance.forces.models import Force
from performance.publishing.models import Content, Publication, Publishable, Revised, WaitingRevision
from performance.shared import calculations, rates, significance, tables


class RecordedCrimePeriod(Content, Publishable):
    """A "year ending" period of ONS police recorded crime, with the release that published it."""

    period_end = models.DateField(
        "year ending",
        unique=True,
        help_text="Last day of the 12 months, e.g. 30/06/2023 for year ending June 2023.",
    )
    published_on = models.DateField(
        null=True, blank=True, help_text="The day ONS published the police force area tables for this period."
    )
    next_release_on = models.DateField(
        null=True, blank=True, help_text="The day ONS will next publish (from the ONS release calendar)."
    )
    next_period_end = models.DateField(
        null=True, blank=True, help_text="Last day of the 12 months the next release will cover."
    )

    class Meta:
        permissions = [("publish_recordedcrimeperiod", "Can publish ONS recorded crime")]
        ordering = ["-period_end"]
        verbose_name = "ONS recorded crime period"

    def __str__(self):
        return f"Year ending {self.period_end:%B %Y}"

    def clean(self):
        errors = {}
        if self.next_release_on and self.published_on and self.next_release_on <= self.published_on:
            errors["next_release_on"] = "The next release must be after this one was published."
        if self.next_period_end and self.period_end and self.next_period_end <= self.period_end:
            errors["next_period_end"] = "The next release must cover a later period than this one."
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class RecordedCrimeHeadline:
    """The Police Data page's ONS headline: the latest published year for a force and the year
    before it, both as stored on the published figure.

    The year before is computed when the data is imported (``ons.ons_previous_update``), never
    when a page is read: from the recorded crime open data of the same release when it covers
    those 12 months ("open data", as revised), else from the Table P1 imported a year earlier
    ("Table P1", as first published). A change to a published figure's year before waits for a
    Publisher as a ``RecordedCrimeRevision``."""

    latest: "RecordedCrimeFigure"

    @property
    def period(self) -> RecordedCrimePeriod:
        return self.latest.period

    @property
    def previous_period_end(self) -> datetime.date:
        return calculations.same_day_years_earlier(self.period.period_end, 1)

    @property
    def previous_total(self) -> int | None:
        return self.latest.previous_total

    @property
    def previous_source(self) -> str:
        return self.latest.previous_source

    @property
    def sentence(self) -> str:
        """What the figures show for the force area, e.g. "police recorded crime (excluding
        fraud) in Norfolk decreased during this period by 6% (69,237 offences to 65,115)"."""
        return calculations.ons_headline_sentence(
            self.latest.force.name, self.latest.total, self.previous_total
        )

    @property
    def change_test(self) -> significance.ChangeTest | None:
        """Whether the change on the year before is larger than chance (None without a year
        before); the page prints its ``text``."""
        if self.previous_total is None:
            return None
        return significance.change_test(self.latest.total, self.previous_total)

    @property
    def source_sentence(self) -> str:
        """Which release each year comes from, e.g. "Both years come from that release: …" (empty
        when there is no year before)."""
        if self.previous_total is None:
            return ""
        return calculations.ons_releases_text(
            latest_published_on=self.period.published_on,
            previous_published_on=self.latest.previous_release_on,
            previous_source=self.previous_source,
        )

    def revision_notices(self) -> list[str]:
        return self.latest.revision_notices()

    @property
    def rate_sentence(self) -> str:
        """The latest year's rate per 1,000 residents, as stored on the figure ("" without one)."""
        return rates.stored_rate_sentence(self.latest.rates, force_name=self.latest.force.name)

    @property
    def rates_table(self):
        """The Most Similar Group's rates for the latest year, as stored on the figure (or None)."""
        return tables.rates_table(
            self.latest.rates,
            caption=f"Police recorded crime (excluding fraud) per 1,000 residents, 12 months to "
            f"{calculations.month_name(self.period.period_end)}: {self.latest.force.name} and similar forces",
        )


class RecordedCrimeFigureQuerySet(models.QuerySet):
    def headline_for(self, force, *, preview: bool = False) -> RecordedCrimeHeadline | None:
        """The latest published period's figure for ``force``, with the year before stored on it
        (any period, drafts included, for a staff preview). One query; no raw data is read."""
        figures = self.filter(force=force)
        if not preview:
            figures = figures.filter(period__publish_at__lte=timezone.now())
        latest = figures.select_related("period", "force").order_by("-period__period_end").first()
        return None if latest is None else RecordedCrimeHeadline(latest)


class RecordedCrimeFigure(Content, Revised):
    """One force area's police recorded crime for a "year ending" period, from ONS Table P1."""

    period = models.ForeignKey(
        RecordedCrimePeriod, on_delete=models.CASCADE, related_name="figures", help_text="The year ending."
    )
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="recorded_crime", help_text="The police force area."
    )
    total = models.PositiveIntegerField(
        "total recorded crime (excluding fraud)",
        help_text="Total recorded crime (excluding fraud), number of offences, from ONS Table P1.",
    )
    offence_groups = models.JSONField(
        default=dict,
        blank=True,
        help_text='Offences by offence group as in Table P1, e.g. {"Homicide": 5, "Robbery": 409}.',
    )
    previous_total = models.PositiveIntegerField(
        "the year before",
        null=True,
        blank=True,
        editable=False,
        help_text="Total recorded crime (excluding fraud) for the 12 months a year earlier, as the "
        "headline compares it: computed when the open data or Table P1 is imported.",
    )
    previous_source = models.CharField(
        max_length=20,
        blank=True,
        editable=False,
        choices=[("open data", "Recorded crime open data"), ("Table P1", "Table P1 a year earlier")],
        help_text="Where the year before comes from.",
    )
    previous_release_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The day the release that gave the year before was published (blank: not recorded).",
    )
    rates = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="The rate per 1,000 residents of the latest year, computed with the figures "
        "(``ons.ons_previous_update``) from the force area's mid-year population "
        '(``rates.group_rates``): {"rate": "71.1", "low": "70.6", "high": "71.6", "population": '
        '916120, "population_year": 2024, "position": [3, false, 8], "group": [["Suffolk", "80.2"], '
        "…]}. Empty when the population of that mid-year is not held.",
    )
    revisions_applied = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The revisions of the year before a Publisher applied, oldest first, e.g. "
        '[{"applied_on": "2026-12-02", "changes": [["previous_total", "69262", "69237"]]}]. The '
        "``RecordedCrimeRevision`` rows are the record; kept here for the page.",
    )

    objects = RecordedCrimeFigureQuerySet.as_manager()

    publication = Publication.parent("period")

    class Meta:
        permissions = [
            ("import_recordedcrimefigure", "Can import ONS tables"),
            ("export_recordedcrimefigure", "Can export ONS figures"),
        ]
        ordering = ["force", "-period"]
        verbose_name = "ONS recorded crime figure"
        constraints = [
            models.UniqueConstraint(fields=["period", "force"], name="unique_period_force_recorded_crime"),
        ]

    def __str__(self):
        return f"{self.force}, {self.period}"

    def revision_notices(self) -> list[str]:
        """The "Revised on …" notice of each revision of the year before a Publisher applied."""
        return [
            calculations.revised_on_text(
                datetime.date.fromisoformat(entry["applied_on"]),
                "; ".join(ons_change_text(change) for change in entry["changes"]),
            )
            for entry in self.revisions_applied
            if entry.get("changes")
        ]


def ons_change_text(change: list) -> str:
    """One change a revision of an ONS figure made, as stored: ``["previous_total", before,
    after]`` or ``["rate", before, after]``."""
    field, before, after = change
    if field == "rate":
        return rates.rate_revision_text(before, after)
    return calculations.ons_revision_text(
        *(None if value is None else int(value) for value in (before, after))
    )


class RecordedCrimeRevision(WaitingRevision):
    """A change to a published ONS figure's year before, waiting for a Publisher.

    The headline the public has seen never changes when data is imported: the recomputation
    (``ons.ons_previous_update``) records what it would write here, and a Publisher applies it
    by publishing the period again (``ons.ons_revisions_apply``); the page then says "Revised on
    …" with the change. ``before_*`` are what the public sees until then."""

    period = models.ForeignKey(
        RecordedCrimePeriod, on_delete=models.CASCADE, related_name="revisions", help_text="The year ending."
    )
    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="+", help_text="The force area.")
    before_previous_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="The year before the public sees."
    )
    before_previous_source = models.CharField(
        max_length=20, blank=True, help_text="Where the year before the public sees comes from."
    )
    before_previous_release_on = models.DateField(
        null=True, blank=True, help_text="The release of the year before the public sees."
    )
    previous_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="The recomputed year before."
    )
    previous_source = models.CharField(
        max_length=20, blank=True, help_text="Where the recomputed year before comes from."
    )
    previous_release_on = models.DateField(
        null=True, blank=True, help_text="The release of the recomputed year before."
    )
    before_rates = models.JSONField(
        default=dict, blank=True, help_text="The rates per 1,000 residents the public sees."
    )
    rates = models.JSONField(default=dict, blank=True, help_text="The recomputed rates per 1,000 residents.")

    class Meta:
        ordering = ["period", "force", "computed_at"]
        verbose_name = "ONS recorded crime revision"
        constraints = [
            models.UniqueConstraint(
                fields=["period", "force"],
                condition=Q(applied_at__isnull=True),
                name="one_pending_revision_per_ons_figure",
            ),
        ]

    def __str__(self):
        return f"Revision of {self.force}, {self.period}"

    @property
    def notice(self) -> str:
        before_rate, after_rate = self.before_rates.get("rate"), self.rates.get("rate")
        texts = []
        if self.before_previous_total != self.previous_total or before_rate == after_rate:
            texts.append(calculations.ons_revision_text(self.before_previous_total, self.previous_total))
        if before_rate != after_rate:
            texts.append(rates.rate_revision_text(before_rate, after_rate))
        return f"{self.force}: " + "; ".join(texts)
