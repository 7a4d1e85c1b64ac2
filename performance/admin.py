"""Staff admin for every performance model. Field help text lives on the models."""

from dataclasses import dataclass
from urllib.parse import urlencode

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin

from . import calculations, importing, ncpm, ons, publication, publishing_checks
from .models import (
    CallAnswerMonth,
    CallAnswerRank,
    ColumnMapping,
    CommissionerStatement,
    Document,
    DocumentCategory,
    Force,
    ForceAlias,
    ForceGroup,
    ForceGroupMembership,
    ImportLog,
    LibraryPage,
    Measure,
    MeasureFigure,
    Meeting,
    Offence,
    PageSection,
    PriorityArea,
    PriorityAreaCommentary,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingChannel,
    ReportingPeriod,
    RequiredItem,
    SiteSettings,
    StaleEdit,
)
from .resources import (
    NCPM_TEMPLATE_HELP,
    CallAnswerMonthExportResource,
    CallAnswerMonthResource,
    MeasureFigureExportResource,
    MeasureFigureResource,
    RecordedCrimeFigureExportResource,
    RecordedCrimeFigureResource,
    SafeCSV,
    SafeXLSX,
    SpreadsheetFormat,
    release_resource,
)
from .spreadsheets import MAX_FILE_BYTES, size_problem
from .tables import RANK_SCOPES, rank_cell

# --------------------------------------------------------------------------------------------
# Shared: history, one-at-a-time editing, and publication
# --------------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class PublicationReview:
    """What the Publisher sees about one item before it is published."""

    obj: object
    checks: list
    statement: CommissionerStatement | None = None
    revisions: tuple = ()


def publication_review(obj) -> PublicationReview:
    statement, revisions = None, ()
    if isinstance(obj, ReportingPeriod):
        statement = publishing_checks.statement_to_reread(obj)
        if statement is not None:
            revisions = tuple(publishing_checks.pending_revision_notices(obj))
    return PublicationReview(obj, publishing_checks.publishing_checks(obj), statement, revisions)


def local_time_text(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


class PublishableAdmin(ContentAdmin):
    """Publishers publish, withdraw and schedule; Editors prepare drafts.

    Publishing a quarter, 999 month or ONS period (the action, "Publish" from the change form,
    or "Published from" set on a draft) first shows what ``publishing_checks`` finds missing or
    odd; with anything found, the Publisher goes on only by giving a reason, kept in the history.
    Publishing again something already public keeps its first-published time."""

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

    def _set_publication(self, request, queryset, when, done, *, reason=""):
        """Publish (``when``), or withdraw (None). Something already published keeps its
        first-published time when published again; what waited for it (revised figures) is
        applied. ``reason``, when given, is kept in each item's history."""
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
        parts = [f"{len(changed)} {done}."] if changed or not kept else []
        parts += kept
        if reason:
            parts.append(f"Reason kept in the history: “{reason}”.")
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


PREVIEW_ROWS = 200  # rows shown in a preview, with their figures


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


class ReleaseImportForm(ImportForm):
    def clean_import_file(self):
        """Refuse an oversized upload from its size alone, before anything reads it."""
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(size_problem(upload.size))
        return upload


class ReleaseImportExportMixin(ImportExportMixin):
    """Upload a national release, preview it, confirm it; export the dataset as CSV or XLSX.

    The preview's file is kept in the database under a random token (``importing``), never in a
    temporary file the client names, so any app server can confirm it, once."""

    import_template_name = "admin/performance/import.html"
    import_form_class = ReleaseImportForm
    confirm_form_class = importing.ImportConfirmForm
    import_formats = [SpreadsheetFormat]
    export_formats = [SafeCSV, SafeXLSX]
    import_resource = None
    export_resource = None
    import_help: list[str] = []

    def get_import_resource_classes(self, request):
        return [self.import_resource]

    def get_export_resource_classes(self, request):
        return [self.export_resource]

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error("import_file", str(e))

    def get_import_context_data(self, **kwargs):
        resource = self.import_resource
        return {
            **super().get_import_context_data(**kwargs),
            "import_help": self.import_help,
            "import_columns": resource.columns,
            "preview_headings": resource.preview_headings(),
        }

    def get_import_data_kwargs(self, **kwargs):
        """Keep each row's object, so the preview can show its figures."""
        return {**super().get_import_data_kwargs(**kwargs), "retain_instance_in_row_result": True}

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        example = path(
            "import/template/", self.admin_site.admin_view(self.example_view), name=f"{info}_import_template"
        )
        columns = path(
            "import/columns/", self.admin_site.admin_view(self.columns_view), name=f"{info}_import_columns"
        )
        return [example, columns, *super().get_urls()]

    def get_import_form_kwargs(self, request):
        """A file kept at the mapping step is previewed again as if uploaded once more."""
        stored = getattr(request, "stored_upload", None)
        if stored is None:
            return super().get_import_form_kwargs(request)
        upload, data = stored
        return {
            "data": {"format": "0"},
            "files": {"import_file": SimpleUploadedFile(upload.file_name, data)},
            "initial": self.get_import_form_initial(request),
        }

    @method_decorator(require_POST)
    def columns_view(self, request):
        """The mapping step: remember which of the kept file's columns hold the columns the import
        could not find, then preview the file with them (or ask again, saying what is wrong)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource_class = self.get_import_resource_classes(request)[0]
        try:
            upload = importing.upload_awaiting_columns(
                token=request.POST.get("token", ""),
                user=request.user,
                session_key=request.session.session_key,
                resource_class=resource_class,
            )
        except importing.UploadUnknown as unknown:
            return HttpResponseBadRequest(str(unknown), content_type="text/plain; charset=utf-8")
        with importing.upload_opened(upload) as stored:
            data = stored.read()
        result = resource_class().import_data(
            SpreadsheetFormat().create_dataset(data),
            dry_run=True,
            file_name=upload.file_name,
            user=request.user,
        )
        missing = getattr(result, "headings_missing", None)
        if missing is not None:
            form = importing.ColumnChoiceForm(request.POST, missing=missing)
            if form.is_valid():
                importing.columns_remember(
                    resource_class=resource_class,
                    headings=missing.headings,
                    choices=form.choices(),
                    user=request.user,
                )
            else:
                request.column_form = form
        request.stored_upload = (upload, data)
        return self.import_action(request)

    def example_view(self, request):
        """An example file with the headings the importer reads, as CSV."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        response = HttpResponse(
            SafeCSV().export_data(self.import_resource.example()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.import_resource.example_name}"'
        return response

    def write_to_tmp_storage(self, import_file, input_format):
        """The preview reads the upload from memory: nothing is written to a temporary file."""
        return importing.UploadBytes(b"".join(import_file.chunks()))

    def import_action(self, request, **kwargs):
        """As django-import-export's, then a clean preview's file is stored for its confirmation
        and the confirm form carries only its token."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        missing = getattr(context.get("result"), "headings_missing", None)
        if missing is not None and missing.unclaimed:
            self.columns_ask(request, context, missing)
        if context.get("confirm_form") is not None:
            if request.session.session_key is None:
                request.session.save()
            import_file = context["form"].cleaned_data["import_file"]
            upload = importing.upload_store(
                user=request.user,
                session_key=request.session.session_key,
                resource_class=self.get_import_resource_classes(request)[0],
                file_name=import_file.name,
                data=b"".join(import_file.chunks()),
                preview_fingerprint=context["result"].held_fingerprint,
            )
            context["confirm_form"] = importing.ImportConfirmForm(initial={"token": upload.token})
            stored = getattr(request, "stored_upload", None)
            if stored is not None:  # the mapping step's copy: the preview's own copy replaces it
                stored[0].delete()
        if context.get("result") is not None:
            resource = self.import_resource
            context["preview_rows"] = [
                (row, resource.preview_cells(row.instance) if getattr(row, "instance", None) else [])
                for row in context["result"].rows[:PREVIEW_ROWS]
            ]
        return response

    def columns_ask(self, request, context, missing) -> None:
        """Keep the file and ask which of its columns hold the ones not found by their headings."""
        form = getattr(request, "column_form", None)  # asked already: the answer needs correcting
        if form is None:
            if request.session.session_key is None:
                request.session.save()
            stored = getattr(request, "stored_upload", None)
            if stored is not None:
                upload = stored[0]
            else:
                import_file = context["form"].cleaned_data["import_file"]
                upload = importing.upload_store(
                    user=request.user,
                    session_key=request.session.session_key,
                    resource_class=self.get_import_resource_classes(request)[0],
                    file_name=import_file.name,
                    data=b"".join(import_file.chunks()),
                    preview_fingerprint="",  # no preview yet: this token can never confirm an import
                )
            form = importing.ColumnChoiceForm(initial={"token": upload.token}, missing=missing)
        context["column_form"] = form
        context["columns_missing"] = [column.label for column in missing.missing]

    def get_confirm_form_initial(self, request, import_form):
        return {}  # the token is added once the previewed file is stored (import_action)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Confirm a preview by its token: import it once, or say why not. A token this user,
        in this sign-in, cannot use, or any field besides it, is a bad request (400)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = importing.ImportConfirmForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(form.problems(), content_type="text/plain; charset=utf-8")
        try:
            confirmation = importing.upload_confirm(
                token=form.cleaned_data["token"],
                user=request.user,
                session_key=request.session.session_key,
                resource_class=self.get_import_resource_classes(request)[0],
            )
        except importing.UploadUnknown as unknown:
            return HttpResponseBadRequest(str(unknown), content_type="text/plain; charset=utf-8")
        if confirmation.imported:
            return self.process_result(confirmation.result, request)  # admin log, message, changelist
        self.message_user(request, confirmation.message, confirmation.level)
        page = "changelist" if confirmation.result is None else "import"  # refused: upload again
        info = self.get_model_info()
        return HttpResponseRedirect(
            reverse(f"admin:{info[0]}_{info[1]}_{page}", current_app=self.admin_site.name)
        )

    def add_success_message(self, result, request):
        """What was imported, and how many of those rows are drafts waiting to be published."""
        written = [row.instance for row in result.rows if row.import_type in ("new", "update")]
        drafts = sum(publication.is_draft(instance) for instance in written)
        message = importing.imported_message(result)
        if drafts:
            drafts_page = publication.publication_model(self.model)
            url = reverse(f"admin:{drafts_page._meta.app_label}_{drafts_page._meta.model_name}_changelist")
            some = (
                "1 of them is a draft"
                if drafts == 1
                else f"{calculations.thousands(drafts)} of them are drafts"
            )
            message = format_html(
                '{} {}: <a href="{}?publication=draft">review and publish {}</a>.',
                message,
                some,
                url,
                "it" if drafts == 1 else "them",
            )
        messages.success(request, message)


# --------------------------------------------------------------------------------------------
# Forces and groups
# --------------------------------------------------------------------------------------------


class ForceAliasInline(GatedInline, admin.TabularInline):
    model = ForceAlias
    extra = 1


class ForceGroupMembershipInline(GatedInline, admin.TabularInline):
    model = ForceGroupMembership
    autocomplete_fields = ["force"]
    extra = 1


@admin.register(Force)
class ForceAdmin(ContentAdmin):
    list_display = ["name", "full_name", "ons_code", "police_uk_id", "region", "kind"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "full_name", "ons_code", "police_uk_id", "aliases__alias"]
    ordering = ["name"]
    inlines = [ForceAliasInline]


@admin.register(ForceAlias)
class ForceAliasAdmin(ContentAdmin):
    list_display = ["alias", "force"]
    list_filter = ["force"]
    list_select_related = ["force"]
    search_fields = ["alias", "force__name", "force__full_name"]
    ordering = ["alias"]
    autocomplete_fields = ["force"]


@admin.register(ForceGroup)
class ForceGroupAdmin(ContentAdmin):
    list_display = ["name", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    ordering = ["name"]
    inlines = [ForceGroupMembershipInline]


@admin.register(ForceGroupMembership)
class ForceGroupMembershipAdmin(ContentAdmin):
    list_display = ["force", "group"]
    list_filter = ["group"]
    list_select_related = ["force", "group"]
    search_fields = ["force__name", "group__name"]
    ordering = ["group__name", "force__name"]
    autocomplete_fields = ["force"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(ContentAdmin):
    """A single row: it can be added once and never deleted."""

    list_display = [
        "office_name",
        "home_force",
        "answer_target_percent",
        "answer_target_seconds",
        "national_comparison",
    ]
    list_select_related = ["home_force"]
    search_fields = ["office_name", "commissioner_name"]
    ordering = ["pk"]
    autocomplete_fields = ["home_force"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


# --------------------------------------------------------------------------------------------
# 999 calls and ONS recorded crime
# --------------------------------------------------------------------------------------------


COMPUTED_RANKS_HELD = (
    "This month's ranks are computed from the national data held for it, so none can be entered "
    "by hand. The month shows its computed ranks."
)


def is_computed(rank) -> bool:
    return rank is not None and rank.source == CallAnswerRank.Source.COMPUTED


class EnteredRankForm(forms.ModelForm):
    """A rank entered by hand, as published: only for a month whose ranks are not computed."""

    def clean(self):
        cleaned = super().clean()
        month = cleaned.get("call_month")
        moving = self.instance._state.adding or "call_month" in self.changed_data
        if (
            moving
            and month is not None
            and month.pk is not None
            and CallAnswerRank.objects.filter(
                call_month=month, source=CallAnswerRank.Source.COMPUTED
            ).exists()
        ):
            raise ValidationError(COMPUTED_RANKS_HELD, code="ranks_computed")
        return cleaned


class CallAnswerRankInline(GatedInline, admin.TabularInline):
    """The month's ranks entered by hand; its computed ranks are shown read-only on the month."""

    model = CallAnswerRank
    form = EnteredRankForm
    extra = 0
    fields = ["scope", "rank", "joint", "out_of"]
    verbose_name_plural = "999 answering ranks entered by hand"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(source=CallAnswerRank.Source.ENTERED)


@admin.register(CallAnswerMonth)
class CallAnswerMonthAdmin(ReleaseImportExportMixin, PublishableAdmin):
    import_resource = CallAnswerMonthResource
    export_resource = CallAnswerMonthExportResource
    import_help = [
        "The monthly 999 data file from police.uk, as CSV or Excel (.xlsx): one row per force per month.",
        "Forces already held for a month are updated, never duplicated. Ranks are recomputed after the import.",
    ]

    list_display = [
        "force",
        "month_display",
        "publication_state",  # before the figures, so it shows on a laptop's screen
        "total_calls",
        "mean_answer_display",
        "under_10s_display",
        "ranks_display",
    ]
    list_filter = ["force"]
    list_select_related = ["force"]
    search_fields = ["force__name", "force__full_name"]
    date_hierarchy = "month"
    ordering = ["force__name", "-month"]
    autocomplete_fields = ["force"]
    inlines = [CallAnswerRankInline]
    readonly_fields = ["ranks_display"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_ranks()

    @admin.display(description="month", ordering="month")
    def month_display(self, obj):
        return date_format(obj.month, "F Y")

    @admin.display(description="mean answer time (s)", ordering="mean_answer_seconds")
    def mean_answer_display(self, obj):
        return calculations.seconds(obj.mean_answer_seconds)

    @admin.display(description="% under 10s", ordering="pct_under_10s")
    def under_10s_display(self, obj):
        return calculations.percent(obj.band_percent("under_10s"))

    @admin.display(description="ranks (national / MSG / regional)")
    def ranks_display(self, obj):
        """The ranks the public sees, marked when computed from the national data (not editable)."""
        ranks = [obj.rank_for(scope) for scope in RANK_SCOPES]
        text = " / ".join(rank_cell(rank) or "–" for rank in ranks)
        return f"{text} (computed)" if any(is_computed(rank) for rank in ranks) else text


@admin.register(CallAnswerRank)
class CallAnswerRankAdmin(GatedAdmin, admin.ModelAdmin):
    """Ranks entered by hand can be added, changed and deleted (as the publication gate allows).
    Computed ranks, the public's and the previews', can only be viewed: they follow the national
    data, and are recomputed whenever it changes."""

    form = EnteredRankForm
    list_display = ["call_month", "scope", "rank", "joint", "out_of", "source", "preview", "valid_from"]
    list_filter = ["scope", "source", "preview", "call_month__force"]
    list_select_related = ["call_month__force"]
    search_fields = ["call_month__force__name"]
    ordering = ["-call_month__month", "call_month__force__name", "scope", "preview", "valid_from"]
    raw_id_fields = ["call_month"]
    readonly_fields = ["source"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_computed(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_computed(obj)

    def delete_model(self, request, obj):
        """Deletes send no signal for ranks (see ``signals``): note the change here."""
        super().delete_model(request, obj)
        SiteSettings.content_changed()

    def delete_queryset(self, request, queryset):
        if queryset.filter(source=CallAnswerRank.Source.COMPUTED).exists():
            raise PermissionDenied
        super().delete_queryset(request, queryset)
        SiteSettings.content_changed()


class RecordedCrimeFigureInline(GatedInline, admin.TabularInline):
    model = RecordedCrimeFigure
    extra = 0
    autocomplete_fields = ["force"]
    fields = ["force", "total", "year_before"]
    readonly_fields = ["year_before"]

    @admin.display(description="the year before, as the headline compares it")
    def year_before(self, obj):
        """Computed at import (``ons``): the total, where it comes from and its release."""
        if obj is None or obj.previous_total is None:
            return "Not known yet"
        released = (
            f", published {calculations.long_date(obj.previous_release_on)}"
            if obj.previous_release_on
            else ""
        )
        return f"{calculations.thousands(obj.previous_total)} ({obj.get_previous_source_display()}{released})"


@admin.register(RecordedCrimePeriod)
class RecordedCrimePeriodAdmin(WaitingRevisionsAdmin, PublishableAdmin):
    list_display = ["__str__", "publication_state", "published_on", "next_release_on", "next_period_end"]
    date_hierarchy = "period_end"
    ordering = ["-period_end"]
    inlines = [RecordedCrimeFigureInline]
    readonly_fields = ["pending_revisions"]
    revised = "force"

    def revisions_apply(self, request, obj) -> int:
        """Publishing a period also applies its recomputed year before (a Publisher's decision)."""
        return ons.ons_revisions_apply(period=obj, user=request.user)


@admin.register(RecordedCrimeFigure)
class RecordedCrimeFigureAdmin(ReleaseImportExportMixin, ContentAdmin):
    import_resource = RecordedCrimeFigureResource
    export_resource = RecordedCrimeFigureExportResource
    import_help = [
        'ONS "Police force area data tables" as published (.xlsx, sheet "Table P1"), or that sheet saved as CSV.',
        "The year ending is read from the title row; country and region rows are skipped.",
    ]

    list_display = ["force", "period", "total"]
    list_filter = ["period", "force__kind"]
    list_select_related = ["force", "period"]
    search_fields = ["force__name", "force__full_name", "force__ons_code"]
    ordering = ["-period__period_end", "force__name"]
    autocomplete_fields = ["force"]


# --------------------------------------------------------------------------------------------
# National Crime and Policing Measures
# --------------------------------------------------------------------------------------------


@admin.register(PriorityArea)
class PriorityAreaAdmin(ContentAdmin):
    list_display = ["name", "order", "no_force_data_note"]
    search_fields = ["name"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Measure)
class MeasureAdmin(ContentAdmin):
    list_display = ["name", "priority_area", "unit", "order"]
    list_filter = ["priority_area", "unit"]
    list_select_related = ["priority_area"]
    search_fields = ["name", "definition_heading", "definition"]
    ordering = ["priority_area__order", "order", "name"]
    filter_horizontal = ["components"]
    fieldsets = [
        (None, {"fields": ["priority_area", "name", "unit", "order", "components"]}),
        (
            "Counted from the recorded crime open data",
            {
                "description": "For a police-recorded measure: the offences it counts in the Home "
                "Office's recorded crime open data. After each import of that data the figures are "
                "computed from these (a published quarter's changes wait for a Publisher). Leave "
                "both blank for a measure the force supplies, entered by hand: victim satisfaction, "
                "or grievous and actual bodily harm, which the open data cannot give. The appendix "
                "says under each definition which it is.",
                "fields": ["offence_subgroups", "offence_codes"],
            },
        ),
        ("Appendix", {"fields": ["definition_heading", "definition"]}),
    ]


class MeasureFigureInline(GatedInline, admin.TabularInline):
    model = MeasureFigure
    extra = 0


class PriorityAreaCommentaryInline(GatedInline, admin.StackedInline):
    model = PriorityAreaCommentary
    extra = 0


class CommissionerStatementInline(GatedInline, admin.StackedInline):
    model = CommissionerStatement
    fields = ["title", "body", "documents"]
    autocomplete_fields = ["documents"]
    extra = 0
    max_num = 1


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(WaitingRevisionsAdmin, PublishableAdmin):
    list_display = [
        "__str__",
        "publication_state",
        "period_end",
        "previous_period_end",
        "baseline_period_end",
    ]
    date_hierarchy = "period_end"
    ordering = ["-period_end"]
    inlines = [CommissionerStatementInline, MeasureFigureInline, PriorityAreaCommentaryInline]
    readonly_fields = ["pending_revisions"]
    revised = "measure"

    def revisions_apply(self, request, obj) -> int:
        """Publishing a quarter also applies its recomputed figures (a Publisher's decision)."""
        return ncpm.ncpm_revisions_apply(period=obj, user=request.user)


@admin.register(MeasureFigure)
class MeasureFigureAdmin(ReleaseImportExportMixin, ContentAdmin):
    import_resource = MeasureFigureResource
    export_resource = MeasureFigureExportResource
    import_help = NCPM_TEMPLATE_HELP

    list_display = ["measure", "period", "latest", "previous", "baseline"]
    list_filter = ["period", "measure__priority_area"]
    list_select_related = ["measure", "period"]
    search_fields = ["measure__name"]
    ordering = ["-period__period_end", "measure__priority_area__order", "measure__order", "measure__name"]


@admin.register(PriorityAreaCommentary)
class PriorityAreaCommentaryAdmin(ContentAdmin):
    list_display = ["priority_area", "period"]
    list_filter = ["period", "priority_area"]
    list_select_related = ["priority_area", "period"]
    search_fields = ["priority_area__name", "body"]
    ordering = ["-period__period_end", "priority_area__order", "priority_area__name"]


# --------------------------------------------------------------------------------------------
# Reporting channels and the document library
# --------------------------------------------------------------------------------------------


@admin.register(ReportingChannel)
class ReportingChannelAdmin(ContentAdmin):
    list_display = ["name", "contact", "is_emergency", "order"]
    list_filter = ["is_emergency"]
    search_fields = ["name", "contact", "description"]
    ordering = ["order", "name"]


class PageSectionInline(GatedInline, admin.StackedInline):
    model = PageSection
    extra = 0


@admin.register(LibraryPage)
class LibraryPageAdmin(PublishableAdmin):
    list_display = ["title", "publication_state", "slug", "template", "order"]
    list_filter = ["template"]
    search_fields = ["title", "slug", "summary"]
    ordering = ["order", "title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["documents"]
    inlines = [PageSectionInline]


@admin.register(PageSection)
class PageSectionAdmin(ContentAdmin):
    list_display = ["__str__", "page", "slot", "order"]
    list_filter = ["page", "slot"]
    list_select_related = ["page"]
    search_fields = ["heading", "body", "page__title"]
    ordering = ["page__order", "page__title", "slot", "order"]


@admin.register(Document)
class DocumentAdmin(PublishableAdmin):
    list_display = ["title", "publication_state", "category", "meeting", "published_on"]
    list_filter = ["category"]
    list_select_related = ["category", "meeting"]
    search_fields = ["title", "summary"]
    date_hierarchy = "published_on"
    ordering = ["-published_on", "title"]
    autocomplete_fields = ["meeting"]


@admin.register(DocumentCategory)
class DocumentCategoryAdmin(ContentAdmin):
    list_display = ["name", "slug", "order", "description"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["order", "name"]


class MeetingDocumentInline(GatedInline, admin.TabularInline):
    """A meeting's agenda, papers and minutes: listed here, edited on their own pages."""

    model = Document
    fields = ["title", "meeting_part", "publication_state", "published_on"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(PublishableAdmin):
    list_display = ["title", "publication_state", "held_on"]
    search_fields = ["title", "summary"]
    date_hierarchy = "held_on"
    ordering = ["-held_on", "title"]
    inlines = [MeetingDocumentInline]


@admin.register(CommissionerStatement)
class CommissionerStatementAdmin(ContentAdmin):
    list_display = ["__str__", "period"]
    list_select_related = ["period"]
    search_fields = ["title", "body"]
    ordering = ["-period__period_end"]
    autocomplete_fields = ["documents"]


@admin.register(RequiredItem)
class RequiredItemAdmin(ContentAdmin):
    """What the site must publish (as data), and the checklist of where each is and whether it is overdue."""

    list_display = ["name", "rule", "category", "refresh_days", "order"]
    list_select_related = ["category"]
    search_fields = ["name", "requirement"]
    ordering = ["order", "name"]
    change_list_template = "admin/performance/requireditem/change_list.html"

    def get_urls(self):
        checklist = path(
            "checklist/",
            self.admin_site.admin_view(self.checklist_view),
            name="performance_requireditem_checklist",
        )
        return [checklist, *super().get_urls()]

    def checklist_view(self, request):
        from .checklist import checklist

        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "What the site must publish: checklist",
            "opts": self.opts,
            "rows": checklist(),
        }
        return TemplateResponse(request, "admin/performance/requireditem/checklist.html", context)


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """Records the site writes itself: staff list and read them; nobody adds, changes or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportLog)
class ImportLogAdmin(ReadOnlyRecordAdmin):
    """A read-only record of every confirmed import."""

    list_display = [
        "created_at",
        "resource",
        "file_name",
        "user",
        "rows_new",
        "rows_updated",
        "rows_unchanged",
    ]
    list_filter = ["resource"]
    list_select_related = ["user"]
    search_fields = ["file_name", "sha256", "user__username"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]


class ColumnMappingForm(forms.ModelForm):
    """A stored column choice: for each column the import reads, the file's column that holds
    it, or none (read by its heading). The fields are made per release (``ColumnMappingAdmin``)."""

    class Meta:
        model = ColumnMapping
        fields = []

    def clean(self):
        return importing.column_choices_checked(super().clean())

    def save(self, commit=True):
        chosen = importing.column_choices(self.cleaned_data)
        self.instance.choices = {key: heading for key, heading in chosen.items() if heading}
        return super().save(commit)


@admin.register(ColumnMapping)
class ColumnMappingAdmin(HistoryAdmin):
    """Column choices made at an import's preview, for files with the same headings: viewed,
    corrected or forgotten here, each change kept in the history. They are made at an import,
    never added here."""

    list_display = ["release_name", "headings_text", "choices_text", "updated_by", "updated_at"]
    list_select_related = ["updated_by"]
    list_filter = ["release"]
    search_fields = ["headings", "choices"]
    ordering = ["release", "-updated_at"]
    readonly_fields = ["release_name", "headings_text", "updated_by", "updated_at"]

    @admin.display(description="import", ordering="release")
    def release_name(self, obj):
        return obj.release_name

    @admin.display(description="the file's headings")
    def headings_text(self, obj):
        return "; ".join(obj.headings)

    @admin.display(description="columns chosen")
    def choices_text(self, obj):
        resource = release_resource(obj.release)
        labels = {column.key: column.label for column in resource.columns} if resource else {}
        return "; ".join(
            f'"{heading}" read as "{labels.get(key, key)}"' for key, heading in obj.choices.items()
        )

    def has_add_permission(self, request):
        return False

    def column_fields(self, obj) -> dict:
        resource = release_resource(obj.release) if obj is not None else None
        if resource is None:
            return {}
        offered = [("", "None: read the column by its heading")] + [(h, h) for h in obj.headings]
        return {
            f"column_{column.key}": forms.ChoiceField(
                label=importing.column_question(column),
                choices=offered,
                required=False,
                initial=obj.choices.get(column.key, ""),
            )
            for column in resource.columns
        }

    def get_fields(self, request, obj=None):
        return [*self.readonly_fields[:2], *self.column_fields(obj), *self.readonly_fields[2:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        fields = self.column_fields(obj)
        kwargs["fields"] = list(fields)
        kwargs["form"] = type("ColumnMappingForm", (ColumnMappingForm,), {**fields, "__module__": __name__})
        return super().get_form(request, obj, change=change, **kwargs)


# --------------------------------------------------------------------------------------------
# Recorded crime open data (Home Office): offences and counts, written by the import only
# --------------------------------------------------------------------------------------------


class RecordedCrimeRecordAdmin(ReadOnlyRecordAdmin):
    """Rows of the open data: listed, searched and filtered; added, changed and deleted by no one
    (each import replaces them)."""


@admin.register(Offence)
class OffenceAdmin(RecordedCrimeRecordAdmin):
    list_display = ["code", "description", "group", "subgroup"]
    list_filter = ["group", "subgroup"]
    search_fields = ["code", "description", "group", "subgroup"]
    ordering = ["code", "description", "subgroup"]


# The counts and the release's import page: performance/recorded_crime_admin.py (imported by the
# app's ready(), after this module, as it builds on RecordedCrimeRecordAdmin).


# --------------------------------------------------------------------------------------------
# Sign-in records
# --------------------------------------------------------------------------------------------


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    """django-axes' own admin without its clean-up action, which reads a time that only sign-in
    requests carry and fails on any other (``manage.py axes_reset`` clears attempts instead)."""

    actions = []
