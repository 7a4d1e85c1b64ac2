"""The library in the pages' Last-Modified date: a page's documents (``publishing.signals``), and
a published document's day (``caching``)."""

from django.db.models import Subquery
from django.db.models.signals import m2m_changed

from performance.library.models import Document, LibraryPage
from performance.publishing import caching
from performance.publishing.signals import links_changed

linked = LibraryPage.documents.through
m2m_changed.connect(links_changed, sender=linked, dispatch_uid=f"content_changed_links_{linked.__name__}")


def latest_document_day(now):
    """A published document dated in the future becomes public at the start of its day."""
    return Subquery(Document.objects.published(now).order_by("-published_on").values("published_on")[:1])


caching.public_from("latest_document_day", latest_document_day)
