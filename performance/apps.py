from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "performance"
    verbose_name = "Police performance data"

    def ready(self):
        from . import (  # noqa: F401 - connects the receivers
            ncpm,
            ons,
            recorded_crime,
            recorded_crime_admin,  # noqa: F401 - registers OffenceCountAdmin (the admin's ready ran first)
            signals,
        )
        from .calls import resources as calls_resources  # noqa: F401 - join release_resource's registry
        from .crime import resources as crime_resources  # noqa: F401 - join release_resource's registry
        from .publication import gate_signals

        gate_signals()
        recorded_crime.recorded_crime_imported.connect(
            ons.recorded_crime_imported_received, dispatch_uid="ons_previous_update"
        )
