from performance.crime.resources import MeasureFigureResource
from performance.management.commands._release_import import ReleaseImportCommand


class Command(ReleaseImportCommand):
    help = "Import National Crime and Policing Measures figures (the admin's template): all rows or none."
    resource_class = MeasureFigureResource
