"""The publication gate's base models and what the staff checklist requires to be published.

``Publication`` is what every model of the app declares: its place under the gate (its own
publication, its parent's, public as soon as it is saved, or not content at all).

``Content`` (history kept, a version refusing a stale save), ``Revised`` (when a row last changed),
``Publishable`` (draft until a Publisher sets when it goes public) and ``WaitingRevision`` (a change
to published figures waiting for a Publisher) are abstract: every domain's models build on them.
``RequiredItem`` is the model of the staff checklist of required publications (``checklist``).
Its category is a ``DocumentCategory`` of the library (``performance.library.models``), a layer
above this one: the foreign key names the model (same app) rather than importing it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


@dataclass(frozen=True)
class Publication:
    """A model's place under the publication gate (``performance.publishing.gate``), declared on
    the model as the class attribute ``publication``. Every model of the app declares one (or
    inherits its base's), and the gate's registry is built from them; a model that declares
    nothing fails the system checks (``performance.E001``). One of::

        publication = Publication.own()
            # A draft until a Publisher sets when it goes public (``Publishable`` declares this).
        publication = Publication.parent("period")
            # Public when the object its foreign key ``period`` names is (a figure, its quarter).
        publication = Publication.always_public()
            # No draft state: public as soon as it is saved, so only a Publisher may write it.
        publication = Publication.not_content("import records, for staff")
            # Not content: the public never reads it, and the gate lets its writes through.
    """

    kind: Literal["own", "parent", "always_public", "not_content"]
    parent_field: str = ""  # "parent": the foreign key naming the publication
    reason: str = ""  # "not_content": why it is not content
    deletes_gated_in_admin_only: bool = False  # "parent": no model signal refuses a delete

    @classmethod
    def own(cls) -> Publication:
        return cls("own")

    @classmethod
    def parent(cls, field: str, *, deletes_gated_in_admin_only: bool = False) -> Publication:
        """Published with the object ``field`` names. ``deletes_gated_in_admin_only``: only the
        admin asks the gate before a delete (rows the system deletes in bulk, e.g. computed ranks)."""
        return cls("parent", parent_field=field, deletes_gated_in_admin_only=deletes_gated_in_admin_only)

    @classmethod
    def always_public(cls) -> Publication:
        return cls("always_public")

    @classmethod
    def not_content(cls, reason: str) -> Publication:
        if not reason.strip():
            raise ValueError('Say why the model is not content: Publication.not_content("why …").')
        return cls("not_content", reason=reason)


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

    publication = Publication.not_content(
        "a waiting revision: the public reads the figures, which change only when a Publisher "
        "publishes the content again"
    )

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

    publication = Publication.own()

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


class RequiredItem(Content):
    """An item the Specified Information Order (or the office) requires the site to publish, for
    the staff checklist: where it is, when it last changed, and whether it is overdue."""

    class Check(models.TextChoices):
        CATEGORY = "category", "Newest public document in a category"
        NCPM_STATEMENT = (
            "ncpm_statement",
            "A Commissioner's statement for every NCPM quarter once ONS has released it",
        )
        NCPM_APPLICABILITY = (
            "ncpm_applicability",
            "Which national priorities apply in the area, for the latest published NCPM quarter",
        )

    name = models.CharField(max_length=200, help_text='e.g. "Latest HMICFRS PEEL report and the response".')
    requirement = models.CharField(
        max_length=300, blank=True, help_text="Where it is required, e.g. the Order's paragraph."
    )
    rule = models.CharField(
        max_length=20, choices=Check.choices, default=Check.CATEGORY, help_text="How it is checked."
    )
    category = models.ForeignKey(
        "DocumentCategory",
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

    publication = Publication.always_public()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "required publication"
        permissions = [("publish_requireditem", "Can change the required publications")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.rule == self.Check.CATEGORY and self.category_id is None:
            raise ValidationError({"category": "Choose the category the item is published in."})


def person(user) -> str:
    """A member of staff by name, as colleagues know them ("Sam Jones", or the username)."""
    if user is None:
        return "someone no longer on the staff list"
    return user.get_full_name() or user.get_username()


class ReviewStepQuerySet(models.QuerySet):
    def latest_per_item(self):
        """Each item's newest step only: where its review stands now."""
        later = ReviewStep.objects.filter(
            content_type=models.OuterRef("content_type"),
            object_id=models.OuterRef("object_id"),
            pk__gt=models.OuterRef("pk"),
        )
        return self.filter(~models.Exists(later))

    def waiting(self):
        """Items sent for review and not yet published, scheduled or sent back (newest first)."""
        return self.latest_per_item().filter(action=ReviewStep.Action.SUBMITTED).order_by("-at", "-pk")

    def sent_back(self):
        """Items a Publisher sent back with a comment, not sent again since (newest first)."""
        return self.latest_per_item().filter(action=ReviewStep.Action.SENT_BACK).order_by("-at", "-pk")

    def for_item(self, obj):
        from django.contrib.contenttypes.models import ContentType

        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        ).order_by("at", "pk")


class ReviewStep(models.Model):
    """One step of a draft's review: an Editor sends it for review with a note; a Publisher
    publishes or schedules it, or sends it back with a comment. The steps of an item are its
    review's history. A step changes nothing the public sees: only publishing does, through the
    publication gate (``performance.publishing.gate``)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Sent for review"
        SENT_BACK = "sent_back", "Sent back"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+", help_text="The kind of item."
    )
    object_id = models.PositiveBigIntegerField(help_text="The item's number.")
    item = GenericForeignKey("content_type", "object_id")
    item_name = models.CharField(max_length=300, help_text="The item's name when the step was taken.")
    action = models.CharField(max_length=20, choices=Action.choices, help_text="What was done.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it.",
    )
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who sent the item for review (a decision goes back to them).",
    )
    note = models.TextField(blank=True, help_text="The note sent with it, or the Publisher's comment.")
    at = models.DateTimeField(auto_now_add=True, db_index=True, help_text="When.")

    objects = ReviewStepQuerySet.as_manager()

    publication = Publication.not_content(
        "a step of a draft's review, for staff: the public reads only what a Publisher publishes"
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="review_step_item")]
        verbose_name = "review step"

    def __str__(self):
        return f"{self.get_action_display()}: {self.item_name}"

    @property
    def summary(self) -> str:
        """What was done, by whom, when, with its note, e.g. "Sent back by Sam Jones on 7 December
        2026, 14:05: “Check the burglary commentary.”"."""
        who = person(self.user)
        when = f"{timezone.localtime(self.at):%-d %B %Y, %H:%M}" if self.at else "now"
        said = f": “{self.note}”" if self.note else "."
        return f"{self.get_action_display()} by {who} on {when}{said}"
