"""The admin's side of publishing, shared by every domain's admin: history with revert,
one-at-a-time editing, the publication gate, publishing with its checks, and recomputed figures
waiting for a Publisher. (The checklist of what the site must publish, ``RequiredItem``, spans the
domains: its admin is the site's, ``performance/site/admin.py``.)"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from performance.publishing import checks as publishing_checks
from performance.publishing import gate as publication
from performance.publishing import review
from performance.publishing.checks import publication_review
from performance.publishing.models import StaleEdit
from performance.publishing.review_admin import ReviewAdmin

CONCURRENT_EDIT = (
    "Someone else saved this since you opened it, so your changes have not been saved (nothing "
    "was overwritten). Open it again to see their changes, then make yours."
)


class VersionedForm(forms.ModelForm):
    """Refuses a save made over changes the editor has not seen (optimistic locking).

    The form carries the version the editor opened; the save writes only over that version
    (``Content``), so a save racing another is refused even after this form's check passed.
    A history revert carries the row's *current* version (``current_version``), not the past
    version's."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    current_version: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not hasattr(self.instance, "version"):  # not content (e.g. a rank entered by hand)
            del self.fields["seen_version"]
            return
        current = self.instance.version if self.current_version is None else self.current_version
        self.fields["seen_version"].initial = current

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk is not None and not self.instance._state.adding and seen is not None:
            current = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
            )
            if current.first() != seen:
                raise ValidationError(CONCURRENT_EDIT, code="concurrent_edit")
            self.instance.version = seen
        return cleaned


def can_publish(request, model) -> bool:
    return publication.can_publish(request.user, model)


class GatedAdmin:
    """The admin's side of the publication gate: what a user may add, change or delete is what
    ``publication`` allows, so forms, inlines, actions and history show only what may be done
    (the model signals refuse any write that gets past them)."""

    def has_add_permission(self, request, *args):
        allowed = super().has_add_permission(request, *args)
        if issubclass(self.model, publication.ALWAYS_PUBLIC):
            return allowed and can_publish(request, self.model)
        return allowed

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or publication.may_write(request.user, obj, "change"))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or publication.may_write(request.user, obj, "delete"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """An Editor can attach content only to a draft (a figure to a draft quarter)."""
        parent = publication.PARENT.get(self.model)
        if db_field.name == parent and not can_publish(request, self.model):
            kwargs["queryset"] = db_field.related_model._default_manager.filter(publish_at=None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_queryset(self, request, queryset):
        if not all(publication.may_write(request.user, obj, "delete") for obj in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)


class GatedInline(GatedAdmin):
    """An inline follows its parent: while the parent is a draft an Editor may change it; once
    it is published or scheduled (or has no draft state), only a Publisher."""

    form = VersionedForm

    def _parent_allows(self, request, parent) -> bool:
        return parent is None or can_publish(request, self.model) or publication.is_draft(parent)

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self._parent_allows(request, obj)

    def has_change_permission(self, request, obj=None):
        return admin.options.InlineModelAdmin.has_change_permission(
            self, request, obj
        ) and self._parent_allows(request, obj)

    def has_delete_permission(self, request, obj=None):
        return admin.options.InlineModelAdmin.has_delete_permission(
            self, request, obj
        ) and self._parent_allows(request, obj)


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, where reverting to a past version needs the right to change
    the row as it is now (its own view lets anyone who may read the history post a revert)."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        current = self.get_object(request, unquote(object_id))
        if current is None:
            raise Http404
        if request.method == "POST" and not self.has_change_permission(request, current):
            raise PermissionDenied
        request._revert_current = current
        return super().history_form_view(request, object_id, version_id, extra_context)


class ContentAdmin(GatedAdmin, HistoryAdmin):
    """Every content model: history with revert, one-at-a-time editing, and the publication gate."""

    form = VersionedForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        current = getattr(request, "_revert_current", None)
        if current is not None:
            form = type(form.__name__, (form,), {"current_version": current.version})
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit:
            return self._refused_as_stale(request)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Reverting is changing the row to a past version: it needs the right to change the row
        as it is now (``HistoryAdmin``), and the gate checks the past version as it would be saved."""
        try:
            with transaction.atomic():
                return super().history_form_view(request, object_id, version_id, extra_context)
        except StaleEdit:
            return self._refused_as_stale(request)

    def _refused_as_stale(self, request):
        self.message_user(request, CONCURRENT_EDIT, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class PublishConfirmForm(forms.Form):
    """Going on despite what the checks found: a reason, kept in the history; and, for a quarter
    whose revised figures are about to be applied, that its statement still reads true."""

    publish_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    publication_reason = forms.CharField(
        label="Why publish anyway",
        max_length=100,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text='At most 100 characters, e.g. "Victim satisfaction not yet released by the force; '
        'statement to follow on 26/10". Kept in the history of what you publish.',
    )
    statement_still_true = forms.BooleanField(
        label="The statement still reads true with these revised figures", required=False
    )

    def __init__(self, *args, reason_needed: bool = True, statement_to_reread: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not reason_needed:
            del self.fields["publication_reason"]
        if statement_to_reread:
            self.fields["statement_still_true"].required = True
            self.fields["statement_still_true"].error_messages["required"] = (
                "Read the statement again: tick this box if it still reads true, or edit it first."
            )
        else:
            del self.fields["statement_still_true"]


def local_time_text(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


class PublishableAdmin(ReviewAdmin, ContentAdmin):
    """Publishers publish, withdraw and schedule; Editors prepare drafts.

    Publishing a quarter, 999 month or ONS period (the action, "Publish" from the change form,
    or "Published from" set on a draft) first shows what ``publishing_checks`` finds missing or
    odd; with anything found, the Publisher goes on only by giving a reason, kept in the history.
    Publishing again something already public keeps its first-published time. An Editor sends
    a draft for review; a Publisher decides from its review page (``ReviewAdmin``)."""

    actions = ["publish_now", "withdraw"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if can_publish(request, self.model) else [*fields, "publish_at"]

    def get_list_filter(self, request):
        return [PublicationFilter, *super().get_list_filter(request)]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_publish(request, self.model):
            actions.pop("publish_now", None)
            actions.pop("withdraw", None)
        return actions

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        publish = path(
            "<path:object_id>/publish/", self.admin_site.admin_view(self.publish_view), name=f"{info}_publish"
        )
        return [publish, *super().get_urls()]

    def view_on_site(self, obj):
        """Staff see the public page as it will look, drafts included."""
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None
        return f"{url}?preview=1" if url else None

    @admin.display(description="publication")
    def publication_state(self, obj):
        return obj.publication_state

    @admin.action(description="Publish the selected items now (with their figures and commentary)")
    def publish_now(self, request, queryset):
        if not can_publish(request, self.model):
            raise PermissionDenied
        reviews = [publication_review(obj) for obj in queryset]
        reason = ""
        if any(review.checks for review in reviews):
            form = PublishConfirmForm(
                request.POST if "post" in request.POST else None,
                statement_to_reread=any(review.statement for review in reviews),
            )
            if not form.is_valid():
                return self.publish_confirmation(
                    request,
                    reviews,
                    form,
                    action="publish_now",
                    cancel_url=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
                )
            reason = form.cleaned_data["publication_reason"]
        self._set_publication(request, queryset, timezone.now(), "published", reason=reason)

    @admin.action(description="Withdraw the selected items (back to draft)")
    def withdraw(self, request, queryset):
        self._set_publication(request, queryset, None, "withdrawn to draft")

    def publish_view(self, request, object_id):
        """Publish one item, after its checks: where the change form sends a Publisher who set
        "Published from" on a draft (``?publish_at=`` the time they chose), and the way to
        publish a quarter again to apply its revised figures."""
        if not can_publish(request, self.model):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        review = publication_review(obj)
        form = PublishConfirmForm(
            request.POST if request.method == "POST" else None,
            initial={"publish_at": request.GET.get("publish_at")},
            reason_needed=bool(review.checks),
            statement_to_reread=review.statement is not None,
        )
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        if not form.is_valid():
            return self.publish_confirmation(request, [review], form, cancel_url=change_url)
        when = form.cleaned_data.get("publish_at") or timezone.now()
        self._set_publication(
            request,
            self.model._default_manager.filter(pk=obj.pk),
            when,
            "published" if when <= timezone.now() else "scheduled",
            reason=form.cleaned_data.get("publication_reason", ""),
        )
        return HttpResponseRedirect(change_url)

    def publish_confirmation(self, request, reviews, form, *, cancel_url, action=""):
        count = len(reviews)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Check before publishing",
            "intro": (
                "Before publishing, look at what is missing or odd below: each has a link to where it is "
                "fixed. Nothing is published until you go on; to go on anyway, say why."
                if any(review.checks for review in reviews)
                else "Nothing is missing or odd. Nothing is published until you go on."
            ),
            "reviews": reviews,
            "form": form,
            "action": action,
            "selected": [review.obj for review in reviews] if action else [],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "submit_label": f"Publish {'it' if count == 1 else f'these {count}'} anyway",
            "cancel_url": cancel_url,
        }
        return TemplateResponse(request, "admin/performance/publish_confirmation.html", context)

    def save_model(self, request, obj, form, change):
        """A draft given a "published from" time is saved still a draft when it has checks: the
        publication waits for their confirmation page (``response_add``, ``response_change``)."""
        stored_draft = not change or self.model._default_manager.filter(pk=obj.pk, publish_at=None).exists()
        if (
            publishing_checks.has_checks(self.model)
            and stored_draft
            and obj.publish_at is not None
            and getattr(request, "_revert_current", None) is None
        ):
            request._publication_requested = obj.publish_at
            obj.publish_at = None
            if change and form.changed_data == ["publish_at"]:
                return  # nothing else changed: the publication is the change
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return self._publication_response(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._publication_response(request, obj) or super().response_change(request, obj)

    def _publication_response(self, request, obj):
        """Publish at the time asked for when nothing needs a look, else go to the checks."""
        when = getattr(request, "_publication_requested", None)
        if when is None:
            return None
        if not publication_review(obj).checks:
            self._set_publication(
                request,
                self.model._default_manager.filter(pk=obj.pk),
                when,
                "published" if when <= timezone.now() else "scheduled",
            )
            return None
        self.message_user(
            request,
            f"Your changes to {obj} are saved, and it is still a draft: check what is below before it is "
            "published.",
            messages.WARNING,
        )
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_publish", args=[obj.pk])
        return HttpResponseRedirect(f"{url}?{urlencode({'publish_at': when.isoformat()})}")

    def revisions_apply(self, request, obj) -> int:
        """Apply what waits for a Publisher before ``obj`` is published (its revised figures):
        how many were applied. Nothing waits for most content."""
        return 0

    def _set_publication(self, request, queryset, when, done, *, reason="", review_note=""):
        """Publish (``when``), or withdraw (None). Something already published keeps its
        first-published time when published again; what waited for it (revised figures) is
        applied. ``reason``, when given, is kept in each item's history. An item waiting for
        review has the publication recorded as its review's decision (``review_note``: the
        Publisher's comment)."""
        if not can_publish(request, self.model):
            raise PermissionDenied
        now = timezone.now()
        changed, kept = [], []
        with transaction.atomic():
            objects = list(queryset.select_for_update(of=("self",)))
            for obj in objects:  # saved one by one, so each change has its history row
                applied = self.revisions_apply(request, obj) if when is not None else 0
                if when is not None and obj.publish_at is not None and obj.publish_at <= now:
                    kept.append(republished_text(obj, applied))
                else:
                    obj.publish_at = when
                    changed.append(obj)
                    if applied:
                        kept.append(f"Applied {revised_figures_text(applied)} to {obj}.")
                if reason:
                    obj._change_reason = reason
                obj.save()
            decided = review.review_decided(objects, user=request.user, when=when, note=review_note)
        parts = [f"{len(changed)} {done}."] if changed or not kept else []
        parts += kept
        if reason:
            parts.append(f"Reason kept in the history: “{reason}”.")
        if decided:
            parts.append("The review it waited for is closed and kept in its review history.")
        self.message_user(request, " ".join(parts), messages.SUCCESS)


def revised_figures_text(applied: int) -> str:
    return f"{applied} revised figure{'' if applied == 1 else 's'}"


def republished_text(obj, applied: int) -> str:
    """What publishing again did to something already published, e.g. "Applied 2 revised
    figures to 12 months to 30 June 2023; first published 19/10/2023 10:30 kept."."""
    kept = f"first published {local_time_text(obj.publish_at)} kept"
    if applied:
        return f"Applied {revised_figures_text(applied)} to {obj}; {kept}."
    return f"{obj} was already published; {kept}."


class WaitingRevisionsAdmin:
    """Content whose recomputed figures wait for a Publisher (``revisions``): its page lists
    them; publishing it again applies them (``revisions_apply``)."""

    revised = ""  # the field naming what each revision revises, e.g. "measure"

    @admin.display(description="recomputed figures waiting for a Publisher")
    def pending_revisions(self, obj):
        """What imports changed in this published content: the public sees it once a Publisher
        publishes it again."""
        if obj is None or obj.pk is None:
            return "None"
        notices = [revision.notice for revision in obj.revisions.pending().select_related(self.revised)]
        return "; ".join(notices) or "None"


class PublicationFilter(admin.SimpleListFilter):
    """Drafts, scheduled or published: where a day's work waits to be reviewed."""

    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("published", "Published")]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.filter(publish_at=None)
        if self.value() == "scheduled":
            return queryset.filter(publish_at__gt=timezone.now())
        if self.value() == "published":
            return queryset.published()
        return queryset
