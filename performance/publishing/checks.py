"""What a Publisher should look at before publishing: what is missing or odd in a quarter, a 999
month or an ONS period, each in plain words with a link to where it is fixed.

This module holds what every domain shares: the ``Check`` type, the registry ``CHECKS`` and
``publishing_checks``, which looks one up (a model with none registered has none). Each domain
registers its models' checks with ``checks_for`` in its own module (``performance/calls/checks.py``,
``performance/crime/checks.py``), which the app's ready() imports. The admin shows the checks on a
confirmation page before publishing; with none, publishing goes straight through.

Some content was written about figures that publishing again would change (a quarter's
statement, about its figures before their revisions): its domain registers, with ``reread_for``,
what the Publisher confirms still reads true (``to_reread``).

The judgements on numbers (``percent_change_beyond``, ``points_change_beyond``) are pure
functions, tested with plain numbers; the thresholds they are given are the named constants
below. A check is a prompt to look, never a refusal: the Publisher may go on, giving a reason
that the history keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from performance.shared import calculations

# An NCPM count that changed by more than this, in percent, against the previous 12 months.
NCPM_CHANGE_WARNING_PERCENT = Decimal(50)
# An NCPM percentage (victim satisfaction) that moved by more than this, in percentage points.
NCPM_CHANGE_WARNING_POINTS = Decimal(10)
# 999 calls in a month that changed by more than this, in percent, against the month before (the
# import's preview warns at the same change).
CALLS_CHANGE_WARNING_PERCENT = Decimal(50)
# A 999 answer share (e.g. under 10 seconds) that moved by more than this, in percentage points.
ANSWER_SHARE_CHANGE_WARNING_POINTS = Decimal(10)
# The home force's ONS total that changed by more than this, in percent, against a year earlier.
ONS_TOTAL_CHANGE_WARNING_PERCENT = Decimal(15)


@dataclass(frozen=True)
class Check:
    """Something missing or odd, worded for the Publisher, and where to fix it."""

    message: str
    fix_url: str = ""
    fix_label: str = "Fix this"


# --------------------------------------------------------------------------------------------
# Judgements on numbers (pure)
# --------------------------------------------------------------------------------------------


def percent_change_beyond(latest, earlier, limit: Decimal) -> Decimal | None:
    """The percent change from ``earlier`` to ``latest`` when it is more than ``limit`` either
    way, else None (also when ``earlier`` is 0: there is no percent change).

    >>> percent_change_beyond(160, 100, Decimal(50)), percent_change_beyond(150, 100, Decimal(50))
    (Decimal('60'), None)
    >>> percent_change_beyond(40, 100, Decimal(50)), percent_change_beyond(5, 0, Decimal(50))
    (Decimal('-60'), None)
    """
    change = calculations.percent_change(latest, earlier)
    return change if change is not None and abs(change) > limit else None


def points_change_beyond(latest, earlier, limit: Decimal) -> Decimal | None:
    """The change from ``earlier`` to ``latest`` in percentage points when it is more than
    ``limit`` either way, else None.

    >>> points_change_beyond(Decimal("74.5"), Decimal("87.0"), Decimal(10))
    Decimal('-12.5')
    >>> points_change_beyond(Decimal("80"), Decimal("87.0"), Decimal(10)) is None
    True
    """
    change = calculations.to_decimal(latest) - calculations.to_decimal(earlier)
    return change if abs(change) > limit else None


def changed_by_text(change: Decimal) -> str:
    """
    >>> changed_by_text(Decimal("-60.4")), changed_by_text(Decimal("250"))
    ('fell by 60%', 'rose by 250%')
    """
    direction = "rose" if change > 0 else "fell"
    return f"{direction} by {abs(calculations.round_half_away(change))}%"


def moved_by_text(change: Decimal) -> str:
    """
    >>> moved_by_text(Decimal("-12.5")), moved_by_text(Decimal("1"))
    ('fell by 12.5 percentage points', 'rose by 1 percentage point')
    """
    direction = "rose" if change > 0 else "fell"
    points = abs(change)
    return f"{direction} by {calculations.plain(points)} percentage point{'' if points == 1 else 's'}"


def admin_url(model_or_obj, view: str, *args) -> str:
    opts = model_or_obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


# --------------------------------------------------------------------------------------------
# One registration per model
# --------------------------------------------------------------------------------------------

CHECKS: dict[type, Callable[[object], list[Check]]] = {}


def checks_for(model):
    """Registers the decorated function as the checks of ``model``'s objects before publishing:
    given one object, it returns its ``Check``s."""

    def register(check: Callable[[object], list[Check]]):
        CHECKS[model] = check
        return check

    return register


def has_checks(model) -> bool:
    return model in CHECKS


def publishing_checks(obj) -> list[Check]:
    """What is missing or odd in ``obj`` before it is published (none for a model without checks)."""
    check = CHECKS.get(type(obj))
    return check(obj) if check else []


# --------------------------------------------------------------------------------------------
# What to read again before publishing changes the figures it was written about
# --------------------------------------------------------------------------------------------

REREADS: dict[type, Callable[[object], tuple[object | None, tuple[str, ...]]]] = {}


def reread_for(model):
    """Registers the decorated function as what to read again before publishing one of
    ``model``'s objects: given one, it returns the content to read again (None when nothing is)
    and the wording of each change publishing would apply to the figures it was written about."""

    def register(reread: Callable[[object], tuple[object | None, tuple[str, ...]]]):
        REREADS[model] = reread
        return reread

    return register


def to_reread(obj) -> tuple[object | None, tuple[str, ...]]:
    """The content the Publisher confirms still reads true before ``obj`` is published, and the
    changes publishing would apply; (None, ()) when nothing needs reading again."""
    for model, reread in REREADS.items():
        if isinstance(obj, model):
            return reread(obj)
    return None, ()


@dataclass(frozen=True)
class PublicationReview:
    """What the Publisher sees about one item before it is published: its checks and, when
    publishing would change the figures some content was written about (a quarter's statement),
    that content and the changes (``to_reread``)."""

    obj: object
    checks: list
    statement: object | None = None
    revisions: tuple = ()


def publication_review(obj) -> PublicationReview:
    statement, revisions = to_reread(obj)
    return PublicationReview(obj, publishing_checks(obj), statement, revisions)
