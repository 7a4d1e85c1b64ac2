"""Public pages cached for anonymous readers, and never stale.

Every cached page is keyed by the *content version*: the last time any content changed, or the
latest scheduled publication whose time has come, whichever is later. Publishing or changing
anything moves the version, and so does a scheduled publication reaching its time, with no job
to run. Each process reads the version from the database at most once a second, so a cached
page costs no query; staff and previews are never served from the cache.
"""

from __future__ import annotations

import datetime
import functools
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

VERSION_CHECK_SECONDS = 1.0
CACHED_HEADERS = (
    "Content-Type",
    "Last-Modified",
    "ETag",
    "Content-Disposition",
    "Access-Control-Allow-Origin",
)

_lock = threading.Lock()
_version: tuple[float, datetime.datetime | None] = (0.0, None)


def content_version(*, fresh: bool = False) -> datetime.datetime | None:
    """When the public content last changed, counting scheduled publications that have arrived."""
    global _version
    checked_at, version = _version
    if fresh or time.monotonic() - checked_at >= VERSION_CHECK_SECONDS:
        version = _read_version()
        with _lock:
            _version = (time.monotonic(), version)
    return version


def _read_version() -> datetime.datetime | None:
    """One query: the settings row's content-changed time and each kind of publishable content's
    latest publication that has arrived."""
    from .models import CallAnswerMonth, LibraryPage, RecordedCrimePeriod, ReportingPeriod, SiteSettings

    now = timezone.now()
    latest = {
        f"latest_{model._meta.model_name}": Subquery(
            model.objects.filter(publish_at__lte=now).order_by("-publish_at").values("publish_at")[:1]
        )
        for model in (CallAnswerMonth, ReportingPeriod, RecordedCrimePeriod, LibraryPage)
    }
    row = SiteSettings.objects.annotate(**latest).values("content_changed_at", *latest).first()
    times = [value for value in (row or {}).values() if value is not None]
    return max(times) if times else None


def forget_version() -> None:
    """Read the version afresh on the next request (after a change made by this process)."""
    global _version
    with _lock:
        _version = (0.0, _version[1])


def is_cacheable(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and "preview" not in request.GET
        and not request.user.is_authenticated
    )


def cached_for_the_public(view):
    """Serve anonymous readers a stored copy of the page for the current content version."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_cacheable(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        version = content_version()
        key = f"page:{version.timestamp() if version else 0}:{request.get_full_path()}"
        stored = cache.get(key)
        if stored is not None:
            content, headers, status = stored
            response = HttpResponse(content, status=status)
            for name, value in headers.items():
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            headers = {name: response[name] for name in CACHED_HEADERS if name in response}
            cache.set(key, (response.content, headers, response.status_code), settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper
