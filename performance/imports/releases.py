"""When a national release was published, read from the file itself.

Each import records its release's publication day, so that figures from one release are never
compared with figures from another without saying so. The day is read from the words a release
carries ("Published: 19 October 2023", "Release date 24 January 2025") in its notes or cover
sheet or title rows, else from the file's name ("…-2023-10-19.ods", "…-tables-191023.ods" as
DDMMYY, "…-19-october-2023…"); otherwise staff are asked for it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from performance.shared.calculations import long_date

OPEN_DATA_RELEASE = "Police recorded crime open data (Home Office)"  # its imports' ``ImportLog.resource``
MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
SAID = re.compile(
    r"(?:date\s+(?:of\s+)?publi(?:shed|cation)|publi(?:shed|cation\s+date)|release\s+date|released)"
    r"\s*(?:on)?\s*[:\-–]?\s*(\d{1,2})(?:st|nd|rd|th)?\s+(" + MONTHS + r")\s+(\d{4})",
    re.IGNORECASE,
)
SAID_NUMERIC = re.compile(
    r"(?:date\s+(?:of\s+)?publi(?:shed|cation)|publi(?:shed|cation\s+date)|release\s+date|released)"
    r"\s*(?:on)?\s*[:\-–]?\s*(\d{1,2})/(\d{1,2})/(\d{4})",
    re.IGNORECASE,
)
NAME_ISO = re.compile(r"(?<!\d)(20\d{2})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")
NAME_WORDS = re.compile(r"(?<!\d)(\d{1,2})[-_ ]?(" + MONTHS + r")[-_ ]?(20\d{2})(?!\d)", re.IGNORECASE)
NAME_DDMMYY = re.compile(r"[-_](\d{2})(\d{2})(\d{2})(?=\.\w+$|$)")


def _day(year, month, day) -> datetime.date | None:
    try:
        found = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if datetime.date(2000, 1, 1) <= found <= datetime.date.today() else None


def _month_number(name: str) -> int:
    return MONTHS.split("|").index(name.lower()) + 1


def release_day_said(texts: Iterable[str]) -> datetime.date | None:
    """The publication day a release's own words give.

    >>> release_day_said(["Police recorded crime", "Published: 19 October 2023"])
    datetime.date(2023, 10, 19)
    >>> release_day_said(["Release date: 24/01/2025"])
    datetime.date(2025, 1, 24)
    >>> release_day_said(["Year ending June 2023"]) is None
    True
    """
    for text in texts:
        if match := SAID.search(text):
            day, month, year = match.groups()
            if found := _day(year, _month_number(month), day):
                return found
        if match := SAID_NUMERIC.search(text):
            day, month, year = match.groups()
            if found := _day(year, month, day):
                return found
    return None


def release_day_named(file_name: str) -> datetime.date | None:
    """The publication day in a release file's name.

    >>> release_day_named("prc-pfa-mar2013-onwards-tables-2023-10-19.ods")
    datetime.date(2023, 10, 19)
    >>> release_day_named("prc-pfa-mar2013-onwards-tables-191023.ods")
    datetime.date(2023, 10, 19)
    >>> release_day_named("police-force-area-tables-19-october-2023.xlsx")
    datetime.date(2023, 10, 19)
    >>> release_day_named("pfa-tables-ye-june-2023.xlsx") is None
    True
    """
    if match := NAME_ISO.search(file_name):
        return _day(*match.groups())
    if match := NAME_WORDS.search(file_name):
        day, month, year = match.groups()
        return _day(year, _month_number(month), day)
    if match := NAME_DDMMYY.search(file_name):
        day, month, year = match.groups()
        return _day(2000 + int(year), month, day)
    return None


def release_day(
    *, entered: datetime.date | None, texts: Iterable[str], file_name: str
) -> tuple[datetime.date | None, str]:
    """The release's publication day and how it was found: as entered, else from the file's
    words, else from its name.

    >>> release_day(entered=None, texts=[], file_name="tables-2023-10-19.ods")
    (datetime.date(2023, 10, 19), "from the file's name")
    """
    if entered is not None:
        return entered, "as entered"
    if found := release_day_said(texts):
        return found, "from the file's notes"
    if found := release_day_named(file_name):
        return found, "from the file's name"
    return None, ""


def release_day_text(day: datetime.date | None, how: str, *, asked: str) -> str:
    """The preview's line about the release's publication day.

    >>> release_day_text(datetime.date(2023, 10, 19), "from the file's notes", asked="")
    "Release: published 19 October 2023 (from the file's notes)."
    """
    if day is None:
        return f"The file does not say when it was published. {asked}"
    return f"Release: published {long_date(day)} ({how})."
