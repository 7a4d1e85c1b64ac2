"""The site settings' part in the pages' Last-Modified date: their row notes when public content
last changed (``content_changed_at``), which the content version is read from (``caching``)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from performance.forces.models import SiteSettings
from performance.publishing import caching
from performance.publishing import signals as content
from performance.publishing.caching import forget_version

content.note_changes_with(SiteSettings.content_changed)
caching.read_version_from(SiteSettings, "content_changed_at")

# The settings note the change themselves (``SiteSettings.save``).
content.connected_by_domain(SiteSettings)


@receiver(post_save, sender=SiteSettings)
def settings_saved(sender, **kwargs):
    """The settings note the change themselves (``content_changed_at``): read it afresh."""
    forget_version()
