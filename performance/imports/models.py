"""The import framework's records: the column choices staff made for a release's files
(``ColumnMapping``), a release file held between its preview and its confirmation
(``ImportUpload``) and the log of confirmed imports (``ImportLog``).

The background job that runs a preview or a confirm, ``ImportJob``, is in ``performance.imports.jobs``.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from performance.publishing.models import Publication


class ColumnMapping(models.Model):
    """Which of a file's columns holds a column an import needs but could not find by its heading,
    as a staff member chose at a preview ("which column holds the total calls?"). Used again for
    the next file of that release with the same headings; editable, with its history kept."""

    release = models.CharField(
        max_length=100, editable=False, help_text='The import it is for, e.g. "performance.CallAnswerMonth".'
    )
    headings_key = models.CharField(max_length=64, editable=False)
    headings = models.JSONField(editable=False, help_text="The file's headings, in order, as written.")
    choices = models.JSONField(
        default=dict,
        help_text="For each column the import needs: the heading of the file's column that holds it.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords()

    publication = Publication.not_content(
        "a column choice made at an import's preview: what it imports is gated"
    )

    class Meta:
        ordering = ["release", "-updated_at"]
        verbose_name = "column choice for imports"
        verbose_name_plural = "column choices for imports"
        constraints = [
            models.UniqueConstraint(
                fields=["release", "headings_key"], name="one_column_mapping_per_headings"
            )
        ]

    def __str__(self):
        chosen = "; ".join(f"{heading}" for heading in self.choices.values())
        return f"{self.release_name}: {chosen or 'no columns chosen'}"

    @property
    def release_name(self) -> str:
        from django.apps import apps

        try:
            return apps.get_model(self.release)._meta.verbose_name_plural.capitalize()
        except LookupError:
            return self.release

    @staticmethod
    def key_for(headings) -> str:
        from performance.imports.spreadsheets import headings_key

        return headings_key(headings)


class ImportUpload(models.Model):
    """A release file between its preview and its confirmation, kept in the database so that any
    app server can confirm it. Only the user and session that uploaded it can confirm it, by its
    random token; the client never names a file."""

    token = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", help_text="Who uploaded it."
    )
    session_key = models.CharField(max_length=64, editable=False)
    resource = models.CharField(max_length=100, help_text="The admin the file was uploaded to.")
    file_name = models.CharField(max_length=255, help_text="The uploaded file's name.")
    data = models.BinaryField(blank=True, help_text="The file's bytes (a small release).")
    file = models.FileField(
        upload_to="import-previews/",
        blank=True,
        help_text="The file, in the shared media storage (a large release, read from there in parts).",
    )
    preview_fingerprint = models.CharField(
        max_length=64, blank=True, help_text="The held rows the preview compared the file with."
    )
    release_published_on = models.DateField(
        null=True, blank=True, help_text="The release's publication day as entered at the preview."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="When the import was confirmed.")
    import_log = models.ForeignKey(
        "ImportLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The confirmed import.",
    )

    publication = Publication.not_content("a file uploaded for an import: what it imports is gated")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"


class ImportLog(models.Model):
    """One confirmed spreadsheet import: who, when, which file and what it changed."""

    created_at = models.DateTimeField(auto_now_add=True, help_text="When the import was confirmed.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who imported it (blank for a command-line import).",
    )
    resource = models.CharField(
        max_length=100, help_text="Which release: 999 calls, ONS Table P1 or NCPM figures."
    )
    file_name = models.CharField(max_length=255, help_text="The uploaded file's name.")
    sha256 = models.CharField("SHA-256", max_length=64, help_text="Fingerprint of the file's exact bytes.")
    rows_new = models.PositiveIntegerField(default=0, help_text="Rows added.")
    rows_updated = models.PositiveIntegerField(default=0, help_text="Rows changed.")
    rows_unchanged = models.PositiveIntegerField(
        default=0, help_text="Rows already held with the same values."
    )
    warnings = models.TextField(blank=True, help_text="Warnings shown in the preview, one per line.")
    release_published_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the release was published, from the file or as entered (blank: not known).",
    )
    outcome = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="What the import created and changed, and what waits for a Publisher, as its "
        "result page lists it (``performance.imports.outcomes``; empty for older imports).",
    )

    publication = Publication.not_content("the record of a confirmed import, for staff")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.resource}: {self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"
