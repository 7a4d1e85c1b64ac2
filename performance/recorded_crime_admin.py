"""The recorded crime open data's counts in the admin, and the release's Import page: upload,
preview, confirm."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from . import importing, recorded_crime
from .admin import RecordedCrimeRecordAdmin
from .models import OffenceCount
from .spreadsheets import size_problem


class RecordedCrimeUploadForm(forms.Form):
    import_file = forms.FileField(
        label="File",
        help_text="The Police Force Area tables as published (.ods), saved as Excel (.xlsx), or one "
        f"year's sheet saved as CSV; at most {recorded_crime.MAX_FILE_BYTES // 1024 // 1024} MB.",
    )

    published_on = forms.DateField(
        label="Published on",
        required=False,
        help_text="The day the Home Office published this release, e.g. 19/10/2023. Only needed "
        "when the file does not say (the preview tells you).",
    )

    def clean_import_file(self):
        """Refuse an oversized upload from its size alone, before anything reads it."""
        upload = self.cleaned_data["import_file"]
        if upload.size > recorded_crime.MAX_FILE_BYTES:
            raise ValidationError(size_problem(upload.size, recorded_crime.MAX_FILE_BYTES))
        return upload


@admin.register(OffenceCount)
class OffenceCountAdmin(RecordedCrimeRecordAdmin):
    """The counts, and the release's Import page: upload, preview, confirm (``importing``'s
    guarantees: the file waits in the media storage under a token only its uploader's sign-in
    can confirm, once, and only while the counts it replaces are as the preview found them)."""

    list_display = ["quarter_end", "force", "offence", "subgroup", "count"]
    list_filter = ["quarter_end", "force__kind", "offence__group", "force"]
    list_select_related = ["force", "offence"]
    search_fields = ["force__name", "offence__code", "offence__description", "offence__subgroup"]
    date_hierarchy = "quarter_end"
    ordering = ["-quarter_end", "force__name", "offence__code"]
    show_full_result_count = False  # one count of a large table per page is enough
    change_list_template = "admin/performance/offencecount/change_list.html"

    @admin.display(description="offence subgroup", ordering="offence__subgroup")
    def subgroup(self, obj):
        return obj.offence.subgroup

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm("performance.import_offencecount")

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{info}_import"),
            path(
                "process_import/",
                self.admin_site.admin_view(self.confirm_view),
                name=f"{info}_process_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {"has_import_permission": self.has_import_permission(request), **(extra_context or {})}
        return super().changelist_view(request, context)

    def import_view(self, request):
        """Upload and preview. A clean file is kept for its confirmation; the page shows what it
        would change, or every problem."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = RecordedCrimeUploadForm(request.POST or None, request.FILES or None)
        summary = confirm_form = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            with upload.open("rb") as opened:
                summary = recorded_crime.release_import(
                    opened,
                    file_name=upload.name,
                    dry_run=True,
                    published_on=form.cleaned_data.get("published_on"),
                )
                if not summary.refused:
                    if request.session.session_key is None:
                        request.session.save()
                    stored = importing.upload_store(
                        user=request.user,
                        session_key=request.session.session_key,
                        resource_class=OffenceCount,
                        file_name=upload.name,
                        file=File(opened),
                        preview_fingerprint=summary.held_fingerprint,
                    )
                    if form.cleaned_data.get("published_on"):
                        stored.release_published_on = form.cleaned_data["published_on"]
                        stored.save(update_fields=["release_published_on"])
                    confirm_form = importing.ImportConfirmForm(initial={"token": stored.token})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import police recorded crime open data",
            "form": form,
            "summary": summary,
            "confirm_form": confirm_form,
        }
        return TemplateResponse(request, "admin/performance/recorded_crime_import.html", context)

    @method_decorator(require_POST)
    def confirm_view(self, request):
        """Confirm a preview by its token: import it once, or say why not. A token this user, in
        this sign-in, cannot use, or any field besides it, is a bad request (400)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = importing.ImportConfirmForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(form.problems(), content_type="text/plain; charset=utf-8")
        summary = None
        try:
            with transaction.atomic():
                upload = importing.upload_claim(
                    token=form.cleaned_data["token"],
                    user=request.user,
                    session_key=request.session.session_key,
                    resource_class=OffenceCount,
                )
                if upload.confirmed_at is None:
                    with importing.upload_opened(upload) as opened:
                        summary = recorded_crime.release_import(
                            opened,
                            file_name=upload.file_name,
                            user=request.user,
                            preview_fingerprint=upload.preview_fingerprint,
                            published_on=upload.release_published_on,
                        )
                    if summary.imported:
                        importing.upload_mark_confirmed(upload, summary.import_log)
        except importing.UploadUnknown as unknown:
            return HttpResponseBadRequest(str(unknown), content_type="text/plain; charset=utf-8")
        page = "changelist"
        if summary is None:
            self.message_user(request, importing.already_imported_message(upload), messages.WARNING)
        elif summary.imported:
            self.message_user(
                request, f"Imported {upload.file_name}: {summary.totals_text}.", messages.SUCCESS
            )
        else:
            self.message_user(request, "Nothing was imported: " + " ".join(summary.problems), messages.ERROR)
            page = "import"  # upload again
        info = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        return HttpResponseRedirect(reverse(f"{info}_{page}", current_app=self.admin_site.name))
