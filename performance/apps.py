from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "performance"
    verbose_name = "Police performance data"

    def ready(self):
        from . import ncpm, ons, recorded_crime, signals  # noqa: F401 - connects the receivers
        from .publication import gate_signals

        gate_signals()
        recorded_crime.recorded_crime_imported.connect(
            ons.recorded_crime_imported_received, dispatch_uid="ons_previous_update"
        )
