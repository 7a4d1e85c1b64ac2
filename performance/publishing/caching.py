"""Public pages cached for anonymous readers, and never stale.

Every cached page is keyed by the *content version*: the last time any content changed, or the
latest scheduled publication whose time has come, whichever is later. Publishing or changing
anything moves the version, and so does a scheduled publication reaching its time, with no job
to run. Each process reads the version from the database at most once a second, so a cached
page costs no query; staff and previews are never served from the cache.

Anonymous readers' answers also tell browsers and a shared cache in front (deploy/nginx.conf)
how long they may keep them (``cached_for_the_public``); a change reaches readers through such
a cache within PUBLIC_CACHE_MAX_AGE seconds.
"""

from __future__ import annotations

import datetime
import functools
import threading
import time
from collections.abc import Callable
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import parse_http_date_safe
from django.views.decorators.http import condition

from performance.shared.middleware import DATABASE_UNAVAILABLE

VERSION_CHECK_SECONDS = 1.0
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
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


# Where the version is read from, told by the domains at ready(): the row holding when content
# last changed (``read_version_from``), and times content becomes public besides each draftable
# model's publication (``public_from``).
_changed_at: tuple[type, str] | None = None
_public_from: dict[str, Callable[[datetime.datetime], Subquery]] = {}


def read_version_from(model: type, field: str) -> None:
    """The version is read with one query on ``model``'s row, whose ``field`` holds when content
    last changed (the site settings' ``content_changed_at``)."""
    global _changed_at
    _changed_at = (model, field)


def public_from(name: str, latest: Callable[[datetime.datetime], Subquery]) -> None:
    """``latest(now)``: a subquery of the latest time that has arrived at which content becomes
    public, besides each draftable model's publication; a date counts from the start of its day."""
    _public_from[name] = latest


def _read_version() -> datetime.datetime | None:
    """One query: the settings row's content-changed time, each kind of publishable content's
    latest publication that has arrived, and the other times content became public."""
    from performance.publishing.gate import DRAFTABLE

    now = timezone.now()
    latest = {
        f"latest_{model._meta.model_name}": Subquery(
            model.objects.filter(publish_at__lte=now).order_by("-publish_at").values("publish_at")[:1]
        )
        for model in DRAFTABLE  # every kind of content with a publication time of its own
    }
    for name, subquery in _public_from.items():
        latest[name] = subquery(now)  # e.g. a published document dated in the future: its day
    if _changed_at is None:
        raise ImproperlyConfigured("No row to read the content version from (read_version_from).")
    model, field = _changed_at
    row = model._default_manager.annotate(**latest).values(field, *latest).first() or {}
    times = []
    for value in row.values():
        if value is None:
            continue
        if not isinstance(value, datetime.datetime):  # a day: public from its start
            value = timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
        times.append(value)
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


def kept_for_the_public(request, name: str, read):
    """``read()`` kept for the content version when ``request`` is an anonymous reader's (see
    ``kept_for_the_content_version``); read afresh for staff, who are never served a stored copy,
    and their previews."""
    return kept_for_the_content_version(name, read) if is_public(request) else read()


def forget_version() -> None:
    """Read the version afresh on the next request (after a change made by this process), and
    what was kept for it."""
    global _version
    with _lock:
        _version = (0.0, _version[1])
        _kept.clear()


# The query parameters each public page's view reads, by URL name (the open data files': their
# documented filters, added by the site at ready(), ``performance/site/parameters.py``). Every
# other parameter is dropped before the view runs, so that an address with one added
# (``?utm_source=…``, a random string) is the same page, from the same stored copy, and cannot put
# anything of its own into the page's links.
QUERY_PARAMETERS = {
    "performance:library": ("q", "category", "year", "type", "sort", "page"),
    "performance:library-category": ("q", "year", "type", "sort", "page"),
    "performance:calls-999-national": ("sort",),
    "sitemap": ("p",),
}


def query_parameters(view_name: str) -> tuple[str, ...]:
    return QUERY_PARAMETERS.get(view_name, ())


@functools.lru_cache(maxsize=1024)
def public_page_parameters(urlconf: str, path: str) -> tuple[str, ...] | None:
    """The query parameters of the public page at ``path`` (see ``public_page``), or None when it
    is not one. Kept per address: resolving one costs more than answering from the cache."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return query_parameters(match.view_name) if getattr(match.func, "public_page", False) else None


def keep_only(request, names: tuple[str, ...]) -> bool:
    """Leave in the request's query only the parameters in ``names``, in that order, each with
    its last value (the one ``request.GET.get`` reads): the canonical query of the page. Whether
    the query was that already."""
    if not request.META.get("QUERY_STRING"):
        return True
    query = urlencode([(name, request.GET[name]) for name in names if name in request.GET])
    if query == request.META["QUERY_STRING"]:
        return True
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)
    return False


def is_staff(request) -> bool:
    """A signed-in staff member's request: its session cookie names a live session of an active
    staff account. A cookie that names no such session (made up, expired, signed out) counts for
    nothing, so it cannot be used to get past the cache. Read once per request."""
    if not hasattr(request, "_is_staff"):
        user = getattr(request, "user", None)
        if user is None and request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            probe = HttpRequest()
            probe.session = import_module(settings.SESSION_ENGINE).SessionStore(
                request.COOKIES[settings.SESSION_COOKIE_NAME]
            )
            user = auth.get_user(probe)
        request._is_staff = bool(user and user.is_active and user.is_staff)
    return request._is_staff


def is_public(request) -> bool:
    """An anonymous reader's GET or HEAD: any shared cache may keep the answer."""
    return request.method in ("GET", "HEAD") and not is_staff(request)


def page_key(request) -> str:
    """The stored copy's name: the content version and the page's whole address, its host
    included (the feed and the sitemap write absolute links)."""
    version = content_version()
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"page:{version.timestamp() if version else 0}:{address}"


def may_store_variant(request) -> bool:
    """Whether another variant of this address (a query such as ``?year=2023``) may be stored:
    at most PAGE_CACHE_VARIANTS for each address and content version, so that queries with
    values no link gives (searches, page numbers, made-up years) cannot fill the cache. The
    address with no query is always stored."""
    if not request.META.get("QUERY_STRING"):
        return True
    version = content_version()
    counter = f"variants:{version.timestamp() if version else 0}:{request.get_host()}{request.path}"
    cache.add(counter, 0, settings.PAGE_CACHE_SECONDS)
    try:
        return cache.incr(counter) <= settings.PAGE_CACHE_VARIANTS
    except ValueError:  # evicted in between
        return False


def cached_for_the_public(view):
    """Cache-Control for every public answer, 304s included: anonymous readers' may be kept by
    browsers for PUBLIC_CACHE_MAX_AGE seconds and by a shared cache in front (deploy/nginx.conf)
    for PUBLIC_CACHE_S_MAXAGE, then served stale for up to PUBLIC_CACHE_STALE_WHILE_REVALIDATE
    while it asks again; staff answers and previews are kept nowhere. Marks an anonymous
    reader's page as one PublicPageCacheMiddleware may store."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if is_public(request):
            patch_cache_control(
                response,
                public=True,
                max_age=settings.PUBLIC_CACHE_MAX_AGE,
                s_maxage=settings.PUBLIC_CACHE_S_MAXAGE,
                stale_while_revalidate=settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE,
            )
            response.public_cacheable = True
        else:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper


def content_last_modified(request, *args, **kwargs) -> datetime.datetime | None:
    return content_version()


def public_page(view):
    """Every public page and data file: Last-Modified from the content version (so scheduled
    publications count), 304 to a conditional request, the Cache-Control above, and a stored
    copy for anonymous readers. ConditionalGetMiddleware adds the ETag."""
    wrapper = cached_for_the_public(condition(last_modified_func=content_last_modified)(view))
    wrapper.public_page = True
    return wrapper


class PublicPageCacheMiddleware:
    """Answers anonymous readers from the stored copy of the page for the current content
    version before the rest of the stack runs, so a cached page costs about what a static file
    does. Stores the page with every header the stack gave it (CSP, Cache-Control, Last-Modified
    …) and its ETag, which a HEAD request's answer is given here: GET and HEAD share the copy.

    On the way in it also drops the query parameters the page's view does not read (see
    ``QUERY_PARAMETERS``; ``preview`` is kept for staff only), for everyone; the answer to an
    address that had any says s-maxage=0, so that a shared cache in front does not keep a copy
    for every made-up address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        parameters = public_page_parameters(get_urlconf(settings.ROOT_URLCONF), request.path_info)
        if parameters is None:
            return self.get_response(request)
        try:
            staff = is_staff(request)
        except DATABASE_UNAVAILABLE:
            return self.get_response(request)  # the view answers 503 (DatabaseUnavailableMiddleware)
        own_address = keep_only(request, parameters + (("preview",) if staff else ()))
        response = self.get_response(request) if staff else self.public_answer(request)
        if not own_address and response.get("Cache-Control", "").startswith("public"):
            # The page under another address: a shared cache in front need not keep it there.
            patch_cache_control(response, s_maxage=0)
        return response

    def public_answer(self, request):
        if settings.PAGE_CACHE_SECONDS <= 0:
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
            and may_store_variant(request)
        ):
            if not response.has_header("ETag"):
                set_response_etag(response)  # ConditionalGetMiddleware gives GET answers theirs
            cache.set(key, (response.content, list(response.items())), settings.PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def replay(request, content, headers):
        """The stored page, or 304 to a conditional request it satisfies (If-None-Match or
        If-Modified-Since, as ConditionalGetMiddleware would answer it)."""
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        if not any(name in request.META for name in CONDITIONAL_HEADERS):
            return response
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )
