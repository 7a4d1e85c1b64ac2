import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from performance.crime.recorded_crime import RELEASE_NAME, release_import


class Command(BaseCommand):
    help = (
        "Import the Home Office's police recorded crime open data (Police Force Area tables, .ods, "
        ".xlsx or one year's sheet as .csv): every row or none. The file replaces the counts held "
        "for each force and quarter it covers."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The release as .ods, .xlsx or .csv.")
        parser.add_argument("--dry-run", action="store_true", help="Check and preview; change nothing.")
        parser.add_argument(
            "--published-on",
            type=datetime.date.fromisoformat,
            help="The day the Home Office published the release (YYYY-MM-DD), when the file does not say.",
        )

    def handle(self, *args, file: Path, dry_run: bool, published_on=None, **options):
        try:
            with file.open("rb") as opened:
                summary = release_import(
                    opened, file_name=file.name, dry_run=dry_run, published_on=published_on
                )
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        if summary.refused:
            raise CommandError(
                "The file was not imported; nothing has changed.\n"
                + "\n".join(f"- {problem}" for problem in summary.problems)
            )
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {file.name} ({RELEASE_NAME}): {summary.totals_text}."))
        for line in summary.lines():
            self.stdout.write(line)
        for warning in summary.warnings:
            self.stdout.write(self.style.WARNING(f"Check: {warning}"))
