from performance.resources import CallAnswerMonthResource

from ._release_import import ReleaseImportCommand


class Command(ReleaseImportCommand):
    help = "Import police.uk 999 call answering data: all rows or none."
    resource_class = CallAnswerMonthResource
