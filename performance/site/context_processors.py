from performance.site.office import site_settings_for


def site_settings(request):
    """The office's settings for every template (header link, footer, office name)."""
    return {"site_settings": site_settings_for(request)}
