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
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

from .middleware import DATABASE_UNAVAILABLE

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
    from .models import Document, SiteSettings
    from .publication import DRAFTABLE

    now = timezone.now()
    latest = {
        f"latest_{model._meta.model_name}": Subquery(
            model.objects.filter(publish_at__lte=now).order_by("-publish_at").values("publish_at")[:1]
        )
        for model in DRAFTABLE  # every kind of content with a publication time of its own
    }
    # A published document dated in the future becomes public at the start of its day.
    latest["latest_document_day"] = Subquery(
        Document.objects.published(now).order_by("-published_on").values("published_on")[:1]
    )
    row = SiteSettings.objects.annotate(**latest).values("content_changed_at", *latest).first() or {}
    day = row.pop("latest_document_day", None)
    times = [value for value in row.values() if value is not None]
    if day is not None:
        times.append(timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)))
    return max(times) if times else None


_kept: dict[str, tuple[datetime.datetime | None, object]] = {}


def kept_for_the_content_version(name: str, read):
    """``read()``, kept in this process until the content version moves: for what many public
    pages read and only a change of content can change (the office's settings, the library's
    years). Read afresh each time when public pages are not cached at all (PAGE_CACHE_SECONDS
    0, as in the tests). Nothing kept here may be changed by its reader."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return read()
    version = content_version()
    kept = _kept.get(name)
    if kept is None or kept[0] != version:
        kept = (version, read())
        _kept[name] = kept
    return kept[1]


def forget_version() -> None:
    """Read the version afresh on the next request (after a change made by this process), and
    what was kept for it."""
    global _version
    with _lock:
        _version = (0.0, _version[1])
        _kept.clear()


def is_cacheable(request) -> bool:
    """An anonymous reader's plain GET: no session cookie (staff have one), no preview."""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "preview" not in request.GET
    )


def page_key(request) -> str:
    version = content_version()
    return f"page:{version.timestamp() if version else 0}:{request.get_full_path()}"


def cached_for_the_public(view):
    """Mark a public view's page as one the cache may store; staff responses stay private."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if is_cacheable(request):
            response.public_cacheable = True
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response

    return wrapper


def content_last_modified(request, *args, **kwargs) -> datetime.datetime | None:
    return content_version()


def public_page(view):
    """Every public page and data file: Last-Modified from the content version (so scheduled
    publications count), 304 to a conditional request, and a stored copy for anonymous readers.
    ConditionalGetMiddleware adds the ETag."""
    return condition(last_modified_func=content_last_modified)(cached_for_the_public(view))


class PublicPageCacheMiddleware:
    """Answers anonymous readers from the stored copy of the page for the current content
    version before the rest of the stack runs, so a cached page costs about what a static file
    does. Stores the page with every header the stack gave it (CSP, ETag, Last-Modified …)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cacheable(request):
            return self.get_response(request)
        try:
            key = page_key(request)
        except DATABASE_UNAVAILABLE:
            return self.get_response(request)  # the view answers 503 (DatabaseUnavailableMiddleware)
        stored = cache.get(key)
        if stored is not None:
            return self.replay(request, *stored)
        response = self.get_response(request)
        if (
            getattr(response, "public_cacheable", False)
            and response.status_code == 200
            and not response.streaming
        ):
            cache.set(key, (response.content, list(response.items())), settings.PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def replay(request, content, headers):
        etag = dict(headers).get("ETag")
        if etag and etag in (request.headers.get("If-None-Match") or ""):
            response = HttpResponseNotModified()
            for name, value in headers:
                if name in ("ETag", "Last-Modified", "Cache-Control", "Vary"):
                    response[name] = value
            return response
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response
