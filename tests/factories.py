"""Small helpers for building test data."""

import datetime

from django.contrib.auth.models import Group

# A publication time safely in the past: rows built with it are public.
PUBLISHED = datetime.datetime(2023, 10, 19, 9, 30, tzinfo=datetime.UTC)


def staff(django_user_model, role: str | None, username: str | None = None):
    """A staff account in ``role`` (the group: "Editor", "Publisher", "Site administrator"), or
    in none when ``role`` is None."""
    username = username or (role or "staff").lower().replace(" ", "_")
    user = django_user_model.objects.create_user(username=username, password="unused", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def tasks_run_on_commit():
    """Run what a request queues once its transaction commits (``transaction.on_commit``): the
    background tasks it starts, at once in the test settings. A test's transaction never commits,
    so without this they would never run."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
