from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "performance"
    verbose_name = "Police performance data"

    def ready(self):
        from performance.domains import discover
        from performance.publishing import signals
        from performance.publishing.gate import gate_signals

        # Each package's release imports, checks before publishing, receivers and open data files
        # join their registries (performance.domains); then what is built from those registries.
        for module in ("resources", "checks", "signals", "opendata"):
            discover(module)
        from performance.site import parameters  # noqa: F401 - the open data's query parameters, for the cache

        signals.connect_receivers()  # after the domains' signals, which tell it about their models
        gate_signals()
