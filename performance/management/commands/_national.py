"""999 call answering for every force over many years: the national scale the benchmarks measure.

Added to a database that holds the demo office (``load_demo_data``): its forces and the home
force's published months are kept; every force gets a month for each of ``years`` years up to
the latest month held, with figures drawn at random around plausible values, published, and
then ranked as an import would rank them.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from performance.calls.models import CallAnswerMonth
from performance.calls.ranking import ranks_recompute
from performance.forces.models import Force

PUBLISHED = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def months_back(last: datetime.date, count: int) -> list[datetime.date]:
    """``count`` first-of-the-month dates ending with ``last``, oldest first.

    >>> months_back(datetime.date(2024, 2, 1), 3)
    [datetime.date(2023, 12, 1), datetime.date(2024, 1, 1), datetime.date(2024, 2, 1)]
    """
    index = last.year * 12 + last.month - 1
    return [datetime.date(n // 12, n % 12 + 1, 1) for n in range(index - count + 1, index + 1)]


@transaction.atomic
def add_national_months(years: int = 20, *, seed: int = 2024) -> int:
    """Every force's months for ``years`` years; returns how many months were added."""
    chance = random.Random(seed)
    last = CallAnswerMonth.objects.aggregate(last=Max("month"))["last"] or datetime.date(2025, 6, 1)
    held = set(CallAnswerMonth.objects.values_list("force_id", "month"))
    rows = []
    for force in Force.objects.order_by("name"):
        size = chance.randint(15_000, 90_000)
        for month in months_back(last, years * 12):
            if (force.pk, month) in held:
                continue
            under_10 = Decimal(chance.randint(550, 990)) / 10
            over_60 = min(Decimal(chance.randint(0, 60)) / 10, 100 - under_10)
            rows.append(
                CallAnswerMonth(
                    force=force,
                    month=month,
                    total_calls=int(size * chance.uniform(0.8, 1.25)),
                    mean_answer_seconds=Decimal(chance.randint(200, 2500)) / 100,
                    median_answer_seconds=Decimal(chance.randint(100, 1200)) / 100,
                    pct_under_10s=under_10,
                    pct_10_to_60s=100 - under_10 - over_60,
                    pct_60s_and_over=over_60,
                    publish_at=PUBLISHED,
                )
            )
    CallAnswerMonth.objects.bulk_create(rows, batch_size=1000)
    ranks_recompute()
    return len(rows)
