"""The office's settings for a request: shared by the public views and their templates."""

from performance.forces.models import SiteSettings
from performance.publishing.caching import kept_for_the_content_version


def site_settings_for(request) -> SiteSettings | None:
    """The office's settings, shared by views and templates: read once per content version (see
    ``kept_for_the_content_version()``), or once per request."""
    if not hasattr(request, "_site_settings"):
        request._site_settings = kept_for_the_content_version("site-settings", SiteSettings.objects.for_site)
    return request._site_settings
