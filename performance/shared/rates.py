"""Rates per 1,000 residents: how much crime there is for an area's size, as ONS publishes it.

A count of offences over 12 months divided by the area's residents (the ONS mid-year estimate)
and multiplied by 1,000. Each rate the pages, the open data and the comparisons print comes
from here, so that they agree:

- ``rate_per_thousand``: the exact rate; ``rate_shown``: the rate as printed, to one decimal
  place (halves away from zero), which is also what forces are ranked on, so that two forces
  printed alike share a position;
- ``rate_text``: "12.3 per 1,000 residents";
- ``rate_interval``: the 95% Wilson interval of the count among the residents
  (``significance.wilson_interval``), scaled to per 1,000;
- ``rate_position`` and ``rate_position_text``: where a force's rate lies among its Most Similar
  Group's, "3rd highest of 8";
- ``mid_year_within``: which mid-year estimate a 12-month period's rate uses.

>>> rate_text(rate_per_thousand(12_345, 1_000_000))
'12.3 per 1,000 residents'
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TypeVar

from performance.shared.calculations import Number, competition_ranks, ordinal, round_half_away, to_decimal
from performance.shared.significance import wilson_interval

PER = 1000
PLACES = 1
UNIT = "offences per 1,000 residents"
K = TypeVar("K")


def rate_per_thousand(count: Number | None, population: int | None) -> Decimal | None:
    """The exact rate per 1,000 residents (None without a count or a population).

    >>> round(rate_per_thousand(65_115, 916_120), 4)
    Decimal('71.0769')
    >>> rate_per_thousand(10, 0) is None, rate_per_thousand(None, 1000) is None
    (True, True)
    """
    if count is None or not population:
        return None
    if population < 0 or to_decimal(count) < 0:
        raise ValueError("A count or a population cannot be negative.")
    return to_decimal(count) * PER / Decimal(population)


def rate_shown(count: Number | None, population: int | None) -> Decimal | None:
    """The rate per 1,000 as printed: one decimal place, halves away from zero.

    >>> rate_shown(65_115, 916_120), rate_shown(1, 20_000), rate_shown(3, 20_000)
    (Decimal('71.1'), Decimal('0.1'), Decimal('0.2'))
    """
    rate = rate_per_thousand(count, population)
    return None if rate is None else round_half_away(rate, PLACES)


def rate_text(rate: Number | None) -> str:
    """A rate as the pages word it ("" when there is none).

    >>> rate_text(Decimal("71.07")), rate_text(Decimal("1234.56")), rate_text(0), rate_text(None)
    ('71.1 per 1,000 residents', '1,234.6 per 1,000 residents', '0.0 per 1,000 residents', '')
    """
    if rate is None:
        return ""
    shown = round_half_away(rate, PLACES)
    return f"{shown:,.{PLACES}f} per 1,000 residents"


def rate_value(rate: Number | None) -> str:
    """A rate for a table cell or the open data: the number alone, one decimal place.

    >>> rate_value(Decimal("71.07")), rate_value(None)
    ('71.1', '')
    """
    if rate is None:
        return ""
    return f"{round_half_away(rate, PLACES):.{PLACES}f}"


def rate_interval(count: Number, population: int) -> tuple[Decimal, Decimal] | None:
    """The 95% Wilson interval of the rate per 1,000 (exact, unrounded; None without residents).

    >>> low, high = rate_interval(70_000, 900_000)
    >>> round(low, 2), round(high, 2)
    (Decimal('77.23'), Decimal('78.33'))
    """
    interval = wilson_interval(int(count), int(population)) if population else None
    return None if interval is None else interval.scaled(PER)


def rate_interval_text(count: Number, population: int) -> str:
    """The interval as the pages print it ("" without residents).

    >>> rate_interval_text(70_000, 900_000)
    '95% interval 77.2 to 78.3 per 1,000 residents'
    """
    interval = wilson_interval(int(count), int(population)) if population else None
    if interval is None:
        return ""
    return f"{interval.text(per=PER, places=PLACES)} per 1,000 residents"


def rate_position(rates: Mapping[K, Number], key: K) -> tuple[int, bool, int] | None:
    """``key``'s position among ``rates``, the highest rate 1st, rates printed alike sharing a
    position: (position, joint, how many). None when ``key`` has no rate or is alone.

    >>> rate_position({"a": Decimal("80.04"), "b": Decimal("79.96"), "c": 60}, "b")
    (1, True, 3)
    >>> rate_position({"a": 80, "b": 70, "c": 60}, "c")
    (3, False, 3)
    >>> rate_position({"a": 80}, "a") is None
    True
    """
    if key not in rates or len(rates) < 2:
        return None
    shown = {name: round_half_away(rate, PLACES) for name, rate in rates.items()}
    position, joint = competition_ranks(shown, highest_first=True)[key]
    return position, joint, len(rates)


def rate_position_text(position: tuple[int, bool, int] | None) -> str:
    """A position among a group by rate, as the pages word it ("" without one).

    >>> rate_position_text((3, False, 8)), rate_position_text((1, False, 8)), rate_position_text((2, True, 8))
    ('3rd highest of 8', 'highest of 8', 'joint 2nd highest of 8')
    >>> rate_position_text((8, False, 8)), rate_position_text(None)
    ('lowest of 8', '')
    """
    if position is None:
        return ""
    rank, joint, out_of = position
    if rank == 1 and not joint:
        return f"highest of {out_of}"
    if rank == out_of and not joint:
        return f"lowest of {out_of}"
    return f"{'joint ' if joint else ''}{ordinal(rank)} highest of {out_of}"


def mid_year_within(period_end: datetime.date) -> int:
    """The mid-year (30 June) inside the 12 months ending ``period_end``: the year of the ONS
    mid-year estimate a rate for those 12 months uses. Any 12 months hold exactly one 30 June.

    >>> mid_year_within(datetime.date(2023, 9, 30)), mid_year_within(datetime.date(2024, 3, 31))
    (2023, 2023)
    >>> mid_year_within(datetime.date(2025, 6, 30)), mid_year_within(datetime.date(2025, 6, 29))
    (2025, 2024)
    """
    return period_end.year if period_end >= datetime.date(period_end.year, 6, 30) else period_end.year - 1


def group_rates(
    counts: Mapping[K, int | None], populations: Mapping[K, int], *, home: K, names: Mapping[K, str]
) -> dict:
    """The rates of a measure for the home force and its group, as stored with a figure
    (``{}`` when the home force has no count or no population):
    ``{"force": "Norfolk", "rate": "71.1", "low": "70.6", "high": "71.6", "population": 916120,
    "position": [3, False, 8], "group": [["Suffolk", "80.2"], …]}`` — the home force's name (as
    the group names it), its printed rate and
    95% interval, the residents it was computed on, its position among the group's forces with
    a rate (the home force included), and each of those forces' printed rates, highest first.

    >>> result = group_rates({1: 100, 2: 300, 3: None}, {1: 10_000, 2: 10_000, 3: 5}, home=1, names={1: "A", 2: "B", 3: "C"})
    >>> result["rate"], result["position"], result["group"]
    ('10.0', [2, False, 2], [['B', '30.0'], ['A', '10.0']])
    """
    count, population = counts.get(home), populations.get(home)
    rate = rate_per_thousand(count, population)
    if rate is None:
        return {}
    low, high = rate_interval(count, population)
    every = {key: rate_per_thousand(counts.get(key), populations.get(key)) for key in counts.keys() | {home}}
    rates = {key: value for key, value in every.items() if value is not None}
    position = rate_position(rates, home)
    ordered = sorted(rates, key=lambda key: (-round_half_away(rates[key], PLACES), names[key]))
    return {
        "force": names[home],
        "rate": rate_value(rate),
        "low": rate_value(low),
        "high": rate_value(high),
        "population": int(population),
        "position": list(position) if position else None,
        "group": [[names[key], rate_value(rates[key])] for key in ordered],
    }


def rate_revision_text(before: str | None, after: str | None) -> str:
    """A revision of a published rate per 1,000 residents (rates as stored, e.g. "71.1").

    >>> rate_revision_text("71.1", "70.9")
    'the rate changed from 71.1 to 70.9 per 1,000 residents'
    >>> rate_revision_text(None, "70.9")
    'the rate is now given: 70.9 per 1,000 residents'
    >>> rate_revision_text("71.1", None)
    'the rate is no longer given (it was 71.1 per 1,000 residents)'
    """
    if before is None:
        return f"the rate is now given: {rate_text(Decimal(after))}"
    if after is None:
        return f"the rate is no longer given (it was {rate_text(Decimal(before))})"
    return f"the rate changed from {before} to {rate_text(Decimal(after))}"


def stored_rate_sentence(stored: dict | None, *, force_name: str) -> str:
    """The sentence the pages print beside a count, from the rates stored with a figure
    (``group_rates``' answer with ``"population_year"``); "" when none are stored.

    >>> stored = {"rate": "71.1", "low": "70.6", "high": "71.6", "population": 916120,
    ...           "population_year": 2023, "position": [3, False, 8], "group": []}
    >>> stored_rate_sentence(stored, force_name="Norfolk")
    'Norfolk: 71.1 per 1,000 residents (95% interval 70.6 to 71.6; mid-2023 population 916,120), the 3rd highest of 8 similar forces.'
    >>> stored_rate_sentence({}, force_name="Norfolk")
    ''
    """
    if not stored or stored.get("rate") is None:
        return ""
    position = tuple(stored["position"]) if stored.get("position") else None
    detail = []
    if stored.get("low") is not None and stored.get("high") is not None:
        detail.append(f"95% interval {stored['low']} to {stored['high']}")
    if stored.get("population") and stored.get("population_year"):
        detail.append(f"mid-{stored['population_year']} population {stored['population']:,}")
    text = f"{force_name}: {rate_text(Decimal(stored['rate']))}"
    if detail:
        text += f" ({'; '.join(detail)})"
    if position is not None:
        text += f", the {rate_position_text(position)} similar forces"
    return text + "."
