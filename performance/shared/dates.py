"""Days and months as the pages write them ("September 2023", "Sep 2023", "30 June 2023"), in
the active language's month names.

A page writes the same few dozen months many times over (table rows, chart labels, captions),
and Django's date formatting is slow for what it does, so each day's wording is kept per format
and language.
"""

import datetime
from functools import lru_cache

from django.utils import translation
from django.utils.dateformat import format as django_date_format


@lru_cache(maxsize=8192)
def _formatted(day: datetime.date, format_string: str, language: str | None) -> str:
    return django_date_format(day, format_string)


def date_format(day: datetime.date, format_string: str) -> str:
    """``day`` in Django's date format ``format_string`` (e.g. "F Y"), in the active language.

    >>> date_format(datetime.date(2023, 9, 1), "F Y"), date_format(datetime.date(2023, 6, 30), "j M Y")
    ('September 2023', '30 Jun 2023')
    """
    if isinstance(day, datetime.datetime):  # a time of day is not kept: formatted afresh
        return django_date_format(day, format_string)
    return _formatted(day, format_string, translation.get_language())
