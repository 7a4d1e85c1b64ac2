"""Whether a change is larger than chance, and how sure a rate is: pure functions on scipy.stats.

A count of crimes in a year is treated as a Poisson count. Two such counts (this year, the year
before) are compared with the exact conditional test: given their total, the later count follows
a binomial distribution with p = 1/2 if nothing changed (``scipy.stats.binomtest``). A change is
called statistically significant when that test's two-sided p-value is below 5%.

A share (a charge rate: offences charged out of offences recorded) or a rate (offences per 1,000
residents) is given a 95% Wilson score interval, which behaves well for small counts and shares
near 0 or 1 (``BinomTestResult.proportion_ci(method="wilson")``).

Every sentence the pages print about chance comes from here, so page, CSV and appendix agree.

>>> change_test(2, 15).significant, change_test(110, 100).significant
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from scipy import stats

from performance.shared.calculations import Number, plain, round_half_away, to_decimal

CONFIDENCE = Decimal("0.95")
SIGNIFICANCE_LEVEL = 1 - CONFIDENCE  # 5%
# Below this many offences in either year, the caution for small numbers is shown: with fewer
# than 20, a change of a third or more is within what chance alone produces in most years.
SMALL_COUNT = 20

SIGNIFICANT_TEXT = "Statistically significant: a change this size is unlikely to happen by chance."
SMALL_NUMBERS_TEXT = "Small numbers: a change this size can happen by chance."
WITHIN_CHANCE_TEXT = "Not statistically significant: a change this size can happen by chance."

CHANGE_METHOD_TEXT = (
    "Whether a change is statistically significant: each year's count of offences is treated as "
    "a Poisson count, and the two years are compared with the exact conditional test for two "
    "Poisson counts (given the total of both years, the later year's share is tested against an "
    "even split, two-sided). A change is called statistically significant when the chance of a "
    "change at least this large, if the underlying level had not moved, is below 5%. Where a "
    f"change is not significant and either year has fewer than {SMALL_COUNT} offences, the page "
    "says the numbers are small. Measures that are percentages, such as victim satisfaction, are "
    "not counts of offences and are not tested."
)
INTERVAL_METHOD_TEXT = (
    "Rates and charge rates are given with a 95% Wilson score interval: the range within which "
    "the underlying rate lies, allowing for chance."
)
METHOD_TEXT = f"{CHANGE_METHOD_TEXT} {INTERVAL_METHOD_TEXT}"

GLOSSARY_TEXT = (
    "A change larger than chance alone is likely to produce. The number of crimes recorded goes "
    "up and down from year to year even when nothing underlying has changed; a change is called "
    "statistically significant when a change at least that large would happen by chance less "
    "than 1 time in 20. A change that is not significant may still be real, but the figures "
    "cannot show it."
)

# What each short label in a table means, in the words of the sentences above: the table's key.
LABEL_NOTES = {
    "Significant": "Significant: statistically significant, a change this size is unlikely to happen by chance.",
    "Small numbers": SMALL_NUMBERS_TEXT,
    "Within chance": "Within chance: not statistically significant, a change this size can happen by chance.",
}


@dataclass(frozen=True)
class ChangeTest:
    """The exact conditional test of a change from ``earlier`` to ``latest`` (two counts)."""

    latest: int
    earlier: int
    p_value: float | None  # None when there is nothing to test (both counts 0)

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < float(SIGNIFICANCE_LEVEL)

    @property
    def small(self) -> bool:
        return min(self.latest, self.earlier) < SMALL_COUNT

    @property
    def text(self) -> str:
        """The plain sentence the page prints beside the change.

        >>> change_test(2, 15).text
        'Statistically significant: a change this size is unlikely to happen by chance.'
        >>> change_test(12, 9).text
        'Small numbers: a change this size can happen by chance.'
        >>> change_test(110, 100).text
        'Not statistically significant: a change this size can happen by chance.'
        """
        if self.significant:
            return SIGNIFICANT_TEXT
        if self.small:
            return SMALL_NUMBERS_TEXT
        return WITHIN_CHANCE_TEXT

    @property
    def label(self) -> str:
        """A short word for a table cell: "Significant", "Small numbers" or "Within chance"."""
        if self.significant:
            return "Significant"
        return "Small numbers" if self.small else "Within chance"


@lru_cache(maxsize=4096)  # a pure function of two counts, asked again at every render
def change_test(latest: int, earlier: int) -> ChangeTest:
    """Test whether ``latest`` differs from ``earlier`` by more than chance (two Poisson counts
    over equal periods).

    >>> round(change_test(2, 15).p_value, 5), round(change_test(110, 100).p_value, 3)
    (0.00235, 0.535)
    >>> change_test(0, 0).p_value is None
    True
    """
    latest, earlier = int(latest), int(earlier)
    if latest < 0 or earlier < 0:
        raise ValueError("Counts cannot be negative.")
    total = latest + earlier
    if total == 0:
        return ChangeTest(latest, earlier, None)
    return ChangeTest(latest, earlier, float(stats.binomtest(latest, total, 0.5).pvalue))


@dataclass(frozen=True)
class Interval:
    """A 95% Wilson interval of a share, as fractions (0.25 is 25%)."""

    low: Decimal
    high: Decimal

    def scaled(self, per: Number) -> tuple[Decimal, Decimal]:
        """The interval as a rate per ``per`` (100 for percent, 1,000 for per 1,000 residents)."""
        per = to_decimal(per)
        return self.low * per, self.high * per

    def text(self, per: Number = 100, places: int = 1) -> str:
        """The interval as the pages print it.

        >>> wilson_interval(30, 100).text()
        '95% interval 21.9 to 39.6'
        >>> wilson_interval(70000, 900000).text(per=1000)
        '95% interval 77.2 to 78.3'
        """
        low, high = self.scaled(per)
        return f"95% interval {plain(round_half_away(low, places))} to {plain(round_half_away(high, places))}"

    def overlaps(self, other: Interval) -> bool:
        """Whether two intervals overlap: if they do not, the two rates differ by more than chance."""
        return self.low <= other.high and other.low <= self.high


def wilson_interval(successes: int, total: int) -> Interval | None:
    """The 95% Wilson score interval of ``successes`` out of ``total`` (None when ``total`` is 0).

    >>> interval = wilson_interval(0, 10)
    >>> interval.low, round(interval.high, 4)
    (Decimal('0'), Decimal('0.2775'))
    """
    successes, total = int(successes), int(total)
    if total == 0:
        return None
    if not 0 <= successes <= total:
        raise ValueError(f"{successes} out of {total} is not a share.")
    ci = stats.binomtest(successes, total).proportion_ci(confidence_level=float(CONFIDENCE), method="wilson")
    return Interval(low=max(Decimal(0), to_decimal(ci.low)), high=min(Decimal(1), to_decimal(ci.high)))


def change_test_notes(tests: Iterable[ChangeTest | None]) -> list[str]:
    """The key under a table: what each label its cells show means, once, in a fixed order.

    >>> for note in change_test_notes([change_test(2, 15), change_test(2, 7), change_test(2, 10), None]):
    ...     print(note)
    Significant: statistically significant, a change this size is unlikely to happen by chance.
    Small numbers: a change this size can happen by chance.
    >>> change_test_notes([])
    []
    """
    shown = {test.label for test in tests if test is not None}
    return [note for label, note in LABEL_NOTES.items() if label in shown]


def untested_note(names: Iterable[str]) -> str:
    """The one line under a table that has percentage measures: they are not tested for chance
    ("" when it has none).

    >>> untested_note(["Satisfaction amongst victims of domestic abuse"])
    'Satisfaction amongst victims of domestic abuse is a percentage, not a count of offences: its changes are not tested for chance.'
    >>> untested_note(["Satisfaction", "Confidence"])
    'Satisfaction and Confidence are percentages, not counts of offences: their changes are not tested for chance.'
    >>> untested_note([])
    ''
    """
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return f"{names[0]} is a percentage, not a count of offences: its changes are not tested for chance."
    listed = f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{listed} are percentages, not counts of offences: their changes are not tested for chance."
