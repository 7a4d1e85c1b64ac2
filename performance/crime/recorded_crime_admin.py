"""The recorded crime open data in the admin (offences and counts, read only), and the release's
Import page.

The file is large, so nothing slow happens in a request (``recorded_crime_tasks``): the upload
stores the file and queues its preview, and answers with the job's page at once; the page
follows the preview to its summary and the Confirm button; the confirm queues the import and
answers with its job's page, which follows it to what it created. Each job's page is its
uploader's alone (same user, same sign-in); anyone else gets 404, and a confirm they post 400.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from performance.crime import recorded_crime
from performance.crime.models.open_data import Offence, OffenceCount
from performance.crime.recorded_crime_file import RECORDED_CRIME
from performance.crime.recorded_crime_tasks import recorded_crime_confirm, recorded_crime_preview
from performance.imports import importing, outcomes
from performance.imports.admin import ReadOnlyRecordAdmin
from performance.imports.jobs import ImportJob, job_create, job_enqueue, job_state
from performance.imports.spreadsheets import HeadingsMissing, size_problem
from performance.shared import calculations

NOT_PREVIEWED = (
    "Nothing has been imported: this file's preview has not finished, or refused the file. Wait for "
    "the preview, read it, then confirm."
)
# Without JavaScript the page of a job under way reloads itself this often (seconds), unless its
# reader turns that off (a page that refreshes itself must let its reader stop it, WCAG 2.2.1).
REFRESH_SECONDS = 5


class RecordedCrimeRecordAdmin(ReadOnlyRecordAdmin):
    """Rows of the open data: listed, searched and filtered; added, changed and deleted by no one
    (each import replaces them)."""


@admin.register(Offence)
class OffenceAdmin(RecordedCrimeRecordAdmin):
    list_display = ["code", "description", "group", "subgroup"]
    list_filter = ["group", "subgroup"]
    search_fields = ["code", "description", "group", "subgroup"]
    ordering = ["code", "description", "subgroup"]


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


class OpenDataImportAdmin(RecordedCrimeRecordAdmin):
    """A Police Force Area tables release's raw rows, and its Import page: upload, preview,
    confirm, each run in the background (``importing``'s guarantees: the file waits in the media
    storage under a token only its uploader's sign-in can confirm, once, and only while the rows
    it replaces are as the preview found them). A release sets its tasks, title and help."""

    preview_task = None  # the release's preview and confirm tasks
    confirm_task = None
    layout = RECORDED_CRIME  # the release's columns, for the column-choice step
    import_title = ""
    import_template = "admin/performance/recorded_crime_import.html"
    change_list_template = "admin/performance/offencecount/change_list.html"
    show_full_result_count = False  # one count of a large table per page is enough

    @admin.display(description="offence subgroup", ordering="offence__subgroup")
    def subgroup(self, obj):
        return obj.offence.subgroup

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.import_{self.opts.model_name}")

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name=f"{info}_import"),
            path("import/<uuid:job_id>/", view(self.job_view), name=f"{info}_import_job"),
            path(
                "import/<uuid:job_id>/progress/",
                view(self.job_progress_view),
                name=f"{info}_import_job_progress",
            ),
            path("process_import/", view(self.confirm_view), name=f"{info}_process_import"),
            path("import/columns/", view(self.columns_view), name=f"{info}_import_columns"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {"has_import_permission": self.has_import_permission(request), **(extra_context or {})}
        return super().changelist_view(request, context)

    def url(self, name: str, *args) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=args,
            current_app=self.admin_site.name,
        )

    def uploaders_jobs(self, request):
        return ImportJob.objects.for_uploader(user=request.user, session_key=request.session.session_key)

    def import_view(self, request):
        """The upload form and the staff member's imports. A valid upload is stored and its
        preview queued; the answer is the preview's page, at once."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = RecordedCrimeUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            if request.session.session_key is None:
                request.session.save()
            file = form.cleaned_data["import_file"]
            with transaction.atomic():
                upload = importing.upload_store(
                    user=request.user,
                    session_key=request.session.session_key,
                    resource_class=self.model,
                    file_name=file.name,
                    file=file,  # a large upload's temporary file is moved, not copied, where it can be
                    preview_fingerprint="",  # set by the preview: until then it cannot be confirmed
                    release_published_on=form.cleaned_data.get("published_on"),
                )
                job = job_create(
                    upload=upload,
                    kind=ImportJob.Kind.PREVIEW,
                    user=request.user,
                    session_key=request.session.session_key,
                )
                job_enqueue(job, self.preview_task)
            return HttpResponseRedirect(self.url("import_job", job.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.import_title,
            "form": form,
            "jobs": [
                (job, state, self.url("import_job", job.pk), job_list_text(job, state))
                for job, state in (
                    (job, job_state(job)) for job in self.uploaders_jobs(request).recent()[:10]
                )
            ],
        }
        return TemplateResponse(request, self.import_template, context)

    def job_for(self, request, job_id) -> ImportJob:
        """The job, if this user started it in this sign-in (404 otherwise)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.uploaders_jobs(request).select_related("upload"), pk=job_id)

    def job_context(self, request, job: ImportJob) -> dict:
        """What a job's page shows, and its script reads."""
        state = job_state(job)
        upload = job.upload
        confirm_job = (
            upload.jobs.filter(kind=ImportJob.Kind.CONFIRM).first()
            if upload is not None and job.kind == ImportJob.Kind.PREVIEW
            else None
        )
        confirmable = (
            job.kind == ImportJob.Kind.PREVIEW
            and job.status == ImportJob.Status.FINISHED
            and upload is not None
            and upload.confirmed_at is None
            and confirm_job is None
        )
        log = upload.import_log if upload is not None and job.kind == ImportJob.Kind.CONFIRM else None
        asked = self.columns_asked(job)
        finished = job.status == ImportJob.Status.FINISHED
        return {
            "next_steps": outcomes.next_steps(log.outcome, request.user)
            if finished and log is not None and log.outcome
            else [],
            "job": job,
            "state": state,
            "title": job_title(job),
            "confirm_form": importing.ImportConfirmForm(initial={"token": upload.token})
            if confirmable
            else None,
            "confirm_job_url": self.url("import_job", confirm_job.pk) if confirm_job else "",
            "column_form": importing.ColumnChoiceForm(initial={"token": upload.token}, missing=asked)
            if asked is not None
            else None,
            "columns_url": self.url("import_columns"),
            "job_url": self.url("import_job", job.pk),
            "progress_url": self.url("import_job_progress", job.pk),
            "import_url": self.url("import"),
            "confirm_url": self.url("process_import"),
        }

    def job_view(self, request, job_id):
        """A job's page: its progress while it runs (the page's script follows it without a
        reload; without JavaScript the page reloads itself), then its outcome."""
        job = self.job_for(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            **self.job_context(request, job),
            "refresh_seconds": REFRESH_SECONDS if request.GET.get("refresh") != "off" else 0,
        }
        return TemplateResponse(request, "admin/performance/import_job.html", context)

    def job_progress_view(self, request, job_id):
        """A job's progress for its page's script; once it has ended, the page's new content too."""
        job = self.job_for(request, job_id)
        context = self.job_context(request, job)
        state = context["state"]
        data = {
            "status": job.status,
            "final": state.final,
            "stage": state.stage,
            "done": state.done,
            "total": state.total,
            "text": state.text,
            "quiet": state.quiet_text,
            "title": context["title"],
        }
        if state.final:
            data["html"] = render_to_string(
                "admin/performance/import_job_body.html", context, request=request
            )
        return JsonResponse(data)

    def columns_asked(self, job: ImportJob) -> HeadingsMissing | None:
        """The columns a refused preview could not find by their headings, while its file waits."""
        if job.kind != ImportJob.Kind.PREVIEW or not job.columns or job.upload is None:
            return None
        columns = {column.key: column for column in self.layout.columns}
        return HeadingsMissing(
            "",
            missing=[columns[key] for key in job.columns["missing"] if key in columns],
            headings=job.columns["headings"],
            unclaimed=job.columns["unclaimed"],
        )

    @method_decorator(require_POST)
    def columns_view(self, request):
        """The column-choice step: remember which of the waiting file's columns hold those its
        preview could not find (``ColumnMapping``, as the other releases' imports keep them),
        then read the file again in a new preview; or show the choices again, saying what is wrong."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            upload = importing.upload_owned(
                token=request.POST.get("token", ""),
                user=request.user,
                session_key=request.session.session_key,
                resource_class=self.model,
            )
        except importing.UploadUnknown as unknown:
            return HttpResponseBadRequest(str(unknown), content_type="text/plain; charset=utf-8")
        job = upload.jobs.filter(kind=ImportJob.Kind.PREVIEW).order_by("-created_at").first()
        asked = self.columns_asked(job) if job is not None and upload.confirmed_at is None else None
        if asked is None:
            return HttpResponseBadRequest(
                "Nothing has been asked about this file's columns.", content_type="text/plain; charset=utf-8"
            )
        form = importing.ColumnChoiceForm(request.POST, missing=asked)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                **self.job_context(request, job),
                "column_form": form,
                "refresh_seconds": 0,
            }
            return TemplateResponse(request, "admin/performance/import_job.html", context)
        with transaction.atomic():
            importing.columns_remember(
                resource_class=self.model, headings=asked.headings, choices=form.choices(), user=request.user
            )
            again = job_create(
                upload=upload,
                kind=ImportJob.Kind.PREVIEW,
                user=request.user,
                session_key=request.session.session_key,
            )
            job_enqueue(again, self.preview_task)
        return HttpResponseRedirect(self.url("import_job", again.pk))

    @method_decorator(require_POST)
    def confirm_view(self, request):
        """Confirm a preview by its token: queue its import and answer with its page. A token this
        user, in this sign-in, cannot use, a preview not finished, or any field besides the token,
        is a bad request (400). A file confirmed already is not confirmed again."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = importing.ImportConfirmForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(form.problems(), content_type="text/plain; charset=utf-8")
        try:
            upload = importing.upload_owned(
                token=form.cleaned_data["token"],
                user=request.user,
                session_key=request.session.session_key,
                resource_class=self.model,
            )
        except importing.UploadUnknown as unknown:
            return HttpResponseBadRequest(str(unknown), content_type="text/plain; charset=utf-8")
        if upload.confirmed_at is None and upload.jobs.filter(kind=ImportJob.Kind.CONFIRM).first() is None:
            if not upload.jobs.filter(kind=ImportJob.Kind.PREVIEW, status=ImportJob.Status.FINISHED).exists():
                return HttpResponseBadRequest(NOT_PREVIEWED, content_type="text/plain; charset=utf-8")
            try:
                with transaction.atomic():
                    job = job_create(
                        upload=upload,
                        kind=ImportJob.Kind.CONFIRM,
                        user=request.user,
                        session_key=request.session.session_key,
                    )
                    job_enqueue(job, self.confirm_task)
                return HttpResponseRedirect(self.url("import_job", job.pk))
            except IntegrityError:  # confirmed at the same moment in another tab
                pass
        confirm_job = upload.jobs.filter(kind=ImportJob.Kind.CONFIRM).first()
        if upload.confirmed_at is not None:
            self.message_user(request, importing.already_imported_message(upload), messages.WARNING)
        else:
            self.message_user(
                request,
                f"You have confirmed {upload.file_name} already: this is its import.",
                messages.WARNING,
            )
        return HttpResponseRedirect(
            self.url("import_job", confirm_job.pk) if confirm_job else self.url("import")
        )


@admin.register(OffenceCount)
class OffenceCountAdmin(OpenDataImportAdmin):
    """The recorded crime open data's counts, and its Import page."""

    preview_task = recorded_crime_preview
    confirm_task = recorded_crime_confirm
    import_title = "Import police recorded crime open data"
    list_display = ["quarter_end", "force", "offence", "subgroup", "count_display"]
    list_filter = ["quarter_end", "force__kind", "offence__group", "force"]
    list_select_related = ["force", "offence"]
    search_fields = ["force__name", "offence__code", "offence__description", "offence__subgroup"]
    date_hierarchy = "quarter_end"
    ordering = ["-quarter_end", "force__name", "offence__code"]

    @admin.display(description="count", ordering="count")
    def count_display(self, obj):
        return calculations.thousands(obj.count)


def job_title(job: ImportJob) -> str:
    """The page's title: what the job is, and how it stands."""
    if job.kind == ImportJob.Kind.PREVIEW:
        titles = {
            ImportJob.Status.FINISHED: f"Preview of {job.file_name}",
            ImportJob.Status.REFUSED: f"{job.file_name} was not imported",
            ImportJob.Status.FAILED: f"The preview of {job.file_name} stopped",
        }
        return titles.get(job.status, f"Reading {job.file_name}")
    titles = {
        ImportJob.Status.FINISHED: f"Imported {job.file_name}",
        ImportJob.Status.REFUSED: f"{job.file_name} was not imported",
        ImportJob.Status.FAILED: f"The import of {job.file_name} stopped",
    }
    return titles.get(job.status, f"Importing {job.file_name}")


def job_list_text(job: ImportJob, state) -> str:
    """How a job stands, in "Your imports"."""
    if not state.final:
        return state.quiet_text or state.text
    if job.status == ImportJob.Status.FINISHED:
        return "previewed" if job.kind == ImportJob.Kind.PREVIEW else "imported"
    return (
        "not imported: nothing changed"
        if job.status == ImportJob.Status.REFUSED
        else "stopped: nothing imported"
    )
