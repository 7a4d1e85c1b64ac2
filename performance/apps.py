from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "performance"
    verbose_name = "Police performance data"

    def ready(self):
        from performance.calls import checks as calls_checks  # noqa: F401 - join publishing_checks' registry
        from performance.calls import opendata as calls_opendata  # noqa: F401 - join the open data's registry
        from performance.calls import resources as calls_resources  # noqa: F401 - join release_resource's registry
        from performance.calls import signals as calls_signals  # noqa: F401 - connects the receivers
        from performance.crime import checks as crime_checks  # noqa: F401 - join publishing_checks' registry
        from performance.crime import (  # noqa: F401 - connects the receivers, registers OffenceCountAdmin
            ncpm,
            ons,
            recorded_crime,
            recorded_crime_admin,
        )
        from performance.crime import opendata as crime_opendata  # noqa: F401 - join the open data's registry
        from performance.crime import resources as crime_resources  # noqa: F401 - join release_resource's registry
        from performance.crime import signals as crime_signals  # noqa: F401 - connects the receivers
        from performance.forces import signals as forces_signals  # noqa: F401 - connects the receivers
        from performance.library import signals as library_signals  # noqa: F401 - connects the receivers
        from performance.publishing import signals
        from performance.publishing.gate import gate_signals
        from performance.site import parameters  # noqa: F401 - the open data's query parameters, for the cache (after the domains' datasets)

        signals.connect_receivers()  # after the domains' signals, which tell it about their models
        gate_signals()
        recorded_crime.recorded_crime_imported.connect(
            ons.recorded_crime_imported_received, dispatch_uid="ons_previous_update"
        )
