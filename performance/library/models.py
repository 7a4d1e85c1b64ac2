"""Reporting channels and the document library: pages, their editable sections, the
categories, meetings and documents."""

import datetime

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from performance.library.documents import document_upload_to, extension_of, validate_document
from performance.publishing.models import Content, Publication, Publishable, PublishableQuerySet
from performance.shared.richtext import KEPT, RichTextField


class ReportingChannel(Content):
    name = models.CharField(max_length=100, help_text='e.g. "101", "Online reporting", "StreetSafe".')
    contact = models.CharField(
        max_length=250, blank=True, help_text="A phone number (e.g. 101) or a web address (https://…)."
    )
    link_text = models.CharField(
        max_length=150,
        blank=True,
        help_text='Words for the link when the contact is a web address, e.g. "Report a crime online".',
    )
    description = RichTextField(help_text="How and when to use it. " + KEPT)
    caveat = models.CharField(
        max_length=250, blank=True, help_text='e.g. "StreetSafe is not for reporting crime or incidents."'
    )
    is_emergency = models.BooleanField(default=False, help_text="Tick for 999.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Position on the page (lowest first).")

    publication = Publication.always_public()

    class Meta:
        permissions = [
            ("publish_reportingchannel", "Can change reporting channels (public as soon as saved)")
        ]
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def contact_is_url(self) -> bool:
        return self.contact.startswith(("https://", "http://"))


class LibraryPage(Content, Publishable):
    class Template(models.TextChoices):
        PLAIN = "plain", "Plain page"
        POLICE_DATA = "police_data", "Police Data page (with the performance sections)"

    slug = models.SlugField(unique=True, help_text="The page's address: /document-library/<slug>/.")
    title = models.CharField(max_length=200, help_text='The page\'s heading, e.g. "Police Data".')
    summary = models.CharField(max_length=300, help_text="One sentence shown in the library list.")
    intro = RichTextField(blank=True, help_text="The opening paragraphs. " + KEPT)
    body = RichTextField(blank=True, help_text="The rest of the page. " + KEPT)
    template = models.CharField(
        max_length=20,
        choices=Template.choices,
        default=Template.PLAIN,
        help_text="A plain page of text, or the Police Data page with its figures.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the library list.")
    documents = models.ManyToManyField(
        "Document",
        blank=True,
        related_name="pages",
        help_text="Documents listed on the page (public ones only).",
    )

    class Meta:
        permissions = [("publish_librarypage", "Can publish library pages")]
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.template == self.Template.POLICE_DATA:
            return reverse("performance:police-data")
        return reverse("performance:library-page", args=[self.slug])


class PageSection(Content):
    """An editable block of text in a fixed place on a data page (e.g. the note on recording standards)."""

    class Slot(models.TextChoices):
        CALLS_999 = "calls_999", "Before the 999 tables"
        ONS = "ons", "Before the ONS headline"
        NCPM = "ncpm", "Before the NCPM tables"
        AFTER_APPENDIX = "after_appendix", "After the appendix (e.g. crime recording standards, DCPP)"
        REPORTING = "reporting", "Before the reporting channels"

    page = models.ForeignKey(
        LibraryPage, on_delete=models.CASCADE, related_name="sections", help_text="The page it appears on."
    )
    slot = models.CharField(max_length=20, choices=Slot.choices, help_text="Where on the page it appears.")
    heading = models.CharField(max_length=200, blank=True, help_text="The section heading, if it has one.")
    body = RichTextField(blank=True, help_text="The section's text. " + KEPT)
    order = models.PositiveSmallIntegerField(default=0, help_text="Order within its place (lowest first).")

    publication = Publication.parent("page")

    class Meta:
        ordering = ["page", "slot", "order"]

    def __str__(self):
        return self.heading or self.get_slot_display()


class DocumentCategory(Content):
    """A heading of the document library (decisions, meetings, PEEL inspections …): data, so an
    office names and orders its own. Public as soon as saved."""

    name = models.CharField(
        max_length=100, unique=True, help_text='As the library shows it, e.g. "Decisions".'
    )
    slug = models.SlugField(
        unique=True, help_text="The category's address: /document-library/category/<slug>/."
    )
    description = models.CharField(max_length=300, blank=True, help_text="One sentence on what it holds.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the library (lowest first).")

    publication = Publication.always_public()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "document categories"
        permissions = [("publish_documentcategory", "Can change document categories")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("performance:library-category", args=[self.slug])


class MeetingQuerySet(PublishableQuerySet):
    pass


class Meeting(Content, Publishable):
    """A public meeting (e.g. the PCC's accountability meeting, the Police and Crime Panel): its
    agenda, papers and minutes are documents that belong to it."""

    title = models.CharField(max_length=200, help_text='e.g. "PCC Accountability Meeting".')
    held_on = models.DateField(help_text="The day of the meeting.")
    slug = models.SlugField(
        max_length=120,
        unique=True,
        blank=True,
        help_text="The meeting's address; left blank, made from the date and title.",
    )
    summary = models.TextField(blank=True, help_text="What was discussed, in a sentence or two.")

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "title"]
        permissions = [("publish_meeting", "Can publish meetings")]

    def __str__(self):
        return f"{self.title}, {self.held_on.day} {self.held_on:%B %Y}"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = f"{self.held_on:%Y-%m-%d}-{slugify(self.title)}"[:120]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("performance:library-meeting", args=[self.slug])


class DocumentQuerySet(PublishableQuerySet):
    def published(self, now: datetime.datetime | None = None):
        """Published, and its publication date has come (a future date is not public before it)."""
        now = now or timezone.now()
        return super().published(now).filter(published_on__lte=timezone.localdate(now))


class Document(Content, Publishable):
    class MeetingPart(models.TextChoices):
        AGENDA = "agenda", "Agenda"
        PAPERS = "papers", "Papers"
        MINUTES = "minutes", "Minutes"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200, help_text="As it appears in the library list.")
    file = models.FileField(
        upload_to=document_upload_to,
        validators=[validate_document],
        help_text="The published file: PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods) or CSV, "
        "up to 20 MB.",
    )
    category = models.ForeignKey(
        DocumentCategory,
        on_delete=models.PROTECT,
        related_name="documents",
        help_text="Where it is listed in the library.",
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        help_text="The meeting it belongs to, if any (its agenda, papers or minutes).",
    )
    meeting_part = models.CharField(
        max_length=10, choices=MeetingPart.choices, blank=True, help_text="What it is for its meeting."
    )
    text = models.TextField(
        blank=True, editable=False, help_text="The words inside the file, read once at upload, for search."
    )
    # Title (A), summary (B) and text (C) for PostgreSQL's full-text search, kept by save() (on
    # SQLite it stays empty: search falls back to matching words). GIN-indexed on PostgreSQL.
    search_vector = SearchVectorField(null=True, editable=False)
    # Title (A) and summary (B) alone: results are ranked on it, a small vector, so ranking a
    # search that matches thousands of documents stays cheap; the text decides only whether one matches.
    heading_vector = SearchVectorField(null=True, editable=False)
    published_on = models.DateField(
        help_text="Publication date shown to the public. The document is not public before this day, "
        "even once published."
    )
    summary = models.CharField(max_length=300, blank=True, help_text="One sentence on what the document is.")

    objects = DocumentQuerySet.as_manager()

    class Meta:
        permissions = [("publish_document", "Can publish documents")]
        ordering = ["-published_on", "title"]
        indexes = [
            models.Index(fields=["-published_on", "title"], name="document_date"),
            models.Index(fields=["category", "-published_on"], name="document_category_date"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from performance.library import search

        if self.file and (self._state.adding or not getattr(self.file, "_committed", True)):
            self.text = search.document_text(self.file)  # a new file: read its words once
        super().save(*args, **kwargs)
        search.document_indexed(self)

    def get_absolute_url(self):
        return reverse("performance:document", args=[self.pk, self.download_name])

    @property
    def download_name(self) -> str:
        return f"{slugify(self.title)[:80] or 'document'}.{extension_of(self.file.name)}"
