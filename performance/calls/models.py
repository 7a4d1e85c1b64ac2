"""999 call answering: each force's months as police.uk publishes them, and their ranks."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, F, Prefetch, Q, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from performance.forces.models import Force
from performance.publishing.models import Content, Publication, Publishable, PublishableQuerySet, Revised
from performance.shared import calculations
from performance.shared.validators import PERCENT_VALIDATORS, first_of_month


def band_share(published: Decimal | None, count: int | None, total_calls: int | None) -> Decimal | None:
    """A band's share of a month's calls: as police.uk published it, else from its count.

    >>> band_share(Decimal("87.1"), 9000, 10000), band_share(None, 871, 1000)
    (Decimal('87.1'), Decimal('87.1'))
    >>> band_share(None, None, 1000) is None, band_share(None, 5, 0) is None
    (True, True)
    """
    if published is not None:
        return published
    if count is None or not total_calls:
        return None
    return Decimal(count) * 100 / Decimal(total_calls)


class CallAnswerMonthQuerySet(PublishableQuerySet):
    def for_force(self, force):
        return self.filter(force=force).order_by("-month")

    def with_ranks(self, *, preview: bool = False):
        """The months with the ranks their readers see (``rank_for``), in one more query: the
        public's, or a staff preview's (``CallAnswerRankQuerySet.shown``)."""
        return self.prefetch_related(
            Prefetch(
                "ranks",
                queryset=CallAnswerRank.objects.candidates(preview=preview),
                to_attr="rank_candidates",
            )
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

    def get_absolute_url(self):
        """The month's public page: every force's figures and ranks for that month."""
        return reverse("performance:calls-999-national", args=[f"{self.month:%Y-%m}"])

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
            if hasattr(self, "rank_candidates"):
                self.shown_ranks = shown_ranks(self.rank_candidates)
            else:
                self.shown_ranks = (
                    list(CallAnswerRank.objects.shown().filter(call_month=self)) if self.pk else []
                )
        return next((rank for rank in self.shown_ranks if rank.scope == scope), None)

    def rank_for_every_scope(self) -> list["CallAnswerRank"]:
        """The ranks this month's reader sees, one per scope held."""
        return [rank for scope in CallAnswerRank.Scope.values if (rank := self.rank_for(scope))]

    def band_percent(self, band: str) -> Decimal | None:
        return band_share(getattr(self, f"pct_{band}"), getattr(self, f"calls_{band}"), self.total_calls)


def shown_ranks(candidates) -> list["CallAnswerRank"]:
    """Of ``candidates`` (``CallAnswerRankQuerySet.candidates``), the rank ``shown()`` chooses for
    each month and scope: a computed rank before one entered by hand, then the latest
    ``valid_from`` (none last). The same choice as the query's, made on the few rows a page has
    already read: the window function costs more to build than the rows it sorts."""
    chosen = {}
    for rank in sorted(candidates, key=_newest_computed_first):
        chosen.setdefault((rank.call_month_id, rank.scope), rank)
    return list(chosen.values())


def _newest_computed_first(rank) -> tuple:
    computed = rank.source == CallAnswerRank.Source.COMPUTED
    return (
        0 if computed else 1,
        rank.valid_from is None,
        -(rank.valid_from.timestamp() if rank.valid_from else 0),
        -rank.pk,
    )


class CallAnswerRankQuerySet(models.QuerySet):
    def candidates(self, *, preview: bool = False):
        """The ranks a reader may be shown, before one is chosen per month and scope
        (``shown_ranks``): the computed ones of the public's time (or of a staff preview), and
        those entered by hand."""
        computed = Q(source=CallAnswerRank.Source.COMPUTED, preview=preview)
        if not preview:
            computed &= Q(valid_from__lte=timezone.now()) | Q(valid_from=None)
        return self.filter(computed | Q(source=CallAnswerRank.Source.ENTERED))

    def shown(self, *, preview: bool = False):
        """The one rank per month and scope that a reader sees.

        The public see the rank computed from the months public at the time: of the computed
        ranks, the one with the latest ``valid_from`` that has passed (none: from the start), so
        a scheduled publication changes it at its time with no job to run. A staff preview sees
        the rank computed with the drafts. Either falls back to the rank entered by hand.
        """
        newest_computed_first = [
            Case(When(source=CallAnswerRank.Source.COMPUTED, then=0), default=1),
            F("valid_from").desc(nulls_last=True),
        ]
        return (
            self.candidates(preview=preview)
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

    # Published with its month. Its deletes are gated in the admin only: the recomputation
    # deletes and writes computed ranks in bulk, from published months only, whoever's change
    # set it off.
    publication = Publication.parent("call_month", deletes_gated_in_admin_only=True)

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
