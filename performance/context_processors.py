from .models import SiteSettings


def site_settings(request):
    """The office's settings for every template (header link, footer, office name)."""
    return {"site_settings": SiteSettings.objects.for_site()}
