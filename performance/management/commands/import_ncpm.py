from performance.resources import MeasureFigureResource

from ._release_import import ReleaseImportCommand


class Command(ReleaseImportCommand):
    help = "Import National Crime and Policing Measures figures (the admin's template): all rows or none."
    resource_class = MeasureFigureResource
