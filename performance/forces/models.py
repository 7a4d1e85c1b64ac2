"""Forces and their groups, and the site's settings (the office, its home force and groups).

Nothing here names a particular force: the home force, its groups and the office's details are
rows in ``SiteSettings``.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Prefetch, Q, prefetch_related_objects

from performance.imports.spreadsheets import normalise_force_name
from performance.publishing.models import Content, Publication
from performance.shared import calculations


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

    publication = Publication.always_public()

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

    publication = Publication.always_public()

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

    publication = Publication.always_public()

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

    publication = Publication.always_public()

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
        found = self.select_related("home_force", "most_similar_group", "regional_group").first()
        if found is not None:
            # Both groups' members in one query: the same relation on a list of groups.
            prefetch_related_objects(
                found.comparison_groups, Prefetch("members", queryset=Force.objects.order_by("name"))
            )
        return found


class SiteSettings(Content):
    """The office running this site: its home force, groups and the 999 answering target."""

    office_name = models.CharField(
        max_length=150, help_text='e.g. "Office of the Police and Crime Commissioner for Norfolk".'
    )
    commissioner_name = models.CharField(
        max_length=150, blank=True, help_text='As it appears on the site, e.g. "PCC Jane Smith".'
    )
    holder_title = models.CharField(
        "title of the office holder",
        max_length=100,
        default="Police and Crime Commissioner",
        help_text="The accountable person's title in full, as the pages name the role, e.g. "
        '"Police and Crime Commissioner", "Police, Fire and Crime Commissioner", "Mayor" or '
        '"Deputy Mayor for Policing and Crime".',
    )
    holder_short_title = models.CharField(
        "short title of the office holder",
        max_length=60,
        default="Commissioner",
        help_text='The title in short, as a sentence names the person a second time: "the '
        'Commissioner", "the Mayor", "the Deputy Mayor". A new quarter\'s statement is headed '
        '"The <short title>\'s statement".',
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

    publication = Publication.always_public()

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

        from performance.publishing.caching import forget_version

        cls.objects.update(content_changed_at=timezone.now())
        forget_version()

    @property
    def statement_title(self) -> str:
        """A new quarter's statement's heading: "The Commissioner's statement"."""
        return f"The {self.holder_short_title}'s statement"

    @property
    def national_force_kinds(self) -> tuple[str, ...]:
        return NationalComparison(self.national_comparison).force_kinds

    @property
    def comparison_groups(self) -> list[ForceGroup]:
        """The groups the home force is compared within: its Most Similar Group, then its region."""
        return [group for group in (self.most_similar_group, self.regional_group) if group]

    @property
    def includes_northern_ireland(self) -> bool:
        return self.national_comparison == NationalComparison.WITH_NORTHERN_IRELAND

    @property
    def national_set_name(self) -> str:
        """How the pages name the set: "England and Wales", or "England, Wales and Northern Ireland"."""
        return calculations.national_set_name(northern_ireland=self.includes_northern_ireland)


class ForcePopulationQuerySet(models.QuerySet):
    def for_year(self, year: int) -> dict[int, int]:
        """Each force's residents at the mid-year ``year``: ``{force_id: population}`` (one query)."""
        return dict(self.filter(year=year).values_list("force_id", "population"))


class ForcePopulation(Content):
    """The residents of a police force area at one mid-year (30 June), from the ONS mid-year
    estimates: what a rate per 1,000 residents divides by.

    Not content: the public never reads these rows. A rate is computed from them into a figure
    (an NCPM figure's comparison, an ONS figure's rates) when the figures are computed, and the
    public sees it once a Publisher publishes that figure, or applies its revision. Only
    Publishers may add, change or delete populations (the roles give the other staff view only),
    because a change moves every rate computed afterwards."""

    force = models.ForeignKey(
        Force,
        on_delete=models.CASCADE,
        related_name="populations",
        help_text="The police force area (a territorial force of England and Wales).",
    )
    year = models.PositiveSmallIntegerField(
        "mid-year",
        help_text="The year of the mid-year estimate, e.g. 2022 for mid-2022 (residents on 30 June "
        "2022). A rate for 12 months uses the mid-year inside those 12 months.",
    )
    population = models.PositiveIntegerField(
        help_text="Usual residents, all ages, as a whole number (e.g. 916120), from ONS "
        '"Estimates of the population for England and Wales", summed over the local authorities '
        "of the police force area.",
    )
    source = models.CharField(
        max_length=250,
        help_text='The publication the figure comes from, e.g. "ONS mid-year population estimates, '
        'mid-2022 (released 26 March 2024)".',
    )
    source_url = models.URLField(
        "source address",
        blank=True,
        help_text="The address of that publication on ons.gov.uk, if it has one.",
    )

    objects = ForcePopulationQuerySet.as_manager()

    publication = Publication.not_content(
        "residents per force area: the public reads only the rates computed from them into figures "
        "a Publisher publishes"
    )

    class Meta:
        ordering = ["-year", "force__name"]
        verbose_name = "force area population"
        constraints = [
            models.UniqueConstraint(fields=["force", "year"], name="unique_force_population_year"),
            models.CheckConstraint(condition=Q(population__gt=0), name="force_population_gt_0"),
        ]

    def __str__(self):
        return f"{self.force}, mid-{self.year}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.year is not None and not 1981 <= self.year <= 2100:
            raise ValidationError({"year": "Enter the year of the mid-year estimate, e.g. 2022."})
        if not (self.source or "").strip():
            raise ValidationError({"source": "Name the publication the population comes from."})
