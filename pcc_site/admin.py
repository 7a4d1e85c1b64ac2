"""The staff admin site: the default one, with two-factor sign-in when REQUIRE_2FA is on."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffAdminSite(AdminSite):
    site_header = "Police performance data: staff admin"
    site_title = "Staff admin"

    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.REQUIRE_2FA else AdminAuthenticationForm

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.REQUIRE_2FA else None

    def has_permission(self, request):
        """With REQUIRE_2FA, a password alone is not enough: the session must be verified by a
        TOTP device (staff add theirs under "TOTP devices")."""
        allowed = super().has_permission(request)
        return allowed and (not settings.REQUIRE_2FA or request.user.is_verified())
