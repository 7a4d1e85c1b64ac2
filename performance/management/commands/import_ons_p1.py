from performance.resources import RecordedCrimeFigureResource

from ._release_import import ReleaseImportCommand


class Command(ReleaseImportCommand):
    help = "Import ONS police force area tables (Table P1): all rows or none."
    resource_class = RecordedCrimeFigureResource
