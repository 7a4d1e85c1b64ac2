""" "At a glance": the few sentences at the top of a public page that tell a resident, in ten
seconds and on a phone, how their force is doing. Pure functions: no ORM, no Django.

Each item is one plain sentence with its figure, in words first (never an arrow or a colour
alone), and the id of the page section that says more. The numbers and their wording come from
``calculations`` — the same percentages, ranks and differences the tables below show — so a
summary never disagrees with its page. Missing data gives no item rather than a wrong one.

>>> item = recorded_crime_glance(offences=65115, previous_offences=69237, period_end=datetime.date(2023, 6, 30))
>>> str(item)
'Recorded crime (excluding fraud): down 6% on the year before (65,115 offences in the 12 months to June 2023).'
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from performance.shared.calculations import (
    Number,
    below_target,
    difference,
    measure_value,
    month_name,
    national_rank_text,
    percent,
    plain,
    points_apart_text,
    rank_text,
    thousands,
)


@dataclass(frozen=True)
class GlanceItem:
    """One line of the summary: what it is about, its sentence, and the section that says more."""

    topic: str
    sentence: str
    section: str

    def __str__(self) -> str:
        return f"{self.topic}: {self.sentence}"


@dataclass(frozen=True)
class MeasureChange:
    """One NCPM measure of a quarter, as the summary needs it: its latest 12 months and the 12
    months before, whether it is a percentage (e.g. victim satisfaction) rather than a count of
    offences, and the id of the section its table is in."""

    name: str
    latest: Number
    previous: Number
    percent_measure: bool = False
    section: str = ""


def twelve_months_to(period_end: datetime.date) -> str:
    """
    >>> twelve_months_to(datetime.date(2023, 6, 30))
    'the 12 months to June 2023'
    """
    return f"the 12 months to {month_name(period_end)}"


def calls_999_glance(
    *,
    month: datetime.date,
    share: Number | None,
    target_percent: Number,
    rank: int | None = None,
    joint: bool = False,
    out_of: int | None = None,
    northern_ireland: bool = False,
    section: str = "calls-999",
) -> GlanceItem | None:
    """The home force's newest published 999 month: the share answered in under 10 seconds (to
    1 decimal place, as its table shows it), against the target in words, and its national rank
    when it has one ("of N" when it is known how many forces were ranked).

    >>> from decimal import Decimal
    >>> september = datetime.date(2023, 9, 1)
    >>> print(calls_999_glance(month=september, share=Decimal("87.1"), target_percent=90, rank=4))
    999 calls: 87.1% answered in under 10 seconds in September 2023, below the 90% target; ranked 4th nationally.
    >>> calls_999_glance(month=september, share=Decimal("87.1"), target_percent=90, rank=4, joint=True, out_of=42).sentence
    '87.1% answered in under 10 seconds in September 2023, below the 90% target; ranked joint 4th of 42 forces in England and Wales.'

    A month that meets the target says so; a month with no rank says nothing about one:

    >>> calls_999_glance(month=september, share=90, target_percent=90).sentence
    '90.0% answered in under 10 seconds in September 2023, meeting the 90% target.'
    >>> calls_999_glance(month=september, share=Decimal("0"), target_percent=Decimal("90.0")).sentence
    '0.0% answered in under 10 seconds in September 2023, below the 90% target.'

    No share published (only the mean answer time): no sentence.

    >>> calls_999_glance(month=september, share=None, target_percent=90) is None
    True
    """
    if share is None:
        return None
    target = f"the {plain(target_percent)}% target"
    against = f"below {target}" if below_target(share, target_percent) else f"meeting {target}"
    sentence = f"{percent(share)} answered in under 10 seconds in {month_name(month)}, {against}"
    if rank is not None:
        if out_of:
            ranked = national_rank_text(rank, joint=joint, out_of=out_of, northern_ireland=northern_ireland)
        else:
            ranked = f"{rank_text(rank, joint=joint)} nationally"
        sentence += f"; ranked {ranked}"
    return GlanceItem("999 calls", f"{sentence}.", section)


def recorded_crime_glance(
    *,
    offences: Number | None,
    previous_offences: Number | None,
    period_end: datetime.date | None,
    section: str = "ons",
) -> GlanceItem | None:
    """The ONS headline for the home force area: the change on the year before in whole percent,
    rounded as the headline rounds it, then the level. Police recorded crime excludes fraud,
    and the topic says so.

    >>> june = datetime.date(2023, 6, 30)
    >>> recorded_crime_glance(offences=72000, previous_offences=60000, period_end=june).sentence
    'up 20% on the year before (72,000 offences in the 12 months to June 2023).'

    A change that rounds to 0% is "less than 1%", in its direction; no change, or no year before:

    >>> recorded_crime_glance(offences=65115, previous_offences=65200, period_end=june).sentence
    'down less than 1% on the year before (65,115 offences in the 12 months to June 2023).'
    >>> recorded_crime_glance(offences=100, previous_offences=100, period_end=june).sentence
    'no change on the year before (100 offences in the 12 months to June 2023).'
    >>> recorded_crime_glance(offences=65115, previous_offences=None, period_end=june).sentence
    '65,115 offences in the 12 months to June 2023.'

    From none the year before, a change cannot be a percentage; with no headline, no sentence:

    >>> recorded_crime_glance(offences=3, previous_offences=0, period_end=june).sentence
    'up by 3 offences on the year before (3 offences in the 12 months to June 2023).'
    >>> recorded_crime_glance(offences=None, previous_offences=None, period_end=None) is None
    True
    """
    if offences is None or period_end is None:
        return None
    level = f"{thousands(offences)} offences in {twelve_months_to(period_end)}"
    topic = "Recorded crime (excluding fraud)"
    if previous_offences is None:
        return GlanceItem(topic, f"{level}.", section)
    change = difference(offences, previous_offences)
    if change.direction == "no change":
        return GlanceItem(topic, f"no change on the year before ({level}).", section)
    way = "up" if change.direction == "increase" else "down"
    if change.percent is None:
        size = f"by {thousands(abs(change.absolute))} offences"
    elif change.percent == 0:
        size = "less than 1%"
    else:
        size = f"{abs(change.percent)}%"
    return GlanceItem(topic, f"{way} {size} on the year before ({level}).", section)


def crime_measures_glance(
    changes: Iterable[MeasureChange], *, period_end: datetime.date, section: str = "ncpm"
) -> GlanceItem | None:
    """How many of a quarter's crime measures (counts of offences) were lower than in the 12
    months before, and how many were higher or the same. Percentage measures, such as victim
    satisfaction, are not counted: fewer offences and less satisfaction are not the same kind of
    "lower" (``percent_measure_glance`` words each of them).

    >>> june = datetime.date(2023, 6, 30)
    >>> counts = [MeasureChange("a", 2, 15), MeasureChange("b", 443, 437), MeasureChange("c", 9, 9)]
    >>> print(crime_measures_glance(counts, period_end=june))
    National measures: 1 of 3 crime measures was lower in the 12 months to June 2023 than in the 12 months before; 1 was higher and 1 the same.
    >>> satisfaction = MeasureChange("Satisfaction", 70, 77, percent_measure=True)
    >>> crime_measures_glance([MeasureChange("a", 2, 15), MeasureChange("b", 5, 6), satisfaction], period_end=june).sentence
    'All 2 crime measures were lower in the 12 months to June 2023 than in the 12 months before.'
    >>> crime_measures_glance([MeasureChange("a", 20, 15), MeasureChange("b", 7, 6)], period_end=june).sentence
    'None of the 2 crime measures was lower in the 12 months to June 2023 than in the 12 months before; 2 were higher.'
    >>> crime_measures_glance([MeasureChange("a", 0, 0), MeasureChange("b", 4, 4)], period_end=june).sentence
    'All 2 crime measures were the same in the 12 months to June 2023 as in the 12 months before.'
    >>> crime_measures_glance([MeasureChange("a", 0, 0)], period_end=june).sentence
    'The 1 crime measure was the same in the 12 months to June 2023 as in the 12 months before.'

    No crime measures (none published, or only percentages): no sentence.

    >>> crime_measures_glance([satisfaction], period_end=june) is None
    True
    """
    counted = [difference(c.latest, c.previous).direction for c in changes if not c.percent_measure]
    if not counted:
        return None
    lower, higher = counted.count("decrease"), counted.count("increase")
    same = len(counted) - lower - higher
    period = twelve_months_to(period_end)
    if len(counted) == 1:
        state = {"decrease": "was lower", "increase": "was higher"}.get(counted[0], "was the same")
        than = "as in" if counted[0] == "no change" else "than in"
        sentence = f"The 1 crime measure {state} in {period} {than} the 12 months before."
        return GlanceItem("National measures", sentence, section)
    total = len(counted)
    if same == total:
        sentence = f"All {total} crime measures were the same in {period} as in the 12 months before."
        return GlanceItem("National measures", sentence, section)
    if lower == total:
        opening = f"All {total} crime measures were lower"
    elif lower == 0:
        opening = f"None of the {total} crime measures was lower"
    else:
        opening = f"{lower} of {total} crime measures {'was' if lower == 1 else 'were'} lower"
    rest = []
    if higher:
        rest.append(f"{higher} {'was' if higher == 1 else 'were'} higher")
    if same:
        rest.append(f"{same} the same" if rest else f"{same} {'was' if same == 1 else 'were'} the same")
    tail = f"; {' and '.join(rest)}" if rest else ""
    return GlanceItem(
        "National measures", f"{opening} in {period} than in the 12 months before{tail}.", section
    )


def percent_measure_glance(change: MeasureChange, *, period_end: datetime.date) -> GlanceItem | None:
    """A percentage measure (e.g. victim satisfaction) by name: its latest figure and how far
    it is above or below the 12 months before, in percentage points (the difference of two
    percentages is not a percentage), with no judgement of whether that is better: its name says
    what it measures.

    >>> june = datetime.date(2023, 6, 30)
    >>> satisfaction = MeasureChange("Satisfaction amongst victims of domestic abuse", 78, 77, True, "area-victims")
    >>> item = percent_measure_glance(satisfaction, period_end=june)
    >>> print(item)
    Satisfaction amongst victims of domestic abuse: 78% in the 12 months to June 2023, 1 percentage point above the 12 months before.
    >>> item.section
    'area-victims'
    >>> percent_measure_glance(MeasureChange("Satisfaction", 76, 79, True), period_end=june).sentence
    '76% in the 12 months to June 2023, 3 percentage points below the 12 months before.'
    >>> percent_measure_glance(MeasureChange("Satisfaction", 0, 0, True), period_end=june).sentence
    '0% in the 12 months to June 2023, the same as the 12 months before.'

    A count is not a percentage measure:

    >>> percent_measure_glance(MeasureChange("Robbery", 352, 343), period_end=june) is None
    True
    """
    if not change.percent_measure:
        return None
    apart = points_apart_text(change.latest, change.previous)
    compared = "the same as" if apart == "the same" else apart
    value = measure_value(change.latest, percent_measure=True)
    sentence = f"{value} in {twelve_months_to(period_end)}, {compared} the 12 months before."
    return GlanceItem(change.name, sentence, change.section)


def measures_glance(
    changes: Iterable[MeasureChange], *, period_end: datetime.date | None, section: str = "ncpm"
) -> list[GlanceItem]:
    """A quarter's items: its crime measures counted, then each percentage measure by name.
    No quarter: no items.

    >>> june = datetime.date(2023, 6, 30)
    >>> items = measures_glance([MeasureChange("a", 2, 15), MeasureChange("s", 78, 77, True)], period_end=june)
    >>> [item.topic for item in items]
    ['National measures', 's']
    >>> measures_glance([], period_end=june), measures_glance([MeasureChange("a", 2, 15)], period_end=None)
    ([], [])
    """
    if period_end is None:
        return []
    changes = list(changes)
    items = [crime_measures_glance(changes, period_end=period_end, section=section)]
    items += [percent_measure_glance(change, period_end=period_end) for change in changes]
    return [item for item in items if item is not None]
