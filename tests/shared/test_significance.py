"""Whether a change is real: the exact test of two Poisson counts and Wilson intervals, against
values worked out independently (binomial sums by hand, published Wilson intervals)."""

from decimal import Decimal
from fractions import Fraction
from math import comb

import pytest

from performance.shared import significance


def two_sided_p_by_hand(latest: int, earlier: int) -> float:
    """The exact conditional test with p = 1/2, summed from the binomial coefficients: the
    distribution is symmetric, so the two-sided p-value is twice the smaller tail (at most 1)."""
    n = latest + earlier
    k = min(latest, earlier)
    tail = sum(Fraction(comb(n, i), 2**n) for i in range(k + 1))
    return float(min(Fraction(1), 2 * tail))


def test_homicide_15_to_2_is_significant_at_95_percent():
    test = significance.change_test(2, 15)
    assert test.p_value == pytest.approx(two_sided_p_by_hand(2, 15))
    assert test.p_value < 0.05
    assert test.significant
    assert test.label == "Significant"


def test_100_to_110_is_within_chance():
    test = significance.change_test(110, 100)
    assert test.p_value == pytest.approx(two_sided_p_by_hand(110, 100))
    assert not test.significant
    assert not test.small
    assert test.text == "Not statistically significant: a change this size can happen by chance."


@pytest.mark.parametrize(("latest", "earlier"), [(9, 12), (3, 1), (19, 25), (450, 520), (8505, 8507)])
def test_p_values_match_the_binomial_sums(latest, earlier):
    assert significance.change_test(latest, earlier).p_value == pytest.approx(
        two_sided_p_by_hand(latest, earlier)
    )


def test_small_numbers_within_chance_get_the_plain_caution():
    assert significance.change_test(12, 9).text == "Small numbers: a change this size can happen by chance."


def test_a_significant_change_is_not_called_small_numbers_chance():
    assert significance.change_test(0, 19).significant
    assert significance.change_test(0, 19).text.startswith("Statistically significant")


def test_large_counts_a_small_percent_change_can_still_be_significant():
    # 65,115 against 69,237 (the ONS headline's 6% decrease) is far beyond chance.
    assert significance.change_test(65115, 69237).significant


def test_no_offences_in_either_year_has_nothing_to_test():
    test = significance.change_test(0, 0)
    assert test.p_value is None
    assert not test.significant


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        significance.change_test(-1, 4)


def test_wilson_interval_matches_the_published_formula():
    # Wilson (1927): centre (p + z²/2n) / (1 + z²/n), half-width z√(p(1-p)/n + z²/4n²) / (1 + z²/n).
    z = 1.959963984540054
    successes, n = 81, 263
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    interval = significance.wilson_interval(successes, n)
    assert float(interval.low) == pytest.approx(centre - half, abs=1e-9)
    assert float(interval.high) == pytest.approx(centre + half, abs=1e-9)


def test_wilson_interval_of_a_rate_per_1000_residents():
    interval = significance.wilson_interval(70000, 900000)
    low, high = interval.scaled(1000)
    assert low < Decimal(70000) * 1000 / 900000 < high
    assert interval.text(per=1000) == "95% interval 77.2 to 78.3"


def test_wilson_interval_of_nothing_is_none_and_an_impossible_share_is_refused():
    assert significance.wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        significance.wilson_interval(5, 4)


def test_intervals_that_do_not_overlap_differ_by_more_than_chance():
    one, other = significance.wilson_interval(30, 100), significance.wilson_interval(60, 100)
    assert not one.overlaps(other)
    assert one.overlaps(significance.wilson_interval(35, 100))


def test_the_method_names_the_test_and_the_level():
    assert "exact conditional test" in significance.METHOD_TEXT
    assert "Wilson" in significance.METHOD_TEXT
    assert str(significance.SMALL_COUNT) in significance.METHOD_TEXT
