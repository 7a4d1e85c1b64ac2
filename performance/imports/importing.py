"""The admin import between its preview and its confirmation.

The previewed file is kept in the database (``ImportUpload``; a large release in the shared media
storage instead), so any app server can confirm it, under a random token that only the user and
the sign-in (session) that uploaded it can use. The confirm form carries that token and nothing
else: the client never names a file.

A confirm imports at most once, and only what its preview showed. Confirms run one at a time (a
PostgreSQL advisory lock; on SQLite every write transaction already takes the database's write
lock when it begins, see settings.py). A token already confirmed reports the import it made. The
resource refuses a file whose held rows changed since the preview (``ReleaseResource`` compares
their fingerprint). The upload is marked confirmed in the import's own transaction, so only an
import that happened marks it.

The recorded crime open data is too large to read inside a request: its file is kept before its
preview, with no fingerprint yet, and both its preview and its confirm run as background tasks
(``recorded_crime_tasks``) under these same rules, for the user and sign-in that uploaded it.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import secrets
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from import_export.results import Result

from performance.imports.models import ColumnMapping, ImportUpload
from performance.imports.resources import SpreadsheetFormat

UPLOAD_LIFETIME = datetime.timedelta(days=1)
CONFIRM_LOCK = 4_242_001  # the pg_advisory_xact_lock key held while a confirm runs
UPLOAD_UNKNOWN = (
    "Nothing has been imported: this preview cannot be confirmed. It is unknown, more than a day "
    "old, or was made by another user or in another sign-in. Upload the file again."
)


class UploadUnknown(Exception):
    """The confirm names no upload that this user, in this sign-in, may confirm."""


class UploadBytes:
    """An upload's bytes where django-import-export expects its temporary file (``name``,
    ``read()``), so that a preview writes nothing to disk."""

    name = ""

    def __init__(self, data: bytes):
        self.data = data

    def read(self) -> bytes:
        return self.data


class ImportConfirmForm(forms.Form):
    """The confirm step: the preview's token and nothing else.

    Any other field (a file name, a format) is refused rather than ignored, so a request that
    tries to name a file fails where it can be seen."""

    token = forms.CharField(
        max_length=64,
        widget=forms.HiddenInput,
        error_messages={"required": "Nothing has been imported: the confirmation has no token."},
    )
    expected_fields = {"token", "csrfmiddlewaretoken", "confirm"}  # confirm: the submit button

    def clean(self):
        unexpected = sorted(set(self.data) - self.expected_fields)
        if unexpected:
            raise forms.ValidationError(
                f"Nothing has been imported: a confirmation has only its token, not {', '.join(unexpected)}."
            )
        return super().clean()

    def problems(self) -> str:
        return " ".join(message for errors in self.errors.values() for message in errors)


def column_question(column) -> str:
    """What a person is asked about a column, e.g. "Which column holds the total calls?"."""
    return f"Which column holds the {column.label.lower()}?"


def column_choices(data: dict) -> dict[str, str]:
    """A column form's choices, ``column_<key>`` fields, as {column key: the file's heading}."""
    return {name.removeprefix("column_"): value for name, value in data.items() if name.startswith("column_")}


def column_choices_checked(data: dict) -> dict:
    """``data`` (a column form's cleaned data) unless one of the file's columns is chosen for two."""
    chosen = [heading for heading in column_choices(data).values() if heading]
    twice = sorted({heading for heading in chosen if chosen.count(heading) > 1})
    if twice:
        raise forms.ValidationError(
            f'"{twice[0]}" is chosen for more than one column; each of the file\'s columns holds one thing.'
        )
    return data


class ColumnChoiceForm(forms.Form):
    """The mapping step of a preview: for each column the import could not find by its heading,
    which of the file's other columns holds it (``missing``: a ``HeadingsMissing``)."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, missing, **kwargs):
        super().__init__(*args, **kwargs)
        offered = [("", "Choose one of the file's columns")] + [(h, h) for h in missing.unclaimed]
        for column in missing.missing:
            self.fields[f"column_{column.key}"] = forms.ChoiceField(
                label=column_question(column),
                choices=offered,
                error_messages={
                    "required": f'Choose the column that holds "{column.label}".',
                    "invalid_choice": f'Choose one of the file\'s columns for "{column.label}".',
                },
            )

    def clean(self):
        return column_choices_checked(super().clean())

    def choices(self) -> dict[str, str]:
        return column_choices(getattr(self, "cleaned_data", {}))


def columns_remember(*, resource_class, headings: list[str], choices: dict[str, str], user) -> ColumnMapping:
    """Store a person's column choices for files of this release with these ``headings``,
    adding to (or replacing) any made before; its history records who and when."""
    release = resource_label(resource_class)
    key = ColumnMapping.key_for(headings)
    mapping = ColumnMapping.objects.filter(release=release, headings_key=key).first() or ColumnMapping(
        release=release, headings_key=key, headings=headings
    )
    mapping.choices = {**mapping.choices, **choices}
    mapping.updated_by = user
    mapping.save()
    return mapping


def resource_label(resource_class) -> str:
    """The admin an upload belongs to, named by its model ("performance.CallAnswerMonth").
    ``resource_class`` is the release's resource, or the model itself for an import without one
    (a model's ``_meta.model`` is the model)."""
    return resource_class._meta.model._meta.label


def upload_store(
    *,
    user,
    session_key: str,
    resource_class,
    file_name: str,
    data: bytes = b"",
    file=None,
    preview_fingerprint: str,
    release_published_on=None,
) -> ImportUpload:
    """Keep a previewed file for its confirmation: its ``data`` in the database, or a large
    release's ``file`` in the media storage (a file previewed in the background is kept before
    its preview, with no ``preview_fingerprint`` yet: it cannot be confirmed until the preview
    sets one). Uploads too old to confirm are deleted now."""
    expired = ImportUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_LIFETIME)
    for stored in expired.exclude(file=""):
        stored.file.delete(save=False)
    expired.delete()
    upload = ImportUpload(
        token=secrets.token_urlsafe(32),
        user=user,
        session_key=session_key,
        resource=resource_label(resource_class),
        file_name=file_name,
        data=data,
        preview_fingerprint=preview_fingerprint,
        release_published_on=release_published_on,
    )
    if file is not None:
        upload.file.save(f"{upload.token}.upload", file, save=False)  # the token, never the client's name
    upload.save()
    return upload


@contextlib.contextmanager
def upload_opened(upload: ImportUpload):
    """The stored file as a binary file object, wherever it is kept."""
    if not upload.file:
        yield io.BytesIO(bytes(upload.data))
        return
    with upload.file.open("rb") as stored:
        yield stored


def upload_awaiting_columns(*, token: str, user, session_key: str | None, resource_class) -> ImportUpload:
    """The unconfirmed upload ``token`` names, kept while its uploader says which of its columns
    hold the columns the import could not find, if ``user`` uploaded it in this sign-in less than
    a day ago. Raises ``UploadUnknown`` otherwise."""
    upload = (
        ImportUpload.objects.filter(
            token=token,
            user=user,
            session_key=session_key or "-",
            resource=resource_label(resource_class),
            confirmed_at=None,
            created_at__gte=timezone.now() - UPLOAD_LIFETIME,
        ).first()
        if session_key
        else None
    )
    if upload is None:
        raise UploadUnknown(UPLOAD_UNKNOWN)
    return upload


def upload_owned(*, token: str, user, session_key: str | None, resource_class) -> ImportUpload:
    """The upload ``token`` names, confirmed or not, if ``user`` uploaded it in this sign-in less
    than a day ago (or confirmed it already), without locking it. Raises ``UploadUnknown``
    otherwise."""
    upload = (
        ImportUpload.objects.filter(
            token=token, user=user, session_key=session_key, resource=resource_label(resource_class)
        ).first()
        if session_key
        else None
    )
    if upload is None or (
        upload.confirmed_at is None and upload.created_at < timezone.now() - UPLOAD_LIFETIME
    ):
        raise UploadUnknown(UPLOAD_UNKNOWN)
    return upload


def upload_discard(upload: ImportUpload) -> None:
    """Forget a file that will not be imported (its preview refused it): the record and the file
    in the media storage, once the transaction commits."""
    if upload.file:
        stored = upload.file
        transaction.on_commit(lambda: stored.delete(save=False))
    upload.delete()


def upload_claim(*, token: str, user, session_key: str | None, resource_class) -> ImportUpload:
    """The upload ``token`` names, locked, if ``user`` uploaded it in this sign-in less than a day
    ago (or confirmed it already). Call inside the confirm's transaction: it waits for any other
    confirm to finish first. Raises ``UploadUnknown`` otherwise."""
    if not session_key:
        raise UploadUnknown(UPLOAD_UNKNOWN)
    confirms_serialise()
    upload = (
        ImportUpload.objects.select_for_update(of=("self",))
        .select_related("import_log", "user")
        .filter(token=token, user=user, session_key=session_key, resource=resource_label(resource_class))
        .first()
    )
    if upload is None or (
        upload.confirmed_at is None and upload.created_at < timezone.now() - UPLOAD_LIFETIME
    ):
        raise UploadUnknown(UPLOAD_UNKNOWN)
    return upload


def upload_mark_confirmed(upload: ImportUpload, import_log) -> None:
    """Inside the import's transaction: the upload is confirmed, by ``import_log``. A file kept
    in the media storage is deleted once the import commits (the record stays, to answer a
    second confirm)."""
    upload.confirmed_at = timezone.now()
    upload.import_log = import_log
    upload.save(update_fields=["confirmed_at", "import_log"])
    if upload.file:
        stored = upload.file
        transaction.on_commit(lambda: stored.delete(save=False))


def already_imported_message(upload: ImportUpload) -> str:
    """What a second confirm of ``upload`` is told."""
    log = upload.import_log
    when = date_format(timezone.localtime(upload.confirmed_at), r"j F Y \a\t H:i")
    already = f"{upload.file_name} was already imported on {when} by {upload.user}"
    if log is None:  # its log has since been deleted
        return f"{already}. Nothing more has been imported."
    return format_html(
        '{}: {} (<a href="{}">import log</a>). Nothing more has been imported.',
        already,
        totals_text(log.rows_new, log.rows_updated, log.rows_unchanged),
        reverse("admin:performance_importlog_change", args=[log.pk]),
    )


def confirms_serialise() -> None:
    """Make this transaction's confirm wait until no other confirm is running (PostgreSQL; on
    SQLite the transaction took the write lock when it began)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CONFIRM_LOCK])


@dataclass(frozen=True)
class Confirmation:
    """What a confirm did: imported the file, refused it (``problems``), or nothing because it
    had been imported already (no ``result``)."""

    upload: ImportUpload
    result: Result | None = None

    @property
    def problems(self) -> list[str]:
        if self.result is None:
            return []
        return (
            [str(error.error) for error in self.result.base_errors]
            + [
                f"Row {number}: {error.error}"
                for number, errors in self.result.row_errors()
                for error in errors
            ]
            + [f"Row {row.number}: {' '.join(row.error.messages)}" for row in self.result.invalid_rows]
        )

    @property
    def imported(self) -> bool:
        return self.result is not None and not self.problems

    @property
    def level(self) -> int:
        if self.imported:
            return messages.SUCCESS
        return messages.WARNING if self.result is None else messages.ERROR

    @property
    def message(self) -> str:
        if self.imported:
            return imported_message(self.result)
        if self.result is not None:
            return "Nothing was imported: " + " ".join(self.problems)
        return already_imported_message(self.upload)


def totals_text(new: int, updated: int, unchanged: int) -> str:
    return f"{new} new, {updated} updated, {unchanged} unchanged"


def imported_message(result: Result) -> str:
    totals = result.totals
    return (
        f"Imported {result.import_log.file_name}: "
        f"{totals_text(totals['new'], totals['update'], totals['skip'])}."
    )


def upload_confirm(*, token: str, user, session_key: str | None, resource_class) -> Confirmation:
    """Import the upload ``token`` names, once, if ``user`` uploaded it in this sign-in less than
    a day ago. Raises ``UploadUnknown`` otherwise."""
    with transaction.atomic():
        upload = upload_claim(token=token, user=user, session_key=session_key, resource_class=resource_class)
        if upload.confirmed_at is not None:
            return Confirmation(upload)
        result = resource_class().import_data(
            SpreadsheetFormat().create_dataset(bytes(upload.data)),  # CSV or XLSX, told apart by content
            dry_run=False,
            file_name=upload.file_name,
            user=user,
            preview_fingerprint=upload.preview_fingerprint,
            retain_instance_in_row_result=True,  # for the admin's log entries
        )
        confirmation = Confirmation(upload, result)
        if confirmation.imported:
            upload_mark_confirmed(upload, result.import_log)
        return confirmation
