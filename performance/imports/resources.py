"""The release import machinery every dataset's import shares (django-import-export).

Each import reads the whole file and checks every row first (``prepare``). A file with any
problem imports nothing and says, for each problem, the row, the column, the value and why.
Only a clean file reaches django-import-export, which runs it inside one transaction (rolled
back on any error, and always for the preview) and reports rows new, updated and unchanged.
The same code runs from the admin (upload, preview, confirm) and from the ``import_*`` commands.
The datasets' resources (``performance.calls.resources``, ``performance.crime.resources``) join
the registry ``release_resource`` reads with ``release_registered``.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.utils import timezone
from django.utils.dateformat import format as date_format
from import_export import resources
from import_export.formats import base_formats
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Error
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from performance.imports import outcomes, untrusted
from performance.imports.models import ColumnMapping, ImportLog
from performance.imports.spreadsheets import (
    MAX_ERRORS_SHOWN,
    CellError,
    Column,
    Header,
    HeadingsMissing,
    Sheet,
    SpreadsheetError,
    decimal_fitted,
    decimal_value,
    header_find,
    header_key,
)
from performance.publishing import gate as publication
from performance.publishing.deferral import recomputation_deferred
from performance.publishing.signals import note_change
from performance.shared import calculations
from performance.shared.formulas import formula_neutralised


@dataclass(frozen=True)
class RowError:
    """A problem with a whole row rather than one cell; the message names the cells involved."""

    row: int
    message: str

    def __str__(self):
        return f"Row {self.row}: {self.message}"


class ReleaseProblems(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class Prepared:
    dataset: tablib.Dataset
    warnings: list[str] = field(default_factory=list)
    months: set = field(default_factory=set)
    summary: list[str] = field(default_factory=list)  # what the preview says first, above its warnings


PREVIEW_OUTDATED = (
    "Figures in this file have changed since your preview (someone has imported or edited them), so "
    "nothing has been imported; upload the file again to see the current differences."
)


class PreviewOutdated(Exception):
    """The held rows a file would update, or which of its rows are new, changed after its preview."""


# --------------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------------


class SpreadsheetFormat(base_formats.Format):
    """CSV or XLSX, told apart by content; the resource decides what the rows mean."""

    def __init__(self, encoding=None):
        self.encoding = encoding  # unused: the encoding is worked out from the bytes

    def get_title(self):
        return "CSV or Excel (.xlsx)"

    def create_dataset(self, in_stream, **kwargs):
        data = in_stream if isinstance(in_stream, bytes) else in_stream.encode()
        dataset = tablib.Dataset()
        dataset.append([len(data)])  # a placeholder row: the resource reads the raw file
        dataset.raw_file = data
        return dataset

    def get_extension(self):
        return "csv"

    def can_import(self):
        return True

    def is_binary(self):
        return True


def neutralised(dataset: tablib.Dataset) -> tablib.Dataset:
    safe = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        safe.append([formula_neutralised(value) for value in row])
    return safe


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralised(dataset), **kwargs)


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralised(dataset), **kwargs)


# --------------------------------------------------------------------------------------------
# The shared import machinery
# --------------------------------------------------------------------------------------------


class NaturalKeyInstanceLoader(BaseInstanceLoader):
    """Loads every existing row the file could update in one query, keyed by its natural key."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        keys = resource.natural_key
        queryset = resource.get_queryset()
        if dataset is not None and len(dataset):
            for key in keys:
                queryset = queryset.filter(**{f"{key}__in": set(dataset[key])})
            in_file = zip(*(dataset[key] for key in keys), strict=True)
        else:
            queryset = queryset.none()
            in_file = ()
        self.instances = {tuple(getattr(obj, key) for key in keys): obj for obj in queryset}
        resource.held_rows_loaded(in_file, self.instances)

    def get_instance(self, row):
        return self.instances.get(tuple(row[key] for key in self.resource.natural_key))


class ReleaseResource(resources.ModelResource):
    release_name = ""
    natural_key: tuple[str, ...] = ()
    sheet_names: tuple[str, ...] = ()
    columns: list[Column] = []  # what the file's headings may be
    preview_columns: list[tuple] = []  # (heading, the value from an imported row)
    example_rows: list[list] = []
    example_name = "example.csv"
    preview_fingerprint: str | None = None  # at a confirm: the held rows its preview saw
    mapping: dict[str, str] | None = None  # columns chosen for this import only: key -> the file's heading
    column_mapping: ColumnMapping | None = None  # the stored choice this file's headings used, if any

    def prepare(self, sheet: Sheet) -> Prepared:
        raise NotImplementedError

    @classmethod
    def release_label(cls) -> str:
        return cls._meta.model._meta.label

    def headings_found(self, sheet: Sheet, columns: list[Column], **kwargs) -> Header:
        """``header_find``, with the columns given for this import (``mapping``) or, failing
        those, the columns a person chose for a file with the same headings (``ColumnMapping``)."""
        try:
            return header_find(sheet, columns, mapping=self.mapping, **kwargs)
        except HeadingsMissing as missing:
            held = {header_key(heading) for heading in missing.headings}
            absent = [heading for heading in (self.mapping or {}).values() if header_key(heading) not in held]
            if absent:
                headings = ", ".join(f'"{heading}"' for heading in missing.headings)
                raise SpreadsheetError(
                    f'The file has no column headed "{absent[0]}" to read as chosen. Its headings are: {headings}.'
                ) from missing
            stored = ColumnMapping.objects.filter(
                release=self.release_label(), headings_key=ColumnMapping.key_for(missing.headings)
            ).first()
            if stored is None:
                raise
            self.column_mapping = stored
            return header_find(sheet, columns, mapping={**stored.choices, **(self.mapping or {})}, **kwargs)

    @classmethod
    def mapping_parse(cls, texts: list[str]) -> dict[str, str]:
        """``["Total calls=Calls presented"]`` (a column as the import page names it, then the
        heading of the file's column that holds it) as ``{"total_calls": "Calls presented"}``."""
        by_name = {name: column for column in cls.columns for name in column.names()}
        mapping = {}
        for text in texts:
            name, equals, heading = text.partition("=")
            column = by_name.get(header_key(name))
            if not equals or not heading.strip():
                raise ValueError(
                    f'"{text}" is not a column choice; write it as "Total calls=Calls presented".'
                )
            if column is None:
                known = ", ".join(f'"{c.label}"' for c in cls.columns)
                raise ValueError(f'"{name.strip()}" is not a column this import reads; it reads {known}.')
            mapping[column.key] = heading.strip()
        return mapping

    def mapping_warnings(self) -> list[str]:
        """What the preview says about columns read by a person's choice, not by their headings."""
        labels = {column.key: column.label for column in self.columns}
        if self.column_mapping is not None:
            stored = self.column_mapping
            chosen = {**stored.choices, **(self.mapping or {})}
            who = f" by {stored.updated_by}" if stored.updated_by else ""
            when = date_format(timezone.localtime(stored.updated_at), "j F Y")
            source = f"as chosen{who} on {when} for files with these headings"
        elif self.mapping:
            chosen, source = self.mapping, "as chosen for this import"
        else:
            return []
        return [
            f'Column "{heading}" is read as "{labels.get(key, key)}", {source}.'
            for key, heading in chosen.items()
        ]

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Check the whole file; import it in one transaction only if every row is right.

        ``preview_fingerprint`` (the admin's confirm) refuses the file if the rows it would update
        are not as its preview found them (``held_rows_loaded``)."""
        self.preview_fingerprint = kwargs.pop("preview_fingerprint", None)
        self.mapping = kwargs.pop("mapping", None) or self.mapping
        kwargs.pop("use_transactions", None)
        kwargs.pop("rollback_on_validation_errors", None)
        user = kwargs.get("user")
        self.import_user = user if getattr(user, "is_authenticated", False) else None
        try:
            raw = getattr(dataset, "raw_file", None)
            if raw is None:
                raise SpreadsheetError("Upload the release as a CSV or Excel (.xlsx) file.")
            sheet = untrusted.sheet_from_upload(
                raw, file_name=kwargs.get("file_name") or "", sheet_names=self.sheet_names
            )
            prepared = self.prepare(sheet)
        except HeadingsMissing as missing:
            result = self.refused([str(missing)])
            result.headings_missing = missing  # the admin asks which columns hold them
            return result
        except SpreadsheetError as error:
            return self.refused([str(error)])
        except ReleaseProblems as problems:
            return self.refused(problems.messages)
        prepared.warnings[:0] = self.mapping_warnings() + [
            f'Column "{heading}" is not one this import reads: it was ignored.'
            for heading in sheet.unread_headings
        ]
        self.prepared = prepared
        self.sheet = sheet
        self.written = []
        self.import_started = timezone.now()
        try:
            with recomputation_deferred():  # the 999 ranks are recomputed once, after the import
                result = super().import_data(
                    prepared.dataset,
                    dry_run=dry_run,
                    raise_errors=raise_errors,
                    use_transactions=True,
                    rollback_on_validation_errors=True,
                    **kwargs,
                )
        except PreviewOutdated as outdated:
            return self.refused([str(outdated)])
        result.release_warnings = prepared.warnings
        result.release_summary = prepared.summary
        result.held_fingerprint = self.held_fingerprint
        return result

    def get_queryset(self):
        """At a confirm the held rows stay locked from the check against the preview until the
        import commits, so no one's edit slips in between (on SQLite the confirm's transaction
        holds the database's write lock throughout)."""
        queryset = super().get_queryset()
        return queryset if self.preview_fingerprint is None else queryset.select_for_update()

    def held_rows_loaded(self, keys, held: dict) -> None:
        """Fingerprint the held rows the file would update (their versions) and which of its rows
        are new; at a confirm, refuse the file if that is not what its preview saw."""
        periods = getattr(self, "periods_by_pk", {})

        def stable(key: tuple) -> str:
            # A period by its end date: a preview's new period gets an id that is rolled back.
            return "|".join(
                str(periods[value].period_end if name == "period_id" and value in periods else value)
                for name, value in zip(self.natural_key, key, strict=True)
            )

        lines = sorted(f"{stable(key)}={held[key].version if key in held else 'new'}" for key in keys)
        self.held_fingerprint = hashlib.sha256("\n".join(lines).encode()).hexdigest()
        if self.preview_fingerprint is not None and self.held_fingerprint != self.preview_fingerprint:
            raise PreviewOutdated(PREVIEW_OUTDATED)

    def after_init_instance(self, instance, new, row, **kwargs):
        """Remember an existing row's values, so a row the file does not change counts as unchanged."""
        super().after_init_instance(instance, new, row, **kwargs)
        instance._held_values = None if new else self._import_values(instance)

    def after_import_row(self, row, row_result, **kwargs):
        """What an updated row changes, for the preview: "total calls 11,628 → 11,700"."""
        super().after_import_row(row, row_result, **kwargs)
        instance = getattr(row_result, "instance", None)
        row_result.changes = self.changes_of(instance) if row_result.import_type == "update" else []

    def changes_of(self, instance) -> list[str]:
        """What the file changes in a held row, e.g. ["total calls 11,628 → 11,700"]."""
        held = getattr(instance, "_held_values", None)
        if held is None:
            return []
        changes = []
        for attribute, before, after in zip(
            self._import_attributes, held, self._import_values(instance), strict=True
        ):
            if before != after:
                label = self._meta.model._meta.get_field(attribute.removesuffix("_id")).verbose_name
                changes.append(f"{label} {preview_text(before)} → {preview_text(after)}")
        return changes

    def written_rows(self) -> tuple[list, list]:
        """The rows of the resource's model this import wrote: (new, changed), each with its id."""
        model = self._meta.model
        rows = [instance for instance in self.written if isinstance(instance, model)]
        missing = [instance for instance in rows if instance.pk is None]
        if missing:  # a bulk insert that did not return ids: read them by the natural key
            keys = self.natural_key
            held = {
                tuple(values[:-1]): values[-1]
                for values in model.objects.filter(
                    **{f"{keys[0]}__in": {getattr(instance, keys[0]) for instance in missing}}
                ).values_list(*keys, "pk")
            }
            for instance in missing:
                instance.pk = held.get(tuple(getattr(instance, key) for key in keys))
        new = [instance for instance in rows if getattr(instance, "_held_values", None) is None]
        changed = [instance for instance in rows if getattr(instance, "_held_values", None) is not None]
        return new, changed

    def outcome(self, result) -> dict:
        """What the import did, as its result page lists it (``outcomes``): each release's
        resource words its own; this one lists the rows new and changed."""
        new, changed = self.written_rows()
        name = self._meta.model._meta
        drafts = [outcomes.item(row, str(row)) for row in new + changed if publication.is_draft(row)]
        return outcomes.outcome_made(
            publication_model=publication.publication_model(self._meta.model) or self._meta.model,
            sections=[
                outcomes.section(
                    f"new {name.verbose_name}",
                    f"new {name.verbose_name_plural}",
                    [outcomes.item(row, str(row)) for row in new],
                ),
                outcomes.section(
                    f"{name.verbose_name} changed",
                    f"{name.verbose_name_plural} changed",
                    [outcomes.item(row, "; ".join([str(row), *self.changes_of(row)])) for row in changed],
                ),
            ],
            drafts=drafts,
            revisions=[],
        )

    @classmethod
    def preview_headings(cls) -> list[str]:
        return [heading for heading, _ in cls.preview_columns]

    @classmethod
    def preview_cells(cls, instance) -> list[str]:
        """A row's figures as the preview shows them, worded as the pages word them."""
        return [preview_text(cell(instance)) for _, cell in cls.preview_columns]

    @classmethod
    def example(cls) -> tablib.Dataset:
        """The example file staff download from the import page: the headings as the importer
        reads them, and a row or two as the release gives them."""
        width = max(len(row) for row in cls.example_rows)
        dataset = tablib.Dataset()
        for row in cls.example_rows:
            dataset.append([*row, *[""] * (width - len(row))])  # a title row is one cell wide
        return dataset

    def _import_values(self, instance) -> tuple:
        if not hasattr(self, "_import_attributes"):
            self._import_attributes = [
                field.attribute for field in self.get_import_fields() if not field.readonly
            ]
        return tuple(getattr(instance, attribute) for attribute in self._import_attributes)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # django-import-export compares rows only through its per-cell diff, which is switched
        # off for speed (skip_diff); compare the imported values directly instead.
        held = getattr(instance, "_held_values", None)
        return held is not None and not import_validation_errors and self._import_values(instance) == held

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.pk is not None:  # an update: bulk_update skips save(), so do its work here
            instance.version += 1
            instance.updated_at = timezone.now()

    def get_bulk_update_fields(self):
        return [*super().get_bulk_update_fields(), "version", "updated_at"]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """As django-import-export's, with a history row for every row created."""
        if self.create_instances and dry_run:
            return super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
        if self.create_instances and (using_transactions or not dry_run):
            try:
                bulk_create_with_history(
                    self.create_instances,
                    self._meta.model,
                    batch_size=batch_size,
                    default_user=self.import_user,
                    default_change_reason=f"Imported from {self.sheet.file_name}"[:100],
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """As django-import-export's, with a history row for every row changed."""
        if self.update_instances and dry_run:  # a preview is rolled back: no history to keep
            return super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)
        if self.update_instances and (using_transactions or not dry_run):
            try:
                bulk_update_with_history(
                    self.update_instances,
                    self._meta.model,
                    self.get_bulk_update_fields(),
                    batch_size=batch_size,
                    default_user=self.import_user,
                    default_change_reason=f"Imported from {self.sheet.file_name}"[:100],
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()

    def refused(self, messages: list[str]):
        result = self.get_result_class()()
        shown = messages[:MAX_ERRORS_SHOWN]
        if len(messages) > MAX_ERRORS_SHOWN:
            shown.append(f"… and {len(messages) - MAX_ERRORS_SHOWN} more problems.")
        for message in shown:
            result.append_base_error(Error(ReleaseProblems([message])))
        result.release_warnings = []
        return result

    def after_release(self, dataset, result):
        """Work that follows from the confirmed rows (e.g. ranks), inside the import's transaction."""

    def save_instance(self, instance, is_create, row, **kwargs):
        """Note every row written, for the publication check once all are written."""
        self.written.append(instance)
        super().save_instance(instance, is_create, row, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        """Refuse the whole file if it adds to or changes anything published or scheduled and the
        importer is not a Publisher (the publication gate). The rows are written by then: the
        refusal rolls back the import's transaction, so nothing changes."""
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return
        user = kwargs.get("user")
        refused = publication.import_refusals(user, self.written) if user is not None else []
        if refused:
            shown = [str(instance) for instance in refused[:5]] + (["…"] if len(refused) > 5 else [])
            raise ReleaseProblems(
                [
                    "This file changes or adds figures that are already published or scheduled ("
                    + "; ".join(shown)
                    + "). Only a Publisher can confirm it; nothing has changed."
                ]
            )
        if not kwargs.get("dry_run"):
            self.after_release(dataset, result)
            if any(not publication.is_draft(instance) for instance in self.written):
                note_change()  # bulk writes send no signal: a Publisher changed public figures
            totals = result.totals
            user = kwargs.get("user")
            result.import_log = ImportLog.objects.create(
                user=user if getattr(user, "is_authenticated", False) else None,
                resource=self.release_name,
                file_name=(kwargs.get("file_name") or self.sheet.file_name or "")[:255],
                sha256=self.sheet.sha256,
                rows_new=totals.get("new", 0),
                rows_updated=totals.get("update", 0),
                rows_unchanged=totals.get("skip", 0),
                warnings="\n".join(self.prepared.warnings),
                outcome=self.outcome(result),
            )

    class Meta:
        # Shared by every release (django-import-export merges a parent's Meta into its children).
        instance_loader_class = NaturalKeyInstanceLoader
        skip_unchanged = True
        report_skipped = True
        skip_diff = True  # the preview lists rows and warnings; a per-cell diff of 5,400 rows costs seconds
        use_bulk = True
        batch_size = 5000
        clean_model_instances = False  # every row was checked in prepare(), without a query per row


def preview_text(value) -> str:
    """A value in a preview: numbers with separators, dates as the pages give them."""
    if value is None:
        return "–"
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return calculations.thousands(value) if value == int(value) else f"{value:,}"
    return str(value)


def column_replace(dataset: tablib.Dataset, header: str, values: list) -> None:
    del dataset[header]
    dataset.append_col(values, header=header)


def problems_raise(errors: list) -> None:
    if errors:
        raise ReleaseProblems([str(error) for error in errors])


def read_cell(errors: list, row: int, column: Column, parse, value, *, required: bool = True):
    """Parse one cell, recording a CellError instead of raising. Empty optional cells are None."""
    if (value is None or value == "") and not required:
        return None
    try:
        return parse(value)
    except ValueError as error:
        errors.append(CellError(row, column.label, value, str(error)))
        return None


def fitted_to(model, field_name: str, parse=decimal_value):
    """``parse``, then the number rounded to the model's decimal column ``field_name`` and checked
    against the digits it holds (``decimal_fitted``): every importer's decimal cells go through
    here, so a value that only overflows once rounded is refused by row and column, not by the
    database."""
    column = model._meta.get_field(field_name)

    def parse_fitted(value) -> Decimal:
        return decimal_fitted(
            parse(value), max_digits=column.max_digits, decimal_places=column.decimal_places
        )

    return parse_fitted


# --------------------------------------------------------------------------------------------
# Which import reads which release
# --------------------------------------------------------------------------------------------

RELEASE_RESOURCES: dict[str, type[ReleaseResource]] = {}  # model label -> its import


def release_registered(resource: type[ReleaseResource]) -> type[ReleaseResource]:
    """A class decorator: ``resource`` is the import ``release_resource`` gives for its model."""
    label = resource.release_label()
    held = RELEASE_RESOURCES.setdefault(label, resource)
    if held is not resource:
        raise ValueError(f"{label} already has an import: {held.__qualname__}.")
    return resource


def release_resource(release: str) -> type[ReleaseResource] | None:
    """The import whose model is ``release`` (a model label such as "performance.CallAnswerMonth")."""
    return RELEASE_RESOURCES.get(release)


# --------------------------------------------------------------------------------------------
# Exports for staff: readable columns, numbers as numbers, dates as dates
# --------------------------------------------------------------------------------------------


NATIVE = {"coerce_to_string": False}  # numbers stay numbers and dates stay dates in exports


class ReadableExportResource(resources.ModelResource):
    """Exports headed as the import reads them, so an exported file can be imported again."""

    columns: list[Column] = []

    def get_export_headers(self, selected_fields=None):
        labels = {column.key: column.label for column in self.columns}
        return [
            labels.get(field.column_name, field.column_name)
            for field in self.get_export_fields(selected_fields)
        ]
