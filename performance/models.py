"""Police performance figures held as data: forces and their groups, 999 call answering, ONS
recorded crime, the National Crime and Policing Measures, reporting channels and the document
library that publishes them.

Nothing here names a particular force: the home force, its groups and the office's details are
rows in ``SiteSettings``.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Prefetch, Q, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from . import calculations
from .documents import document_upload_to, extension_of, validate_document
from .spreadsheets import normalise_force_name

PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def first_of_month(value: datetime.date) -> bool:
    return value.day == 1


class StaleEdit(Exception):
    """Someone else saved the row since this copy of it was read: nothing was written."""


class Content(models.Model):
    """Everything staff edit: its history is kept (who changed what, when; revertible), and a
    version number refuses a second person's save over changes they have not seen.

    The check and the write are one statement (``UPDATE … WHERE id = %s AND version = %s``), so
    of two saves racing from the same version exactly one is written; the other raises
    ``StaleEdit``. Set ``version`` to the version the editor saw before saving.
    """

    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            return super().save(*args, **kwargs)
        self._replacing_version = self.version
        self.version += 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        try:
            super().save(*args, **kwargs)
        except StaleEdit:
            self.version = self._replacing_version
            raise
        finally:
            del self._replacing_version

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        replacing = getattr(self, "_replacing_version", None)
        if replacing is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if super()._do_update(
            base_qs.filter(version=replacing), using, pk_val, values, update_fields, forced_update
        ):
            return True
        if base_qs.filter(pk=pk_val).exists():
            raise StaleEdit(f"{self._meta.verbose_name} {pk_val} has changed since version {replacing}.")
        return False


class Revised(models.Model):
    """When a row last changed: a dataset's "last revised" date is its newest row's."""

    updated_at = models.DateTimeField(auto_now=True, help_text="When this row was last changed.")

    class Meta:
        abstract = True


class WaitingRevisionQuerySet(models.QuerySet):
    def pending(self):
        """Changes computed for published or scheduled content, waiting for a Publisher."""
        return self.filter(applied_at__isnull=True)

    def applied(self):
        """Changes a Publisher applied: the page says when, and what changed."""
        return self.filter(applied_at__isnull=False)


class WaitingRevision(models.Model):
    """A recomputed change to figures the public has seen, waiting for a Publisher: the import
    records it instead of writing it, and publishing the content again applies it."""

    computed_at = models.DateTimeField(auto_now=True, help_text="When the data last gave this change.")
    applied_at = models.DateTimeField(
        null=True, blank=True, help_text="When a Publisher applied the change (blank: waiting)."
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The Publisher who applied it.",
    )

    objects = WaitingRevisionQuerySet.as_manager()

    class Meta:
        abstract = True


class PublishableQuerySet(models.QuerySet):
    def published(self, now: datetime.datetime | None = None):
        """What the public may see: content whose publication time has come."""
        return self.filter(publish_at__lte=now or timezone.now())

    def visible(self, *, preview: bool = False):
        """Published content, or everything for a staff preview."""
        return self if preview else self.published()


class Publishable(models.Model):
    """Draft until a Publisher sets when it goes public; the public queries respect that time,
    so a scheduled publication needs no job to run."""

    publish_at = models.DateTimeField(
        "published from",
        null=True,
        blank=True,
        db_index=True,
        help_text="When this becomes public (UK time). Blank: a draft that only staff can see. "
        "A time in the future schedules the publication. Only Publishers can set it.",
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.publish_at is not None and self.publish_at <= timezone.now()

    @property
    def publication_state(self) -> str:
        if self.publish_at is None:
            return "Draft"
        return (
            "Published"
            if self.is_published
            else f"Scheduled for {timezone.localtime(self.publish_at):%d/%m/%Y %H:%M}"
        )


# --------------------------------------------------------------------------------------------
# Forces and groups
# --------------------------------------------------------------------------------------------


class ForceQuerySet(models.QuerySet):
    def national(self, national_comparison: str):
        """The forces of the national comparison set (a ``NationalComparison``)."""
        return self.filter(kind__in=NationalComparison(national_comparison).force_kinds)

    def name_lookup(self) -> dict[str, "Force"]:
        """Every name a force goes by (short, full, aliases), normalised, mapped to the force."""
        lookup = {}
        for force in self.prefetch_related("aliases"):
            names = [force.name, force.full_name, *(alias.alias for alias in force.aliases.all())]
            for name in names:
                lookup[normalise_force_name(name)] = force
        return lookup


class Force(Content):
    class Kind(models.TextChoices):
        TERRITORIAL = "territorial", "Territorial force, England and Wales"
        NORTHERN_IRELAND = "northern_ireland", "Police Service of Northern Ireland"
        SCOTLAND = "scotland", "Police Scotland"
        SPECIAL = "special", "Special police force (e.g. British Transport Police)"

    name = models.CharField(
        max_length=100,
        unique=True,
        help_text='Short name as ONS and police.uk tables use it, e.g. "Norfolk".',
    )
    full_name = models.CharField(
        max_length=150, help_text='The force\'s own name, e.g. "Norfolk Constabulary".'
    )
    ons_code = models.CharField(
        "ONS code",
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        help_text="ONS police force area code (E23… in England, W15… in Wales). "
        "Blank for forces with no police force area (PSNI, Police Scotland, BTP).",
    )
    police_uk_id = models.SlugField(
        "police.uk id", max_length=50, blank=True, help_text='The force id on police.uk, e.g. "norfolk".'
    )
    region = models.CharField(
        max_length=50, blank=True, help_text='ONS region of the force area, e.g. "East".'
    )
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.TERRITORIAL,
        help_text="Territorial forces of England and Wales are ranked nationally on 999 answering, and "
        "the Police Service of Northern Ireland too when the site settings include it.",
    )

    objects = ForceQuerySet.as_manager()

    class Meta:
        permissions = [("publish_force", "Can change forces (public as soon as saved)")]
        ordering = ["name"]

    def __str__(self):
        return self.name

    def ranked_nationally(self, national_comparison: str) -> bool:
        """Is the force among the national comparison set (a ``NationalComparison``)? Police
        Scotland and the special forces never are (Scotland's 999 target differs)."""
        return self.kind in NationalComparison(national_comparison).force_kinds


class NationalComparison(models.TextChoices):
    """The forces a national rank, "of N" and median are among, as the office publishes them."""

    ENGLAND_AND_WALES = "england_wales", calculations.national_set_name()
    WITH_NORTHERN_IRELAND = "england_wales_ni", calculations.national_set_name(northern_ireland=True)

    @property
    def force_kinds(self) -> tuple[str, ...]:
        if self is NationalComparison.WITH_NORTHERN_IRELAND:
            return (Force.Kind.TERRITORIAL, Force.Kind.NORTHERN_IRELAND)
        return (Force.Kind.TERRITORIAL,)


class ForceAlias(Content):
    """Another name the sources use for a force ("Norfolk Constabulary", "Devon & Cornwall")."""

    force = models.ForeignKey(
        Force, on_delete=models.CASCADE, related_name="aliases", help_text="The force this name refers to."
    )
    alias = models.CharField(
        max_length=150,
        unique=True,
        help_text="Another name for the force as it appears in published files. Matching ignores "
        "case, spacing, '&' versus 'and' and [note N] markers.",
    )

    class Meta:
        permissions = [("publish_forcealias", "Can change force aliases (public as soon as saved)")]
        ordering = ["alias"]
        verbose_name_plural = "force aliases"

    def __str__(self):
        return self.alias


class ForceGroup(Content):
    class Kind(models.TextChoices):
        MOST_SIMILAR = "msg", "Most Similar Group"
        REGIONAL = "regional", "Regional group"
        OTHER = "other", "Other"

    name = models.CharField(
        max_length=100, unique=True, help_text='As the page names it, e.g. "Regional 7 Force".'
    )
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        help_text="Most Similar Group, regional group or another grouping.",
    )
    description = models.CharField(
        max_length=250,
        blank=True,
        help_text="The sentence before the member list on the page, e.g. \"His Majesty's "
        "Inspectorate of Constabulary and Fire & Rescue Services' Most Similar Group\".",
    )
    members = models.ManyToManyField(
        Force,
        through="ForceGroupMembership",
        related_name="groups",
        help_text="The forces in the group, the home force included.",
    )

    class Meta:
        permissions = [("publish_forcegroup", "Can change force groups (public as soon as saved)")]
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        return self.description or self.name


class ForceGroupMembership(Content):
    group = models.ForeignKey(
        ForceGroup, on_delete=models.CASCADE, related_name="memberships", help_text="The group."
    )
    force = models.ForeignKey(
        Force, on_delete=models.CASCADE, related_name="memberships", help_text="A force in the group."
    )

    class Meta:
        permissions = [("publish_forcegroupmembership", "Can change group members (public as soon as saved)")]
        ordering = ["force__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "force"], name="unique_group_member"),
        ]

    def __str__(self):
        return f"{self.force} in {self.group}"


class SiteSettingsQuerySet(models.QuerySet):
    def for_site(self):
        """The one settings row with everything a page header needs, in one query."""
        return (
            self.select_related("home_force", "most_similar_group", "regional_group")
            .prefetch_related(
                Prefetch("most_similar_group__members", queryset=Force.objects.order_by("name")),
                Prefetch("regional_group__members", queryset=Force.objects.order_by("name")),
            )
            .first()
        )


class SiteSettings(Content):
    """The office running this site: its home force, groups and the 999 answering target."""

    office_name = models.CharField(
        max_length=150, help_text='e.g. "Office of the Police and Crime Commissioner for Norfolk".'
    )
    commissioner_name = models.CharField(
        max_length=150, blank=True, help_text='As it appears on the site, e.g. "PCC Jane Smith".'
    )
    home_force = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="+", help_text="The force this office oversees."
    )
    most_similar_group = models.ForeignKey(
        ForceGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The home force's Most Similar Group (used for MSG rankings).",
    )
    regional_group = models.ForeignKey(
        ForceGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The home force's regional group (used for regional rankings).",
    )
    answer_target_percent = models.PositiveSmallIntegerField(
        default=90,
        validators=[MaxValueValidator(100)],
        help_text="Share of 999 calls to answer within the target time, in percent (90).",
    )
    answer_target_seconds = models.PositiveSmallIntegerField(
        default=10, help_text="The target answer time in seconds (10)."
    )
    content_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When any published content last changed: the pages' Last-Modified date (set automatically).",
    )
    police_website_url = models.URLField(
        blank=True, help_text='Where the "Looking for … Police?" link goes: the force\'s website.'
    )
    national_comparison = models.CharField(
        "national comparison",
        max_length=20,
        choices=NationalComparison.choices,
        default=NationalComparison.ENGLAND_AND_WALES,
        help_text='The forces national ranks, "of N" and medians are among, and how the pages name '
        "them: the forces of England and Wales, or those and the Police Service of Northern Ireland "
        "(which has the same 999 target). Changing it recomputes the 999 ranks from the published months.",
    )

    objects = SiteSettingsQuerySet.as_manager()

    class Meta:
        permissions = [("publish_sitesettings", "Can change the site settings (public as soon as saved)")]
        verbose_name = verbose_name_plural = "site settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="site_settings_single_row"),
            models.CheckConstraint(
                condition=Q(answer_target_percent__lte=100), name="answer_target_percent_lte_100"
            ),
        ]

    def __str__(self):
        return self.office_name

    def save(self, *args, **kwargs):
        from django.utils import timezone

        self.pk = 1  # one office per site: there is only ever this row
        self.content_changed_at = timezone.now()  # the settings appear on every page
        super().save(*args, **kwargs)

    @classmethod
    def content_changed(cls) -> None:
        """Note that published content changed now (one UPDATE; pages' Last-Modified follows it)."""
        from django.utils import timezone

        from .caching import forget_version

        cls.objects.update(content_changed_at=timezone.now())
        forget_version()

    @property
    def national_force_kinds(self) -> tuple[str, ...]:
        return NationalComparison(self.national_comparison).force_kinds

    @property
    def includes_northern_ireland(self) -> bool:
        return self.national_comparison == NationalComparison.WITH_NORTHERN_IRELAND

    @property
    def national_set_name(self) -> str:
        """How the pages name the set: "England and Wales", or "England, Wales and Northern Ireland"."""
        return calculations.national_set_name(northern_ireland=self.includes_northern_ireland)


# --------------------------------------------------------------------------------------------
# 999 call answering
# --------------------------------------------------------------------------------------------


class CallAnswerMonthQuerySet(PublishableQuerySet):
    def for_force(self, force):
        return self.filter(force=force).order_by("-month")

    def with_ranks(self, *, preview: bool = False):
        """The months with the ranks their readers see (``rank_for``), in one more query: the
        public's, or a staff preview's (``CallAnswerRankQuerySet.shown``)."""
        return self.prefetch_related(
            Prefetch("ranks", queryset=CallAnswerRank.objects.shown(preview=preview), to_attr="shown_ranks")
        )


CALL_BANDS = (
    ("under_10s", "under 10 seconds"),
    ("10_to_60s", "10 to under 60 seconds"),
    ("60s_and_over", "60 seconds and over"),
)


class CallAnswerMonth(Content, Revised, Publishable):
    """One force's 999 call answering in one month, as police.uk publishes it."""

    BANDS = CALL_BANDS

    force = models.ForeignKey(
        Force,
        on_delete=models.PROTECT,
        related_name="call_months",
        help_text="The force that answered the calls.",
    )
    month = models.DateField(help_text="The month the calls were made (stored as its 1st day).")
    total_calls = models.PositiveIntegerField(help_text="Total 999 calls presented in the month.")
    mean_answer_seconds = models.DecimalField(
        "mean answer time (seconds)",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Mean time to answer, in seconds, as published (up to 2 decimal places).",
    )
    median_answer_seconds = models.DecimalField(
        "median answer time (seconds)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Median time to answer, in seconds, if published (up to 2 decimal places).",
    )
    calls_under_10s = models.PositiveIntegerField(
        "calls answered in under 10 seconds",
        null=True,
        blank=True,
        help_text="Number of calls answered in under 10 seconds, if published.",
    )
    calls_10_to_60s = models.PositiveIntegerField(
        "calls answered in 10 to under 60 seconds",
        null=True,
        blank=True,
        help_text="Number of calls answered in 10 to under 60 seconds, if published.",
    )
    calls_60s_and_over = models.PositiveIntegerField(
        "calls answered in 60 seconds and over",
        null=True,
        blank=True,
        help_text="Number of calls answered in 60 seconds or longer, if published.",
    )
    pct_under_10s = models.DecimalField(
        "% answered in under 10 seconds",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text="Percentage of calls answered in under 10 seconds, 0 to 100, 1 decimal place "
        "(enter 85.3 for 85.3%, not 0.853).",
    )
    pct_10_to_60s = models.DecimalField(
        "% answered in 10 to under 60 seconds",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text="Percentage of calls answered in 10 to under 60 seconds, 0 to 100.",
    )
    pct_60s_and_over = models.DecimalField(
        "% answered in 60 seconds and over",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
        help_text="Percentage of calls answered in 60 seconds or longer, 0 to 100.",
    )
    objects = CallAnswerMonthQuerySet.as_manager()

    class Meta:
        permissions = [
            ("import_callanswermonth", "Can import 999 releases"),
            ("export_callanswermonth", "Can export 999 data"),
            ("publish_callanswermonth", "Can publish 999 months"),
        ]
        ordering = ["force", "-month"]
        verbose_name = "999 call month"
        constraints = [
            models.UniqueConstraint(fields=["force", "month"], name="unique_force_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="call_month_is_first_of_month"),
            models.CheckConstraint(condition=Q(mean_answer_seconds__gte=0), name="mean_answer_seconds_gte_0"),
            models.CheckConstraint(
                condition=Q(median_answer_seconds__gte=0) | Q(median_answer_seconds__isnull=True),
                name="median_answer_seconds_gte_0",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"pct_{band}__gte": 0, f"pct_{band}__lte": 100})
                    | Q(**{f"pct_{band}__isnull": True}),
                    name=f"pct_{band}_between_0_and_100",
                )
                for band, _ in CALL_BANDS
            ),
        ]

    def __str__(self):
        return f"{self.force} {self.month:%B %Y}"

    def clean(self):
        errors = {}
        if self.month and not first_of_month(self.month):
            self.month = self.month.replace(day=1)
        percents = [getattr(self, f"pct_{band}") for band, _ in self.BANDS]
        counts = [getattr(self, f"calls_{band}") for band, _ in self.BANDS]
        if all(p is not None for p in percents):
            problem = calculations.band_percentages_problem(percents)
            if problem:
                errors["pct_under_10s"] = problem
        elif any(p is not None for p in percents):
            errors["pct_under_10s"] = "Enter all three band percentages, or none of them."
        if all(c is not None for c in counts) and self.total_calls is not None:
            problem = calculations.band_counts_problem(counts, self.total_calls)
            if problem:
                errors["calls_under_10s"] = problem
        elif any(c is not None for c in counts):
            errors["calls_under_10s"] = "Enter all three band counts, or none of them."
        if all(p is None for p in percents) and not all(c is not None for c in counts):
            errors["pct_under_10s"] = "Enter the band percentages or the band counts."
        if not errors and self.total_calls:
            for band, _ in self.BANDS:
                count, published = getattr(self, f"calls_{band}"), getattr(self, f"pct_{band}")
                if count is not None and published is not None:
                    problem = calculations.band_count_percent_problem(count, self.total_calls, published)
                    if problem:
                        errors[f"pct_{band}"] = problem
        if errors:
            raise ValidationError(errors)

    def rank_for(self, scope: str) -> "CallAnswerRank | None":
        """This month's rank in ``scope`` as its reader sees it: from ``with_ranks()`` when the
        month was read with it, otherwise the public's, read once."""
        if not hasattr(self, "shown_ranks"):
            self.shown_ranks = list(CallAnswerRank.objects.shown().filter(call_month=self)) if self.pk else []
        return next((rank for rank in self.shown_ranks if rank.scope == scope), None)

    def band_percent(self, band: str) -> Decimal | None:
        published = getattr(self, f"pct_{band}")
        if published is not None:
            return published
        count = getattr(self, f"calls_{band}")
        if count is None or not self.total_calls:
            return None
        return Decimal(count) * 100 / Decimal(self.total_calls)


class CallAnswerRankQuerySet(models.QuerySet):
    def shown(self, *, preview: bool = False):
        """The one rank per month and scope that a reader sees.

        The public see the rank computed from the months public at the time: of the computed
        ranks, the one with the latest ``valid_from`` that has passed (none: from the start), so
        a scheduled publication changes it at its time with no job to run. A staff preview sees
        the rank computed with the drafts. Either falls back to the rank entered by hand.
        """
        computed = Q(source=CallAnswerRank.Source.COMPUTED, preview=preview)
        if not preview:
            computed &= Q(valid_from__lte=timezone.now()) | Q(valid_from=None)
        newest_computed_first = [
            Case(When(source=CallAnswerRank.Source.COMPUTED, then=0), default=1),
            F("valid_from").desc(nulls_last=True),
        ]
        return (
            self.filter(computed | Q(source=CallAnswerRank.Source.ENTERED))
            .annotate(
                choice=Window(
                    RowNumber(), partition_by=[F("call_month"), F("scope")], order_by=newest_computed_first
                )
            )
            .filter(choice=1)
        )


class CallAnswerRank(models.Model):
    """Where a force's month stands among others on the share of 999 calls answered in under 10 s."""

    class Scope(models.TextChoices):
        NATIONAL = "national", "National"
        MOST_SIMILAR = "msg", "Most Similar Group"
        REGIONAL = "regional", "Regional group"

    class Source(models.TextChoices):
        COMPUTED = "computed", "Computed from the national data"
        ENTERED = "entered", "Entered by hand"

    call_month = models.ForeignKey(
        CallAnswerMonth, on_delete=models.CASCADE, related_name="ranks", help_text="The force's month."
    )
    scope = models.CharField(
        max_length=10, choices=Scope.choices, help_text="Which forces it is ranked among."
    )
    rank = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Position, 1 = the highest share answered in under 10 seconds.",
    )
    joint = models.BooleanField(default=False, help_text='Shared with another force (shown as "joint 2nd").')
    out_of = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many forces were ranked, if known (a rank entered without it is shown as "
        '"entered by hand").',
    )
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.ENTERED,
        help_text="Ranks are computed for every month the national data is held; ranks entered by hand "
        "are kept for the other months.",
    )
    preview = models.BooleanField(
        default=False,
        editable=False,
        help_text="Computed with draft and scheduled months included: shown to staff previews only.",
    )
    valid_from = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="A computed public rank counts from this time: when the last of the months it was "
        "computed from became public.",
    )

    objects = CallAnswerRankQuerySet.as_manager()

    class Meta:
        ordering = ["call_month", "scope"]
        verbose_name = "999 answering rank"
        constraints = [
            models.UniqueConstraint(
                fields=["call_month", "scope"],
                condition=Q(source="entered"),
                name="unique_entered_rank_per_month_and_scope",
            ),
            models.UniqueConstraint(
                fields=["call_month", "scope", "valid_from"],
                condition=Q(source="computed", preview=False),
                name="unique_public_rank_per_month_scope_and_time",
            ),
            models.UniqueConstraint(
                fields=["call_month", "scope"],
                condition=Q(source="computed", preview=True),
                name="unique_preview_rank_per_month_and_scope",
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="rank_gte_1"),
        ]

    def __str__(self):
        return f"{self.call_month}: {self.get_scope_display()} {self.text}"

    @property
    def text(self) -> str:
        return calculations.rank_text(self.rank, joint=self.joint, out_of=self.out_of)


# --------------------------------------------------------------------------------------------
# ONS police recorded crime
# --------------------------------------------------------------------------------------------


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
    revisions_applied = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="The revisions of the year before a Publisher applied, oldest first, e.g. "
        '[{"applied_on": "2026-12-02", "changes": [["previous_total", "69262", "69237"]]}]. The '
        "``RecordedCrimeRevision`` rows are the record; kept here for the page.",
    )

    objects = RecordedCrimeFigureQuerySet.as_manager()

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
                calculations.ons_revision_text(
                    *(None if value is None else int(value) for value in entry["changes"][0][1:])
                ),
            )
            for entry in self.revisions_applied
            if entry.get("changes")
        ]


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
        return f"{self.force}: " + calculations.ons_revision_text(
            self.before_previous_total, self.previous_total
        )


# --------------------------------------------------------------------------------------------
# National Crime and Policing Measures
# --------------------------------------------------------------------------------------------


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
    definition = models.TextField(
        blank=True,
        help_text="Appendix definition: what the measure counts. Markdown: blank line between "
        "paragraphs, '- ' for bullet points.",
    )

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
    body = models.TextField(
        help_text="The statement. Paragraphs, bold, italics, lists and links are kept; anything else is removed."
    )
    documents = models.ManyToManyField(
        "Document",
        blank=True,
        related_name="statements",
        help_text="Documents it links to, e.g. the Commissioner's response to the ONS release.",
    )

    class Meta:
        verbose_name = "Commissioner's statement"

    def __str__(self):
        return f"{self.title} ({self.period})"

    def save(self, *args, **kwargs):
        from .richtext import cleaned_html

        self.body = cleaned_html(self.body)
        super().save(*args, **kwargs)


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
    body = models.TextField(
        help_text="The supplementary comment for this priority area and quarter. Markdown: blank "
        "line between paragraphs, '- ' or '1. ' for lists. HTML is not allowed and is removed."
    )

    class Meta:
        ordering = ["period", "priority_area"]
        verbose_name_plural = "priority area commentaries"
        constraints = [
            models.UniqueConstraint(fields=["period", "priority_area"], name="unique_period_area_commentary"),
        ]

    def __str__(self):
        return f"{self.priority_area}, {self.period}"


# --------------------------------------------------------------------------------------------
# Police recorded crime open data (Home Office, police force area tables)
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Reporting channels and the document library
# --------------------------------------------------------------------------------------------


class ReportingChannel(Content):
    name = models.CharField(max_length=100, help_text='e.g. "101", "Online reporting", "StreetSafe".')
    contact = models.CharField(
        max_length=250, blank=True, help_text="A phone number (e.g. 101) or a web address (https://…)."
    )
    link_text = models.CharField(
        max_length=150,
        blank=True,
        help_text='Words for the link when the contact is a web address, e.g. "Report a crime online".',
    )
    description = models.TextField(help_text="How and when to use it. Markdown.")
    caveat = models.CharField(
        max_length=250, blank=True, help_text='e.g. "StreetSafe is not for reporting crime or incidents."'
    )
    is_emergency = models.BooleanField(default=False, help_text="Tick for 999.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Position on the page (lowest first).")

    class Meta:
        permissions = [
            ("publish_reportingchannel", "Can change reporting channels (public as soon as saved)")
        ]
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def contact_is_url(self) -> bool:
        return self.contact.startswith(("https://", "http://"))


class LibraryPage(Content, Publishable):
    class Template(models.TextChoices):
        PLAIN = "plain", "Plain page"
        POLICE_DATA = "police_data", "Police Data page (with the performance sections)"

    slug = models.SlugField(unique=True, help_text="The page's address: /document-library/<slug>/.")
    title = models.CharField(max_length=200, help_text='The page\'s heading, e.g. "Police Data".')
    summary = models.CharField(max_length=300, help_text="One sentence shown in the library list.")
    intro = models.TextField(blank=True, help_text="Opening paragraphs. Markdown.")
    body = models.TextField(blank=True, help_text="The rest of the page. Markdown.")
    template = models.CharField(
        max_length=20,
        choices=Template.choices,
        default=Template.PLAIN,
        help_text="A plain page of text, or the Police Data page with its figures.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the library list.")
    documents = models.ManyToManyField(
        "Document",
        blank=True,
        related_name="pages",
        help_text="Documents listed on the page (public ones only).",
    )

    class Meta:
        permissions = [("publish_librarypage", "Can publish library pages")]
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.template == self.Template.POLICE_DATA:
            return reverse("performance:police-data")
        return reverse("performance:library-page", args=[self.slug])


class PageSection(Content):
    """An editable block of text in a fixed place on a data page (e.g. the note on recording standards)."""

    class Slot(models.TextChoices):
        CALLS_999 = "calls_999", "Before the 999 tables"
        ONS = "ons", "Before the ONS headline"
        NCPM = "ncpm", "Before the NCPM tables"
        AFTER_APPENDIX = "after_appendix", "After the appendix (e.g. crime recording standards, DCPP)"
        REPORTING = "reporting", "Before the reporting channels"

    page = models.ForeignKey(
        LibraryPage, on_delete=models.CASCADE, related_name="sections", help_text="The page it appears on."
    )
    slot = models.CharField(max_length=20, choices=Slot.choices, help_text="Where on the page it appears.")
    heading = models.CharField(max_length=200, blank=True, help_text="The section heading, if it has one.")
    body = models.TextField(
        blank=True, help_text="Markdown: blank line between paragraphs, '- ' for bullets."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Order within its place (lowest first).")

    class Meta:
        ordering = ["page", "slot", "order"]

    def __str__(self):
        return self.heading or self.get_slot_display()


class DocumentCategory(Content):
    """A heading of the document library (decisions, meetings, PEEL inspections …): data, so an
    office names and orders its own. Public as soon as saved."""

    name = models.CharField(
        max_length=100, unique=True, help_text='As the library shows it, e.g. "Decisions".'
    )
    slug = models.SlugField(
        unique=True, help_text="The category's address: /document-library/category/<slug>/."
    )
    description = models.CharField(max_length=300, blank=True, help_text="One sentence on what it holds.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the library (lowest first).")

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "document categories"
        permissions = [("publish_documentcategory", "Can change document categories")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("performance:library-category", args=[self.slug])


class MeetingQuerySet(PublishableQuerySet):
    pass


class Meeting(Content, Publishable):
    """A public meeting (e.g. the PCC's accountability meeting, the Police and Crime Panel): its
    agenda, papers and minutes are documents that belong to it."""

    title = models.CharField(max_length=200, help_text='e.g. "PCC Accountability Meeting".')
    held_on = models.DateField(help_text="The day of the meeting.")
    slug = models.SlugField(
        max_length=120,
        unique=True,
        blank=True,
        help_text="The meeting's address; left blank, made from the date and title.",
    )
    summary = models.TextField(blank=True, help_text="What was discussed, in a sentence or two.")

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "title"]
        permissions = [("publish_meeting", "Can publish meetings")]

    def __str__(self):
        return f"{self.title}, {self.held_on.day} {self.held_on:%B %Y}"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = f"{self.held_on:%Y-%m-%d}-{slugify(self.title)}"[:120]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("performance:library-meeting", args=[self.slug])


class DocumentQuerySet(PublishableQuerySet):
    def published(self, now: datetime.datetime | None = None):
        """Published, and its publication date has come (a future date is not public before it)."""
        now = now or timezone.now()
        return super().published(now).filter(published_on__lte=timezone.localdate(now))


class Document(Content, Publishable):
    class MeetingPart(models.TextChoices):
        AGENDA = "agenda", "Agenda"
        PAPERS = "papers", "Papers"
        MINUTES = "minutes", "Minutes"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200, help_text="As it appears in the library list.")
    file = models.FileField(
        upload_to=document_upload_to,
        validators=[validate_document],
        help_text="The published file: PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods) or CSV, "
        "up to 20 MB.",
    )
    category = models.ForeignKey(
        DocumentCategory,
        on_delete=models.PROTECT,
        related_name="documents",
        help_text="Where it is listed in the library.",
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        help_text="The meeting it belongs to, if any (its agenda, papers or minutes).",
    )
    meeting_part = models.CharField(
        max_length=10, choices=MeetingPart.choices, blank=True, help_text="What it is for its meeting."
    )
    text = models.TextField(
        blank=True, editable=False, help_text="The words inside the file, read once at upload, for search."
    )
    # Title (A), summary (B) and text (C) for PostgreSQL's full-text search, kept by save() (on
    # SQLite it stays empty: search falls back to matching words). GIN-indexed on PostgreSQL.
    search_vector = SearchVectorField(null=True, editable=False)
    # Title (A) and summary (B) alone: results are ranked on it, a small vector, so ranking a
    # search that matches thousands of documents stays cheap; the text decides only whether one matches.
    heading_vector = SearchVectorField(null=True, editable=False)
    published_on = models.DateField(
        help_text="Publication date shown to the public. The document is not public before this day, "
        "even once published."
    )
    summary = models.CharField(max_length=300, blank=True, help_text="One sentence on what the document is.")

    objects = DocumentQuerySet.as_manager()

    class Meta:
        permissions = [("publish_document", "Can publish documents")]
        ordering = ["-published_on", "title"]
        indexes = [
            models.Index(fields=["-published_on", "title"], name="document_date"),
            models.Index(fields=["category", "-published_on"], name="document_category_date"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from . import search

        if self.file and (self._state.adding or not getattr(self.file, "_committed", True)):
            self.text = search.document_text(self.file)  # a new file: read its words once
        super().save(*args, **kwargs)
        search.document_indexed(self)

    def get_absolute_url(self):
        return reverse("performance:document", args=[self.pk, self.download_name])

    @property
    def download_name(self) -> str:
        return f"{slugify(self.title)[:80] or 'document'}.{extension_of(self.file.name)}"


# --------------------------------------------------------------------------------------------
# Import log
# --------------------------------------------------------------------------------------------


class RequiredItem(Content):
    """An item the Specified Information Order (or the office) requires the site to publish, for
    the staff checklist: where it is, when it last changed, and whether it is overdue."""

    class Check(models.TextChoices):
        CATEGORY = "category", "Newest public document in a category"
        NCPM_STATEMENT = (
            "ncpm_statement",
            "A Commissioner's statement for every NCPM quarter once ONS has released it",
        )

    name = models.CharField(max_length=200, help_text='e.g. "Latest HMICFRS PEEL report and the response".')
    requirement = models.CharField(
        max_length=300, blank=True, help_text="Where it is required, e.g. the Order's paragraph."
    )
    rule = models.CharField(
        max_length=20, choices=Check.choices, default=Check.CATEGORY, help_text="How it is checked."
    )
    category = models.ForeignKey(
        DocumentCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="required_items",
        help_text="For a category check: the category the item is published in.",
    )
    title_contains = models.CharField(
        max_length=100,
        blank=True,
        help_text="For a category check: only documents whose title has these words.",
    )
    refresh_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Overdue when the newest is older than this many days (blank: never, once published). "
        "For the statement check: days allowed after the ONS release.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the checklist (lowest first).")

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "required publication"
        permissions = [("publish_requireditem", "Can change the required publications")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.rule == self.Check.CATEGORY and self.category_id is None:
            raise ValidationError({"category": "Choose the category the item is published in."})


class ColumnMapping(models.Model):
    """Which of a file's columns holds a column an import needs but could not find by its heading,
    as a staff member chose at a preview ("which column holds the total calls?"). Used again for
    the next file of that release with the same headings; editable, with its history kept."""

    release = models.CharField(
        max_length=100, editable=False, help_text='The import it is for, e.g. "performance.CallAnswerMonth".'
    )
    headings_key = models.CharField(max_length=64, editable=False)
    headings = models.JSONField(editable=False, help_text="The file's headings, in order, as written.")
    choices = models.JSONField(
        default=dict,
        help_text="For each column the import needs: the heading of the file's column that holds it.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["release", "-updated_at"]
        verbose_name = "column choice for imports"
        verbose_name_plural = "column choices for imports"
        constraints = [
            models.UniqueConstraint(
                fields=["release", "headings_key"], name="one_column_mapping_per_headings"
            )
        ]

    def __str__(self):
        chosen = "; ".join(f"{heading}" for heading in self.choices.values())
        return f"{self.release_name}: {chosen or 'no columns chosen'}"

    @property
    def release_name(self) -> str:
        from django.apps import apps

        try:
            return apps.get_model(self.release)._meta.verbose_name_plural.capitalize()
        except LookupError:
            return self.release

    @staticmethod
    def key_for(headings) -> str:
        from .spreadsheets import header_key

        return hashlib.sha256("\x1f".join(header_key(h) for h in headings).encode()).hexdigest()


class ImportUpload(models.Model):
    """A release file between its preview and its confirmation, kept in the database so that any
    app server can confirm it. Only the user and session that uploaded it can confirm it, by its
    random token; the client never names a file."""

    token = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", help_text="Who uploaded it."
    )
    session_key = models.CharField(max_length=64, editable=False)
    resource = models.CharField(max_length=100, help_text="The admin the file was uploaded to.")
    file_name = models.CharField(max_length=255, help_text="The uploaded file's name.")
    data = models.BinaryField(blank=True, help_text="The file's bytes (a small release).")
    file = models.FileField(
        upload_to="import-previews/",
        blank=True,
        help_text="The file, in the shared media storage (a large release, read from there in parts).",
    )
    preview_fingerprint = models.CharField(
        max_length=64, blank=True, help_text="The held rows the preview compared the file with."
    )
    release_published_on = models.DateField(
        null=True, blank=True, help_text="The release's publication day as entered at the preview."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="When the import was confirmed.")
    import_log = models.ForeignKey(
        "ImportLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The confirmed import.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"


class ImportLog(models.Model):
    """One confirmed spreadsheet import: who, when, which file and what it changed."""

    created_at = models.DateTimeField(auto_now_add=True, help_text="When the import was confirmed.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who imported it (blank for a command-line import).",
    )
    resource = models.CharField(
        max_length=100, help_text="Which release: 999 calls, ONS Table P1 or NCPM figures."
    )
    file_name = models.CharField(max_length=255, help_text="The uploaded file's name.")
    sha256 = models.CharField("SHA-256", max_length=64, help_text="Fingerprint of the file's exact bytes.")
    rows_new = models.PositiveIntegerField(default=0, help_text="Rows added.")
    rows_updated = models.PositiveIntegerField(default=0, help_text="Rows changed.")
    rows_unchanged = models.PositiveIntegerField(
        default=0, help_text="Rows already held with the same values."
    )
    warnings = models.TextField(blank=True, help_text="Warnings shown in the preview, one per line.")
    release_published_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the release was published, from the file or as entered (blank: not known).",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.resource}: {self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"


# An import's preview or confirm, run in the background: a module of its own.
from .import_jobs import ImportJob  # noqa: E402,F401
