"""Every derived number the site publishes, and its wording. Pure functions: no ORM, no Django.

Page, CSV and API all call these, so a figure reads the same everywhere. Rounding follows the
published Police Data page: whole percentages with halves rounded away from zero, and a change
that rounds to 0% keeps its direction ("0% decrease").

>>> difference(2, 15).text, difference(2, 15).absolute_text
('87% decrease', '-13')
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

Number = int | float | Decimal
K = TypeVar("K", bound=Hashable)

BAND_SUM_TOLERANCE = Decimal("0.5")


def to_decimal(value: Number) -> Decimal:
    """Exact decimal for ints and Decimals; floats via their shortest repr (``0.1`` → ``0.1``)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round_half_away(value: Number, places: int = 0) -> Decimal:
    """Round to ``places`` decimals, halves away from zero (not to even).

    >>> round_half_away(Decimal("2.5")), round_half_away(Decimal("-2.5")), round_half_away(0.125, 2)
    (Decimal('3'), Decimal('-3'), Decimal('0.13'))
    """
    return to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def plain(value: Number) -> str:
    """A number without trailing zeros or exponent, as published ("7.6", "10", "7.45").

    >>> plain(Decimal("7.60")), plain(Decimal("10.00")), plain(Decimal("7.45")), plain(1000)
    ('7.6', '10', '7.45', '1000')
    """
    text = format(to_decimal(value).normalize(), "f")
    return text


def thousands(value: Number) -> str:
    """A count with thousands separators; whole numbers lose their ``.0``.

    >>> thousands(9933), thousands(Decimal("65115.0")), thousands(-2369), thousands(12)
    ('9,933', '65,115', '-2,369', '12')
    """
    number = to_decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def percent(value: Number | None, places: int = 1) -> str:
    """A percentage to ``places`` decimals, halves away from zero.

    >>> percent(Decimal("85.3")), percent(82), percent(Decimal("87.05")), percent(78, places=0)
    ('85.3%', '82.0%', '87.1%', '78%')
    >>> percent(None)
    ''
    """
    if value is None:
        return ""
    return f"{round_half_away(value, places)}%"


def seconds(value: Number | None) -> str:
    """Mean answer time as published: up to 2 decimals, no trailing zeros.

    >>> seconds(Decimal("7.45")), seconds(Decimal("10.00")), seconds(Decimal("10.90"))
    ('7.45', '10', '10.9')
    """
    if value is None:
        return ""
    return plain(round_half_away(value, 2))


def ordinal(number: int) -> str:
    """English ordinal of a positive whole number.

    >>> " ".join(ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112, 113))
    '1st 2nd 3rd 4th 11th 12th 13th 21st 22nd 23rd 101st 111th 112th 113th'
    """
    if number % 100 in (11, 12, 13):
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def rank_text(rank: int | None, *, joint: bool = False, out_of: int | None = None) -> str:
    """A published rank: "14th of 43", "joint 2nd of 8", or "" when there is no rank. A rank
    entered by hand without how many were ranked is "14th" (its table says so in a note,
    ``ENTERED_RANKS_NOTE``).

    >>> rank_text(14, out_of=43), rank_text(2, joint=True, out_of=8), rank_text(14), rank_text(None)
    ('14th of 43', 'joint 2nd of 8', '14th', '')
    """
    if rank is None:
        return ""
    text = f"joint {ordinal(rank)}" if joint else ordinal(rank)
    return f"{text} of {out_of}" if out_of else text


ENTERED_RANKS_NOTE = (
    "A rank without “of N” is as the office published it at the time, before the national data "
    "was held here; how many forces were ranked was not recorded with it."
)


def national_set_name(*, northern_ireland: bool = False) -> str:
    """The forces a national rank, "of N" or median is among, as every page, file and note names
    them: the office's settings choose whether the Police Service of Northern Ireland is one.

    >>> national_set_name(), national_set_name(northern_ireland=True)
    ('England and Wales', 'England, Wales and Northern Ireland')
    """
    return "England, Wales and Northern Ireland" if northern_ireland else "England and Wales"


def national_rank_text(rank: int, *, joint: bool = False, out_of: int, northern_ireland: bool = False) -> str:
    """A national rank as a sentence names it, with the forces it is among.

    >>> national_rank_text(4, out_of=42)
    '4th of 42 forces in England and Wales'
    >>> national_rank_text(2, joint=True, out_of=43, northern_ireland=True)
    'joint 2nd of 43 forces in England, Wales and Northern Ireland'
    """
    return f"{rank_text(rank, joint=joint, out_of=out_of)} forces in {national_set_name(northern_ireland=northern_ireland)}"


def competition_ranks(values: Mapping[K, Number], *, highest_first: bool = True) -> dict[K, tuple[int, bool]]:
    """Standard competition ranks (1, 2, 2, 4): equal values share a rank, flagged as joint.

    >>> competition_ranks({"a": 90, "b": 85, "c": 85, "d": 80})
    {'a': (1, False), 'b': (2, True), 'c': (2, True), 'd': (4, False)}
    """
    ordered = sorted(values.items(), key=lambda item: to_decimal(item[1]), reverse=highest_first)
    ranks: dict[K, tuple[int, bool]] = {}
    counts: dict[Decimal, int] = {}
    for _, value in ordered:
        counts[to_decimal(value)] = counts.get(to_decimal(value), 0) + 1
    previous_value, previous_rank = None, 0
    for position, (key, value) in enumerate(ordered, start=1):
        value = to_decimal(value)
        rank = previous_rank if value == previous_value else position
        ranks[key] = (rank, counts[value] > 1)
        previous_value, previous_rank = value, rank
    return ranks


@dataclass(frozen=True)
class Difference:
    """The change from an earlier figure to the latest, worded as the Police Data page words it."""

    absolute: Decimal
    percent: Decimal | None  # whole percent, None when the earlier figure is 0
    percent_measure: bool = False

    @property
    def direction(self) -> str:
        if self.absolute > 0:
            return "increase"
        if self.absolute < 0:
            return "decrease"
        return "no change"

    @property
    def text(self) -> str:
        """ "87% decrease", "0% decrease", "no change", "n/a", "1 percentage point increase"."""
        if self.absolute == 0:
            return "no change"
        if self.percent_measure:
            points = abs(self.absolute)
            unit = "percentage point" if points == 1 else "percentage points"
            return f"{plain(points)} {unit} {self.direction}"
        if self.percent is None:
            return "n/a"
        return f"{abs(self.percent)}% {self.direction}"

    @property
    def absolute_text(self) -> str:
        """The signed change in a count ("-13", "+1,414", "0"); empty for percentage measures."""
        if self.percent_measure:
            return ""
        sign = "+" if self.absolute > 0 else ""
        return f"{sign}{thousands(self.absolute)}"


def difference(latest: Number, earlier: Number, *, percent_measure: bool = False) -> Difference:
    """Compare ``latest`` with ``earlier``.

    Counts change in whole percent (halves away from zero); percentage measures in points.

    >>> difference(8505, 8507).text, difference(8505, 7091).text, difference(8505, 7091).absolute_text
    ('0% decrease', '20% increase', '+1,414')
    >>> difference(5, 5).text, difference(3, 0).text, difference(3, 0).absolute_text
    ('no change', 'n/a', '+3')
    >>> difference(78, 77, percent_measure=True).text, difference(76, 79, percent_measure=True).text
    ('1 percentage point increase', '3 percentage points decrease')
    """
    latest, earlier = to_decimal(latest), to_decimal(earlier)
    absolute = latest - earlier
    change = None
    if not percent_measure and earlier != 0:
        change = round_half_away(absolute * 100 / earlier)
    return Difference(absolute=absolute, percent=change, percent_measure=percent_measure)


def ons_change_sentence(offences: Number, previous_offences: Number) -> str:
    """The ONS headline's change clause.

    >>> ons_change_sentence(65115, 69237)
    'decreased during this period by 6% (69,237 offences to 65,115)'
    >>> ons_change_sentence(100, 100)
    'did not change during this period (100 offences)'
    """
    change = difference(offences, previous_offences)
    if change.direction == "no change":
        return f"did not change during this period ({thousands(offences)} offences)"
    verb = "increased" if change.direction == "increase" else "decreased"
    size = (
        "an amount that cannot be given as a percentage"
        if change.percent is None
        else f"{abs(change.percent)}%"
    )
    return (
        f"{verb} during this period by {size} "
        f"({thousands(previous_offences)} offences to {thousands(offences)})"
    )


def ons_headline_sentence(area: str, offences: Number, previous_offences: Number | None) -> str:
    """What the ONS headline says the figures show for a force area: the measure named in full
    (police recorded crime excludes fraud, which Action Fraud records nationally), then the
    change, or the level when there is no year before to compare with.

    >>> ons_headline_sentence("Norfolk", 65115, 69237)
    'police recorded crime (excluding fraud) in Norfolk decreased during this period by 6% (69,237 offences to 65,115)'
    >>> ons_headline_sentence("Norfolk", 65115, None)
    'police recorded crime (excluding fraud) in Norfolk stood at 65,115 offences'
    """
    subject = f"police recorded crime (excluding fraud) in {area}"
    if previous_offences is None:
        return f"{subject} stood at {thousands(offences)} offences"
    return f"{subject} {ons_change_sentence(offences, previous_offences)}"


def long_date(day: datetime.date) -> str:
    """A day as the pages and messages write it.

    >>> long_date(datetime.date(2023, 10, 19))
    '19 October 2023'
    """
    return f"{day.day} {day:%B} {day.year}"


def month_name(day: datetime.date) -> str:
    """A month as the pages and messages write it.

    >>> month_name(datetime.date(2023, 9, 1))
    'September 2023'
    """
    return f"{day:%B} {day.year}"


def months_span_text(first: datetime.date, last: datetime.date) -> str:
    """A run of months in words: one month, or the first and the last.

    >>> months_span_text(datetime.date(2023, 10, 1), datetime.date(2023, 12, 1))
    'October 2023 to December 2023'
    >>> months_span_text(datetime.date(2023, 10, 1), datetime.date(2023, 10, 1))
    'October 2023'
    """
    if (first.year, first.month) == (last.year, last.month):
        return month_name(first)
    return f"{month_name(first)} to {month_name(last)}"


def month_change_text(
    earlier_month: datetime.date,
    *,
    calls: int,
    earlier_calls: int,
    share: Number | None,
    earlier_share: Number | None,
) -> str:
    """A force's 999 month against the month before: its calls in whole percent, its share
    answered in under 10 seconds (as shown, to 1 decimal place) in percentage points.

    >>> august = datetime.date(2023, 8, 1)
    >>> month_change_text(august, calls=11700, earlier_calls=11628, share=Decimal("87.1"), earlier_share=Decimal("86"))
    'Change on August 2023: calls a 1% increase (11,628 to 11,700); answered in under 10 seconds 1.1 percentage points above (86.0% to 87.1%).'
    >>> month_change_text(august, calls=9000, earlier_calls=9000, share=80, earlier_share=Decimal("80.04"))
    'Change on August 2023: calls no change (9,000); answered in under 10 seconds the same (80.0%).'
    >>> month_change_text(august, calls=9000, earlier_calls=10000, share=80, earlier_share=None)
    'Change on August 2023: calls a 10% decrease (10,000 to 9,000).'
    """
    change = difference(calls, earlier_calls)
    if change.direction == "no change":
        calls_part = f"calls no change ({thousands(calls)})"
    else:
        calls_part = f"calls {with_article(change.text)} ({thousands(earlier_calls)} to {thousands(calls)})"
    parts = [calls_part]
    if share is not None and earlier_share is not None:
        apart = points_apart_text(share, earlier_share)
        shares = percent(share) if apart == "the same" else f"{percent(earlier_share)} to {percent(share)}"
        parts.append(f"answered in under 10 seconds {apart} ({shares})")
    return f"Change on {month_name(earlier_month)}: {'; '.join(parts)}."


def ons_releases_text(
    *,
    latest_published_on: datetime.date | None,
    previous_published_on: datetime.date | None,
    previous_source: str,
) -> str:
    """Which release each year of the ONS headline comes from (said after the sentence giving the
    latest year's release day).

    >>> import datetime as dt
    >>> ons_releases_text(latest_published_on=dt.date(2023, 10, 19),
    ...     previous_published_on=dt.date(2023, 10, 19), previous_source="open data")
    'Both years come from that release: the year before as revised in it, not as first published.'
    >>> ons_releases_text(latest_published_on=dt.date(2023, 10, 19),
    ...     previous_published_on=dt.date(2022, 10, 20), previous_source="Table P1")
    'The year before is as first published on 20 October 2022; it may have been revised since.'
    >>> ons_releases_text(latest_published_on=None, previous_published_on=None, previous_source="Table P1")
    'The year before is as first published a year earlier; it may have been revised since.'
    >>> ons_releases_text(latest_published_on=None, previous_published_on=None, previous_source="open data")
    ''
    """
    if previous_source == "Table P1":
        when = f"on {long_date(previous_published_on)}" if previous_published_on else "a year earlier"
        return f"The year before is as first published {when}; it may have been revised since."
    if latest_published_on and previous_published_on == latest_published_on:
        return "Both years come from that release: the year before as revised in it, not as first published."
    if previous_published_on:
        return f"The year before is as published on {long_date(previous_published_on)}."
    return ""


def ons_revision_text(before: int | None, after: int | None) -> str:
    """A revision of the ONS headline's year before.

    >>> ons_revision_text(69262, 69237)
    'the year before changed from 69,262 to 69,237 offences'
    >>> ons_revision_text(None, 69237)
    'the year before is now given: 69,237 offences'
    >>> ons_revision_text(69262, None)
    'the year before is no longer given (it was 69,262 offences)'
    """
    if before is None:
        return f"the year before is now given: {thousands(after)} offences"
    if after is None:
        return f"the year before is no longer given (it was {thousands(before)} offences)"
    return f"the year before changed from {thousands(before)} to {thousands(after)} offences"


def band_percentages_problem(percents: Iterable[Number]) -> str | None:
    """Why three band percentages cannot be right, or None. They must sum to 100 ± 0.5.

    >>> band_percentages_problem([82.8, 15.9, 1.3]) is None
    True
    >>> band_percentages_problem([80, 15.9, 1.3])
    'The three band percentages add up to 97.2%; they should add up to 100% (allowing 0.5 for rounding).'
    """
    total = sum((to_decimal(p) for p in percents), Decimal(0))
    if abs(total - 100) > BAND_SUM_TOLERANCE:
        return (
            f"The three band percentages add up to {plain(total)}%; they should add up to 100% "
            f"(allowing 0.5 for rounding)."
        )
    return None


def band_counts_problem(counts: Iterable[int], total_calls: int) -> str | None:
    """Why three band counts cannot be right for the month's total calls, or None.

    >>> band_counts_problem([8000, 1500, 433], 9933) is None
    True
    >>> band_counts_problem([8000, 1500, 400], 9933)
    'The calls in the three bands add up to 9,900, but the total calls figure is 9,933.'
    """
    banded = sum(counts)
    if banded != total_calls:
        return (
            f"The calls in the three bands add up to {thousands(banded)}, "
            f"but the total calls figure is {thousands(total_calls)}."
        )
    return None


def band_count_percent_problem(count: int, total_calls: int, published_percent: Number) -> str | None:
    """Why a band's count and its published percentage disagree, or None.

    A percentage published to 1 decimal place is within 0.05 of the share its count gives.

    >>> band_count_percent_problem(8473, 9933, Decimal("85.3")) is None
    True
    >>> band_count_percent_problem(8000, 9933, Decimal("85.3"))
    '8,000 of 9,933 calls is 80.5%, but the percentage entered is 85.3%.'
    """
    if not total_calls:
        return None
    share = Decimal(count) * 100 / Decimal(total_calls)
    if abs(share - to_decimal(published_percent)) > Decimal("0.05"):
        return (
            f"{thousands(count)} of {thousands(total_calls)} calls is {percent(share)}, "
            f"but the percentage entered is {percent(published_percent)}."
        )
    return None


def below_target(share: Number | None, target_percent: Number) -> bool:
    """Whether a share answered in time falls short of the target.

    >>> below_target(Decimal("87.1"), 90), below_target(90, 90), below_target(None, 90)
    (True, False, False)
    """
    return share is not None and to_decimal(share) < to_decimal(target_percent)


def same_day_in_year(day: datetime.date, year: int) -> datetime.date:
    """The same calendar day in another year; 29 February becomes 28 February.

    >>> same_day_in_year(datetime.date(2023, 6, 30), 2019), same_day_in_year(datetime.date(2024, 2, 29), 2019)
    (datetime.date(2019, 6, 30), datetime.date(2019, 2, 28))
    """
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def same_day_years_earlier(day: datetime.date, years: int) -> datetime.date:
    """
    >>> same_day_years_earlier(datetime.date(2023, 6, 30), 1)
    datetime.date(2022, 6, 30)
    """
    return same_day_in_year(day, day.year - years)


def measure_value(value: Number | None, *, percent_measure: bool = False) -> str:
    """An NCPM figure as published: counts with separators, percentages as given.

    >>> measure_value(8505), measure_value(78, percent_measure=True), measure_value(Decimal("78.5"), percent_measure=True)
    ('8,505', '78%', '78.5%')
    """
    if value is None:
        return ""
    return f"{plain(value)}%" if percent_measure else thousands(value)


# --------------------------------------------------------------------------------------------
# Chart sentences
# --------------------------------------------------------------------------------------------


def target_gap_text(share: Number, target_percent: Number) -> str:
    """How a share answered in time (as published, to 1 decimal place) stands against the target,
    in percentage points (the difference of two percentages is not itself a percentage).

    >>> target_gap_text(Decimal("87.1"), 90), target_gap_text(Decimal("91.04"), 90)
    ('2.9 percentage points below the 90% target', '1 percentage point above the 90% target')
    >>> target_gap_text(90, 90), target_gap_text(Decimal("89.96"), 90)
    ('exactly on the 90% target', 'exactly on the 90% target')
    """
    target = f"the {plain(target_percent)}% target"
    apart = points_apart_text(share, target_percent)
    return f"exactly on {target}" if apart == "the same" else f"{apart} {target}"


def points_apart_text(share: Number, other: Number) -> str:
    """How far one share (as shown, to 1 decimal place) is above or below another, in percentage
    points.

    >>> points_apart_text(Decimal("87.1"), Decimal("84.25")), points_apart_text(80, 81)
    ('2.8 percentage points above', '1 percentage point below')
    >>> points_apart_text(Decimal("84.96"), 85)
    'the same'
    """
    gap = round_half_away(share, 1) - round_half_away(other, 1)
    if gap == 0:
        return "the same"
    points = abs(gap)
    unit = "percentage point" if points == 1 else "percentage points"
    return f"{plain(points)} {unit} {'above' if gap > 0 else 'below'}"


def with_article(phrase: str) -> str:
    """``phrase`` after "a" or "an", as it is read aloud: "an 87% decrease", "a 20% increase".

    >>> [with_article(p) for p in ("87% decrease", "20% increase", "11% increase", "180% increase")]
    ['an 87% decrease', 'a 20% increase', 'an 11% increase', 'a 180% increase']
    >>> [with_article(p) for p in ("18,400 rise", "1,100 rise", "8.5 points", "0% decrease", "increase")]
    ['an 18,400 rise', 'a 1,100 rise', 'an 8.5 points', 'a 0% decrease', 'an increase']
    """
    digits = ""
    for character in phrase:
        if character.isdigit():
            digits += character
        elif character != ",":
            break
    if digits:
        leading = digits[: len(digits) % 3 or 3]  # the number read first: "eighteen thousand"
        vowel_sound = leading.startswith("8") or leading in ("11", "18")
    else:
        vowel_sound = phrase[:1].lower() in ("a", "e", "i", "o", "u")
    return f"{'an' if vowel_sound else 'a'} {phrase}"


# --------------------------------------------------------------------------------------------
# NCPM figures from the recorded crime open data, and how a force compares with others
# --------------------------------------------------------------------------------------------

QUARTER_END_MONTHS = (3, 6, 9, 12)


def month_end(year: int, month: int) -> datetime.date:
    """The last day of a month.

    >>> month_end(2024, 2), month_end(2023, 6)
    (datetime.date(2024, 2, 29), datetime.date(2023, 6, 30))
    """
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def month_before(month: datetime.date) -> datetime.date:
    """The month before ``month`` (first days).

    >>> month_before(datetime.date(2024, 1, 1))
    datetime.date(2023, 12, 1)
    """
    return (month - datetime.timedelta(days=1)).replace(day=1)


def month_after(month: datetime.date) -> datetime.date:
    """The month after ``month`` (first days).

    >>> month_after(datetime.date(2023, 12, 1))
    datetime.date(2024, 1, 1)
    """
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_from_to(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from ``first`` to ``last`` (first days), so that a month with no figures is a
    gap in a series rather than skipped.

    >>> months_from_to(datetime.date(2023, 11, 1), datetime.date(2024, 2, 1))
    [datetime.date(2023, 11, 1), datetime.date(2023, 12, 1), datetime.date(2024, 1, 1), datetime.date(2024, 2, 1)]
    """
    start, stop = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    return [datetime.date(n // 12, n % 12 + 1, 1) for n in range(start, stop + 1)]


def is_quarter_end(day: datetime.date) -> bool:
    """Whether ``day`` ends a (financial) quarter: 31 March, 30 June, 30 September, 31 December.

    >>> is_quarter_end(datetime.date(2023, 6, 30)), is_quarter_end(datetime.date(2023, 6, 29))
    (True, False)
    """
    return day.month in QUARTER_END_MONTHS and day == month_end(day.year, day.month)


def quarters_before(day: datetime.date, count: int) -> datetime.date:
    """The quarter end ``count`` quarters before the quarter ending ``day``.

    >>> quarters_before(datetime.date(2023, 6, 30), 1), quarters_before(datetime.date(2023, 3, 31), 5)
    (datetime.date(2023, 3, 31), datetime.date(2021, 12, 31))
    """
    months = day.year * 12 + day.month - 1 - 3 * count
    return month_end(months // 12, months % 12 + 1)


def expected_release_month(quarter_end: datetime.date) -> datetime.date:
    """The month the ONS release and the Home Office open data for the 12 months to
    ``quarter_end`` usually come out: about four months after it (first day).

    >>> expected_release_month(datetime.date(2023, 6, 30)), expected_release_month(datetime.date(2023, 9, 30))
    (datetime.date(2023, 10, 1), datetime.date(2024, 1, 1))
    """
    return month_after(quarters_before(quarter_end, -1).replace(day=1))


def twelve_month_quarter_ends(period_end: datetime.date) -> tuple[datetime.date, ...]:
    """The four financial quarters making up the 12 months to ``period_end``, oldest first.

    >>> [f"{d:%d %b %Y}" for d in twelve_month_quarter_ends(datetime.date(2023, 6, 30))]
    ['30 Sep 2022', '31 Dec 2022', '31 Mar 2023', '30 Jun 2023']
    """
    if not is_quarter_end(period_end):
        raise ValueError(f"{period_end} is not the last day of a quarter.")
    return tuple(quarters_before(period_end, count) for count in (3, 2, 1, 0))


def percent_change(latest: Number, earlier: Number) -> Decimal | None:
    """The exact change from ``earlier`` to ``latest`` in percent (not rounded), or None when the
    earlier figure is 0. Forces are compared on this, never on raw counts.

    >>> percent_change(2, 15), percent_change(3, 0), percent_change(8505, 8507).quantize(Decimal("0.001"))
    (Decimal('-86.66666666666666666666666667'), None, Decimal('-0.024'))
    """
    latest, earlier = to_decimal(latest), to_decimal(earlier)
    if earlier == 0:
        return None
    return (latest - earlier) * 100 / earlier


def median(values: Iterable[Number]) -> Decimal | None:
    """The middle value; with an even number of values, the mean of the middle two.

    >>> median([3, -1, 2]), median([4, 1, 3, 2]), median([Decimal("-2.5"), Decimal("-2.5")]), median([])
    (Decimal('2'), Decimal('2.5'), Decimal('-2.5'), None)
    """
    ordered = sorted(to_decimal(value) for value in values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def weighted_mean(pairs: Iterable[tuple[Number | None, Number | None]]) -> Decimal | None:
    """The mean of values weighted by their weights (a group's share of calls answered in time,
    weighted by each force's calls, is the group's share of all its calls); pairs with either
    missing are left out; None when nothing is left.

    >>> weighted_mean([(Decimal("90.0"), 1000), (Decimal("80.0"), 3000), (None, 500)])
    Decimal('82.5')
    >>> weighted_mean([]) is None
    True
    """
    held = [
        (to_decimal(value), to_decimal(weight)) for value, weight in pairs if value is not None and weight
    ]
    total = sum(weight for _, weight in held)
    if not total:
        return None
    return sum(value * weight for value, weight in held) / total


def position_among(changes: Mapping[K, Number], key: K) -> tuple[int, bool, int] | None:
    """``key``'s position among ``changes`` (percent changes), the largest decrease 1st, equal
    changes sharing a position: (position, joint, how many were compared). None if ``key`` has
    no change to compare.

    >>> position_among({"a": -10, "b": -5, "c": -5, "d": 3}, "c")
    (2, True, 4)
    >>> position_among({"a": -10, "b": -5}, "z") is None
    True
    """
    if key not in changes:
        return None
    rank, joint = competition_ranks(changes, highest_first=False)[key]
    return rank, joint, len(changes)


def change_text(change_percent: Number) -> str:
    """An exact percent change worded as the page words a difference: "3% decrease".

    >>> change_text(Decimal("-3.4")), change_text(Decimal("0.4")), change_text(Decimal("-0.2")), change_text(0)
    ('3% decrease', '0% increase', '0% decrease', 'no change')
    """
    change = to_decimal(change_percent)
    return Difference(absolute=change, percent=round_half_away(change)).text


def revision_text(
    measure_name: str,
    changes: Iterable[tuple[str, Number | None, Number | None]],
    *,
    percent_measure: bool = False,
) -> str:
    """What a revision of a published figure changed, each figure from its old value to its new.

    >>> revision_text("Homicide (all offences)", [("most recent 12 months", 2, 3), ("2019 baseline", None, 7)])
    'Homicide (all offences): most recent 12 months from 2 to 3; 2019 baseline from no figure to 7'
    >>> revision_text("Robbery", [])
    'Robbery: the comparison with other forces was updated'
    """

    def value(number):
        return "no figure" if number is None else measure_value(number, percent_measure=percent_measure)

    worded = [f"{label} from {value(before)} to {value(after)}" for label, before, after in changes]
    return f"{measure_name}: {'; '.join(worded) or 'the comparison with other forces was updated'}"


def revised_on_text(day: datetime.date, revision: str) -> str:
    """The notice on a quarter whose published figures were revised.

    >>> revised_on_text(datetime.date(2026, 12, 2), "Robbery: most recent 12 months from 352 to 353")
    'Revised on 2 December 2026: Robbery: most recent 12 months from 352 to 353.'
    """
    return f"Revised on {long_date(day)}: {revision}."


# --------------------------------------------------------------------------------------------
# Offence codes and names in the recorded crime open data
# --------------------------------------------------------------------------------------------

CODE_SEPARATORS = ("/", ",", ";", "&", "+")
DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-"})


def offence_code_problem(value: object) -> str | None:
    """Why ``value`` is not an offence code, or None. Codes are text: "4.10" (corporate
    manslaughter) and "4.1" (manslaughter) are different offences, and a number cannot tell them
    apart, so a number with a fraction is refused. A whole number (a workbook's ``1.0``) is the
    code "1". A combined code such as "1/4.1/4.10/4.2" is refused: one count for several offences
    cannot be split between them.

    >>> offence_code_problem("4.10"), offence_code_problem("8N"), offence_code_problem(1.0)
    (None, None, None)
    >>> offence_code_problem(4.1)
    'is a number, not text, so a code such as 4.10 would read as 4.1: give the Offence Code as text.'
    >>> offence_code_problem("1/4.1/4.10/4.2")
    'combines several offence codes in one; its count cannot be split between them: give each code its own row, as the Home Office publishes them.'
    >>> offence_code_problem(" ")
    'is empty.'
    """
    if isinstance(value, bool):
        return "is not an offence code."
    if isinstance(value, float | Decimal) and not float(value).is_integer():
        return (
            "is a number, not text, so a code such as 4.10 would read as 4.1: give the Offence Code as text."
        )
    if not isinstance(value, str | int | float | Decimal):
        return "is not an offence code."
    text = str(value).strip()
    if not text:
        return "is empty."
    if any(separator in text for separator in CODE_SEPARATORS) or len(text.split()) > 1:
        return (
            "combines several offence codes in one; its count cannot be split between them: give "
            "each code its own row, as the Home Office publishes them."
        )
    return None


def name_key(name: str) -> str:
    """An offence group's or subgroup's name as compared across years: the open data's names
    drift in case, spacing and dashes ("Theft Offences" / "Theft offences").

    >>> name_key(" Theft  Offences"), name_key("Death or serious injury \u2013 unlawful driving")
    ('theft offences', 'death or serious injury - unlawful driving')
    """
    return " ".join(name.translate(DASHES).casefold().split())
