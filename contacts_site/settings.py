"""Settings, read from the environment (12-factor): one file for every deployment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def read_env_file(path: str) -> None:
    """Development defaults from the git-ignored `.env` that `make setup` writes, so every documented
    `manage.py` command works on a fresh clone. Variables already in the environment win, and a process
    started with DJANGO_DEBUG=0 (production, the fuzzer, the benchmark) ignores the file altogether, so
    it can never lend a deployment its development key. DJANGO_ENV_FILE names another file, or none."""
    if not path or not os.path.isfile(path):
        return
    values = {}
    with open(path, encoding="utf-8") as env_file:
        for line in env_file:
            name, separator, value = line.strip().partition("=")
            if separator and not name.startswith("#"):
                values[name.strip()] = value.strip()
    if os.environ.get("DJANGO_DEBUG", values.get("DJANGO_DEBUG", "")).strip().lower() not in {"1", "true", "yes", "on"}:
        return
    for name, value in values.items():
        os.environ.setdefault(name, value)


read_env_file(os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env")))

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY (or run `make setup` once: it writes a development .env with DJANGO_DEBUG=1)."
        )
    # Development only: a fixed, clearly insecure key so sessions survive restarts.
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taggit",
    "accounts",
    "contacts",
    "conversations",
    "identity",
    "webhooks",
    "imports",
    "axes",
]

MIDDLEWARE = [
    # First: every answer, whichever layer below produced it, carries X-Request-Id and gets a log line.
    "contacts_site.middleware.RequestIdMiddleware",
    "contacts_site.middleware.RequestSizeLimitMiddleware",
    "contacts_site.middleware.RateLimitHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who acts (contacts_site.actions), from the signed-in user; the API sets its key's in its viewsets.
    "contacts_site.middleware.ActingMiddleware",
    "accounts.middleware.ViewerTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "contacts_site.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: it answers a locked-out login attempt itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "contacts_site.urls"
WSGI_APPLICATION = "contacts_site.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the embedded default take concurrent writers without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# PostgreSQL session settings for an OLTP workload: every statement the product issues is a short index
# walk, for which a parallel plan's workers take longer to start (~2–3 ms) than the walk itself (a
# two-tag page: 4.3 ms parallel, 0.3 ms not), and JIT compilation longer still. Blank leaves the
# server's settings (behind PgBouncer in transaction mode, which refuses startup options, set them on
# the role instead: ALTER ROLE … SET max_parallel_workers_per_gather = 0).
DATABASE_SESSION_SETTINGS = os.environ.get("DATABASE_SESSION_SETTINGS", "max_parallel_workers_per_gather=0 jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_SESSION_SETTINGS.strip():
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(
        f"-c {setting}" for setting in DATABASE_SESSION_SETTINGS.split()
    )

# Rate limits and other shared counters: Redis when several processes serve (REDIS_URL), else this process's memory.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "contacts"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Requests per window and API key unless the sub-account sets its own (SubAccount.api_rate_limit).
API_RATE_LIMIT_REQUESTS = int(os.environ.get("API_RATE_LIMIT_REQUESTS", "100"))
API_RATE_LIMIT_WINDOW_SECONDS = int(os.environ.get("API_RATE_LIMIT_WINDOW_SECONDS", "10"))
# Failed API authentications (a wrong, revoked or malformed key) per client address and window; past it, 429.
API_AUTH_FAILURE_LIMIT = int(os.environ.get("API_AUTH_FAILURE_LIMIT", "20"))
API_AUTH_FAILURE_WINDOW_SECONDS = int(os.environ.get("API_AUTH_FAILURE_WINDOW_SECONDS", "60"))

# Largest request body accepted (413 above it); a contact is a few KB.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DJANGO_MAX_BODY_BYTES", str(1024 * 1024)))
# Longest path + query string accepted (414 above it); the longest valid list query is a few KB.
# Multipart uploads to these paths (imports) may be larger: Django streams files over 2.5 MB to disk.
FILE_UPLOAD_PATHS = ("/api/v1/imports", "/imports/")
FILE_UPLOAD_MAX_BODY_BYTES = int(os.environ.get("IMPORT_MAX_FILE_BYTES", str(2 * 1024**3)))
# Import and export jobs: rows per transaction, and how long a worker's claim lasts without renewal.
IMPORTS_CHUNK_ROWS = int(os.environ.get("IMPORTS_CHUNK_ROWS", "2000"))
IMPORTS_LEASE_SECONDS = int(os.environ.get("IMPORTS_LEASE_SECONDS", "120"))
# Exports of more contacts than this run in the background (streamed directly below it).
EXPORT_STREAM_MAX_ROWS = int(os.environ.get("EXPORT_STREAM_MAX_ROWS", "100000"))
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media"))

MAX_URL_BYTES = int(os.environ.get("DJANGO_MAX_URL_BYTES", str(64 * 1024)))

# Idempotency-Key: how long an answer is kept for replay, and after how long a key held by a request
# that never finished (a killed worker) is given to the next try. Gunicorn kills a request at 30 s.
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
IDEMPOTENCY_LOCK_TIMEOUT = timedelta(seconds=int(os.environ.get("IDEMPOTENCY_LOCK_TIMEOUT_SECONDS", "60")))
# Optional read replica for list/search reads of safe requests (see contacts_site/db_router.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if "options" in DATABASES["default"].get("OPTIONS", {}):
        DATABASES["replica"].setdefault("OPTIONS", {})["options"] = DATABASES["default"]["OPTIONS"]["options"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["contacts_site.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(0, "contacts_site.db_router.ReplicaReadsMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files from `collectstatic` (run by `make setup`); with DEBUG on, names are not hashed.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the pages' small scripts read it to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS. Secure by default whenever DEBUG is off; each switch can be turned off for a plain-http server
# on a laptop or loopback (DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_SECURE_HSTS_SECONDS=0).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts and styles only from our own files, no inline code, no framing.
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

# Login throttling (django-axes): 5 failures for one username from one address lock that pair out for a
# cool-off, after which they may try again; a success resets the count. Not a permanent lock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Not its version banner in the log of every `manage.py` command and server start.
AXES_VERBOSE = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.APIKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.authentication.HasAPIKey"],
    # JSON in, JSON out: no form/multipart parsers and no browsable HTML from the API.
    "DEFAULT_PARSER_CLASSES": ["contacts_site.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "contacts_site.schema.AutoSchema",
    "DEFAULT_METADATA_CLASS": "contacts_site.api.APIMetadata",
    "EXCEPTION_HANDLER": "contacts_site.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.APIKeyRateThrottle"],
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Contacts API",
    "DESCRIPTION": "Contacts of a sub-account, reached with an API key (`Authorization: Bearer ck_…`).",
    "VERSION": "1.0.0",
    # 3.1 is full JSON Schema: `propertyNames` can state the rules for custom field keys.
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["contacts_site.api.strip_optional_trailing_slash"],
    # Two models have a `status`: name each enum after its model so neither becomes "Status469Enum".
    "ENUM_NAME_OVERRIDES": {
        "ConversationStatusEnum": "conversations.models.Conversation.Status",
        "DeliveryStatusEnum": "webhooks.models.Delivery.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "contacts_site.schema.add_common_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: the docs work with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

TAGGIT_CASE_INSENSITIVE = True

# Webhooks (docs/webhooks.md). Loopback/private targets only for tests and local development.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS")
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", default=DEBUG)
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "10"))
WEBHOOKS_LEASE_SECONDS = float(os.environ.get("WEBHOOKS_LEASE_SECONDS", "60"))
# Seconds to wait before each retry: ~3.2 days in all, then the delivery is marked failed.
WEBHOOKS_RETRY_SCHEDULE = [
    float(seconds)
    for seconds in env_list(
        "WEBHOOKS_RETRY_SCHEDULE", "5,300,1800,7200,18000,36000,36000,36000,36000,36000,36000,36000"
    )
]
WEBHOOKS_DISABLE_AFTER_DAYS = float(os.environ.get("WEBHOOKS_DISABLE_AFTER_DAYS", "5"))

# A contact's timeline (docs/timeline.md). History entries older than this many days are removed by
# `manage.py prune_history`; unset keeps them forever. Notes are never pruned.
CONTACT_HISTORY_RETENTION_DAYS = (
    int(os.environ["CONTACT_HISTORY_RETENTION_DAYS"]) if os.environ.get("CONTACT_HISTORY_RETENTION_DAYS") else None
)
# Off only to measure what recording costs (the benchmark's "PATCH without history"): the webhook events
# are still written, the history entries are not.
CONTACT_HISTORY_ENABLED = env_bool("CONTACT_HISTORY_ENABLED", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries the id of the request it belongs to (the X-Request-Id of the answer).
    "filters": {"request_id": {"()": "contacts_site.context.RequestIdFilter"}},
    "formatters": {"default": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "default"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # One line per request, RequestIdMiddleware's: Django's own "Not Found: …" warning for every 4xx and
    # runserver's access line would repeat it. Errors still come through, a 5xx with its traceback.
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
    },
}
