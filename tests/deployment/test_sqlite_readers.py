"""On SQLite (the embedded default), staff's pages still read while a worker writes.

An import of a large release writes in one transaction. SQLite's rollback journal lets readers in
only until the writer's changes outgrow its page cache; then the writer locks everyone out until
it commits, and a staff member following the import's progress gets "database is locked". The
settings put SQLite in WAL mode, where readers never wait for the writer.
"""

import subprocess
import sys

from tests.deployment.test_faults import subprocess_env
from tests.helpers import ROOT

# Writes ~12 MB in one open transaction (well past SQLite's 2 MB page cache), then reads the
# same database from a second connection that will not wait for a lock.
WRITE_WHILE_READING = """
import sqlite3
import sys

import django

django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE rows_written (text TEXT)")
    cursor.execute("INSERT INTO rows_written VALUES ('committed before')")
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO rows_written VALUES (%s)", [("x" * 600,)] * 20_000)
    reader = sqlite3.connect(sys.argv[1], timeout=0)
    try:
        print("read", reader.execute("SELECT count(*) FROM rows_written").fetchone()[0])
    except sqlite3.OperationalError as error:
        print("refused", error)
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print("journal", cursor.fetchone()[0])
"""


def test_a_reader_is_not_locked_out_by_a_long_write(tmp_path):
    database = tmp_path / "site.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", WRITE_WHILE_READING, str(database)],
        cwd=ROOT,
        env=subprocess_env(f"sqlite:///{database}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # The reader sees what was committed, not the open transaction's 20,000 rows, and is not refused.
    assert lines == ["read 1", "journal wal"], result.stdout
