"""How the home force's change in a measure compares with other forces, in words a resident reads.

Each NCPM measure gets one plain sentence ("Norfolk's fall was larger than most similar
forces'."), and the detail behind it (the home force's change, its Most Similar Group's median
change, its position "of N" in the national comparison set) goes in a small table whose cells
are worded here too. Changes are exact percent changes (``calculations.percent_change``); the
words compare them as the page shows them, rounded to whole percent, so a sentence never calls
two changes that read the same "larger" or "smaller".

Why "most" is true: the home force is one of its Most Similar Group, so a change below the
group's median is below the middle of the group, and more than half of the other members have a
larger one (and the same above it).
"""

from __future__ import annotations

from decimal import Decimal  # noqa: F401 (the doctests use it)

from performance.shared import calculations
from performance.shared.calculations import Number

AGAINST_LABELS = {"previous": "previous 12 months", "baseline": "{year} baseline"}


def change_noun(change_percent: Number) -> str:
    """A change as a noun: "fall", "rise" or "no change", from the change as the page rounds it.

    >>> change_noun(Decimal("-10")), change_noun(Decimal("2.6")), change_noun(Decimal("-0.2")), change_noun(0)
    ('fall', 'rise', 'fall', 'no change')
    """
    change = calculations.to_decimal(change_percent)
    if change < 0:
        return "fall"
    if change > 0:
        return "rise"
    return "no change"


def _reads_the_same(one: Number, other: Number) -> bool:
    """Do two changes read the same once rounded to whole percent, as the page shows them?"""
    return calculations.round_half_away(one) == calculations.round_half_away(other)


def group_comparison_sentence(*, force_name: str, change: Number, msg_median: Number) -> str:
    """The home force's change against its Most Similar Group's median change, in one sentence.

    >>> group_comparison_sentence(force_name="Norfolk", change=Decimal("-20"), msg_median=Decimal("-10"))
    "Norfolk's fall was larger than most similar forces'."
    >>> group_comparison_sentence(force_name="Norfolk", change=Decimal("-5"), msg_median=Decimal("-10"))
    "Norfolk's fall was smaller than most similar forces'."
    >>> group_comparison_sentence(force_name="Norfolk", change=Decimal("12"), msg_median=Decimal("3"))
    "Norfolk's rise was larger than most similar forces'."
    >>> group_comparison_sentence(force_name="Norfolk", change=Decimal("1"), msg_median=Decimal("4"))
    "Norfolk's rise was smaller than most similar forces'."
    >>> group_comparison_sentence(force_name="Norfolk", change=Decimal("-3"), msg_median=Decimal("2"))
    'Norfolk had a fall, while most similar forces had a rise or no change.'
    >>> group_comparison_sentence(force_name="Norfolk", change=Decimal("3"), msg_median=Decimal("-2"))
    'Norfolk had a rise, while most similar forces had a fall or no change.'
    >>> group_comparison_sentence(force_name="Norfolk", change=Decimal("-10.2"), msg_median=Decimal("-9.8"))
    "Norfolk's change was about the same as most similar forces'."
    """
    change, median = calculations.to_decimal(change), calculations.to_decimal(msg_median)
    if _reads_the_same(change, median):
        return f"{force_name}'s change was about the same as most similar forces'."
    own = change_noun(change)
    if change < median:  # a larger fall, a smaller rise, or a fall where the group rose
        if change < 0 and median < 0:
            return f"{force_name}'s fall was larger than most similar forces'."
        if change > 0:
            return f"{force_name}'s rise was smaller than most similar forces'."
        return f"{force_name} had {with_no_article(own)}, while most similar forces had a rise or no change."
    if change > 0 and median > 0:
        return f"{force_name}'s rise was larger than most similar forces'."
    if change < 0:
        return f"{force_name}'s fall was smaller than most similar forces'."
    return f"{force_name} had {with_no_article(own)}, while most similar forces had a fall or no change."


def with_no_article(noun: str) -> str:
    """ "a fall", "a rise", and "no change" as it is.

    >>> with_no_article("fall"), with_no_article("no change")
    ('a fall', 'no change')
    """
    return noun if noun == "no change" else f"a {noun}"


def national_comparison_sentence(
    *, force_name: str, change: Number, position: tuple[int, bool, int], northern_ireland: bool = False
) -> str:
    """The home force's change against every force of the national comparison set, for a measure
    with no Most Similar Group median: from its position (1st: the largest decrease). The forces
    placed before it each had a smaller change (a larger fall); those after it a larger one,
    except any sharing its place, whose number a joint position does not say: with a joint
    position only the forces before it are counted, so "most" is never claimed on a guess.

    >>> national_comparison_sentence(force_name="Norfolk", change=-8, position=(3, False, 43))
    "Norfolk's fall was larger than most forces' in England and Wales."
    >>> national_comparison_sentence(force_name="Norfolk", change=6, position=(40, False, 43))
    "Norfolk's rise was larger than most forces' in England and Wales."
    >>> national_comparison_sentence(force_name="Norfolk", change=-2, position=(40, False, 43))
    "Norfolk's fall was smaller than most forces' in England and Wales."
    >>> national_comparison_sentence(force_name="Norfolk", change=2, position=(3, False, 43))
    "Norfolk's rise was smaller than most forces' in England and Wales."
    >>> national_comparison_sentence(force_name="Norfolk", change=0, position=(3, False, 43))
    'Norfolk had no change, while most forces in England and Wales had a rise.'
    >>> national_comparison_sentence(force_name="Norfolk", change=-2, position=(22, False, 43), northern_ireland=True)
    "Norfolk's change was close to the middle of the forces in England, Wales and Northern Ireland."
    >>> national_comparison_sentence(force_name="Norfolk", change=-2, position=(1, True, 5))
    "Norfolk's change was close to the middle of the forces in England and Wales."
    """
    rank, joint, compared = position
    where = calculations.national_set_name(northern_ireland=northern_ireland)
    others = compared - 1
    before = rank - 1  # each a smaller change: a larger fall or a smaller rise
    after = 0 if joint else compared - rank  # each a larger change
    own = change_noun(change)
    if after * 2 > others:  # most others changed upwards of it
        if own == "fall":
            return f"{force_name}'s fall was larger than most forces' in {where}."
        if own == "rise":
            return f"{force_name}'s rise was smaller than most forces' in {where}."
        return f"{force_name} had no change, while most forces in {where} had a rise."
    if before * 2 > others:  # most others changed downwards of it
        if own == "fall":
            return f"{force_name}'s fall was smaller than most forces' in {where}."
        if own == "rise":
            return f"{force_name}'s rise was larger than most forces' in {where}."
        return f"{force_name} had no change, while most forces in {where} had a fall."
    return f"{force_name}'s change was close to the middle of the forces in {where}."


def comparison_sentence(
    *,
    force_name: str,
    change: Number | None,
    msg_median: Number | None,
    position: tuple[int, bool, int] | None,
    northern_ireland: bool = False,
) -> str:
    """One sentence on how the home force's change compares: with its Most Similar Group where
    the group's median is known, else with the national comparison set; empty when neither is.

    >>> comparison_sentence(force_name="Norfolk", change=Decimal("-10"), msg_median=Decimal("-3"), position=(12, False, 43))
    "Norfolk's fall was larger than most similar forces'."
    >>> comparison_sentence(force_name="Norfolk", change=Decimal("-10"), msg_median=None, position=(40, False, 43))
    "Norfolk's fall was smaller than most forces' in England and Wales."
    >>> comparison_sentence(force_name="Norfolk", change=None, msg_median=Decimal("-3"), position=None)
    ''
    """
    if change is None:
        return ""
    if msg_median is not None:
        return group_comparison_sentence(force_name=force_name, change=change, msg_median=msg_median)
    if position is not None:
        return national_comparison_sentence(
            force_name=force_name, change=change, position=position, northern_ireland=northern_ireland
        )
    return ""


def position_text(position: tuple[int, bool, int] | None) -> str:
    """A position among the national comparison set as a table cell: "joint 3rd of 6".

    >>> position_text((3, True, 6)), position_text((12, False, 43)), position_text(None)
    ('joint 3rd of 6', '12th of 43', '')
    """
    if position is None:
        return ""
    rank, joint, compared = position
    return calculations.rank_text(rank, joint=joint, out_of=compared)


def median_text(msg_median: Number | None) -> str:
    """The Most Similar Group's median change as a table cell: "10% decrease", "" when unknown.

    >>> median_text(Decimal("-10")), median_text(Decimal("0.3")), median_text(None)
    ('10% decrease', '0% increase', '')
    """
    return "" if msg_median is None else calculations.change_text(msg_median)


def against_label(against: str, *, baseline_year: int) -> str:
    """What a change is against, as a table's row says it.

    >>> against_label("previous", baseline_year=2019), against_label("baseline", baseline_year=2019)
    ('previous 12 months', '2019 baseline')
    """
    return AGAINST_LABELS[against].format(year=baseline_year)


def position_heading(*, northern_ireland: bool = False) -> str:
    """The heading of the positions' column, naming the forces compared and which way it counts.

    >>> position_heading()
    'Position in England and Wales (1st: the largest fall)'
    """
    return f"Position in {calculations.national_set_name(northern_ireland=northern_ireland)} (1st: the largest fall)"


def comparison_row(
    *,
    measure_name: str,
    against: str,
    baseline_year: int,
    change: Number | None,
    msg_median: Number | None,
    position: tuple[int, bool, int] | None,
) -> list[str]:
    """One row of the comparison table: what is compared, the home force's change, its Most
    Similar Group's median change and its national position.

    >>> comparison_row(measure_name="Robbery", against="previous", baseline_year=2019,
    ...     change=Decimal("2.6"), msg_median=Decimal("-4.5"), position=(30, False, 43))
    ['Robbery, on the previous 12 months', '3% increase', '5% decrease', '30th of 43']
    """
    return [
        f"{measure_name}, on the {against_label(against, baseline_year=baseline_year)}",
        "" if change is None else calculations.change_text(change),
        median_text(msg_median),
        position_text(position),
    ]
