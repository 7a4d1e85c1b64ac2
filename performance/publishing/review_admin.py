"""The review workflow's pages in the admin, for every kind of content with drafts
(``PublishableAdmin``): "Submit for review" (an Editor, on a draft) and "Review and publish" (a
Publisher: publish now, schedule, or send back with a comment), and the review's state and history
on the item's own page.

Publishing from the review page is the same publication as anywhere else
(``PublishableAdmin._set_publication``): the publication gate decides, and its checks are shown
and answered here as on the "Check before publishing" page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from performance.publishing import review
from performance.publishing.checks import publication_review

NOTE_HELP = "What the Publisher should look at, e.g. “Commentary for burglary rewritten; statement to check.”"


class SubmitForm(forms.Form):
    note = forms.CharField(
        label="Note for the Publisher",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=f"Optional. {NOTE_HELP}",
    )


class DecisionForm(forms.Form):
    """A Publisher's decision on a draft sent for review."""

    PUBLISH, SCHEDULE, SEND_BACK = "publish", "schedule", "send_back"

    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        initial=PUBLISH,
        choices=[
            (PUBLISH, "Publish it now"),
            (SCHEDULE, "Schedule it for the date and time below"),
            (SEND_BACK, "Send it back with a comment"),
        ],
    )
    publish_at = forms.DateTimeField(
        label="Publish on (UK time)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Only for scheduling: the date and time it becomes public.",
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Needed to send it back: say what to change. Kept in the review's history.",
    )
    publication_reason = forms.CharField(
        label="Why publish anyway",
        required=False,
        max_length=100,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Needed to publish or schedule while the checks above find something. At most 100 "
        "characters; kept in the history of what you publish.",
    )
    statement_still_true = forms.BooleanField(
        label="The statement still reads true with the revised figures", required=False
    )

    def __init__(self, *args, reason_needed: bool, statement_to_reread: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_needed, self.statement_to_reread = reason_needed, statement_to_reread
        if not reason_needed:
            del self.fields["publication_reason"]
        if not statement_to_reread:
            del self.fields["statement_still_true"]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        errors = {}
        if decision == self.SEND_BACK and not cleaned.get("comment", "").strip():
            errors["comment"] = "Say what to change: the comment goes to whoever sent it for review."
        if decision == self.SCHEDULE:
            when = cleaned.get("publish_at")
            if when is None:
                errors["publish_at"] = "Give the date and time it becomes public."
            elif when <= timezone.now():
                errors["publish_at"] = "Give a date and time in the future, or choose “Publish it now”."
        if decision in (self.PUBLISH, self.SCHEDULE):
            if self.reason_needed and not cleaned.get("publication_reason", "").strip():
                errors["publication_reason"] = (
                    "The checks above found something: fix it first, or say why it can be published anyway."
                )
            if self.statement_to_reread and not cleaned.get("statement_still_true"):
                errors["statement_still_true"] = (
                    "Read the statement again: tick this box if it still reads true, or edit it first."
                )
        if errors:
            raise ValidationError(errors)
        return cleaned


class ReviewAdmin:
    """Mixed into ``PublishableAdmin``: the review pages and the review panel of the change form."""

    change_form_template = "admin/performance/change_form.html"

    def review_set(self, obj):
        """The items published together when ``obj``'s review is decided (a 999 month: every
        force's row for that month)."""
        return self.model._default_manager.filter(pk=obj.pk)

    def review_name(self, obj) -> str:
        """The item's name in lists, emails and the review's history."""
        return str(obj)

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/submit/",
                self.admin_site.admin_view(self.submit_view),
                name=f"{info}_submit",
            ),
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{info}_review",
            ),
            *super().get_urls(),
        ]

    def _item(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def _change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    def _context(self, request, obj, name: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "item_name": name,
            "change_url": self._change_url(obj),
            "preview_url": self.view_on_site(obj),
            "steps": review.ReviewStep.objects.for_item(obj).select_related("user"),
            **extra,
        }

    def submit_view(self, request, object_id):
        """An Editor sends a draft for review with a note."""
        obj = self._item(request, object_id)
        if not review.may_submit(request.user, obj):
            raise PermissionDenied
        name = self.review_name(obj)
        waiting = review.latest_step(obj)
        form = SubmitForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if review.is_waiting(waiting):
                self.message_user(request, f"{name} is already waiting for review.", messages.INFO)
                return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))
            review_url = request.build_absolute_uri(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_review", args=[obj.pk])
            )
            with transaction.atomic():
                told = review.review_submit(
                    obj=obj,
                    name=name,
                    user=request.user,
                    note=form.cleaned_data["note"],
                    review_url=review_url,
                )
            by_email = f" {told} of them {'was' if told == 1 else 'were'} told by email." if told else ""
            self.message_user(
                request,
                f"Sent for review: {name}. A Publisher sees it on their home and publishes "
                f"it or sends it back to you.{by_email}",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))
        context = self._context(
            request,
            obj,
            name,
            title=f"Submit for review: {name}",
            form=form,
            waiting=waiting if review.is_waiting(waiting) else None,
        )
        return TemplateResponse(request, "admin/performance/submit_for_review.html", context)

    def review_view(self, request, object_id):
        """A Publisher's review: the note, the checks, a preview, then publish now, schedule or send
        back with a comment."""
        obj = self._item(request, object_id)
        if not review.may_review(request.user, obj):
            raise PermissionDenied
        name = self.review_name(obj)
        together = list(self.review_set(obj))
        reviews = [publication_review(item) for item in together]
        found = [review_ for review_ in reviews if review_.checks or review_.statement]
        form = DecisionForm(
            request.POST if request.method == "POST" else None,
            reason_needed=any(r.checks for r in reviews),
            statement_to_reread=any(r.statement for r in reviews),
        )
        is_draft = obj.publish_at is None
        if request.method == "POST":
            if not is_draft:
                self.message_user(
                    request,
                    f"{name} is no longer a draft: nothing was changed.",
                    messages.WARNING,
                )
                return HttpResponseRedirect(self._change_url(obj))
            if form.is_valid():
                return self._decide(request, obj, name, together, form.cleaned_data)
        waiting = review.latest_step(obj)
        context = self._context(
            request,
            obj,
            name,
            title=f"Review and publish: {name}",
            form=form,
            waiting=waiting if review.is_waiting(waiting) else None,
            is_draft=is_draft,
            together=len(together),
            reviews=found,
        )
        return TemplateResponse(request, "admin/performance/review.html", context)

    def _decide(self, request, obj, name, together, data):
        comment = data.get("comment", "").strip()
        if data["decision"] == DecisionForm.SEND_BACK:
            with transaction.atomic():
                step = review.review_send_back(
                    obj=obj,
                    name=name,
                    user=request.user,
                    comment=comment,
                    item_url=request.build_absolute_uri(self._change_url(obj)),
                )
            to = review.person(step.submitter) if step.submitter else "its author"
            self.message_user(request, f"Sent back to {to} with your comment: {name}.", messages.SUCCESS)
            return self._next_page(request, obj)
        when = data["publish_at"] if data["decision"] == DecisionForm.SCHEDULE else timezone.now()
        self._set_publication(
            request,
            self.model._default_manager.filter(pk__in=[item.pk for item in together]),
            when,
            "published" if when <= timezone.now() else "scheduled",
            reason=data.get("publication_reason", ""),
            review_note=comment,
        )
        public = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None
        if public and when <= timezone.now():
            self.message_user(
                request,
                format_html('<a href="{}">See {} on the public site</a>', public, name),
                messages.INFO,
            )
        return self._next_page(request, obj)

    def _next_page(self, request, obj):
        """After a decision: the next draft waiting for this Publisher, or the item's own page."""
        if review.waiting_for(request.user):
            return HttpResponseRedirect(reverse("admin:review_queue", current_app=self.admin_site.name))
        return HttpResponseRedirect(self._change_url(obj))

    def response_change(self, request, obj):
        """ "Save and submit for review": saved, then the note for the Publisher."""
        if "_send_for_review" in request.POST and review.may_submit(request.user, obj):
            opts = self.opts
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_submit", args=[obj.pk])
            )
        return super().response_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The change form says where the draft's review stands and offers the next step."""
        if obj is not None and obj.pk is not None:
            step = review.latest_step(obj)
            context["review_step"] = step
            context["review_waiting"] = review.is_waiting(step)
            opts = self.opts
            if obj.publish_at is None and review.may_review(request.user, obj):
                context["review_url"] = reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_review", args=[obj.pk]
                )
            elif review.may_submit(request.user, obj) and not review.is_waiting(step):
                context["submit_url"] = reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_submit", args=[obj.pk]
                )
        return super().render_change_form(request, context, add, change, form_url, obj)
