"""Back up the configured database to one file, consistent while the site runs.

PostgreSQL: ``pg_dump -Fc`` (custom format; ``restore_database`` feeds it to ``pg_restore``).
SQLite: SQLite's online backup API, as the ``sqlite3`` shell's ``.backup`` uses. The file is
written under a temporary name and renamed when complete, so a failed backup leaves no file that
looks like a good one. ``make backup`` runs this; ``make restore FILE=…`` restores.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.client import DatabaseClient
from django.utils import timezone

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
SUFFIXES = {POSTGRESQL: ".dump", SQLITE: ".sqlite3"}
ENGINE_NAMES = {POSTGRESQL: "PostgreSQL", SQLITE: "SQLite"}
# How each kind of backup file begins.
MAGIC = {POSTGRESQL: b"PGDMP", SQLITE: b"SQLite format 3\x00"}


def backup_dir() -> Path:
    return Path(settings.BASE_DIR) / "backups"


def database_vendor(alias=DEFAULT_DB_ALIAS) -> str:
    vendor = connections[alias].vendor
    if vendor not in SUFFIXES:
        raise CommandError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def backup_kind(path: Path) -> str | None:
    """Which engine a backup file is for, from its first bytes; None if it is neither."""
    with path.open("rb") as file:
        start = file.read(16)
    return next((vendor for vendor, magic in MAGIC.items() if start.startswith(magic)), None)


def postgres_command(program: str, settings_dict: dict, *options: str) -> tuple[list[str], dict]:
    """``program`` (pg_dump, pg_restore) with the connection from the settings; the password
    goes in the environment (PGPASSWORD), never on the command line."""
    if shutil.which(program) is None:
        raise CommandError(f"{program} was not found: install the PostgreSQL client tools.")
    args = [program, "--no-password"]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    args += ["--dbname", settings_dict.get("NAME") or "postgres", *options]
    _, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    return args, {**os.environ, **(env or {})}


def run_tool(args: list[str], env: dict, what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise CommandError(f"{what} failed ({args[0]} exited with {result.returncode}):\n{detail}")


def sqlite_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


class Command(BaseCommand):
    help = "Back up the database to backups/<engine>-YYYYmmdd-HHMMSS.(dump|sqlite3) or --output."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="The backup file to write, or a directory to write the dated file in (default backups/).",
        )

    def handle(self, *args, output: Path | None, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        vendor = database_vendor()
        name = f"{vendor}-{timezone.localtime():%Y%m%d-%H%M%S}{SUFFIXES[vendor]}"
        if output is None:
            output = backup_dir() / name
        elif output.is_dir():
            output = output / name
        if output.exists():
            raise CommandError(f"{output} already exists; choose another file.")
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(f".{output.name}.partial")
        try:
            if vendor == POSTGRESQL:
                args, env = postgres_command(
                    "pg_dump", connection.settings_dict, "--format=custom", "--file", str(partial)
                )
                run_tool(args, env, "The backup")
            else:
                self.sqlite_backup(connection, partial)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
        size = output.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(f"Backed up the {ENGINE_NAMES[vendor]} database to {output} ({size:,} bytes).")
        )

    def sqlite_backup(self, connection, partial: Path) -> None:
        if connection.is_in_memory_db():
            raise CommandError("The database is in memory: there is nothing on disk to back up.")
        source_path = Path(connection.settings_dict["NAME"])
        if not source_path.is_file():
            raise CommandError(f"The SQLite database {source_path} does not exist.")
        source = sqlite_readonly(source_path)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        except sqlite3.Error as error:
            raise CommandError(f"The backup failed: {error}") from error
        finally:
            target.close()
            source.close()
