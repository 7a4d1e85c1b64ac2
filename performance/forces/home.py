"""The force this office oversees, as the site settings name it."""

from performance.forces.models import Force, SiteSettings


def home_force() -> Force | None:
    """The settings' home force, or None while no settings are saved."""
    settings = SiteSettings.objects.select_related("home_force").first()
    return settings.home_force if settings else None
