from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "performance"
    verbose_name = "Police performance data"

    def ready(self):
        from . import ncpm, signals  # noqa: F401 - connects the receivers
        from .publication import gate_signals

        gate_signals()
