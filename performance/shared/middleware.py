"""Answer 503 with a friendly page while the database cannot be reached.

A view (or the ``condition`` decorator's Last-Modified lookup, or a template's context processor,
which all run inside the view) that cannot reach the database raises Django's
``OperationalError`` or ``InterfaceError``. This middleware turns those into a 503 with
``Retry-After`` instead of a 500, and never shows the error itself: it goes to the log.

Recovery needs nothing from here: ``conn_health_checks`` (see settings) checks a reused
connection before the request uses it and replaces a dead one, so the first request after the
database returns is served normally.

``PermissionsPolicyMiddleware`` adds the Permissions-Policy header to every response.
"""

import logging

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

try:  # psycopg's own errors, should one ever escape Django's wrapping
    from psycopg import InterfaceError as PsycopgInterfaceError
    from psycopg import OperationalError as PsycopgOperationalError
except ImportError:  # pragma: no cover - psycopg is a dependency
    PsycopgInterfaceError = PsycopgOperationalError = OperationalError

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PsycopgOperationalError, PsycopgInterfaceError)
RETRY_AFTER_SECONDS = 60

# Served if the template itself cannot be rendered (e.g. a missing static files manifest).
FALLBACK_PAGE = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Temporarily unavailable</title></head>
<body>
<h1>Sorry, the figures are temporarily unavailable</h1>
<p>Please try again in a few minutes.</p>
<p><strong>In an emergency always dial 999.</strong></p>
</body>
</html>
"""


def database_unavailable_page() -> str:
    """The 503 page, rendered without a request so that no context processor touches the
    database."""
    try:
        return render_to_string("503.html")
    except Exception:
        logger.exception("The 503 page could not be rendered; serving the plain fallback.")
        return FALLBACK_PAGE


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        logger.error(
            "Database unavailable: %s %s answered 503 (%s: %s)",
            request.method,
            request.path,
            type(exception).__name__,
            str(exception).strip(),
        )
        response = HttpResponse(database_unavailable_page(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header (settings.PERMISSIONS_POLICY) to every response: pages,
    stored copies, static files, the admin, errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
