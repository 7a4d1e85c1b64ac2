"""Settings for the OPCC performance site, read from the environment (and a local ``.env``).

SQLite is the embedded default; set ``DATABASE_URL`` for PostgreSQL. With ``DEBUG`` off (the
default) the site refuses to start without a real ``SECRET_KEY``. See ``.env.example``.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A developer's checkout keeps its settings in .env in the directory commands run from (the file
# `make` reads; `make run` writes one with DEBUG=1 and a generated SECRET_KEY). Variables already
# in the environment win. Servers have no .env and are configured by their environment alone; the
# tests set READ_DOTENV=0 so a developer's .env cannot change what they check.
if env_bool("READ_DOTENV", default=True):
    load_dotenv(Path.cwd() / ".env", override=False)

DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (see .env.example); "
            "only a DEBUG=1 development server may run without one."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "pcc_site.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "django_tables2",
    "import_export",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_prose_editor",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "performance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "performance.shared.middleware.PermissionsPolicyMiddleware",
    "performance.shared.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "performance.publishing.caching.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "performance.publishing.gate.ActingUserMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pcc_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "performance.site.context_processors.site_settings",
            ],
        },
    },
]

WSGI_APPLICATION = "pcc_site.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Writers queue for the lock instead of failing at once with "database is locked": each
    # transaction takes the write lock when it starts, and waits up to 20 s for it. In WAL mode
    # readers never wait for a writer: the staff's pages (an import job's progress among them)
    # still answer while the worker writes a million rows in one transaction (`make bench-upload`).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The site's data fits in memory and on SSDs, where PostgreSQL's default random_page_cost (4,
    # for spinning disks) makes the planner read every document's search vector rather than use
    # the GIN index: a library search took 41 ms instead of 13 (`make bench`, 5,000 documents).
    pg_options = os.environ.get("PG_OPTIONS", "-c random_page_cost=1.1")
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", pg_options)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Long work (reading and importing a large release, a document's words) runs as a background
# task (django-tasks, the backport of Django 6's django.tasks): queued in the database and run by
# `manage.py db_worker` (make run starts one beside the server). TASK_BACKEND=immediate runs each
# task at once, inside the request that queues it (the test suite's default).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("TASK_BACKEND", "database") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# Uploaded files (documents, releases waiting for their confirmation) are kept where every app
# server and the worker can read them: a shared folder (MEDIA_ROOT), or S3-compatible storage
# with MEDIA_STORAGE=s3 (django-storages; pip install ".[s3]"). The bucket, and for storage other
# than AWS its endpoint and region, come from the environment here (django-storages reads them
# from settings only); the keys, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, django-storages
# reads from the environment itself (without them boto3 looks for an instance role or ~/.aws).
if os.environ.get("MEDIA_STORAGE") == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME, the bucket to keep files in."
        )
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Public pages are cached for anonymous readers (performance/publishing/caching.py). Local memory by
# default; Redis, shared by every app server, when CACHE_URL or REDIS_URL is set.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}}
    )
}
# The progress of background tasks (an import's stage and rows read), written by the worker and
# read by the web processes (performance/imports/jobs.py says why not the database): Redis when
# CACHE_URL or REDIS_URL is set, shared by every machine; otherwise files in PROGRESS_DIR, shared
# by every process on this one (local memory would not be: the worker is a process of its own).
CACHES["progress"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "progress",
    }
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": Path(os.environ.get("PROGRESS_DIR", BASE_DIR / ".progress")),
        "OPTIONS": {"MAX_ENTRIES": 1000},
    }
)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# At most this many variants of one address with a query (?year=2023, a search) are stored per
# content version; the address without a query always is.
PAGE_CACHE_VARIANTS = int(os.environ.get("PAGE_CACHE_VARIANTS", "200"))
# Cache-Control for anonymous readers' pages and data files: browsers keep them PUBLIC_CACHE_MAX_AGE
# seconds; a shared cache in front (deploy/nginx.conf) PUBLIC_CACHE_S_MAXAGE, then may answer
# with the stale copy for PUBLIC_CACHE_STALE_WHILE_REVALIDATE more while it asks again. So a
# published change is shown through the shared cache within PUBLIC_CACHE_MAX_AGE; a browser may
# keep the copy it already had for up to PUBLIC_CACHE_MAX_AGE after it fetched it.
PUBLIC_CACHE_MAX_AGE = int(os.environ.get("PUBLIC_CACHE_MAX_AGE", "60"))
PUBLIC_CACHE_S_MAXAGE = int(os.environ.get("PUBLIC_CACHE_S_MAXAGE", "30"))
PUBLIC_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("PUBLIC_CACHE_STALE_WHILE_REVALIDATE", "30"))
if PUBLIC_CACHE_S_MAXAGE + PUBLIC_CACHE_STALE_WHILE_REVALIDATE > PUBLIC_CACHE_MAX_AGE:
    raise ImproperlyConfigured(
        "PUBLIC_CACHE_S_MAXAGE + PUBLIC_CACHE_STALE_WHILE_REVALIDATE must not exceed PUBLIC_CACHE_MAX_AGE: "
        "a shared cache would show a change later than browsers do."
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

# Imports are all-or-nothing: never rely on django-import-export's default, which commits the
# valid rows of a file that has invalid ones.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Email, for the review workflow (a draft sent for review, sent back, published): printed on the
# console while DEBUG is on, sent by SMTP once EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "performance-site@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = 10
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:  # no mail server set: the items still wait on the Publishers' home and the review queue
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Importing and exporting need their own permissions (import_<model>, export_<model>), given to
# the Editor and Publisher groups, not merely the right to change a row.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"


# --------------------------------------------------------------------------------------------
# Security. `manage.py check --deploy --fail-level WARNING` passes with DEBUG off.
# --------------------------------------------------------------------------------------------

# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto (see README).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
HTTPS = env_bool("HTTPS", not DEBUG)  # HTTPS=0 only for a plain-HTTP test server
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 8 * 60 * 60  # staff sign in again after eight hours
SESSION_COOKIE_HTTPONLY = True

# The fixed <style> elements the admin's rich text editor (django-prose-editor 0.28.0's Tiptap) adds
# to the page, by their hashes. A new version of the editor may change them: the browser test of rich
# text (tests/browser/test_rich_text_in_browser.py) then fails on the refused styles and names the new hashes.
RICH_TEXT_EDITOR_STYLES = [
    "'sha256-6V0jFG+sl4XTL422gIA4M3FiBc2Xb3Wm+wY/koWzLvs='",
    "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='",
    "'sha256-bM6i/Qb6snN4zpfDg6WZt+vuPtz+OLCqu86Osj+sOCo='",
]

# No inline scripts or styles on any page: charts read their data from JSON script elements. The one
# inline script is the admin rich text editor's import map, allowed by its nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, *RICH_TEXT_EDITOR_STYLES],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}

# The site uses no powerful browser feature: none is allowed, to its pages or anything they frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
    )
)

# Sign-in throttling: five failures for a username from one address locks it for 30 minutes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client address: the one the outermost of TRUSTED_PROXIES reverse proxies saw, read from the
# right of X-Forwarded-For; REMOTE_ADDR with none. No address at all is refused (see client_ip).
TRUSTED_PROXIES = max(0, int(os.environ.get("TRUSTED_PROXIES", "0")))
AXES_CLIENT_IP_CALLABLE = "pcc_site.client_ip.client_ip_address"
AXES_IP_BLACKLIST = ["0.0.0.0"]  # client_ip.UNRESOLVABLE

# Two-factor sign-in (TOTP) for staff: required when REQUIRE_2FA=1.
REQUIRE_2FA = env_bool("REQUIRE_2FA")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "OPCC performance data")
