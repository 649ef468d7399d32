"""Django settings for the Community Intelligence Platform.

One module, every deploy-time value read from the environment. Development
defaults make `make run` work with nothing set (SQLite, in-process Celery,
local-memory cache); with `DJANGO_DEBUG=0` the secrets have no default and a
missing or malformed value stops start-up with a message naming the variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no; got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number; got {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    raw = env_str(name, default) or ""
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Core ------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    # Development only: never used once DEBUG is off (see the check above).
    SECRET_KEY = "dev-insecure-key-for-local-development-only-0123456789abcdefghij"  # noqa: S105
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names.")

SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://; got {SITE_URL!r}.")
# The name people see in every page title and email.
SITE_NAME = env_str("SITE_NAME") or "Community Intelligence Platform"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", SITE_URL)

INSTALLED_APPS = [
    # The admin site signs in through allauth and needs a passed second factor.
    "community.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "community",
    "accounts",
    "intel",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files keep their own, public caching headers.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the path, query, headers or form fields (400 page in the
    # reader's language, so after LocaleMiddleware).
    "community.middleware.RejectUnsafeCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After CommonMiddleware, which has already refused a Host outside ALLOWED_HOSTS.
    "community.links.BaseUrlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "community.headers.ReaderCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "community.urls"
WSGI_APPLICATION = "community.wsgi.application"
ASGI_APPLICATION = "community.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.context_processors.site",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------

try:
    DATABASES = {
        "default": dj_database_url.config(
            env="DATABASE_URL",
            default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE columns) are shaped for PostgreSQL's week scans; SQLite,
# the embedded default, keeps their key columns and ignores the rest, which is fine.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env_str("REDIS_URL", "") or ""
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must be a redis:// URL; got {REDIS_URL!r}.")

# Redis may go away; these keep the site answering when it does. Short
# timeouts make a dead Redis cost milliseconds; after a failure each process
# leaves Redis alone for REDIS_RETRY_AFTER seconds (community.breaker): the
# cache counts in local memory meanwhile (community.cache) and tasks wait in
# the outbox (community.queue).
REDIS_CONNECT_TIMEOUT = env_float("REDIS_CONNECT_TIMEOUT", 0.25)
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", 0.5)
REDIS_RETRY_AFTER = env_float("REDIS_RETRY_AFTER", 5.0)
if min(REDIS_CONNECT_TIMEOUT, REDIS_SOCKET_TIMEOUT) <= 0 or REDIS_RETRY_AFTER < 0:
    raise ImproperlyConfigured(
        "REDIS_CONNECT_TIMEOUT and REDIS_SOCKET_TIMEOUT must be above 0 and "
        "REDIS_RETRY_AFTER 0 or more."
    )

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "community.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cip",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "RETRY_AFTER": REDIS_RETRY_AFTER,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ----------------------------------------------------------------
# Without REDIS_URL tasks run in-process right after the transaction commits,
# so the embedded default needs no broker. With it, real workers consume.

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
# A task not acknowledged within this window is handed to another worker; it
# must exceed the hard time limit or long tasks would run twice. Tests that kill
# a worker set CELERY_VISIBILITY_TIMEOUT low so the task is redelivered quickly.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 2),
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    # Workers wait on BRPOP, which Redis answers within a second: a shorter
    # socket timeout would cut those waits.
    "socket_timeout": max(REDIS_SOCKET_TIMEOUT, 2.0),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Tokyo"
CELERY_ENABLE_UTC = True
# Seconds a worker keeps its tagger before checking for taxonomy edits or new
# analyst corrections (intel.tagging.runtime.current_tagger).
TAGGING_REVISION_CHECK_SECONDS = float(env_int("TAGGING_REVISION_CHECK_SECONDS", 5))
# Compiled tagging automata are kept here between processes, so a short-lived
# `tagtext` loads one instead of compiling it; empty turns the cache off.
TAGGING_CACHE_DIR = env_str("TAGGING_CACHE_DIR", str(BASE_DIR / ".cache" / "tagging")) or ""
# Weekly jobs (digests, briefings) are added here by the apps that own them.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# Tasks that could not be published (broker away) wait in the outbox
# (community.queue); this sweep publishes them once the broker is back.
# Each run expires after one interval, so runs queued while no worker was
# consuming do not pile up.
OUTBOX_FLUSH_SECONDS = env_int("OUTBOX_FLUSH_SECONDS", 60)
if OUTBOX_FLUSH_SECONDS < 1:
    raise ImproperlyConfigured("OUTBOX_FLUSH_SECONDS must be at least 1.")
CELERY_BEAT_SCHEDULE["flush-outbox"] = {
    "task": "community.flush_outbox",
    "schedule": float(OUTBOX_FLUSH_SECONDS),
    "options": {"expires": OUTBOX_FLUSH_SECONDS},
}
# Contributions not tagged with the current taxonomy (after an edit or new
# corrections) are re-tagged in batches by whichever workers are free.
CELERY_BEAT_SCHEDULE["tagging-backlog"] = {
    "task": "intel.tag_backlog",
    "schedule": 300.0,
    "options": {"expires": 300},
}
# Task modules besides each app's tasks.py (autodiscovered).
CELERY_IMPORTS = ("intel.digests.tasks",)
# Digests: Monday 06:00 Asia/Tokyo (CELERY_TIMEZONE), for the week that ended at midnight.
CELERY_BEAT_SCHEDULE["weekly-digests"] = {
    "task": "intel.build_weekly_digests",
    "schedule": crontab(minute="0", hour="6", day_of_week="mon"),
}
# The tagger's learned layer: retrained daily at 03:00 Asia/Tokyo from the
# labelled set and analysts' work; a run with nothing new adds no version.
CELERY_BEAT_SCHEDULE["train-tagger"] = {
    "task": "intel.train_tagger",
    "schedule": crontab(minute="0", hour="3"),
}
# Briefings: Monday 08:00 Asia/Tokyo, after the digests, for the same week.
# Watches that asked for one email a day get the day's matches at 07:00.
CELERY_BEAT_SCHEDULE["daily-alerts"] = {
    "task": "intel.send_daily_alerts",
    "schedule": crontab(minute="0", hour="7"),
}
CELERY_BEAT_SCHEDULE["weekly-briefings"] = {
    "task": "intel.send_weekly_briefings",
    "schedule": crontab(minute="0", hour="8", day_of_week="mon"),
}
# Contributors' "what your reports changed": the 1st of each month, 09:00
# Asia/Tokyo, for the month before (one row per member and month).
CELERY_BEAT_SCHEDULE["monthly-impact"] = {
    "task": "intel.send_monthly_impact",
    "schedule": crontab(minute="0", hour="9", day_of_month="1"),
}

# --- Briefings -------------------------------------------------------------
# Subscribers per chunk task (each chunk sends over one SMTP connection).
BRIEFING_CHUNK_SIZE = env_int("BRIEFING_CHUNK_SIZE", 200)
# Seconds after which a delivery claimed by a task that never finished may be
# taken over; above the hard time limit, so the task holding it must be dead.
BRIEFING_CLAIM_TIMEOUT = env_int("BRIEFING_CLAIM_TIMEOUT", CELERY_TASK_TIME_LIMIT + 60)
# Permanent (5xx) failures in a row after which an address is paused.
BRIEFING_PAUSE_AFTER_FAILURES = env_int("BRIEFING_PAUSE_AFTER_FAILURES", 3)
# Attempts at one delivery (temporary failures) before it is recorded as failed.
BRIEFING_MAX_ATTEMPTS = env_int("BRIEFING_MAX_ATTEMPTS", 6)
# Lifetime of the signed links: confirmation (double opt-in) and preferences.
BRIEFING_CONFIRM_MAX_AGE = env_int("BRIEFING_CONFIRM_MAX_AGE", 3 * 24 * 3600)
BRIEFING_PREFERENCES_MAX_AGE = env_int("BRIEFING_PREFERENCES_MAX_AGE", 180 * 24 * 3600)
if BRIEFING_CHUNK_SIZE < 1 or BRIEFING_PAUSE_AFTER_FAILURES < 1 or BRIEFING_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(
        "BRIEFING_CHUNK_SIZE, BRIEFING_PAUSE_AFTER_FAILURES and BRIEFING_MAX_ATTEMPTS must be "
        "at least 1."
    )
if BRIEFING_CLAIM_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "BRIEFING_CLAIM_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT, or a claim held by a "
        "running task could be taken over and a briefing sent twice."
    )

# --- Accounts --------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.signup.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CIP] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
# allauth enforces these through the cache: in production that cache is Redis,
# so the limits hold across every gunicorn process (per process while Redis is
# away: community.cache.FallbackRedisCache).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    # The public briefing subscription form sends email (intel.briefings.views).
    "briefing_subscribe": "10/10m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Reverse proxies in front of the site that append to X-Forwarded-For. With 0
# the header is ignored and the client is the connecting address, so a client
# cannot pick the address its rate limits are counted against. DRF's throttles
# (REST_FRAMEWORK below) and allauth's limits read the same number.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured(f"NUM_PROXIES must be 0 or more; got {NUM_PROXIES}.")
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES
MFA_TOTP_ISSUER = "Community Intelligence Platform"

# Membership: how many people a vetted member may invite per rolling 30 days,
# and how long an invitation link stays valid.
INVITATIONS_PER_MONTH = env_int("INVITATIONS_PER_MONTH", 3)
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 14)
if INVITATIONS_PER_MONTH < 0 or INVITATION_TTL_DAYS < 1:
    raise ImproperlyConfigured(
        "INVITATIONS_PER_MONTH must be 0 or more and INVITATION_TTL_DAYS at least 1."
    )

# Anonymous contributions show a source grade at least this many active members
# of the report's sectors would show too
# (intel.reports.services.contributions.anonymous_source_grade).
ANONYMOUS_GRADE_K = env_int("ANONYMOUS_GRADE_K", 5)
if ANONYMOUS_GRADE_K < 1:
    raise ImproperlyConfigured(f"ANONYMOUS_GRADE_K must be at least 1; got {ANONYMOUS_GRADE_K}.")

# --- API -------------------------------------------------------------------

# API tokens (django-rest-knox): stored as hashes, one new token per sign-in,
# each valid for this many hours; revoked with the password, the authenticator,
# the membership or the account (accounts.services.tokens).
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 24)
if API_TOKEN_TTL_HOURS < 1:
    raise ImproperlyConfigured(
        f"API_TOKEN_TTL_HOURS must be at least 1; got {API_TOKEN_TTL_HOURS}."
    )
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated call gets 401 with WWW-Authenticate.
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API's templates need inline styles the CSP refuses;
    # people read the API through Swagger UI at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Size and depth limits on JSON; services' refusals become 400/403/404/409 (community.api).
    "DEFAULT_PARSER_CLASSES": [
        "community.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "community.api.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    # Date and date-time filters refuse values the database cannot compare (community.filters).
    "DEFAULT_FILTER_BACKENDS": ["community.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "community.schema.AutoSchema",
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "user": env_str("API_THROTTLE_USER", "600/min"),
        "token": env_str("API_THROTTLE_TOKEN", "10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Community Intelligence Platform API",
    "DESCRIPTION": "Field reports, digests and briefings for economic-security intelligence.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Shared choice sets get one schema name each (intel's statuses would collide).
    "ENUM_NAME_OVERRIDES": {
        "SectorEnum": "intel.vocabulary.Sector",
        "ContributionStatusEnum": "intel.models.contributions.Status",
        "RequirementStatusEnum": "intel.models.requirements.IntelligenceRequirement.Status",
        "ApplicationStatusEnum": "accounts.models.Application.Status",
        "MembershipStatusEnum": "accounts.models.Membership.Status",
        "DigestStatusEnum": "intel.models.digests.DigestStatus",
        "TlpEnum": "intel.vocabulary.Tlp",
        "SourceGradeEnum": "intel.vocabulary.SourceReliability",
    },
}

# --- Internationalisation --------------------------------------------------

LANGUAGE_CODE = "en"
FORMAT_MODULE_PATH = ["community.formats"]
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")) or BASE_DIR / "media")
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
# In development whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Email -----------------------------------------------------------------

EMAIL_HOST = env_str("EMAIL_HOST", "") or ""
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
# With no SMTP host in development, emails are printed to the console.
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "intel@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admins", addr) for addr in env_list("DJANGO_ADMINS")]

# --- Security --------------------------------------------------------------

# Content-Security-Policy (django-csp 4): scripts and styles only from our own
# static files, so an injected <script>, on*= handler or style= attribute does
# nothing. Images may be data: URIs (the authenticator QR code, Swagger UI's
# icons). Attachment downloads send their own stricter policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The admin saves a taxonomy label with all its terms in one form (about six
# fields a term); the busiest labels have 200-250 terms, past Django's 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # pikepdf (attachment cleaning) announces itself at INFO on import.
    "loggers": {"pikepdf": {"level": "WARNING"}},
}
