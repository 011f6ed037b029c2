"""Settings for the casework application, every one from the environment.

Secure by default: unless `PARAMOUNT_DEMO` or `PARAMOUNT_DEBUG` is set, cookies are secure,
HTTPS is required (behind a proxy that sets `X-Forwarded-Proto`), HSTS is on and the second
factor is required, so `manage.py check --deploy` is clean without further switches.

Environment (all optional):
- `DATABASE_URL`: any dj-database-url URL; default a SQLite file in the data folder.
- `PARAMOUNT_DATA_DIR`: where the demo database, the generated secret key and collected
  static files live (default `./paramount-data`).
- `SECRET_KEY`: set it in production (several workers or hosts must share one); without it a
  random key is generated once and kept in the data folder (mode 0600).
- `ALLOWED_HOSTS`, `CSRF_TRUSTED_ORIGINS`: comma-separated.
- `PARAMOUNT_DEMO`: the demo (synthetic data on one machine): no second factor, plain HTTP.
- `PARAMOUNT_DEBUG`: Django's DEBUG, for development only.
- `PARAMOUNT_SECURE`: force the HTTPS settings on or off (default: on unless demo or debug).
- `PARAMOUNT_BEHIND_PROXY`: trust `X-Forwarded-Proto` (default: as `PARAMOUNT_SECURE`).
- `PARAMOUNT_SESSION_MINUTES`: idle session timeout (default 30).
- `PARAMOUNT_CONTACT_DUE_DAYS`: days from allocation to first contact attempt before a case
  is overdue (default 7).
- `PARAMOUNT_RETENTION_DAYS`: how long a closed case is kept before its review (default
  2190, six years, the MoPI initial review period for most records).
- `PARAMOUNT_BASE_URL`: the public address, used in notification emails.
- `PARAMOUNT_SET_PASSWORD_DAYS`: how long a new account's set-password link works (default
  3).
- `PARAMOUNT_EVALUATION_KEY_FILE`: the key file of the evaluation whose extract the
  evaluator downloads (`paramount casework export-evaluation --key-out`); unset, none.
- `EMAIL_HOST`, `EMAIL_PORT`, `EMAIL_HOST_USER`, `EMAIL_HOST_PASSWORD`, `EMAIL_USE_TLS`,
  `EMAIL_USE_SSL`, `EMAIL_TIMEOUT`, `DEFAULT_FROM_EMAIL`, `EMAIL_BACKEND`: mail; without a
  host, mail goes to the console.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PARAMOUNT_DATA_DIR", "paramount-data")).resolve()

DEMO = _bool("PARAMOUNT_DEMO")
DEBUG = _bool("PARAMOUNT_DEBUG")
SECURE = _bool("PARAMOUNT_SECURE", default=not (DEMO or DEBUG))


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in the data folder,
    so that a demo's sessions survive a restart without a key ever living in the code."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "paramount.casework.apps.CaseworkConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "paramount.casework.middleware.RejectControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "paramount.casework.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "paramount.casework.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "paramount.casework.urls"
WSGI_APPLICATION = "paramount.casework.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'casework.sqlite3'}",
        conn_max_age=_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "casework.User"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A new account's set-password link (Django's password-reset token) works once, this long.
PASSWORD_RESET_TIMEOUT = _int("PARAMOUNT_SET_PASSWORD_DAYS", 3) * 86400
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Lockout after repeated failures (django-axes): five tries per username from one address,
# then an hour's cool-off; an administrator can clear it with `axes_reset_username`.
AXES_FAILURE_LIMIT = _int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_int("AXES_COOLOFF_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its log lines carry usernames and addresses; keep them out of logs

# Second factor (django-otp, TOTP): required everywhere but the demo.
PARAMOUNT_REQUIRE_SECOND_FACTOR = _bool("PARAMOUNT_REQUIRE_SECOND_FACTOR", default=not DEMO)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Paramount casework")
# Pages reachable signed in but before the second factor (URL names, or path prefixes).
PARAMOUNT_SECOND_FACTOR_URL = os.environ.get("PARAMOUNT_SECOND_FACTOR_URL", "/accounts/verify/")
PARAMOUNT_SECOND_FACTOR_EXEMPT = [
    "/accounts/",
    "/health/",
    "/static/",
]

# Sessions: an idle timeout, refreshed by activity at most once a minute
# (`middleware.IdleSessionMiddleware`, not a write on every request), gone with the browser.
SESSION_COOKIE_AGE = _int("PARAMOUNT_SESSION_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "paramount.casework.web.views.errors.csrf_failure"  # audited

SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 31_536_000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _bool("PARAMOUNT_BEHIND_PROXY", default=SECURE):
    # gunicorn behind a TLS-terminating proxy that sets (and never passes on) this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = _bool("USE_X_FORWARDED_HOST")

# Content security policy (django-csp 4): our own origin only; inline scripts only with the
# per-request nonce (`{{ request.csp_nonce }}`), as GOV.UK Frontend's one-line bootstrap needs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production serves hashed, compressed files from `collectstatic`; the demo and
        # tests serve straight from the app folder.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if SECURE and not _bool("PARAMOUNT_STATIC_FINDERS")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or DEMO or not SECURE or _bool("PARAMOUNT_STATIC_FINDERS")

# Mail: straight to the people who need it (champions, allocated social workers).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = _int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = _bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = _int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "paramount@localhost")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# Casework rules.
PARAMOUNT_CONTACT_DUE_DAYS = _int("PARAMOUNT_CONTACT_DUE_DAYS", 7)
PARAMOUNT_RETENTION_DAYS = _int("PARAMOUNT_RETENTION_DAYS", 6 * 365)
PARAMOUNT_OPEN_REVIEW_DAYS = _int("PARAMOUNT_OPEN_REVIEW_DAYS", 365)
PARAMOUNT_BASE_URL = os.environ.get("PARAMOUNT_BASE_URL", "http://localhost:8000").rstrip("/")
PARAMOUNT_PARTNER_NAME = os.environ.get("PARAMOUNT_PARTNER_NAME", "Children Heard and Seen")
# Evaluators' aggregates hide counts from 1 to this number (small-cell suppression).
PARAMOUNT_EVALUATOR_SUPPRESS_BELOW = _int("PARAMOUNT_EVALUATOR_SUPPRESS_BELOW", 5)
# The key file of the evaluation the evaluator's page downloads its extract under (made by
# `paramount casework export-evaluation --key-out FILE`); unset, no download is offered.
PARAMOUNT_EVALUATION_KEY_FILE = os.environ.get("PARAMOUNT_EVALUATION_KEY_FILE", "").strip()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARAMOUNT_LOG_LEVEL", "WARNING")},
    "loggers": {
        # django-axes logs usernames and addresses at INFO; only warnings reach the log.
        "axes": {"level": "WARNING"},
    },
}
