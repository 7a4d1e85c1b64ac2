"""Test-wide settings: a throwaway secret key, so tests run with DEBUG off as production does."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
