from performance.calls.resources import CallAnswerMonthResource
from performance.management.commands._release_import import ReleaseImportCommand


class Command(ReleaseImportCommand):
    help = "Import police.uk 999 call answering data: all rows or none."
    resource_class = CallAnswerMonthResource
