"""Django settings. Values come from the environment through groundswell.config only."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp import constants as csp

from groundswell import config

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

SECRET_KEY = config.secret_key()
DEBUG = config.env_bool("GROUNDSWELL_DEBUG")
ALLOWED_HOSTS = config.env_list("GROUNDSWELL_ALLOWED_HOSTS")
BASE_URL = config.env("GROUNDSWELL_BASE_URL").rstrip("/")
DATA_DIR = config.data_dir()
VOTER_DB_PATH = config.voter_db_path()
# The destructive-change guard of voter and vote history imports, in percent (see docs/settings.md)
VOTER_IMPORT_GUARD_PERCENT = config.env_float("GROUNDSWELL_IMPORT_GUARD_VOTERS")
HISTORY_IMPORT_GUARD_PERCENT = config.env_float("GROUNDSWELL_IMPORT_GUARD_VOTE_HISTORY")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "groundswell.core",
    "groundswell.chapters",
    "groundswell.people",
    "groundswell.geo",
    "groundswell.elections",
    "groundswell.powermap",
    "groundswell.recruitment",
    "groundswell.reorg",
    "groundswell.endorsements",
    "groundswell.voters",
    "groundswell.lists",
    "groundswell.field",
    "groundswell.turnout",
    "groundswell.web",
    "groundswell.staff",
    "groundswell.api",
    "groundswell.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "groundswell.urls"
WSGI_APPLICATION = "groundswell.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "public-home"

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
                "groundswell.web.context.navigation",
            ],
        },
    }
]


def _databases() -> dict[str, dict[str, object]]:
    database = dj_database_url.parse(config.database_url(), conn_max_age=60)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while the job worker writes; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
        database["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        database["CONN_MAX_AGE"] = 0
        database["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    return {"default": database}  # type: ignore[dict-item]  # dj_database_url returns a TypedDict


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling: an account is locked for an hour after too many failures from one address.
AXES_FAILURE_LIMIT = config.env_int("GROUNDSWELL_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static", PROJECT_DIR / "build" / "vendor"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "uploads"

EMAIL_HOST = config.env("EMAIL_HOST")
EMAIL_PORT = config.env_int("EMAIL_PORT")
EMAIL_HOST_USER = config.env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = config.env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = config.env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = config.env("DEFAULT_FROM_EMAIL")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)

# No inline script or style anywhere: every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "font-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

HTTPS = config.env_bool("GROUNDSWELL_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
