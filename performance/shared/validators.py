"""Validators the domains' models share: percentages from 0 to 100, and a month's first day."""

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator

PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def first_of_month(value: datetime.date) -> bool:
    return value.day == 1
