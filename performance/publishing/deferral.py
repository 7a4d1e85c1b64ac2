"""Writes in bulk (an import, a recomputation) defer the work each single write would set off —
the 999 ranks' recomputation, the content version's bump — and do it once at the end."""

import contextlib
import contextvars

_deferred: contextvars.ContextVar = contextvars.ContextVar("recomputation_deferred", default=False)


@contextlib.contextmanager
def recomputation_deferred():
    """Skip per-row recomputation (e.g. during an import that recomputes once at the end)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def recomputation_is_deferred() -> bool:
    return _deferred.get()
