"""Staff admin for every performance model. Field help text lives on the models.

Each domain's admin is its own module (``performance/<domain>/admin.py``, and the site's, with
the checklist of what it must publish, ``performance/site/admin.py``), which registers its
models when imported: this module imports them all, registers the sign-in records' admin and
re-exports what other modules import from here. The recorded crime open data's counts are
registered from the app's ready() (``performance/recorded_crime_admin.py``)."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin

from performance.calls import admin as calls_admin  # noqa: F401 - registers the domain's models
from performance.crime import admin as crime_admin  # noqa: F401 - registers the domain's models
from performance.crime.admin import RecordedCrimeRecordAdmin  # re-exported: recorded_crime_admin builds on it
from performance.forces import admin as forces_admin  # noqa: F401 - registers the domain's models
from performance.imports import admin as imports_admin  # noqa: F401 - registers the domain's models
from performance.library import admin as library_admin  # noqa: F401 - registers the domain's models
from performance.publishing import admin as publishing_admin  # noqa: F401 - registers the domain's models
from performance.site import admin as site_admin  # noqa: F401 - registers RequiredItem's, with the checklist

__all__ = ["RecordedCrimeRecordAdmin", "SignInAttemptAdmin"]


# --------------------------------------------------------------------------------------------
# Sign-in records
# --------------------------------------------------------------------------------------------


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    """django-axes' own admin without its clean-up action, which reads a time that only sign-in
    requests carry and fails on any other (``manage.py axes_reset`` clears attempts instead)."""

    actions = []
