"""Restore a backup made by ``backup_database`` into the configured database.

Everything the backup holds replaces what the database holds; the database may be empty (not
even migrated). PostgreSQL: ``pg_restore --clean --if-exists --no-owner`` in one transaction, so
a restore that fails changes nothing. SQLite: SQLite's backup API copies the backup over the
database file. A missing file, or a backup for the other engine, is refused before anything is
touched.
"""

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from performance.management.commands.backup_database import (
    ENGINE_NAMES,
    POSTGRESQL,
    backup_kind,
    database_vendor,
    postgres_command,
    run_tool,
    sqlite_readonly,
)


class Command(BaseCommand):
    help = "Restore a backup_database file into the database, replacing what it holds."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A backup made by backup_database (.dump or .sqlite3).")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask to confirm."
        )

    def handle(self, *args, file: Path, interactive: bool, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        vendor = database_vendor()
        if not file.is_file():
            raise CommandError(f"There is no backup file at {file}; nothing was restored.")
        kind = backup_kind(file)
        if kind is None:
            raise CommandError(
                f"{file} is not a backup made by backup_database (neither a pg_dump custom-format "
                "archive nor a SQLite database); nothing was restored."
            )
        if kind != vendor:
            raise CommandError(
                f"{file} is a {ENGINE_NAMES[kind]} backup but the configured database is "
                f"{ENGINE_NAMES[vendor]}; nothing was restored."
            )
        target = connection.settings_dict["NAME"]
        if interactive:
            answer = input(
                f"This replaces everything in the {ENGINE_NAMES[vendor]} database {target} with {file}.\n"
                "Type 'yes' to continue, or anything else to cancel: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        connection.close()
        if vendor == POSTGRESQL:
            self.postgres_restore(connection.settings_dict, file)
        else:
            self.sqlite_restore(connection, file)
        self.stdout.write(
            self.style.SUCCESS(f"Restored {file} into the {ENGINE_NAMES[vendor]} database {target}.")
        )

    def postgres_restore(self, settings_dict: dict, file: Path) -> None:
        args, env = postgres_command(
            "pg_restore",
            settings_dict,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(file),
        )
        run_tool(["pg_restore", "--list", str(file)], env, "Reading the backup")  # reads only the file
        run_tool(args, env, "The restore")

    def sqlite_restore(self, connection, file: Path) -> None:
        if connection.is_in_memory_db():
            raise CommandError("The configured SQLite database is in memory; nothing was restored.")
        source = sqlite_readonly(file)
        try:
            check = source.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise CommandError(f"{file} is damaged ({check}); nothing was restored.")
            target = sqlite3.connect(connection.settings_dict["NAME"])
            try:
                source.backup(target)
            finally:
                target.close()
        except sqlite3.Error as error:
            raise CommandError(f"The restore failed: {error}") from error
        finally:
            source.close()
