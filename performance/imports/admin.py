"""The admin's machinery for importing a national release (upload, preview, column choices,
confirm, export), and the import framework's own records: the log of confirmed imports and the
stored column choices."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm
from import_export.signals import post_import

from performance.imports import importing, outcomes
from performance.imports.models import ColumnMapping, ImportLog
from performance.imports.resources import SafeCSV, SafeXLSX, SpreadsheetFormat, release_resource
from performance.imports.spreadsheets import MAX_FILE_BYTES, size_problem
from performance.publishing.admin import HistoryAdmin

PREVIEW_ROWS = 200  # rows shown in a preview, with their figures


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

    import_template_name = "admin/performance/import_upload.html"  # extends import.html
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
        result = path(
            "import/result/<int:log_id>/",
            self.admin_site.admin_view(self.import_result_view),
            name=f"{info}_import_result",
        )
        return [example, columns, result, *super().get_urls()]

    def import_result_view(self, request, log_id):
        """What one confirmed import of this release did, and what to do next.

        For staff who may import this release, for any of its imports, not only their own: the
        office's imports are a shared record (the import log lists them all to the same staff),
        and a colleague picking up another's import needs the same page."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        log = get_object_or_404(
            ImportLog.objects.select_related("user"), pk=log_id, resource=self.import_resource.release_name
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Imported {log.file_name}",
            "log": log,
            "totals": importing.totals_text(log.rows_new, log.rows_updated, log.rows_unchanged),
            "recorded": bool(log.outcome),
            "sections": outcomes.result_sections(log.outcome),
            "next_steps": outcomes.next_steps(log.outcome, request.user) if log.outcome else [],
            "warnings": log.warnings.splitlines(),
            "import_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import", current_app=self.admin_site.name
            ),
            "log_url": reverse("admin:performance_importlog_change", args=[log.pk]),
        }
        return TemplateResponse(request, "admin/performance/import_result.html", context)

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
            # A row the resource marks (the 999 import's home force) is listed first.
            rows = sorted(
                context["result"].rows,
                key=lambda row: not getattr(getattr(row, "instance", None), "preview_tag", ""),
            )
            context["preview_rows"] = [
                (row, resource.preview_cells(row.instance) if getattr(row, "instance", None) else [])
                for row in rows[:PREVIEW_ROWS]
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
            return self.process_result(confirmation.result, request)  # admin log, its result page
        self.message_user(request, confirmation.message, confirmation.level)
        page = "changelist" if confirmation.result is None else "import"  # refused: upload again
        info = self.get_model_info()
        return HttpResponseRedirect(
            reverse(f"admin:{info[0]}_{info[1]}_{page}", current_app=self.admin_site.name)
        )

    def process_result(self, result, request):
        """As django-import-export's (the admin's log entries, the ``post_import`` signal), then
        the import's result page rather than the changelist: it says what was created and
        changed, and what to do next."""
        self.generate_log_entries(result, request)
        messages.success(request, importing.imported_message(result))
        post_import.send(sender=None, model=self.model)
        info = self.get_model_info()
        return HttpResponseRedirect(
            reverse(
                f"admin:{info[0]}_{info[1]}_import_result",
                args=[result.import_log.pk],
                current_app=self.admin_site.name,
            )
        )


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
