"""Small helpers for building test data."""

import datetime

# A publication time safely in the past: rows built with it are public.
PUBLISHED = datetime.datetime(2023, 10, 19, 9, 30, tzinfo=datetime.UTC)
