from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Django's admin, on the site defined in pcc_site.admin (two-factor sign-in when required)."""

    default_site = "pcc_site.admin.StaffAdminSite"
