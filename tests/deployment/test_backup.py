"""Backups: ``backup_database`` and ``restore_database`` (``make backup`` / ``make restore``).

A database holding the demo data is backed up, the backup is restored into an EMPTY database
(not even migrated), and the Police Data page served from each must be the same bytes. SQLite
always; PostgreSQL on scratch databases (see ``test_faults.py``).
"""

import hashlib
import re
import sqlite3
import subprocess
import sys
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.deployment.test_faults import (  # noqa: F401 - postgres, demo_database and scratch are fixtures
    PAGE,
    demo_database,
    manage,
    postgres,
    scratch,
    subprocess_env,
)
from tests.helpers import ROOT

# Serves one page with Django's test client in a process of its own, on the given database.
RENDER = """
import sys
import django

django.setup()
from django.test import Client

response = Client(HTTP_HOST="localhost").get(sys.argv[1])
sys.stdout.buffer.write(b"%d\\n" % response.status_code + response.content)
"""


def page_from(database_url: str, path: str = PAGE) -> bytes:
    result = subprocess.run(
        [sys.executable, "-c", RENDER, path],
        cwd=ROOT,
        env=subprocess_env(database_url),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    status, _, content = result.stdout.partition(b"\n")
    assert status == b"200", content.decode(errors="replace")[:2000]
    return content


def assert_same_page(source_url: str, restored_url: str) -> bytes:
    source, restored = page_from(source_url), page_from(restored_url)
    assert "9,933" in source.decode()
    assert hashlib.sha256(restored).hexdigest() == hashlib.sha256(source).hexdigest()
    assert restored == source
    return source


def test_sqlite_backup_restores_into_an_empty_database(tmp_path):
    source_url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    manage("migrate", "--noinput", "-v", "0", database_url=source_url)
    manage("load_demo_data", database_url=source_url)

    backups = tmp_path / "backups"
    backups.mkdir()
    result = manage("backup_database", "--output", str(backups), database_url=source_url)
    [backup] = backups.iterdir()
    assert re.fullmatch(r"sqlite-\d{8}-\d{6}\.sqlite3", backup.name)
    assert str(backup) in result.stdout

    target = tmp_path / "target.sqlite3"
    sqlite3.connect(target).close()  # a new, empty database file
    with sqlite3.connect(target) as empty:
        assert empty.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    restored_url = f"sqlite:///{target}"
    manage("restore_database", str(backup), "--noinput", database_url=restored_url)

    assert_same_page(source_url, restored_url)


def test_postgres_backup_restores_into_an_empty_database(postgres, demo_database, scratch, tmp_path):  # noqa: F811
    source = scratch("backup_source", template=demo_database)
    target = scratch("backup_target")  # a new database: no tables at all
    backup = tmp_path / "demo.dump"
    manage("backup_database", "--output", str(backup), database_url=postgres.url(source))
    assert backup.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format

    assert postgres.query(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
    manage("restore_database", str(backup), "--noinput", database_url=postgres.url(target))

    source_page = assert_same_page(postgres.url(source), postgres.url(target))
    # Restoring over a database that holds the data (--clean), as `make restore` would on the
    # live site, gives the same again.
    manage("restore_database", str(backup), "--noinput", database_url=postgres.url(target))
    assert page_from(postgres.url(target)) == source_page


# --------------------------------------------------------------------------------------------
# Refusals, before anything is touched (in-process, on the suite's own database settings)
# --------------------------------------------------------------------------------------------

OTHER_ENGINE = {
    "sqlite": (b"PGDMP\x01\x0e\x00", "is a PostgreSQL backup but the configured database is SQLite"),
    "postgresql": (b"SQLite format 3\x00", "is a SQLite backup but the configured database is PostgreSQL"),
}


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="There is no backup file at .*nothing was restored"):
        call_command("restore_database", str(tmp_path / "missing.dump"), "--noinput")


def test_restore_refuses_a_backup_for_the_other_engine(tmp_path):
    start, message = OTHER_ENGINE[connection.vendor]
    backup = tmp_path / "other.backup"
    backup.write_bytes(start + b"\x00" * 100)
    with pytest.raises(CommandError, match=message):
        call_command("restore_database", str(backup), "--noinput")


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    backup = tmp_path / "notes.txt"
    backup.write_text("not a backup")
    with pytest.raises(CommandError, match="is not a backup made by backup_database"):
        call_command("restore_database", str(backup), "--noinput")


def test_restore_asks_first_and_can_be_cancelled(tmp_path):
    own_engine = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}[connection.vendor]
    backup = tmp_path / "backup"
    backup.write_bytes(own_engine + b"\x00" * 100)
    with (
        mock.patch("builtins.input", return_value="no") as asked,
        pytest.raises(CommandError, match="Restore cancelled; nothing was changed"),
    ):
        call_command("restore_database", str(backup))
    assert "replaces everything" in asked.call_args.args[0]


def test_backup_refuses_to_overwrite(tmp_path):
    existing = tmp_path / "existing.dump"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_database", "--output", str(existing))
    assert existing.read_bytes() == b"keep me"
