from performance.crime.resources import RecordedCrimeFigureResource
from performance.management.commands._release_import import ReleaseImportCommand


class Command(ReleaseImportCommand):
    help = "Import ONS police force area tables (Table P1): all rows or none."
    resource_class = RecordedCrimeFigureResource
