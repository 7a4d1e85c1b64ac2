"""The hand-over from Editor to Publisher: a draft sent for review with a note, the Publishers
told (by email and on their home), and a Publisher's decision — publish now, schedule, or send it
back with a comment — told to the Editor. Each step is a ``ReviewStep``; together they are the
item's review history.

Nothing here writes content: publishing goes through the admin's ``_set_publication``, which the
publication gate guards (``performance.publishing.gate``). A step is only a record of who asked
for what, and who decided.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from performance.publishing import gate
from performance.publishing.models import ReviewStep, person

logger = logging.getLogger(__name__)

Action = ReviewStep.Action


@dataclass(frozen=True)
class Review:
    """One item's review as staff see it in a list: the item, its newest step and where to go."""

    step: ReviewStep
    item: object
    url: str  # the review page (a Publisher) or the item's page (an Editor)

    @property
    def title(self) -> str:
        return self.step.item_name

    @property
    def who(self) -> str:
        return person(self.step.user)

    @property
    def when(self) -> datetime.datetime:
        return self.step.at


def admin_url(obj, view: str) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def latest_step(obj) -> ReviewStep | None:
    return ReviewStep.objects.for_item(obj).select_related("user", "submitter").last()


def is_waiting(step: ReviewStep | None) -> bool:
    return step is not None and step.action == Action.SUBMITTED


def may_submit(user, obj) -> bool:
    """May ``user`` send ``obj`` for review? Anyone who may change the draft (an Editor)."""
    return obj.publish_at is None and gate.may_write(user, obj, "change")


def may_review(user, obj) -> bool:
    """May ``user`` decide on ``obj``'s review? A Publisher of that kind of content."""
    return gate.can_publish(user, type(obj))


# --------------------------------------------------------------------------------------------
# The steps
# --------------------------------------------------------------------------------------------


def step_record(*, obj, name: str, action: str, user, submitter, note: str = "") -> ReviewStep:
    return ReviewStep.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        item_name=name[:300],
        action=action,
        user=user if getattr(user, "pk", None) else None,
        submitter=submitter if getattr(submitter, "pk", None) else None,
        note=note,
    )


def review_submit(*, obj, name: str, user, note: str, review_url: str) -> int:
    """Send ``obj`` for review: record the step and tell its Publishers by email once the step is
    saved. Returns how many Publishers are told by email."""
    step = step_record(obj=obj, name=name, action=Action.SUBMITTED, user=user, submitter=user, note=note)
    recipients = [
        publisher.email
        for publisher in publishers_of(type(obj))
        if publisher.pk != user.pk and publisher.email
    ]
    subject = f"For review: {name}"
    body = "\n\n".join(
        part
        for part in (
            f"{person(user)} has sent {name} for review.",
            f"Their note: {note}" if note else "",
            f"Review it, then publish, schedule or send it back: {review_url}",
        )
        if part
    )
    mail_on_commit(subject, body, recipients)
    logger.info("review submitted", extra={"step": step.pk})
    return len(recipients)


def review_send_back(*, obj, name: str, user, comment: str, item_url: str) -> ReviewStep:
    """A Publisher sends ``obj`` back with a comment, to whoever sent it for review."""
    waiting = latest_step(obj)
    submitter = waiting.submitter if is_waiting(waiting) else None
    step = step_record(
        obj=obj, name=name, action=Action.SENT_BACK, user=user, submitter=submitter, note=comment
    )
    if submitter is not None and submitter.email and submitter.pk != user.pk:
        body = (
            f"{person(user)} has sent {name} back to you.\n\nTheir comment: {comment}\n\n"
            f"Change it, then submit it for review again: {item_url}"
        )
        mail_on_commit(f"Sent back: {name}", body, [submitter.email])
    return step


def review_decided(objects, *, user, when: datetime.datetime | None, note: str = "") -> list[ReviewStep]:
    """Record a Publisher's publication of ``objects`` as the decision on those waiting for
    review (the others had no review to decide), and tell each one's sender."""
    if when is None:
        return []
    action = Action.PUBLISHED if when <= timezone.now() else Action.SCHEDULED
    objects = list(objects)
    if not objects:
        return []
    waiting_steps = {
        step.object_id: step
        for step in ReviewStep.objects.waiting()
        .filter(
            content_type=ContentType.objects.get_for_model(type(objects[0])),
            object_id__in=[obj.pk for obj in objects],
        )
        .select_related("submitter")
    }
    steps = []
    for obj in objects:
        waiting = waiting_steps.get(obj.pk)
        if waiting is None:
            continue
        steps.append(
            step_record(
                obj=obj,
                name=waiting.item_name,
                action=action,
                user=user,
                submitter=waiting.submitter,
                note=note,
            )
        )
        submitter = waiting.submitter
        if submitter is not None and submitter.email and submitter.pk != getattr(user, "pk", None):
            done = (
                "published it"
                if action == Action.PUBLISHED
                else f"scheduled it for {timezone.localtime(when):%-d %B %Y, %H:%M}"
            )
            body = f"{person(user)} has {done}: {waiting.item_name}." + (
                f"\n\nTheir comment: {note}" if note else ""
            )
            mail_on_commit(f"{action.label}: {waiting.item_name}", body, [submitter.email])
    return steps


def publishers_of(model):
    """Active staff who may publish ``model``: by their role, their own permissions, or as
    superusers."""
    opts = gate.publication_model(model)._meta
    permission = Permission.objects.filter(
        content_type__app_label=opts.app_label, codename=f"publish_{opts.model_name}"
    ).first()
    allowed = Q(is_superuser=True)
    if permission is not None:
        allowed |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return get_user_model().objects.filter(allowed, is_active=True, is_staff=True).distinct().order_by("pk")


def mail_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Email each recipient on their own once the step is saved. A mail server that fails does
    not undo the step: the item is on the Publishers' home and in the review queue all the same."""
    if not recipients:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]

    def send():
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:  # noqa: BLE001 - the record is kept; the failure goes to the log
            logger.exception("Could not send the review email %r to %d people", subject, len(recipients))

    transaction.on_commit(send)


# --------------------------------------------------------------------------------------------
# The lists on the home and the review queue
# --------------------------------------------------------------------------------------------


def reviews(steps, user, *, view: str, limit: int | None = None) -> list[Review]:
    """``steps`` as reviews of items that still exist and are still drafts, with one query per
    kind of item (not per item)."""
    steps = list(steps.select_related("user", "submitter", "content_type")[: limit or None])
    by_type = defaultdict(list)
    for step in steps:
        by_type[step.content_type_id].append(step.object_id)
    items = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
            continue
        for pk, obj in model._default_manager.in_bulk(ids).items():
            items[(type_id, pk)] = obj
    found = []
    for step in steps:
        obj = items.get((step.content_type_id, step.object_id))
        if obj is None or getattr(obj, "publish_at", None) is not None:
            continue  # deleted, or published or scheduled since without its review
        found.append(Review(step, obj, admin_url(obj, view)))
    return found


def waiting_for(user, *, limit: int | None = None) -> list[Review]:
    """Drafts sent for review that ``user`` may publish."""
    return [
        review
        for review in reviews(ReviewStep.objects.waiting(), user, view="review", limit=limit)
        if may_review(user, review.item)
    ]


def sent_by(user, *, limit: int | None = None) -> list[Review]:
    """``user``'s drafts waiting for a Publisher."""
    return reviews(ReviewStep.objects.waiting().filter(submitter=user.pk), user, view="change", limit=limit)


def came_back_to(user, *, limit: int | None = None) -> list[Review]:
    """``user``'s drafts a Publisher sent back, with the comment."""
    return reviews(ReviewStep.objects.sent_back().filter(submitter=user.pk), user, view="change", limit=limit)
