"""Settings for the test suite: production settings with a throwaway key and plain static storage."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("READ_DOTENV", "0")  # a developer's .env does not change what the tests check
os.environ.setdefault("TASK_BACKEND", "immediate")  # tasks run at once, where they are queued

from .settings import *  # noqa: E402,F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Tests change rows directly (QuerySet.update) and expect to see it: tests of the page cache
# switch it on themselves.
PAGE_CACHE_SECONDS = 0
# Uploaded files (the demo data's documents among them) go to a folder of the run's own.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="pcc-test-media-"))
# Tasks run in the test process (at once, or by a worker in a thread of a browser test), so
# their progress is kept in its memory.
CACHES = {
    **CACHES,  # noqa: F405
    "progress": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "progress"},
}
