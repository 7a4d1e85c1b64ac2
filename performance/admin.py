"""Staff admin for every performance model. Field help text lives on the models.

Each package's admin is its own module (``performance/<package>/admin.py``; the site's holds the
checklist of what the office must publish), which registers its models when imported: this
module imports them all (``performance.domains``) and registers the sign-in records' admin."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin

from performance.domains import discover

discover("admin")  # each package's staff pages register themselves (performance.domains)


# --------------------------------------------------------------------------------------------
# Sign-in records
# --------------------------------------------------------------------------------------------


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    """django-axes' own admin without its clean-up action, which reads a time that only sign-in
    requests carry and fails on any other (``manage.py axes_reset`` clears attempts instead)."""

    actions = []
