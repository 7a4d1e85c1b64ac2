"""Police recorded crime open data (Home Office, police force area tables): the offences as it
names them, and each force's count per quarter and offence."""

import datetime

from django.db import models

from performance.forces.models import Force
from performance.publishing.models import Publication
from performance.shared import calculations


class Offence(models.Model):
    """An offence as the Home Office's recorded crime open data names it. The same code has had
    other names and subgroups over the years (burglary's subgroups were renamed in 2017): each
    naming is a row of its own, so older years keep the subgroup they were published under."""

    code = models.CharField(max_length=20, help_text='The Offence Code, e.g. "1" or "8N".')
    description = models.CharField(max_length=250, help_text='The Offence Description, e.g. "Murder".')
    group = models.CharField(
        max_length=150, help_text='The Offence Group, e.g. "Violence against the person".'
    )
    subgroup = models.CharField(max_length=150, help_text='The Offence Subgroup, e.g. "Homicide".')

    publication = Publication.not_content(
        "the open data's offence list: the public reads only what was computed from it into a "
        "draft or a waiting revision that a Publisher then published"
    )

    class Meta:
        ordering = ["code", "description"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "description", "group", "subgroup"], name="unique_offence_naming"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.description}"


class OffenceCountQuerySet(models.QuerySet):
    def year_totals(self, period_end: datetime.date, *, forces=None) -> dict[int, int]:
        """Each force's police recorded crime excluding fraud in the 12 months to ``period_end``
        (ONS's headline measure), by force id, for the forces whose four quarters are all held:
        a year with a quarter missing has no total rather than a wrong one. One query."""
        quarters = calculations.twelve_month_quarter_ends(period_end)
        counts = self.filter(quarter_end__in=quarters).exclude(offence__group__icontains="fraud")
        if forces is not None:
            counts = counts.filter(force__in=forces)
        by_force = counts.values("force_id").annotate(
            total=models.Sum("count"), quarters=models.Count("quarter_end", distinct=True)
        )
        return {row["force_id"]: row["total"] for row in by_force if row["quarters"] == len(quarters)}


class OffenceCount(models.Model):
    """Offences a force recorded in one financial quarter under one offence: the open data's
    rows, one number each (force × quarter × offence)."""

    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="offence_counts", help_text="The police force area."
    )
    quarter_end = models.DateField(
        db_index=True,
        help_text="Last day of the financial quarter (Q1 = April to June: 30 June).",
    )
    offence = models.ForeignKey(
        Offence, on_delete=models.PROTECT, related_name="counts", help_text="The offence."
    )
    count = models.IntegerField(help_text="Number of Offences, as published.")

    objects = OffenceCountQuerySet.as_manager()

    publication = Publication.not_content(
        "the recorded crime open data as released: the public reads only what was computed from "
        "it into a draft or a waiting revision that a Publisher then published"
    )

    class Meta:
        permissions = [("import_offencecount", "Can import the recorded crime open data")]
        ordering = ["force", "quarter_end", "offence"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "quarter_end", "offence"], name="unique_force_quarter_offence"
            ),
        ]

    def __str__(self):
        return f"{self.force} {self.quarter_end}: {self.offence} {self.count}"
