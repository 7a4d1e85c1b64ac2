"""Shared by the import_* commands: the same resources, checks and transaction as the admin."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from performance.imports.resources import SpreadsheetFormat
from performance.imports.spreadsheets import MAX_FILE_BYTES, size_problem


class ReleaseImportCommand(BaseCommand):
    resource_class = None

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The release as CSV or Excel (.xlsx).")
        parser.add_argument("--dry-run", action="store_true", help="Check and preview; change nothing.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar='"COLUMN=HEADING"',
            help="Read a column the import needs from the file's column with another heading, e.g. "
            '--map "Total calls=Calls presented" (repeat for more). For this import only; choices made '
            "in the admin's preview for files with the same headings are used too.",
        )

    def handle(self, *args, file: Path, dry_run: bool, map: list[str], **options):
        try:
            mapping = self.resource_class.mapping_parse(map)
        except ValueError as error:
            raise CommandError(f"The file was not imported; nothing has changed.\n- {error}") from error
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(
                    f"The file was not imported; nothing has changed.\n- {size_problem(file.stat().st_size)}"
                )
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        dataset = SpreadsheetFormat().create_dataset(data)
        resource = self.resource_class()
        result = resource.import_data(dataset, dry_run=dry_run, file_name=file.name, mapping=mapping)
        problems = [str(error.error) for error in result.base_errors] + [
            f"Row {number}: {error.error}" for number, errors in result.row_errors() for error in errors
        ]
        missing = getattr(result, "headings_missing", None)
        if missing is not None and missing.unclaimed:
            problems.append(
                f'If the file holds it under another heading, say which: --map "{missing.missing[0].label}=HEADING".'
            )
        if problems:
            raise CommandError(
                "The file was not imported; nothing has changed.\n" + "\n".join(f"- {p}" for p in problems)
            )
        for warning in result.release_warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        totals = result.totals
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {file.name} ({resource.release_name}): {totals.get('new', 0)} new, "
                f"{totals.get('update', 0)} updated, {totals.get('skip', 0)} unchanged."
            )
        )
