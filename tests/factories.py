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


def recorded_crime_forces():
    """The forces the generated open data files name (tests/data/make_recorded_crime_files.py)."""
    from performance.models import Force

    for name, full_name, code, kind in (
        ("Norfolk", "Norfolk Constabulary", "E23000024", Force.Kind.TERRITORIAL),
        ("Suffolk", "Suffolk Constabulary", "E23000025", Force.Kind.TERRITORIAL),
        ("City of London", "City of London Police", "E23000034", Force.Kind.TERRITORIAL),
        ("Devon and Cornwall", "Devon & Cornwall Police", "E23000035", Force.Kind.TERRITORIAL),
        ("British Transport Police", "British Transport Police", None, Force.Kind.SPECIAL),
    ):
        Force.objects.create(name=name, full_name=full_name, ons_code=code, kind=kind)
