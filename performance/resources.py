"""Imports of the national releases and exports of every dataset (django-import-export).

Each import reads the whole file and checks every row first (``prepare``). A file with any
problem imports nothing and says, for each problem, the row, the column, the value and why.
Only a clean file reaches django-import-export, which runs it inside one transaction (rolled
back on any error, and always for the preview) and reports rows new, updated and unchanged.
The same code runs from the admin (upload, preview, confirm) and from the ``import_*`` commands.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateformat import format as date_format
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Error
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import calculations, ons, publication, untrusted
from .models import (
    CallAnswerMonth,
    CallAnswerRank,
    ColumnMapping,
    Force,
    ImportLog,
    Measure,
    MeasureFigure,
    OffenceCount,
    RecordedCrimeFigure,
    RecordedCrimePeriod,
    ReportingPeriod,
    SiteSettings,
)
from .ranking import ranks_deferred, ranks_recompute, seen_at
from .releases import release_day, release_day_text
from .spreadsheets import (
    MAX_ERRORS_SHOWN,
    CellError,
    Column,
    Header,
    HeadingsMissing,
    Sheet,
    SpreadsheetError,
    cell,
    count_value,
    data_rows,
    decimal_fitted,
    decimal_value,
    header_find,
    header_key,
    month_value,
    normalise_force_name,
    percentage_value,
    rank_value,
    text_value,
)
from .tables import UNDER_10S

MAX_ANSWER_SECONDS = 10_000  # the column holds up to 9,999.99
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def formula_neutralised(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers.

    >>> formula_neutralised('=HYPERLINK("x")'), formula_neutralised("-13"), formula_neutralised(-13)
    ('\\'=HYPERLINK("x")', "'-13", -13)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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
        user = kwargs.get("user")
        self.import_user = user if getattr(user, "is_authenticated", False) else None
        try:
            with ranks_deferred():
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
        held = getattr(instance, "_held_values", None)
        row_result.changes = []
        if held is None or row_result.import_type != "update":
            return
        for attribute, before, after in zip(
            self._import_attributes, held, self._import_values(instance), strict=True
        ):
            if before != after:
                label = self._meta.model._meta.get_field(attribute.removesuffix("_id")).verbose_name
                row_result.changes.append(f"{label} {preview_text(before)} → {preview_text(after)}")

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
                SiteSettings.content_changed()  # bulk writes send no signal: a Publisher changed public figures
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
# 999 national release
# --------------------------------------------------------------------------------------------

RANK_SCOPE_KEYS = {"national_rank": "national", "msg_rank": "msg", "regional_rank": "regional"}
CALLS_COLUMNS = [
    Column(
        "force",
        "Force",
        ("Police Force", "Police Force Name", "Force Name", "Force name"),
        required_unless=tuple(RANK_SCOPE_KEYS),
        unless_note="Not in the office's own 999 table (the one with ranking columns): its rows are the home force's.",
    ),
    Column("month", "Month", ("Month-Year", "Month Year", "Date", "Period")),
    Column("total_calls", "Total calls", ("Total Calls Presented", "Total 999 calls", "Calls presented")),
    Column(
        "mean_answer_seconds",
        "Mean answer time (seconds)",
        (
            "Mean answer time",
            "Average answer time",
            "Average answer time (seconds)",
            "Average answer time in seconds",
            "Mean answer time in seconds",
            "Mean time to answer",
        ),
    ),
    Column(
        "median_answer_seconds",
        "Median answer time (seconds)",
        (
            "Median answer time",
            "Median answer time (in seconds)",
            "Median answer time in seconds",
            "Median time to answer",
        ),
        required=False,
    ),
    Column(
        "calls_under_10s",
        "Calls answered in under 10 seconds",
        (
            "Number of calls answered in under 10 seconds",
            "Number of calls answered under 10 seconds",
            "Calls answered under 10 seconds",
        ),
        required=False,
    ),
    Column(
        "calls_10_to_60s",
        "Calls answered in 10 to under 60 seconds",
        ("Number of calls answered in 10 to under 60 seconds", "Calls answered in 10 to 60 seconds"),
        required=False,
    ),
    Column(
        "calls_60s_and_over",
        "Calls answered in 60 seconds and over",
        (
            "Number of calls answered in 60 seconds and over",
            "60 seconds and over",
            "Calls answered in 60 seconds or longer",
            "Number of calls answered in 60 seconds or longer",
            "Number of calls answered at 60 seconds or longer",
            "Calls answered at 60 seconds or longer",
        ),
        required=False,
    ),
    Column(
        "pct_under_10s",
        "% of calls answered in under 10 seconds",
        (
            "Percentage of calls answered in under 10 seconds",
            "% calls answered in under 10 seconds",
            "% 999 calls answered in under 10 seconds",
            "% of calls answered under 10 seconds",
            "Percentage of calls answered under 10 seconds",
        ),
        required=False,
    ),
    Column(
        "pct_10_to_60s",
        "% of calls answered in 10 to under 60 seconds",
        (
            "Percentage of calls answered in 10 to under 60 seconds",
            "% calls answered in 10 to under 60 seconds",
            "% 999 calls answered in 10 to under 60 seconds",
        ),
        required=False,
    ),
    Column(
        "pct_60s_and_over",
        "% of calls answered in 60 seconds and over",
        (
            "Percentage of calls answered in 60 seconds and over",
            "% of calls answered in 60 seconds or longer",
            "% of calls answered at 60 seconds or longer",
            "Percentage of calls answered at 60 seconds or longer",
            "% 60 seconds and over",
            "% 999 calls answered in 60 seconds and over",
        ),
        required=False,
    ),
    # The office's own table (its "Police Data" page) ranks its force as the page printed it.
    Column(
        "national_rank",
        f"National ranking for {UNDER_10S}",
        ("National ranking", "National rank"),
        required=False,
    ),
    Column(
        "msg_rank",
        f"Most Similar Group ranking for {UNDER_10S}",
        ("Most Similar Group ranking", "MSG ranking", "MSG rank"),
        required=False,
    ),
    Column(
        "regional_rank",
        f"Regional ranking for {UNDER_10S}",
        ("Regional ranking", "Regional rank"),
        required=False,
    ),
]
CALLS_IGNORED = (
    "Force ID",
    "Force code",
    "Region",
)
BANDS = ("under_10s", "10_to_60s", "60s_and_over")


def answer_seconds_value(value) -> Decimal:
    """A mean or median answer time in seconds: from 0 to under ``MAX_ANSWER_SECONDS``."""
    number = decimal_value(value)
    if number >= MAX_ANSWER_SECONDS:
        raise ValueError(f"is not a plausible answer time; it must be under {MAX_ANSWER_SECONDS:,} seconds.")
    if number < 0:
        raise ValueError("is below zero; a time cannot be negative.")
    return number


class ForceNames:
    def __init__(self):
        self.lookup = Force.objects.name_lookup()

    def get(self, name: str) -> Force:
        force = self.lookup.get(normalise_force_name(name))
        if force is None:
            raise ValueError(
                "is not a force we know. Check the spelling, or add the name as an alias of the force in the admin."
            )
        return force


class CallAnswerMonthResource(ReleaseResource):
    """police.uk's monthly 999 call answering data: one row per force per month."""

    release_name = "999 call answering (police.uk)"
    natural_key = ("force_id", "month")
    columns = CALLS_COLUMNS
    example_name = "999-calls-example.csv"
    preview_columns = [
        ("Force", lambda m: m.force.name),
        ("Month", lambda m: date_format(m.month, "F Y")),
        ("Total calls", lambda m: m.total_calls),
        ("Mean answer time (s)", lambda m: m.mean_answer_seconds),
        ("Median answer time (s)", lambda m: m.median_answer_seconds),
        *(
            (f"% {label}", lambda m, band=band: calculations.percent(m.band_percent(band)))
            for band, label in (
                ("under_10s", "under 10 s"),
                ("10_to_60s", "10 to 60 s"),
                ("60s_and_over", "60 s and over"),
            )
        ),
        ("Ranks in the file (national / MSG / regional)", lambda m: getattr(m, "ranks_in_file", None)),
    ]
    example_rows = [  # the median left empty: a column the release may not give
        [
            column.label
            for column in CALLS_COLUMNS
            if column.key not in RANK_SCOPE_KEYS and not column.key.startswith("calls_")
        ],
        ["Norfolk", "2023-09", 11628, 7.57, "", 87.1, 12.2, 0.7],
    ]

    force_id = fields.Field(attribute="force_id", column_name="force_id", widget=widgets.IntegerWidget())
    force = fields.Field(attribute="force__name", column_name="force", readonly=True)

    class Meta:
        model = CallAnswerMonth
        fields = (
            "force_id",
            "force",
            "month",
            "total_calls",
            "mean_answer_seconds",
            "median_answer_seconds",
            *(f"calls_{band}" for band in BANDS),
            *(f"pct_{band}" for band in BANDS),
        )
        import_id_fields = ("force_id", "month")

    def file_columns(self, settings) -> list[Column]:
        """The columns, with the office's own group names as the ranking headings' alternatives
        (its page heads a column "Regional 7 Force ranking for …")."""
        groups = {
            "msg_rank": settings and settings.most_similar_group,
            "regional_rank": settings and settings.regional_group,
        }
        return [
            dataclasses.replace(
                column,
                aliases=(*column.aliases, f"{groups[column.key].name} ranking for {UNDER_10S}"),
            )
            if groups.get(column.key)
            else column
            for column in CALLS_COLUMNS
        ]

    def rank_bounds(self, settings) -> dict[str, int | None]:
        """How many forces each scope ranks, for checking a rank typed in a file."""
        national = Force.objects.national(settings.national_comparison) if settings else Force.objects.none()
        bounds = {"national": national.count() or None}
        for scope, group in (
            ("msg", settings and settings.most_similar_group),
            ("regional", settings and settings.regional_group),
        ):
            bounds[scope] = group.memberships.count() or None if group else None
        return bounds

    def prepare(self, sheet: Sheet) -> Prepared:
        settings = SiteSettings.objects.select_related(
            "home_force", "most_similar_group", "regional_group"
        ).first()
        file_columns = self.file_columns(settings)
        header = self.headings_found(sheet, file_columns, ignored=CALLS_IGNORED)
        columns = {column.key: column for column in file_columns}
        present = set(header.positions)
        rank_keys = [key for key in RANK_SCOPE_KEYS if key in present]
        home = settings.home_force if settings else None
        if "force" not in present and home is None:
            raise SpreadsheetError(
                "The file has no Force column, so its rows would be the home force's, but no home force "
                "is set in the site settings. Add a Force column, or set the home force first."
            )
        bounds = self.rank_bounds(settings) if rank_keys else {}
        has_counts = all(f"calls_{band}" in present for band in BANDS)
        has_percents = all(f"pct_{band}" in present for band in BANDS)
        if not (has_counts or has_percents):
            raise SpreadsheetError(
                "The file needs the three band columns, as numbers of calls or as percentages: "
                '"Calls answered in under 10 seconds", "Calls answered in 10 to under 60 seconds", '
                '"Calls answered in 60 seconds and over" (or their "% of calls …" columns).'
            )
        forces = ForceNames()
        self.entered_ranks = {}
        today = timezone.localdate()
        errors, rows, seen = [], [], {}
        for number, cells in data_rows(sheet, header):
            row_errors: list[CellError] = []
            values = {}
            force = (
                read_cell(
                    row_errors,
                    number,
                    columns["force"],
                    lambda v: forces.get(text_value(v)),
                    cell(cells, header, "force"),
                )
                if "force" in present
                else home
            )
            month = read_cell(
                row_errors,
                number,
                columns["month"],
                lambda v: month_value(v, today=today),
                cell(cells, header, "month"),
            )
            values["total_calls"] = read_cell(
                row_errors, number, columns["total_calls"], count_value, cell(cells, header, "total_calls")
            )
            for key in ("mean_answer_seconds", "median_answer_seconds"):
                values[key] = read_cell(
                    row_errors,
                    number,
                    columns[key],
                    fitted_to(CallAnswerMonth, key, answer_seconds_value),
                    cell(cells, header, key),
                    required=columns[key].required,
                )
            for prefix, parse in (("calls", count_value), ("pct", percentage_value)):
                for band in BANDS:
                    key = f"{prefix}_{band}"
                    # With both kinds of band column a row may fill either kind; with one, it is required.
                    required = not (has_counts and has_percents)
                    values[key] = (
                        read_cell(
                            row_errors,
                            number,
                            columns[key],
                            parse,
                            cell(cells, header, key),
                            required=required,
                        )
                        if key in present
                        else None
                    )
            ranks = {
                RANK_SCOPE_KEYS[key]: read_cell(
                    row_errors,
                    number,
                    columns[key],
                    lambda v, scope=RANK_SCOPE_KEYS[key]: rank_value(v, out_of=bounds[scope]),
                    cell(cells, header, key),
                    required=False,
                )
                for key in rank_keys
            }
            if not row_errors:
                row_errors.extend(self._row_checks(number, values, columns))
            for band in BANDS:  # rounded to the column once the row checks have seen them as given
                key = f"pct_{band}"
                if not row_errors and values[key] is not None:
                    values[key] = read_cell(
                        row_errors,
                        number,
                        columns[key],
                        fitted_to(CallAnswerMonth, key, percentage_value),
                        cell(cells, header, key),
                    )
            if not row_errors and force is not None and month is not None:
                key = (force.pk, month)
                if key in seen:
                    row_errors.append(
                        CellError(
                            number,
                            "Month",
                            date_format(month, "F Y"),
                            f"appears twice for {force.name}: rows {seen[key]} and {number}. Each force and month may appear once.",
                        )
                    )
                seen[key] = number
            errors.extend(row_errors)
            if not row_errors:
                rows.append((number, force, month, values))
                self.entered_ranks[force.pk, month] = (number, {k: v for k, v in ranks.items() if v})
        problems_raise(errors)
        warnings = self._warnings(rows)
        if "force" not in present:
            warnings.insert(
                0,
                f"The file has no Force column: every row is read as {home.name}'s (the home force), "
                "as in the office's own 999 table.",
            )
        return Prepared(
            dataset=self._dataset(rows),
            warnings=warnings + self._rank_warnings(),
            months={month for _, _, month, _ in rows},
        )

    def _held_entered_ranks(self) -> dict:
        """The ranks entered by hand that the file's months hold: {(force id, month): {scope: rank}}."""
        held = defaultdict(dict)
        if not self.entered_ranks:
            return held
        forces = {force_id for force_id, _ in self.entered_ranks}
        months = {month for _, month in self.entered_ranks}
        for rank in CallAnswerRank.objects.filter(
            source=CallAnswerRank.Source.ENTERED,
            call_month__force_id__in=forces,
            call_month__month__in=months,
        ).select_related("call_month"):
            held[rank.call_month.force_id, rank.call_month.month][rank.scope] = rank
        return held

    def _rank_warnings(self) -> list[str]:
        """Ranks in the file that change ranks held, or that computed ranks will outshine."""
        held = self._held_entered_ranks()
        computed = set(
            CallAnswerRank.objects.filter(
                source=CallAnswerRank.Source.COMPUTED,
                preview=False,
                call_month__force_id__in={force_id for force_id, _ in self.entered_ranks},
                call_month__month__in={month for _, month in self.entered_ranks},
            ).values_list("call_month__force_id", "call_month__month")
        )
        names = dict(CallAnswerRank.Scope.choices)
        warnings = []
        for (force_id, month), (number, ranks) in sorted(
            self.entered_ranks.items(), key=lambda item: item[1][0]
        ):
            for scope, (rank, joint) in ranks.items():
                before = held[force_id, month].get(scope)
                if before is not None and (before.rank, before.joint) != (rank, joint):
                    warnings.append(
                        f"Row {number}: the {names[scope]} rank for {date_format(month, 'F Y')} changes from "
                        f"{calculations.rank_text(before.rank, joint=before.joint, out_of=before.out_of)} to "
                        f"{calculations.rank_text(rank, joint=joint)}."
                    )
            if ranks and (force_id, month) in computed:
                warnings.append(
                    f"Row {number}: ranks for {date_format(month, 'F Y')} are computed from the national data "
                    "held here; the file's ranks are kept, but the computed ones are shown."
                )
        return warnings

    def _computed_set_sizes(self) -> dict[tuple, int]:
        """How many forces the public's computed ranks of the file's months rank, by month and
        scope: the "of N" an entered rank for the same month and scope carries."""
        if not self.entered_ranks:
            return {}
        timelines: dict[tuple, list] = defaultdict(list)
        for month, scope, valid_from, out_of in CallAnswerRank.objects.filter(
            source=CallAnswerRank.Source.COMPUTED,
            preview=False,
            call_month__month__in={month for _, month in self.entered_ranks},
        ).values_list("call_month__month", "scope", "valid_from", "out_of"):
            timelines[month, scope].append((valid_from, out_of))
        now = timezone.now()
        sizes = {key: seen_at(timeline, now) for key, timeline in timelines.items()}
        return {key: size for key, size in sizes.items() if size}

    def entered_ranks_write(self) -> list[CallAnswerRank]:
        """Store the file's ranks as entered by hand, replacing any that differ; returns those
        written, for the publication check (a rank belongs to its month). A rank carries "of N"
        when the month has computed ranks in its scope (how many they rank); the office's table
        does not say, so otherwise none."""
        held = self._held_entered_ranks()
        set_sizes = self._computed_set_sizes()
        months = {
            (m.force_id, m.month): m
            for m in CallAnswerMonth.objects.filter(
                force_id__in={force_id for force_id, _ in self.entered_ranks},
                month__in={month for _, month in self.entered_ranks},
            )
        }
        new, changed = [], []
        for key, (_, ranks) in self.entered_ranks.items():
            for scope, (rank, joint) in ranks.items():
                stored = held[key].get(scope)
                out_of = set_sizes.get((key[1], scope), stored.out_of if stored else None)
                if out_of is not None and rank > out_of:
                    out_of = None  # past the last place the computed set has: no "of N" to give
                if stored is None:
                    new.append(
                        CallAnswerRank(
                            call_month=months[key], scope=scope, rank=rank, joint=joint, out_of=out_of
                        )
                    )
                elif (stored.rank, stored.joint, stored.out_of) != (rank, joint, out_of):
                    stored.rank, stored.joint, stored.out_of, stored.call_month = (
                        rank,
                        joint,
                        out_of,
                        months[key],
                    )
                    changed.append(stored)
        CallAnswerRank.objects.bulk_create(new)
        CallAnswerRank.objects.bulk_update(changed, ["rank", "joint", "out_of"])
        # The month's "last revised" follows its ranks, as after a recomputation.
        CallAnswerMonth.objects.filter(pk__in={rank.call_month_id for rank in new + changed}).update(
            updated_at=timezone.now()
        )
        return new + changed

    def after_import(self, dataset, result, **kwargs):
        if not (result.has_errors() or result.has_validation_errors()):
            self.written.extend(self.entered_ranks_write())
        super().after_import(dataset, result, **kwargs)

    def _row_checks(self, number: int, values: dict, columns: dict) -> list[CellError]:
        percents = [values[f"pct_{band}"] for band in BANDS]
        counts = [values[f"calls_{band}"] for band in BANDS]
        if (
            all(p is not None for p in percents)
            and all(p <= 1 for p in percents)
            and abs(sum(percents) - 1) <= Decimal("0.01")
        ):
            return [
                CellError(
                    number,
                    columns["pct_under_10s"].label,
                    values["pct_under_10s"],
                    "looks like a fraction: the three bands add up to 1, not 100. Give percentages from 0 to 100 (90 for 90%).",
                )
            ]
        if all(p is None for p in percents) and any(c is None for c in counts):
            return [
                CellError(
                    number,
                    columns["calls_under_10s"].label,
                    None,
                    "is empty: each row needs the band counts or the band percentages.",
                )
            ]
        month = CallAnswerMonth(
            total_calls=values["total_calls"],
            mean_answer_seconds=values["mean_answer_seconds"],
            **{k: v for k, v in values.items() if k.startswith(("pct_", "calls_"))},
        )
        try:
            month.clean()
        except ValidationError as error:
            return [
                RowError(
                    number, f"{message.rstrip('.')} ({self._columns_shown(field_name, values, columns)})."
                )
                for field_name, messages in error.message_dict.items()
                for message in messages
            ]
        return []

    @staticmethod
    def _columns_shown(field_name: str, values: dict, columns: dict) -> str:
        """The cells a whole-row problem is about, e.g. 'columns "Total calls" 9933, "…" 8473'."""
        prefix = field_name.split("_", 1)[0]  # "calls" or "pct"
        if field_name in (f"{prefix}_under_10s",) and f"{prefix}_10_to_60s" in values:
            keys = [f"{prefix}_{band}" for band in BANDS] + (["total_calls"] if prefix == "calls" else [])
        else:
            keys = [field_name, f"calls_{field_name.removeprefix('pct_')}", "total_calls"]
        cells = [f'"{columns[key].label}" {values[key]}' for key in keys if values.get(key) is not None]
        return "columns " + ", ".join(cells)

    def _dataset(self, rows) -> tablib.Dataset:
        headers = [
            "force_id",
            "force",
            "month",
            "total_calls",
            "mean_answer_seconds",
            "median_answer_seconds",
            *(f"calls_{b}" for b in BANDS),
            *(f"pct_{b}" for b in BANDS),
        ]
        dataset = tablib.Dataset(headers=headers)
        self.forces_by_pk = {}
        for _, force, month, values in rows:
            self.forces_by_pk[force.pk] = force
            dataset.append([force.pk, force.name, month, *(values[h] for h in headers[3:])])
        return dataset

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.force = self.forces_by_pk[row["force_id"]]  # no query per row for the preview
        _, ranks = self.entered_ranks.get((instance.force_id, instance.month), (None, {}))
        if ranks:
            instance.ranks_in_file = " / ".join(
                calculations.rank_text(*ranks[scope][:1], joint=ranks[scope][1]) if scope in ranks else "–"
                for scope in RANK_SCOPE_KEYS.values()
            )

    def _warnings(self, rows) -> list[str]:
        """Changes a person should look at twice: big monthly swings, already-published values changed."""
        months = {month for _, _, month, _ in rows}
        earlier = {calculations_month_before(month) for month in months}
        held = {
            (m.force_id, m.month): m
            for m in CallAnswerMonth.objects.filter(
                month__in=months | earlier, force_id__in={f.pk for _, f, _, _ in rows}
            )
        }
        in_file = {(force.pk, month): values for _, force, month, values in rows}
        warnings = []
        for number, force, month, values in sorted(rows, key=lambda r: r[0]):
            before = calculations_month_before(month)
            previous_total = in_file.get((force.pk, before), {}).get("total_calls")
            if previous_total is None and (force.pk, before) in held:
                previous_total = held[(force.pk, before)].total_calls
            if previous_total and abs(values["total_calls"] - previous_total) > previous_total / 2:
                change = calculations.difference(values["total_calls"], previous_total)
                warnings.append(
                    f"Row {number}: {force.name} had {calculations.thousands(values['total_calls'])} calls in "
                    f"{date_format(month, 'F Y')}, a {change.text} on {date_format(before, 'F Y')} "
                    f"({calculations.thousands(previous_total)}). Check the figure before you confirm."
                )
            existing = held.get((force.pk, month))
            if existing is not None:
                changed = [
                    field_name
                    for field_name, value in values.items()
                    if (value, getattr(existing, field_name)) != (None, None)
                    and (
                        value is None
                        or getattr(existing, field_name) is None
                        or Decimal(getattr(existing, field_name)) != Decimal(value)
                    )
                ]
                if changed:
                    labels = ", ".join(CallAnswerMonth._meta.get_field(name).verbose_name for name in changed)
                    warnings.append(
                        f"Row {number}: {force.name} {date_format(month, 'F Y')} is already held; this file changes {labels}."
                    )
        return warnings

    def after_release(self, dataset, result):
        ranks_recompute(months=self.prepared.months)


def calculations_month_before(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


# --------------------------------------------------------------------------------------------
# ONS police force area tables, Table P1
# --------------------------------------------------------------------------------------------

ONS_COLUMNS = [
    Column("area_code", "Area Code", ("Area code",)),
    Column("area_name", "Area Name", ("Area name", "Police force area")),
    Column("total", "Total recorded crime (excluding fraud)", ("Total recorded crime excluding fraud",)),
]
YEAR_ENDING = re.compile(r"year ending\s+([a-z]+)\s+(\d{4})", re.IGNORECASE)
FORCE_AREA_CODE = re.compile(r"^(E23|W15)\d{6}$")
OTHER_AREA_CODE = re.compile(r"^(K0[2-4]|E92|W92|E12)\d{6}$")
NOT_AVAILABLE = {"[x]", "[c]", "[z]", "..", ":", "x", "-"}


class RecordedCrimeFigureResource(ReleaseResource):
    """ONS "Police force area data tables", sheet Table P1: offences by force area for a year ending."""

    release_name = "ONS police force area tables (Table P1)"
    natural_key = ("period_id", "force_id")
    sheet_names = ("Table P1",)
    columns = ONS_COLUMNS
    example_name = "ons-table-p1-example.csv"
    preview_columns = [
        ("Area", lambda f: f.force.name),
        ("Year ending", lambda f: date_format(f.period.period_end, "F Y")),
        ("Total recorded crime (excluding fraud)", lambda f: f.total),
    ]
    example_rows = [
        ["Table P1: Police recorded crime by offence group and police force area, year ending June 2023"],
        [column.label for column in ONS_COLUMNS],
        ["E23000024", "Norfolk", 65115],
    ]

    period_id = fields.Field(attribute="period_id", column_name="period_id", widget=widgets.IntegerWidget())
    force_id = fields.Field(attribute="force_id", column_name="force_id", widget=widgets.IntegerWidget())
    force = fields.Field(attribute="force__name", column_name="force", readonly=True)
    offence_groups = fields.Field(
        attribute="offence_groups", column_name="offence_groups", widget=widgets.JSONWidget()
    )

    class Meta:
        model = RecordedCrimeFigure
        fields = ("period_id", "force_id", "force", "total", "offence_groups")
        import_id_fields = ("period_id", "force_id")

    def prepare(self, sheet: Sheet) -> Prepared:
        header = self.headings_found(sheet, ONS_COLUMNS, keep_extras=True)
        period_end = self._period_end(sheet, header)
        columns = {column.key: column for column in ONS_COLUMNS}
        by_code = {f.ons_code: f for f in Force.objects.exclude(ons_code=None)}
        forces = ForceNames()
        errors, rows, seen = [], [], {}
        for number, cells in data_rows(sheet, header):
            code = cell(cells, header, "area_code")
            name = cell(cells, header, "area_name")
            total_value = cell(cells, header, "total")
            code = str(code).strip() if code is not None else ""
            if OTHER_AREA_CODE.match(code) or (not name and total_value is None):
                continue  # country and region rows, and notes below the table
            row_errors: list[CellError] = []
            if FORCE_AREA_CODE.match(code):
                force = by_code.get(code)
                if force is None:
                    row_errors.append(
                        CellError(
                            number, "Area Code", code, "is not the ONS code of a police force area we know."
                        )
                    )
                elif (named := forces.lookup.get(normalise_force_name(str(name or "")))) not in (None, force):
                    row_errors.append(
                        RowError(
                            number,
                            f'the Area Code "{code}" is {force.name} but the Area Name "{name}" is '
                            f"{named.name}. A row's code and name must be the same police force area; "
                            "check the rows were not shifted or pasted out of line.",
                        )
                    )
                    force = None
            elif code:
                force = None
                row_errors.append(
                    CellError(
                        number,
                        "Area Code",
                        code,
                        "is not an ONS area code (E23…, W15…, or a country or region code).",
                    )
                )
            else:
                force = read_cell(
                    row_errors, number, columns["area_name"], lambda v: forces.get(text_value(v)), name
                )
            total = read_cell(row_errors, number, columns["total"], count_value, total_value)
            groups = {}
            for index, label in header.extras.items():
                value = cells[index] if index < len(cells) else None
                if value is None or (isinstance(value, str) and value.strip().lower() in NOT_AVAILABLE):
                    continue
                parsed = read_cell(row_errors, number, Column(label, label), count_value, value)
                if parsed is not None:
                    groups[label] = parsed
            if force is not None and not row_errors:
                if force.pk in seen:
                    row_errors.append(
                        CellError(
                            number, "Area Name", name, f"appears twice: rows {seen[force.pk]} and {number}."
                        )
                    )
                seen[force.pk] = number
            errors.extend(row_errors)
            if not row_errors:
                rows.append((force, total, groups))
        problems_raise(errors)
        if not rows:
            raise SpreadsheetError("The table has no police force area rows (codes E23… or W15…).")
        self.period_end = period_end
        held_period = RecordedCrimePeriod.objects.filter(period_end=period_end).first()
        said, how = release_day(entered=None, texts=sheet.title_rows, file_name=sheet.file_name)
        self.published_on = said or (held_period.published_on if held_period else None)
        if self.published_on is None:
            release = (
                'The file does not say when ONS published it. Enter the day under "published on" on '
                "the ONS period before publishing it: until then the year before is compared as first "
                "published a year earlier, not as revised in this release."
            )
        else:
            release = release_day_text(self.published_on, how or "as the ONS period already has it", asked="")
        dataset = tablib.Dataset(headers=["period_id", "force_id", "force", "total", "offence_groups"])
        self.forces_by_pk = {}
        for force, total, groups in rows:
            self.forces_by_pk[force.pk] = force
            dataset.append([None, force.pk, force.name, total, json.dumps(groups)])
        return Prepared(
            dataset=dataset, warnings=[release, *self._warnings(rows, period_end, self.published_on)]
        )

    @staticmethod
    def _warnings(rows, period_end: datetime.date, published_on: datetime.date | None) -> list[str]:
        """Forces whose Table P1 total differs from the recorded crime open data of the same
        release for the same 12 months (the two are published together and should agree)."""
        held_release = ons.open_data_release()
        if held_release is None or published_on is None or held_release != published_on:
            return []
        open_data = OffenceCount.objects.year_totals(period_end, forces=[force for force, _, _ in rows])
        year = f"the year ending {date_format(period_end, 'F Y')}"
        return [
            f"{force.name}: Table P1 gives {calculations.thousands(total)} offences for {year}; the "
            f"recorded crime open data of the same release adds up to "
            f"{calculations.thousands(open_data[force.pk])} for the same 12 months. Check the files."
            for force, total, _ in rows
            if force.pk in open_data and open_data[force.pk] != total
        ]

    def _period_end(self, sheet: Sheet, header) -> datetime.date:
        numbers = [number for number, _ in sheet.rows if number < header.row]
        for number, title in zip(numbers, sheet.title_rows, strict=True):
            if match := YEAR_ENDING.search(title):
                month_name, year = match.groups()
                try:
                    first = datetime.datetime.strptime(f"1 {month_name} {year}", "%d %B %Y").date()
                except ValueError:
                    continue
                next_month = (first + datetime.timedelta(days=32)).replace(day=1)
                if next_month > timezone.localdate():
                    raise SpreadsheetError(
                        f'Row {number}: the title says "{match[0]}", a year that has not ended yet; '
                        "Table P1 covers a year that is over. Upload the table as ONS publishes it."
                    )
                return next_month - datetime.timedelta(days=1)
        raise SpreadsheetError(
            'The title above the table does not say which year it covers (e.g. "… year ending June 2025"). '
            "Upload the table as ONS publishes it, title row included."
        )

    def before_import(self, dataset, **kwargs):
        period, _ = RecordedCrimePeriod.objects.get_or_create(
            period_end=self.period_end, defaults={"published_on": self.published_on}
        )
        self.periods_by_pk = {period.pk: period}
        column_replace(dataset, "period_id", [period.pk] * len(dataset))

    def after_release(self, dataset, result):
        """The year before of this period's figures, and of the next year's, which compares
        with them when the open data cannot (``ons``)."""
        next_year = calculations.same_day_years_earlier(self.period_end, -1)
        ons.ons_previous_update(
            periods=RecordedCrimePeriod.objects.filter(period_end__in=[self.period_end, next_year]),
            user=self.import_user,
        )

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.force = self.forces_by_pk[row["force_id"]]
        instance.period = self.periods_by_pk[row["period_id"]]


# --------------------------------------------------------------------------------------------
# NCPM figures
# --------------------------------------------------------------------------------------------

NCPM_COLUMNS = [
    Column("measure", "Measure"),
    Column("period_end", "12 months ending", ("12 months to", "Period ending", "Year ending")),
    Column("latest", "Latest 12 months", ("Most recent 12 months", "Latest")),
    Column("previous", "Previous 12 months", ("Previous",)),
    Column("baseline", "2019 baseline", ("Baseline", "2019 Baseline"), required=False),
]
NCPM_TEMPLATE_HELP = [
    "Measure: exactly as named in the admin, e.g. All violence with injury.",
    "12 months ending: the last day of the latest 12 months, e.g. 30/06/2023.",
    "Latest 12 months, Previous 12 months, 2019 baseline: offences (whole numbers), or for a "
    "percentage measure the percentage from 0 to 100.",
]


def day_value(value) -> datetime.date:
    """A day: an Excel date, or dd/mm/yyyy (day first) or yyyy-mm-dd text."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = text_value(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("is not a date we can read; use dd/mm/yyyy, e.g. 30/06/2023.")


def ncpm_period_end_value(value, *, today: datetime.date) -> datetime.date:
    """The last day of an NCPM quarter's latest 12 months: a quarter's end, over by ``today``,
    and after the 2019 baseline it is compared with (a quarter has one address, by its month).

    >>> ncpm_period_end_value("30/06/2023", today=datetime.date(2026, 12, 2))
    datetime.date(2023, 6, 30)
    >>> ncpm_period_end_value("15/06/2023", today=datetime.date(2026, 12, 2))
    Traceback (most recent call last):
    ...
    ValueError: is not the last day of a quarter; the 12 months end on 31 March, 30 June, 30 September or 31 December (e.g. 30/06/2023).
    """
    day = day_value(value)
    if not calculations.is_quarter_end(day):
        raise ValueError(
            "is not the last day of a quarter; the 12 months end on 31 March, 30 June, "
            "30 September or 31 December (e.g. 30/06/2023)."
        )
    if day >= today:
        raise ValueError(
            f"is {day.day} {day:%B %Y}, which has not come yet; the figures are for 12 months that are over."
        )
    period = ReportingPeriod(period_end=day)
    period.fill_comparison_periods()
    if period.baseline_period_end >= day:
        raise ValueError(
            f"is not after its 2019 baseline (the 12 months to {period.baseline_period_end:%d/%m/%Y}); "
            "the latest 12 months must end after 2019."
        )
    return day


class MeasureFigureResource(ReleaseResource):
    """NCPM figures in the documented template: measure, 12 months ending, latest, previous, baseline."""

    release_name = "National Crime and Policing Measures"
    natural_key = ("period_id", "measure_id")
    columns = NCPM_COLUMNS
    example_name = "ncpm-figures-template.csv"
    preview_columns = [
        ("Measure", lambda f: f.measure.name),
        ("12 months ending", lambda f: f.period.period_end),
        ("Latest 12 months", lambda f: f.latest),
        ("Previous 12 months", lambda f: f.previous),
        ("2019 baseline", lambda f: f.baseline),
    ]

    @classmethod
    def example(cls) -> tablib.Dataset:
        return ncpm_template()

    period_id = fields.Field(attribute="period_id", column_name="period_id", widget=widgets.IntegerWidget())
    measure_id = fields.Field(
        attribute="measure_id", column_name="measure_id", widget=widgets.IntegerWidget()
    )
    measure = fields.Field(attribute="measure__name", column_name="measure", readonly=True)

    class Meta:
        model = MeasureFigure
        fields = ("period_id", "measure_id", "measure", "latest", "previous", "baseline")
        import_id_fields = ("period_id", "measure_id")

    def prepare(self, sheet: Sheet) -> Prepared:
        header = self.headings_found(sheet, NCPM_COLUMNS)
        columns = {column.key: column for column in NCPM_COLUMNS}
        measures = {header_key(m.name): m for m in Measure.objects.prefetch_related("components")}
        today = timezone.localdate()
        errors, rows, seen = [], [], {}
        for number, cells in data_rows(sheet, header):
            row_errors: list[CellError] = []

            def measure_lookup(value):
                found = measures.get(header_key(text_value(value)))
                if found is None:
                    raise ValueError(
                        "is not a measure we know. Use a measure's name exactly as it is in the admin."
                    )
                return found

            measure = read_cell(
                row_errors, number, columns["measure"], measure_lookup, cell(cells, header, "measure")
            )
            period_end = read_cell(
                row_errors,
                number,
                columns["period_end"],
                lambda v: ncpm_period_end_value(v, today=today),
                cell(cells, header, "period_end"),
            )
            parse = percentage_value if measure is not None and measure.is_percent else count_value
            values = {
                key: read_cell(
                    row_errors,
                    number,
                    columns[key],
                    fitted_to(MeasureFigure, key, parse),
                    cell(cells, header, key),
                    required=key != "baseline",
                )
                for key in ("latest", "previous", "baseline")
            }
            if not row_errors:
                key = (measure.pk, period_end)
                if key in seen:
                    row_errors.append(
                        CellError(
                            number,
                            "Measure",
                            measure.name,
                            f"appears twice for the same 12 months: rows {seen[key]} and {number}.",
                        )
                    )
                seen[key] = number
            errors.extend(row_errors)
            if not row_errors:
                rows.append((measure, period_end, values))
        problems_raise(errors)
        self.period_ends = {period_end for _, period_end, _ in rows}
        self.measures_by_pk = {measure.pk: measure for measure, _, _ in rows}
        dataset = tablib.Dataset(
            headers=["period_end", "period_id", "measure_id", "measure", "latest", "previous", "baseline"]
        )
        for measure, period_end, values in rows:
            dataset.append(
                [
                    period_end,
                    None,
                    measure.pk,
                    measure.name,
                    values["latest"],
                    values["previous"],
                    values["baseline"],
                ]
            )
        return Prepared(dataset=dataset, warnings=self._warnings(rows))

    def _warnings(self, rows) -> list[str]:
        """Totals whose components (e.g. neighbourhood crime's four parts) do not add up."""
        figures = {(measure.pk, period_end): values for measure, period_end, values in rows}
        warnings = []
        for measure, period_end, values in rows:
            parts = list(measure.components.all())
            if not parts or not all((part.pk, period_end) in figures for part in parts):
                continue
            for key, label in (
                ("latest", "latest 12 months"),
                ("previous", "previous 12 months"),
                ("baseline", "2019 baseline"),
            ):
                part_values = [figures[(part.pk, period_end)][key] for part in parts]
                if values[key] is None or any(v is None for v in part_values):
                    continue
                if sum(part_values) != values[key]:
                    warnings.append(
                        f"{measure.name}, {label}: {calculations.thousands(values[key])}, but its parts "
                        f"({', '.join(part.name for part in parts)}) add up to {calculations.thousands(sum(part_values))}."
                    )
        return warnings

    def before_import(self, dataset, **kwargs):
        periods = {}
        for period_end in self.period_ends:
            period = ReportingPeriod.objects.filter(period_end=period_end).first()
            if period is None:
                period = ReportingPeriod(period_end=period_end)
                period.save()
            periods[period_end] = period
        self.periods_by_pk = {period.pk: period for period in periods.values()}
        column_replace(dataset, "period_id", [periods[day].pk for day in dataset["period_end"]])

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.measure = self.measures_by_pk[row["measure_id"]]
        instance.period = self.periods_by_pk[row["period_id"]]


def release_resource(release: str) -> type[ReleaseResource] | None:
    """The import whose model is ``release`` (a model label such as "performance.CallAnswerMonth")."""
    resources_by_release = {
        resource.release_label(): resource
        for resource in (CallAnswerMonthResource, RecordedCrimeFigureResource, MeasureFigureResource)
    }
    return resources_by_release.get(release)


def ncpm_template() -> tablib.Dataset:
    """The NCPM template staff download from the admin: the headers and one row per measure."""
    dataset = tablib.Dataset(headers=[column.label for column in NCPM_COLUMNS])
    for measure in Measure.objects.select_related("priority_area"):
        dataset.append([measure.name, None, None, None, None])
    return dataset


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


class CallAnswerMonthExportResource(ReadableExportResource):
    columns = CALLS_COLUMNS

    force = fields.Field(attribute="force__name", column_name="Force")
    month = fields.Field(
        attribute="month", column_name="Month", widget=widgets.DateWidget("%Y-%m-%d", coerce_to_string=False)
    )

    class Meta:
        model = CallAnswerMonth
        name = "999 call months (readable columns)"
        fields = (
            "force",
            "month",
            "total_calls",
            "mean_answer_seconds",
            "median_answer_seconds",
            *(f"calls_{b}" for b in BANDS),
            *(f"pct_{b}" for b in BANDS),
        )
        export_order = fields
        widgets = {name: NATIVE for name in fields[2:]}

    def get_queryset(self):
        return super().get_queryset().select_related("force")


class RecordedCrimeFigureExportResource(ReadableExportResource):
    columns = ONS_COLUMNS

    force = fields.Field(attribute="force__name", column_name="Area Name")
    ons_code = fields.Field(attribute="force__ons_code", column_name="Area Code")
    year_ending = fields.Field(
        attribute="period__period_end",
        column_name="Year ending",
        widget=widgets.DateWidget("%Y-%m-%d", coerce_to_string=False),
    )

    class Meta:
        model = RecordedCrimeFigure
        fields = ("ons_code", "force", "year_ending", "total")
        export_order = fields
        widgets = {"total": NATIVE}

    def get_queryset(self):
        return super().get_queryset().select_related("force", "period")


class MeasureFigureExportResource(ReadableExportResource):
    columns = NCPM_COLUMNS

    measure = fields.Field(attribute="measure__name", column_name="Measure")
    period_end = fields.Field(
        attribute="period__period_end",
        column_name="12 months ending",
        widget=widgets.DateWidget("%Y-%m-%d", coerce_to_string=False),
    )

    class Meta:
        model = MeasureFigure
        fields = ("measure", "period_end", "latest", "previous", "baseline")
        export_order = fields
        widgets = {name: NATIVE for name in ("latest", "previous", "baseline")}

    def get_queryset(self):
        return super().get_queryset().select_related("measure", "period")
