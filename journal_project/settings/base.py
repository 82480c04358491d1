"""Settings shared by every profile, read from the environment (and an optional `.env`).

Two modes come out of one file:

* the embedded default (no DATABASE_URL / REDIS_URL / CELERY_BROKER_URL): a SQLite
  file, Django's local-memory cache and Celery tasks run inline, so `make run` works on
  a bare machine;
* the real stack: PostgreSQL through psycopg 3, Redis through django-redis, Celery on
  the configured broker.

Every variable is documented in docs/configuration.md and .env.example.
"""

from __future__ import annotations

import email.utils
import json
import re
import zoneinfo
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from journal_project.environment import ConfigurationError, Env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Every value is read strictly (journal_project/environment.py): a true/false that is
# neither, a number outside the range documented in docs/configuration.md, stops the
# process at start with one line naming the variable and what it accepts.
env = Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

# Upper bounds for the ranges below: generous, but within what Python's timedelta and
# datetime, Redis's EXPIRE and the socket calls take (a larger value failed later, at the
# first request that used it, or silently turned the cache off).
HOUR = 3600
DAY = 24 * HOUR
YEAR = 365 * DAY
CENTURY_DAYS = 36_500


def _url_port(name: str, url: str) -> None:
    """A port that is not a number from 1 to 65535 is refused here, not at the first connection."""
    try:
        urlsplit(url).port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        raise env.refuse(name, "a URL whose port is a number from 1 to 65535") from None


# DRF reads a rate as "<requests>/<period>" and looks the period's first letter up, on
# the first request that meets the throttle: `THROTTLE_SEARCH=lots` (or `60 / min`,
# `60/MIN`) made every entry list a 500, searching or not, and `manage.py check` passed.
_THROTTLE_RATE = re.compile(r"[0-9]+/[smhd][a-z]*")


def _throttle_rate(name: str, default: str) -> str:
    rate = "".join(env.str(name, default=default).split()).lower()
    if not _THROTTLE_RATE.fullmatch(rate):
        raise env.refuse(name, "a number of requests per second, minute, hour or day, e.g. 10/min or 5/hour")
    return rate


def _http_url(name: str, example: str) -> str:
    """An http(s) URL with a host, or empty (off)."""
    url = env.str(name, default="")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise env.refuse(name, f"an http(s) URL such as {example}, or empty")
        _url_port(name, url)
    return url


def _email_address(
    name: str,
    value: str,
    accepts: str = "an e-mail address such as journal@example.org, or `Journal <journal@example.org>`",
) -> str:
    """An address, bare or with a display name (`Journal <journal@example.org>`)."""
    try:
        validate_email(email.utils.parseaddr(value)[1])
    except ValidationError:
        raise env.refuse(name, accepts) from None
    return value


def _crisis_resources(default: list[dict[str, str]]) -> list[dict[str, str]]:
    """A JSON list of {"name", "contact"}: anything else made the crisis reply fall back to
    two generic lines (sessions_app/companion/safety.py), with no sign of why."""
    if env.given("CRISIS_RESOURCES") is None:
        return default
    try:
        resources = json.loads(env.str("CRISIS_RESOURCES"))
    except ValueError:
        resources = None
    usable = isinstance(resources, list) and bool(resources)
    for resource in resources if usable else []:
        fields = [resource.get(key) for key in ("name", "contact")] if isinstance(resource, dict) else [None]
        if not all(isinstance(field, str | None) for field in fields) or not any(
            isinstance(field, str) and field.strip() for field in fields
        ):
            usable = False
    if not usable:
        raise env.refuse(
            "CRISIS_RESOURCES",
            'a JSON list of {"name": …, "contact": …}, e.g. [{"name": "Samaritans", "contact": "116 123"}]',
        )
    return resources


def _hosts(name: str, default: list[str]) -> list[str]:
    """A comma-separated list, spaces around each item dropped (`a, b` meant a host " b")."""
    values = env.list(name, default=default)
    if not values:
        raise env.refuse(name, "a comma-separated list of host names, e.g. journal.example.org,127.0.0.1")
    return values


# --- Core -------------------------------------------------------------------------

# The base profile is for development and the embedded default; production.py
# replaces this with a required value and refuses to start without it.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-change-me-0123456789abcdef")
DEBUG = env.bool("DEBUG", default=False)
# Set but empty, Django answered every request "Bad request" (400).
ALLOWED_HOSTS = _hosts("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Checked here, not only by `manage.py check` (which gunicorn does not run): an origin
# without its scheme never matches, and every form posted through the proxy was a 403.
for _origin in CSRF_TRUSTED_ORIGINS:
    if not re.fullmatch(r"https?://[^/\s]+", _origin):
        raise env.refuse(
            "CSRF_TRUSTED_ORIGINS",
            "a comma-separated list of origins with their scheme, e.g. https://journal.example.org",
        )
CSRF_FAILURE_VIEW = "journal_project.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # Third party
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "django_guid",
    "csp",
    # Ours
    "journal_project.apps.CoreConfig",
    "journal_project.accounts",
    "entries",
    "sessions_app",
    "monitoring",
]

MIDDLEWARE = [
    # At the top, so a request's recorded time covers the whole middleware stack (and the
    # cache writes sent when the request ends).
    "monitoring.middleware.RequestMetricsMiddleware",
    "journal_project.middleware.CacheRequestStateMiddleware",
    "journal_project.middleware.HeadWithoutBodyMiddleware",
    # Before anything reads the body (CSRF reads a form's): a chunked one gets its length,
    # and stays readable until UnreadBodyMiddleware, inside it, is done.
    "journal_project.middleware.ChunkedBodyMiddleware",
    "journal_project.middleware.UnreadBodyMiddleware",
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware, the first to validate the Host: load balancers probe by IP.
    "journal_project.middleware.ProbeMiddleware",
    "journal_project.middleware.CommonMiddleware",
    # After the Host check and the request id, so its 415 has them like any answer.
    "journal_project.middleware.RequestContentEncodingMiddleware",
    "journal_project.middleware.AdminNulParameterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, also checking that a browser session read from Redis still exists in PostgreSQL.
    "journal_project.accounts.middleware.SessionAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "journal_project.accounts.middleware.UserTimezoneMiddleware",
    "journal_project.accounts.middleware.PrivatePagesMiddleware",
    # Last, so it sees the outcome of the authentication and lockout backends.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "journal_project.urls"
WSGI_APPLICATION = "journal_project.wsgi.application"
ASGI_APPLICATION = "journal_project.asgi.application"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------

DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    # A typo in the URL must stop the process at start with what is wrong, not fail later
    # with a KeyError (no scheme) or Django's list of its backends (an unknown one). The
    # scheme is checked before django-environ reads the URL, which warns about it first.
    _engine = env.DB_SCHEMES.get(urlsplit(DATABASE_URL).scheme)
    if _engine not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise env.refuse(
            "DATABASE_URL", "a PostgreSQL URL such as postgres://user:password@host:5432/name (docs/configuration.md)"
        )
    _url_port("DATABASE_URL", DATABASE_URL)
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(BASE_DIR / "var" / "journal.sqlite3")),
            "OPTIONS": {
                # WAL lets the page and the inline Celery task read while another
                # request writes; the timeout covers short write overlaps.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 10,
            },
        }
    }
if not DATABASES["default"]["NAME"]:
    raise env.refuse("SQLITE_PATH", "the path of the SQLite file, e.g. var/journal.sqlite3")
DATABASES["default"].setdefault(
    "CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60, minimum=0, maximum=DAY, unit="seconds")
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3, minimum=1, maximum=HOUR, unit="seconds")
    )
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # Every request runs the same few statements; PostgreSQL spent longer planning the
        # authentication query than running it (docs/performance.md). A statement run five
        # times on a connection is prepared there and planned once. Needs server-side
        # binding (a client-side bound query is new text every time). Off behind a
        # pooler in transaction mode that cannot track prepared statements.
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
    # Django's backend with a health check that polls the socket instead of a round trip.
    DATABASES["default"]["ENGINE"] = "journal_project.db.postgresql"
USES_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Checked at start: redis-py refuses another scheme only when the first command runs
    # (every cache call then failed, and /health/ answered a 500 traceback), and it reads a
    # path that is not a number as database 0, another deployment's, say.
    _redis_url = urlsplit(REDIS_URL)
    if _redis_url.scheme not in ("redis", "rediss", "unix"):
        raise env.refuse(
            "REDIS_URL", "a URL starting with redis://, rediss:// (TLS) or unix://, e.g. redis://127.0.0.1:6379/0"
        )
    if _redis_url.scheme != "unix" and not re.fullmatch(r"/?(\d+)?", _redis_url.path):
        raise env.refuse(
            "REDIS_URL", "a URL whose path is a database number, e.g. redis://127.0.0.1:6379/0 for database 0"
        )
    _url_port("REDIS_URL", REDIS_URL)
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="journal")
_CACHE_DEFAULT_TIMEOUT = env.int("CACHE_DEFAULT_TIMEOUT", default=300, minimum=1, maximum=YEAR, unit="seconds")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "journal_project.cache_backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": _CACHE_DEFAULT_TIMEOUT,
            "OPTIONS": {
                # django-redis's client, plus get/set of values that are bytes already
                # (the read cache's), stored without serializing them again.
                "CLIENT_CLASS": "journal_project.cache_backend.BytesClient",
                "PARSER_CLASS": "redis.connection._HiredisParser",
                # msgpack + lz4: compact values that decode faster than pickle and
                # cannot execute code if someone writes to the cache.
                "SERIALIZER": "django_redis.serializers.msgpack.MSGPackSerializer",
                "COMPRESSOR": "django_redis.compressors.lz4.Lz4Compressor",
                "SOCKET_CONNECT_TIMEOUT": env.float(
                    "REDIS_CONNECT_TIMEOUT", default=0.25, above=0, maximum=HOUR, unit="seconds"
                ),
                "SOCKET_TIMEOUT": env.float(
                    "REDIS_SOCKET_TIMEOUT", default=0.25, above=0, maximum=HOUR, unit="seconds"
                ),
                "CONNECTION_POOL_KWARGS": {
                    "max_connections": env.int("REDIS_MAX_CONNECTIONS", default=50, minimum=1, maximum=100_000),
                    "health_check_interval": 30,
                    "retry_on_timeout": False,
                },
                # A Redis outage must degrade to PostgreSQL, never fail a request.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "journal-default",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": _CACHE_DEFAULT_TIMEOUT,
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False  # our backend logs them, rate-limited
# Seconds the app stops talking to Redis after a failure (the circuit breaker).
CACHE_BREAKER_COOLDOWN = env.float("CACHE_BREAKER_COOLDOWN", default=5.0, above=0, maximum=HOUR, unit="seconds")
# Turns the read-path cache off without changing the code path (benchmarks, debugging).
JOURNAL_CACHE_ENABLED = env.bool("JOURNAL_CACHE_ENABLED", default=True)
JOURNAL_CACHE_TTL = env.int("JOURNAL_CACHE_TTL", default=3600, minimum=1, maximum=YEAR, unit="seconds")
# The process-local first level in front of Redis, per process: bounded in values and in
# bytes, whichever binds first. The bytes bound is what sizes it (encoded values average
# a few KiB; a rendered list page is ~40 KiB), the count only caps bookkeeping.
JOURNAL_CACHE_LOCAL_ENTRIES = env.int("JOURNAL_CACHE_LOCAL_ENTRIES", default=20_000, minimum=0, maximum=10_000_000)
JOURNAL_CACHE_LOCAL_BYTES = env.int("JOURNAL_CACHE_LOCAL_MB", default=64, minimum=0, maximum=1024 * 1024) * 1024 * 1024

# `cached_db` whose copy in Redis cannot outlive a change it missed (journal_project/sessions.py).
SESSION_ENGINE = "journal_project.sessions"

# --- Celery -----------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
if CELERY_BROKER_URL:
    # kombu reads an unknown scheme (or none) when the first task is queued: every queued
    # task then took its fallback with "Could not queue", and the worker did not start.
    if urlsplit(CELERY_BROKER_URL).scheme not in {"redis", "rediss", "amqp", "amqps", "pyamqp", "sentinel"}:
        raise env.refuse(
            "CELERY_BROKER_URL",
            "a Redis or RabbitMQ URL such as redis://127.0.0.1:6379/1 or amqp://guest:guest@127.0.0.1:5672//",
        )
    _url_port("CELERY_BROKER_URL", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120, minimum=1, maximum=DAY, unit="seconds")
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=90, minimum=1, maximum=DAY, unit="seconds")
# A soft limit at or past the hard one never fires: the task is killed without its chance to clean up.
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise env.refuse(
        "CELERY_TASK_SOFT_TIME_LIMIT", f"fewer seconds than CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT})"
    )
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that answers with an error instead of dropping the connection (Redis out of
# memory under `noeviction`, a read-only replica after a failover) made the worker exit
# for good ("Unrecoverable error") at its next start or reconnect: it retries as for a
# lost connection instead, and consumes again once the broker accepts writes.
CELERY_BROKER_CHANNEL_ERROR_RETRY = True
CELERY_BROKER_SOCKET_TIMEOUT = env.float(
    "CELERY_BROKER_SOCKET_TIMEOUT", default=1.0, above=0, maximum=HOUR, unit="seconds"
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # Redis as the broker: without a socket timeout a publish waits for Redis's reply for
    # ever, so a hung Redis (paused, a silent network) held every request that queues a
    # task (a message for the language model, a long entry, an import) for as long as the
    # hang lasted, until no thread was left to answer even the readiness probe. With it,
    # the publish fails and the request takes its fallback (the offline reply, scoring
    # in the request). RabbitMQ's transport ignores both (it has its own timeouts).
    "socket_timeout": CELERY_BROKER_SOCKET_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_SOCKET_TIMEOUT,
}
# One retry (a pooled connection to a Redis that restarted fails once, then reconnects),
# not Celery's three: with the timeout above a request waits at most about two of them.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TIMEZONE = "UTC"
# django-celery-beat's, keeping the schedules edited in the admin across restarts (journal_project/beat.py).
CELERY_BEAT_SCHEDULER = "journal_project.beat:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Filled by the apps (each adds its periodic tasks in its AppConfig.ready()).
CELERY_BEAT_SCHEDULE: dict = {}
# Monitoring (docs/monitoring.md): a Redis probe, the minute roll-up into PostgreSQL, the
# target evaluation, and pruning. An expiry keeps a backlogged queue (no worker running)
# from piling them up and running them in a burst when a worker returns. It is
# `expire_seconds`, not Celery's `expires`: the DatabaseScheduler copies the schedule into
# its table and keeps only the options it has columns for (`expires` was dropped silently).
CELERY_BEAT_SCHEDULE["monitoring-probe-redis"] = {
    "task": "monitoring.tasks.probe_redis",
    "schedule": timedelta(seconds=15),
    "options": {"expire_seconds": 15},
}
CELERY_BEAT_SCHEDULE["monitoring-rollup"] = {
    "task": "monitoring.tasks.rollup_windows",
    "schedule": timedelta(minutes=1),
    "options": {"expire_seconds": 60},
}
CELERY_BEAT_SCHEDULE["monitoring-evaluate"] = {
    "task": "monitoring.tasks.evaluate_targets",
    "schedule": timedelta(minutes=1),
    "options": {"expire_seconds": 60},
}
CELERY_BEAT_SCHEDULE["monitoring-prune"] = {
    "task": "monitoring.tasks.prune_snapshots",
    "schedule": timedelta(hours=6),
}
CELERY_BEAT_SCHEDULE["entries-prune-tombstones"] = {
    "task": "entries.tasks.tombstones_prune",
    "schedule": timedelta(hours=6),
}
# Expired browser sessions and login records older than LOGIN_RECORDS_DAYS (docs/operations.md).
CELERY_BEAT_SCHEDULE["accounts-prune"] = {
    "task": "journal_project.accounts.tasks.accounts_prune",
    "schedule": timedelta(hours=24),
    "options": {"expire_seconds": 3600},
}
# Idempotency-Key records older than IDEMPOTENCY_KEY_TTL_HOURS (docs/api.md, Retrying writes).
CELERY_BEAT_SCHEDULE["core-prune-idempotency-records"] = {
    "task": "journal_project.tasks.idempotency_records_prune",
    "schedule": timedelta(hours=1),
    "options": {"expire_seconds": 3600},
}
# Reflection sessions idle longer than SESSION_IDLE_MINUTES become "abandoned" (docs/companion.md).
CELERY_BEAT_SCHEDULE["sessions-abandon-idle"] = {
    "task": "sessions_app.tasks.sessions_abandon_idle",
    "schedule": timedelta(minutes=10),
    "options": {"expire_seconds": 600},
}
# A person's message whose reply task was lost gets the offline companion's reply (docs/companion.md).
CELERY_BEAT_SCHEDULE["sessions-answer-overdue"] = {
    "task": "sessions_app.tasks.companion_replies_overdue",
    "schedule": timedelta(minutes=1),
    "options": {"expire_seconds": 60},
}

# --- Auth and accounts ------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "journal_project.accounts.backends.JournalModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

API_TOKEN_TTL = timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30, minimum=1, maximum=CENTURY_DAYS, unit="days"))

# Failed logins are counted in the database: a count in Redis failed open while Redis was
# down (the cache degrades to misses), which let anyone who could slow Redis down guess
# passwords without limit. A failed login is rare enough that a row per failure costs nothing.
AXES_HANDLER = "journal_project.accounts.lockout.PrivateDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10, minimum=1, maximum=1_000_000)
AXES_COOLOFF_TIME = timedelta(
    minutes=env.int("AXES_COOLOFF_MINUTES", default=15, minimum=1, maximum=YEAR // 60, unit="minutes")
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failures count against the account, whatever the case the name was typed in.
AXES_USERNAME_CALLABLE = "journal_project.accounts.backends.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "journal_project.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Masked in the failed-login records the admin shows: `next` is the page the person was
# on (a search of their journal, say) and the CSRF token a secret of their browser.
AXES_SENSITIVE_PARAMETERS = ["password", "token", "next", "csrfmiddlewaretoken"]
# The client's address as the throttles see it (NUM_PROXIES), not the proxy's.
AXES_CLIENT_IP_CALLABLE = "journal_project.accounts.lockout.client_ip"
# Days the sign-in records (address and browser of each login, failed or not) are kept.
LOGIN_RECORDS_DAYS = env.int("LOGIN_RECORDS_DAYS", default=90, minimum=1, maximum=CENTURY_DAYS, unit="days")

# --- Internationalisation ---------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# Django refuses an unknown zone too, but with a ValueError and a traceback.
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (ValueError, zoneinfo.ZoneInfoNotFoundError):
    raise env.refuse("TIME_ZONE", "a time zone name such as UTC or Europe/Berlin") from None
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------

STATIC_URL = "/static/"
# Where `collectstatic` puts them for the production profile (served by WhiteNoise from there).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "journal_project" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app directories, so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024, minimum=1024, maximum=1024**3, unit="bytes"
)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int(
    "FILE_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024, minimum=0, maximum=1024**3, unit="bytes"
)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# --- Security headers (tightened further in production.py) -------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# No 'unsafe-inline' anywhere: every script and style is a static file (one exception: a
# style Swagger UI sets on the API docs page, allowed by its hash; journal_project/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- API --------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "journal_project.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON, encoded by orjson (a tenth of the CPU on a page of entries).
    "DEFAULT_RENDERER_CLASSES": ["journal_project.api.renderers.FastJSONRenderer"],
    # DRF's, reading `q=0` as "not acceptable" (a 406), which DRF's own ignores.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "journal_project.api.negotiation.QualityContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "journal_project.api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "journal_project.api.pagination.JournalPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "journal_project.api.schema.JournalAutoSchema",
    "EXCEPTION_HANDLER": "journal_project.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": _throttle_rate("THROTTLE_AUTH", "10/min"),
        "search": _throttle_rate("THROTTLE_SEARCH", "60/min"),
        "companion": _throttle_rate("THROTTLE_COMPANION", "30/min"),
        "export": _throttle_rate("THROTTLE_EXPORT", "10/hour"),
        "import": _throttle_rate("THROTTLE_IMPORT", "10/hour"),
        # Password reset e-mails, per client IP and, separately, per address asked for.
        "password_reset": _throttle_rate("THROTTLE_PASSWORD_RESET", "5/hour"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0, minimum=0, maximum=20),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Journal API",
    "DESCRIPTION": "The API for mobile clients: entries, insights, reflection sessions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come from drf-spectacular-sidecar, served by us: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Three answers have a "status" field with different choices: name them apart.
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "sessions_app.models.ReflectionSession.Status",
        "TargetStatusEnum": "monitoring.models.TargetStatus",
        "MessagePostStatusEnum": "sessions_app.api.serializers.MESSAGE_POST_STATUSES",
    },
}

# --- Product settings -------------------------------------------------------------

# Operators see metadata in the admin; journal text only when this is switched on.
JOURNAL_ADMIN_SHOWS_CONTENT = env.bool("JOURNAL_ADMIN_SHOWS_CONTENT", default=False)
# Full-text search: the PostgreSQL text search configuration (after a change, run
# `manage.py entries_reindex`), and how long deletions stay visible to `updated_since`.
JOURNAL_SEARCH_CONFIG = env.str("JOURNAL_SEARCH_CONFIG", default="english")
# The name goes into SQL (entries/search.py checks it again there): refused at start, not at migrate.
if not re.fullmatch(r"[a-z_][a-z0-9_]*", JOURNAL_SEARCH_CONFIG):
    raise env.refuse("JOURNAL_SEARCH_CONFIG", "a text search configuration name such as english or simple")
JOURNAL_TOMBSTONE_DAYS = env.int("JOURNAL_TOMBSTONE_DAYS", default=90, minimum=1, maximum=CENTURY_DAYS, unit="days")
# How long an Idempotency-Key's answer is kept for replays (docs/api.md, Retrying writes).
IDEMPOTENCY_KEY_TTL_HOURS = env.int(
    "IDEMPOTENCY_KEY_TTL_HOURS", default=24, minimum=1, maximum=CENTURY_DAYS * 24, unit="hours"
)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Refused at start: `manage.py check` warned (sessions_app.W001), but gunicorn runs no
# checks, and every reply then came from the offline companion.
AI_PROVIDER_URL = _http_url("AI_PROVIDER_URL", "http://127.0.0.1:11434/v1")
AI_MODEL = env.str("AI_MODEL", default="")
AI_API_KEY = env.str("AI_API_KEY", default="")
# The companion (docs/companion.md): provider call limits, idle sessions, crisis resources.
AI_TIMEOUT = env.float("AI_TIMEOUT", default=20.0, above=0, maximum=HOUR, unit="seconds")
AI_MAX_RETRIES = env.int("AI_MAX_RETRIES", default=2, minimum=0, maximum=10)
AI_RETRY_BACKOFF = env.float("AI_RETRY_BACKOFF", default=1.0, minimum=0, maximum=HOUR, unit="seconds")
# Without a broker the reply is written inside the person's request: one attempt, this
# long at most, then the offline companion (no retries: someone is waiting).
AI_INLINE_TIMEOUT = env.float("AI_INLINE_TIMEOUT", default=5.0, above=0, maximum=HOUR, unit="seconds")
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=180, minimum=1, maximum=YEAR // 60, unit="minutes")
# A JSON list of {"name": ..., "contact": ...}; the default works in any country.
CRISIS_RESOURCES = _crisis_resources(
    [
        {
            "name": "Emergency services",
            "contact": "your local emergency number (112 in the EU, 911 in North America, 999 in the UK)",
        },
        {"name": "Find a Helpline (free, confidential lines worldwide)", "contact": "https://findahelpline.com"},
        {"name": "Befrienders Worldwide", "contact": "https://www.befrienders.org"},
        {"name": "988 Suicide & Crisis Lifeline (USA)", "contact": "call or text 988"},
        {"name": "Samaritans (UK and Ireland)", "contact": "call 116 123"},
    ]
)
# Refused here: the alert task only logged "must be an http(s) URL" when a violation came.
ALERT_WEBHOOK_URL = _http_url("ALERT_WEBHOOK_URL", "https://hooks.example.org/journal")
# Monitoring (docs/monitoring.md). Off removes every collection hook (near-zero cost).
MONITORING_ENABLED = env.bool("MONITORING_ENABLED", default=True)
# Seconds between the flushes of each process's in-memory aggregates to Redis.
MONITORING_FLUSH_INTERVAL = env.float(
    "MONITORING_FLUSH_INTERVAL", default=5.0, minimum=0.5, maximum=HOUR, unit="seconds"
)
# Days of per-minute metric snapshots kept in the database.
MONITORING_RETENTION_DAYS = env.int(
    "MONITORING_RETENTION_DAYS", default=30, minimum=1, maximum=CENTURY_DAYS, unit="days"
)

# --- Email ------------------------------------------------------------------------

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# EMAIL_URL (smtp://user:password@host:25, smtp+tls://…:587, smtp+ssl://…:465) sets the
# backend, host, port, credentials and TLS in one variable, as DATABASE_URL does.
if env.str("EMAIL_URL", default=""):
    # django-environ said "Invalid email schema " (an empty scheme) or "Port could not be
    # cast to integer value", naming no variable.
    try:
        _url_port("EMAIL_URL", env.str("EMAIL_URL"))
        vars().update(env.email_url("EMAIL_URL"))
    except ConfigurationError:
        raise
    except Exception:
        raise env.refuse(
            "EMAIL_URL", "a mail server URL: smtp://host:25, smtp+tls://user:password@host:587 or smtp+ssl://…:465"
        ) from None
EMAIL_TIMEOUT = env.int(
    "EMAIL_TIMEOUT", default=10, minimum=1, maximum=HOUR, unit="seconds"
)  # a hung mail server must not hold a request for ever
# "Forgot your password?" sends a one-time link by email. On by default only when mail
# really leaves the server: with the console backend the link would be written to the
# log, where whoever reads the log could use it.
_EMAIL_REACHES_PEOPLE = EMAIL_BACKEND not in {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}
PASSWORD_RESET_ENABLED = env.bool("PASSWORD_RESET_ENABLED", default=_EMAIL_REACHES_PEOPLE)
PASSWORD_RESET_TIMEOUT = env.int(
    "PASSWORD_RESET_TIMEOUT", default=60 * 60 * 3, minimum=60, maximum=YEAR, unit="seconds"
)  # a link works for 3 hours
# Checked here: a malformed address failed each mail at send time (the SMTP server
# refusing the sender or recipient), an error report or alert lost with it.
DEFAULT_FROM_EMAIL = _email_address("DEFAULT_FROM_EMAIL", env.str("DEFAULT_FROM_EMAIL", default="journal@localhost"))
SERVER_EMAIL = _email_address("SERVER_EMAIL", env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL))
ADMINS = [
    ("Operator", _email_address("ADMIN_EMAILS", address, "comma-separated e-mail addresses such as ops@example.org"))
    for address in env.list("ADMIN_EMAILS", default=[])
]

# --- Logging ----------------------------------------------------------------------

DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": False,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
    "INTEGRATIONS": [],  # Celery integration is added in journal_project.celery
    "UUID_LENGTH": 32,
}
# Upper-cased: gunicorn reads the same variable and takes `warning` as well as `WARNING`,
# where Python's logging stopped the app at start with a traceback for `warning`.
LOG_LEVEL = env.choice(
    "LOG_LEVEL",
    "info",
    ("debug", "info", "warning", "error", "critical"),
    "one of DEBUG, INFO, WARNING, ERROR, CRITICAL, in any case",
).upper()
# Any case, as LOG_LEVEL: `JSON` or a typo stopped every process with "Unable to set
# formatter 'JSON'" and a traceback; gunicorn reads it too (journal_project/gunicorn.conf.py).
LOG_FORMAT = env.choice("LOG_FORMAT", "json", ("json", "text"), "json or text, in any case")
DEFAULT_EXCEPTION_REPORTER_FILTER = "journal_project.logging.PrivateExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "journal_project.logging.PrivateExceptionReporter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"},
        "request_line_without_query": {"()": "journal_project.logging.RequestLineWithoutQuery"},
    },
    "formatters": {
        "json": {
            "()": "journal_project.logging.PrivateJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["request_id"],
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {"handlers": ["console", "mail_admins"], "level": "WARNING", "propagate": False},
        # The dev server's access log repeats what our request metrics already record.
        "django.server": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
            "filters": ["request_line_without_query"],
        },
        "celery": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django_guid": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "health_check": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # httpx logs every request's full URL at INFO: the language model provider's, with
        # whatever credential its URL carries (`https://user:key@…`, `?key=…`), once per
        # reply. The companion logs its own failures (sessions_app/services.py).
        "httpx": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "httpcore": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Python's warnings (Django routes them to logging): through this handler, so they
        # are JSON lines too, where Django's own handler for them printed plain text.
        "py.warnings": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
