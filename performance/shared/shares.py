"""Shares and their wording: a rate as a percentage of a whole, how it moved, and the charge/summons
rate's sentence. Pure functions; every charge rate the pages, tables and files show comes from here.

A charge/summons rate follows the Home Office's crime outcomes bulletin: the outcomes assigned in
a period (whenever the offence was recorded) as a share of the offences recorded in the same
period. It is not the share of that period's offences that will be charged, and for a small
measure it can exceed 100%.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from performance.shared.calculations import Number, median, percent, round_half_away, to_decimal

CHARGE_RATE_METHOD_TEXT = (
    "The charge/summons rate is the number of crimes given the outcome “Charged/Summonsed” "
    "(outcome type 1) in the 12 months, whenever the crime was recorded, as a share of the "
    "crimes recorded in the same 12 months, as the Home Office's crime outcomes bulletin gives "
    "it. Outcomes come from the Home Office's crime outcomes open data, recorded crimes from its "
    "police recorded crime open data; fraud is left out of both. A measure's rate counts the "
    "offences the measure counts. The Most Similar Group's median is the middle of its forces' "
    "rates; the England and Wales rate is the charges of the forces of England and Wales with "
    "figures for the whole 12 months, divided by their recorded crimes. The 95% interval allows "
    "for chance (Wilson score interval)."
)


def share_percent(part: Number, whole: Number) -> Decimal | None:
    """``part`` as a percentage of ``whole``, not rounded; None when ``whole`` is 0.

    >>> share_percent(71, 1000), share_percent(1, 3).quantize(Decimal("0.0001")), share_percent(5, 0)
    (Decimal('7.1'), Decimal('33.3333'), None)
    """
    part, whole = to_decimal(part), to_decimal(whole)
    if whole == 0:
        return None
    return part * 100 / whole


def median_share(pairs: Iterable[tuple[Number, Number]]) -> Decimal | None:
    """The median of the shares (part, whole) with a whole above 0, given when at least two have one.

    >>> median_share([(1, 10), (3, 10), (2, 0)]), median_share([(1, 10)])
    (Decimal('20'), None)
    """
    shares = [share for share in (share_percent(part, whole) for part, whole in pairs) if share is not None]
    return median(shares) if len(shares) >= 2 else None


def summed_share(pairs: Iterable[tuple[Number, Number]]) -> tuple[int, int]:
    """The sum of the parts and the sum of the wholes, for a rate over several areas (never the
    mean of their rates).

    >>> summed_share([(1, 10), (3, 30)])
    (4, 40)
    """
    parts = wholes = 0
    for part, whole in pairs:
        parts += int(part)
        wholes += int(whole)
    return parts, wholes


def rate_text(value: Number | None) -> str:
    """A rate as the pages print it, to one decimal place.

    >>> rate_text(Decimal("7.05")), rate_text(None)
    ('7.1%', '')
    """
    return percent(value, 1)


def rate_movement_text(latest: Number, previous: Number) -> str:
    """How a rate moved, compared as printed (one decimal place), so the words match the figures.

    >>> rate_movement_text(Decimal("7.1"), Decimal("6.5"))
    'up from 6.5% the year before'
    >>> rate_movement_text(Decimal("6.04"), Decimal("6.5"))
    'down from 6.5% the year before'
    >>> rate_movement_text(Decimal("6.51"), Decimal("6.54"))
    'the same as the year before'
    """
    shown_latest, shown_previous = round_half_away(latest, 1), round_half_away(previous, 1)
    if shown_latest == shown_previous:
        return "the same as the year before"
    direction = "up" if shown_latest > shown_previous else "down"
    return f"{direction} from {rate_text(previous)} the year before"


def crimes_phrase(measure_name: str | None) -> str:
    """What a rate counts, inside its sentence.

    >>> crimes_phrase(None), crimes_phrase("Neighbourhood crime"), crimes_phrase("ASB incidents")
    ('recorded crimes', 'recorded neighbourhood crime offences', 'recorded ASB incidents offences')
    """
    if measure_name is None:
        return "recorded crimes"
    name = measure_name.strip()
    if len(name) > 1 and name[1:2].islower():
        name = name[0].lower() + name[1:]
    return f"recorded {name} offences"


def charge_rate_sentence(
    *,
    period_end: datetime.date,
    area: str,
    measure_name: str | None,
    rate: Number | None,
    previous_rate: Number | None = None,
    england_wales_rate: Number | None = None,
) -> str:
    """The one plain sentence a page prints for a charge/summons rate.

    >>> charge_rate_sentence(period_end=datetime.date(2023, 6, 30), area="Norfolk", measure_name=None,
    ...     rate=Decimal("7.1"), previous_rate=Decimal("6.5"), england_wales_rate=Decimal("6"))
    'In the 12 months to June 2023, 7.1% of recorded crimes in Norfolk led to a charge or summons, up from 6.5% the year before; the England and Wales rate was 6.0%.'
    >>> charge_rate_sentence(period_end=datetime.date(2023, 6, 30), area="Norfolk",
    ...     measure_name="Homicide", rate=Decimal("50"))
    'In the 12 months to June 2023, 50.0% of recorded homicide offences in Norfolk led to a charge or summons.'
    >>> charge_rate_sentence(period_end=datetime.date(2023, 6, 30), area="Norfolk", measure_name=None, rate=None)
    'In the 12 months to June 2023, Norfolk recorded no crimes to give a charge or summons rate for.'
    """
    when = f"In the 12 months to {period_end:%B %Y}"
    if rate is None:
        what = "crimes" if measure_name is None else crimes_phrase(measure_name).removeprefix("recorded ")
        return f"{when}, {area} recorded no {what} to give a charge or summons rate for."
    sentence = (
        f"{when}, {rate_text(rate)} of {crimes_phrase(measure_name)} in {area} led to a charge or summons"
    )
    if previous_rate is not None:
        sentence += f", {rate_movement_text(rate, previous_rate)}"
    if england_wales_rate is not None:
        sentence += f"; the England and Wales rate was {rate_text(england_wales_rate)}"
    return sentence + "."
