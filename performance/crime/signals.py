"""A commissioner's statement's documents in the pages' Last-Modified date (``publishing.signals``)."""

from django.db.models.signals import m2m_changed

from performance.crime.models.ncpm import CommissionerStatement
from performance.publishing.signals import links_changed

linked = CommissionerStatement.documents.through
m2m_changed.connect(links_changed, sender=linked, dispatch_uid=f"content_changed_links_{linked.__name__}")
