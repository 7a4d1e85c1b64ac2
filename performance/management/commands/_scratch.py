"""A scratch database for the benchmarks that need one, made as the tests make theirs."""

import io
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.db import connection


@contextmanager
def scratch_database(label: str):
    """A database beside the configured one (on PostgreSQL ``<name>_<label>``, on SQLite a file
    in a temporary folder), migrated, with the demo office loaded; dropped at the end."""
    with tempfile.TemporaryDirectory() as folder:
        test = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            test["NAME"] = str(Path(folder) / f"{label}.sqlite3")
        else:
            test["NAME"] = f"{connection.settings_dict['NAME']}_{label}"
        real_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            call_command("load_demo_data", stdout=io.StringIO())  # the office, its pages and settings
            yield
        finally:
            connection.creation.destroy_test_db(real_name, verbosity=0)
