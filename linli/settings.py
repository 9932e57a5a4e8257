"""Linli's one settings module: every deployment difference comes from the environment.

Variables (all optional in development):

- ``LINLI_ENV``: ``development`` (default) or ``production``.
- ``LINLI_DEBUG``: Django's debug pages; on only when asked for (this, or ``LINLI_ENV=
  development`` set explicitly), refused in production.
- ``LINLI_DATA_DIR``: where SQLite, Huey's queue, generated development keys,
  uploads and backups live (default ``./var``).
- ``DATABASE_URL``: a database URL (``postgres://…``); SQLite in the data dir when unset.
- ``DATABASE_REPLICA_URL``: a streaming read replica of ``DATABASE_URL`` for lists and
  dashboards (``linli.core.replica``); ``LINLI_REPLICA_PIN_SECONDS`` (default 5): how long
  whoever wrote reads from the primary instead.
- ``REDIS_URL``: Huey runs on Redis when set, on SQLite in the data dir otherwise.
- ``LINLI_SECRET_KEY``: required in production; generated once into the data dir otherwise.
- ``LINLI_ALLOWED_HOSTS``: comma-separated host names (required in production, no ``*``).
- ``LINLI_REQUIRE_2FA``: staff roles must log in with a one-time code as well (default:
  on in production, off otherwise, so ``linli demo`` logs in with passwords alone).
- ``LINLI_BEHIND_TLS_PROXY``: trust ``X-Forwarded-Proto`` from a TLS-terminating proxy.
- ``LINLI_TRUSTED_PROXIES``: comma-separated addresses or networks of the reverse proxies
  whose ``X-Real-IP`` names the client (default: none, the direct peer is the client).
- ``LINLI_SSL_REDIRECT`` / ``LINLI_HSTS_PRELOAD``: production HTTPS redirect (default on)
  and HSTS preload (default off, see docs/security.md).
- ``LINLI_FIELD_KEYS`` / ``LINLI_HASH_KEY``: keys for encrypted personal data (see
  ``linli.core.crypto``).
- ``LINLI_AUDIT_RETENTION_DAYS``: how long audit records are kept (at least 180).
- ``LINLI_RATE_API_TOKEN``, ``LINLI_RATE_FILING_USER``, …: rate limits (see
  ``LINLI_RATE_LIMITS`` below and ``linli.core.throttling``).
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets Django's generic classes be subscripted at run time (ModelAdmin[Resident]).
django_stubs_ext.monkeypatch()


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if not raw:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from error


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent

LINLI_ENV = env_str("LINLI_ENV", "development")
if LINLI_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"LINLI_ENV must be development or production, not {LINLI_ENV!r}")
PRODUCTION = LINLI_ENV == "production"

DATA_DIR = Path(env_str("LINLI_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env_str("LINLI_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("LINLI_SECRET_KEY must be set when LINLI_ENV=production")
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# Debug pages (tracebacks, settings) only when asked for: LINLI_ENV=development set
# explicitly, or LINLI_DEBUG=true; never in production, and not in an unconfigured
# checkout either (`linli demo` runs without them).
DEBUG = env_bool("LINLI_DEBUG", default=env_str("LINLI_ENV") == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("LINLI_DEBUG must not be on when LINLI_ENV=production")
ALLOWED_HOSTS = env_list(
    "LINLI_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("LINLI_ALLOWED_HOSTS must be set when LINLI_ENV=production")

INSTALLED_APPS = [
    # django.contrib.admin, every admin on the guard for record numbers (core/admin_base.py)
    "linli.core.admin_apps.LinliAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "ninja",  # its bundled Swagger UI instead of the CDN copy (intranet, CSP)
    "treebeard",
    "huey.contrib.djhuey",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "linli.core",
    "linli.areas",
    "linli.accounts",
    "linli.audit",
    "linli.organisations",
    "linli.people",
    "linli.imports",
    "linli.privacy",
    "linli.notifications",
    "linli.requests",
    "linli.volunteers",
    # summer programmes (暑期托管)
    "linli.programmes",
    "linli.care",
    "linli.triage",
    "linli.rosters",
    "linli.earlywarning",
    "linli.fieldwork",
    "linli.surveys",
    # --- dashboard (issue 16, item 1) ---
    "linli.dashboard",
    # --- activities (issue 14) ---
    "linli.activities",
    # --- party work (issue 13) ---
    "linli.party",
    # --- work reports (issue 16) ---
    "linli.reports",
    "linli.home",
    "linli.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A body refused while the boundary below reads it answers Open311 clients in their
    # error format, not with the HTML 400 page.
    "linli.requests.open311.Open311EdgeMiddleware",
    # The one boundary: form fields, query strings and JSON bodies normalised (NFC, no
    # control characters) before anything reads them.
    "linli.core.middleware.InputNormalisationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # An empty 405 (a form's address opened in the browser) becomes a page or API JSON.
    "linli.core.middleware.MethodNotAllowedMiddleware",
    "linli.core.middleware.RequestContextMiddleware",
    # Idle timeout for staff roles, first-login password change, two-factor step.
    "linli.accounts.middleware.AccountSecurityMiddleware",
    # Marked read-only pages read from the replica; writers are pinned to the primary.
    "linli.core.replica.ReplicaReadsMiddleware",
    # Axes turns a locked-out login into the lockout page; it must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

# Django's renderer, with a select's options written in Python (linli/core/renderers.py).
FORM_RENDERER = "linli.core.renderers.QuickSelectRenderer"

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
                "django.template.context_processors.i18n",
                "linli.home.navigation.navigation",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "linli.sqlite3"),
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing half-way.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
# A streaming read replica (docs/scaling.md): reads of the pages marked
# ``linli.core.replica.replica_reads`` go there, everything else to ``default``. Without
# it the alias is the primary's own settings, unused, and a test mirror of ``default``.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
LINLI_READ_REPLICA = bool(DATABASE_REPLICA_URL)
DATABASES["replica"] = {
    **copy.deepcopy(
        dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
        if DATABASE_REPLICA_URL
        else DATABASES["default"]
    ),
    "TEST": {"MIRROR": "default"},
}
if DATABASES["replica"]["ENGINE"] == "django.db.backends.sqlite3":
    # Only as the test mirror: a reader must not queue for SQLite's write lock (IMMEDIATE)
    # that the primary connection's open test transaction holds.
    DATABASES["replica"]["OPTIONS"]["transaction_mode"] = "DEFERRED"
DATABASE_ROUTERS = ["linli.core.replica.ReplicaRouter"]
# Read-your-own-writes: a browser or user that wrote reads from the primary this long.
LINLI_REPLICA_PIN_SECONDS = env_int("LINLI_REPLICA_PIN_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work ----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "linli",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "linli",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
    }

# A whole past month's dashboard figures are summed again at most this often after a change
# (linli.dashboard.tasks.queue_month_refresh); 0 sums at once.
LINLI_MONTH_FIGURES_DELAY = env_int("LINLI_MONTH_FIGURES_DELAY", 300)

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    # Refuses locked-out accounts and addresses before any password is checked.
    "linli.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# 等保 level 3: at least 8 characters from 3 of 4 classes, unlike the user's own data,
# not a well-known password. Django's checks, with Linli's own Chinese messages.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "linli.accounts.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "full_name", "phone", "email"]},
    },
    {
        "NAME": "linli.accounts.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "linli.accounts.password_validation.CharacterClassesValidator"},
    {"NAME": "linli.accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "linli.accounts.password_validation.NumericPasswordValidator"},
]

# Lockout (django-axes): 5 failures lock the account and, separately, the source address
# for 15 minutes, counted from the lockout (further tries do not extend it). The address
# is the one the audit trail records: a forwarded one only from LINLI_TRUSTED_PROXIES.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "linli.accounts.views.lockout"
AXES_CLIENT_IP_CALLABLE = "linli.core.middleware.client_ip"
AXES_VERBOSE = False

# Sessions of staff roles (linli.core.roles.STAFF_ROLES) end after this much inactivity;
# other users keep Django's SESSION_COOKIE_AGE.
LINLI_STAFF_IDLE_SECONDS = 30 * 60
LINLI_REQUIRE_2FA = env_bool("LINLI_REQUIRE_2FA", default=PRODUCTION)
OTP_TOTP_ISSUER = "邻里 Linli"

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("LINLI_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# --- Static files and uploads -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# The project-wide stylesheet lives in linli/static, which belongs to no app.
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production the app serves assets straight from installed packages, DEBUG on
# or off, so `linli demo` needs no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION  # files are found afresh, as they change

# --- Security -----------------------------------------------------------------------------
# Controls are mapped to 等保 2.0 and PIPL items in docs/security.md.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "linli.core.views.csrf_failure"  # Chinese, in the layout, with a way back
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if "*" in ALLOWED_HOSTS and PRODUCTION:
    raise ImproperlyConfigured(
        "LINLI_ALLOWED_HOSTS must name the site's host names; '*' is refused in production"
    )
SILENCED_SYSTEM_CHECKS: list[str] = []
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A covering index's INCLUDE (care's due index) is PostgreSQL's; SQLite builds the
    # index without it, as Django says on every migrate unless told it is meant.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("LINLI_SSL_REDIRECT", True)
    # The readiness probe talks to gunicorn directly, without nginx's X-Forwarded-Proto.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31_536_000  # one year
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a commitment for the whole registrable domain that is slow to undo;
    # Linli usually runs on a subdomain of a street office's domain, so it is opt-in.
    SECURE_HSTS_PRELOAD = env_bool("LINLI_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # security.W021 asks for preload; not preloading is the documented decision.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    if env_bool("LINLI_BEHIND_TLS_PROXY", False):
        # Trust X-Forwarded-Proto only when a TLS-terminating proxy sets (and overwrites) it.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("LINLI_CSRF_TRUSTED_ORIGINS", [])
# Web pages of these origins may read Open311's answers in a browser (CORS); "*" for any
# (a server on the internet). None by default: an intranet server is out of reach of
# outside clients, but not of the pages its users open (linli.requests.open311.cors_origin).
LINLI_OPEN311_CORS_ORIGINS = env_list("LINLI_OPEN311_CORS_ORIGINS", [])
# Error reports (debug pages, mails to ADMINS) hide keys and tokens from query strings,
# headers, form fields, frame variables and settings, with DEBUG on as well.
DEFAULT_EXCEPTION_REPORTER = "linli.core.debug.SecretHidingReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "linli.core.debug.SecretHidingFilter"

# The reverse proxies whose X-Real-IP header names the client (linli.core.middleware.client_ip).
# Empty: every request's address is its direct peer, and the header is ignored.
LINLI_TRUSTED_PROXIES = env_list("LINLI_TRUSTED_PROXIES", [])
for _proxy in LINLI_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"LINLI_TRUSTED_PROXIES must list IP addresses or networks, not {_proxy!r}"
        ) from error

# Content-Security-Policy (django-csp 4): no inline script or style anywhere, so no
# nonce is needed; pages load their JS and CSS from static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Keys for personal data at rest; see linli.core.crypto for the development fallback.
# A malformed key is refused here, when the process starts (and so by `linli check
# --deploy`), not at the first encryption hours later. Messages never repeat the key.
MINIMUM_HASH_KEY_BYTES = 32


def _field_keys() -> list[str]:
    keys = env_list("LINLI_FIELD_KEYS", [])
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError as error:  # binascii.Error is a ValueError too
            raise ImproperlyConfigured(
                f"LINLI_FIELD_KEYS: key {position} of {len(keys)} is not a Fernet key "
                "(url-safe base64 of 32 bytes, 44 characters); make one with "
                '`python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"`'
            ) from error
    return keys


def _hash_key() -> str:
    key = env_str("LINLI_HASH_KEY")
    if key and len(key.encode()) < MINIMUM_HASH_KEY_BYTES:
        raise ImproperlyConfigured(
            f"LINLI_HASH_KEY must be at least {MINIMUM_HASH_KEY_BYTES} bytes long "
            f"(it has {len(key.encode())}); use e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(32))"`'
        )
    return key


LINLI_FIELD_KEYS = _field_keys()
LINLI_HASH_KEY = _hash_key()
if PRODUCTION and not (LINLI_FIELD_KEYS and LINLI_HASH_KEY):
    raise ImproperlyConfigured(
        "LINLI_FIELD_KEYS and LINLI_HASH_KEY must be set when LINLI_ENV=production"
    )

# Rate limits (linli.core.throttling): "count/period", period s, m, h or d. Over a limit
# the answer is 429 with Retry-After. Counted in the cache below.
_RATE_DEFAULTS = {
    "api_token": "120/m",  # /api/v1, per bearer token
    "api_address": "600/m",  # /api/v1, per source address
    "open311_post_token": "30/m",  # filing through Open311, per api_key
    "open311_post_address": "60/m",  # filing through Open311, per source address
    "filing_user": "10/m",  # the resident's filing page, per user
    "filing_address": "30/m",  # the resident's filing page, per source address
}
LINLI_RATE_LIMITS = {
    name: env_str(f"LINLI_RATE_{name.upper()}", default) for name, default in _RATE_DEFAULTS.items()
}
for _name, _rate in LINLI_RATE_LIMITS.items():
    _count, _slash, _period = _rate.partition("/")
    if not (_count.isdigit() and int(_count) > 0 and _period in {"s", "m", "h", "d"}):
        raise ImproperlyConfigured(
            f"LINLI_RATE_{_name.upper()} must look like 120/m (per s, m, h or d), not {_rate!r}"
        )
# Rate-limit counters: shared by every app server through Redis when REDIS_URL is set;
# in this process's memory otherwise (one server process: `linli demo`, a small site).
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "linli"}
    }

LINLI_PAGE_SIZE = 20
# The leaders' dashboard reuses a place's request figures counted within this many
# seconds (0: count on every view); a task counts again each minute what was looked at.
LINLI_DASHBOARD_SNAPSHOT_SECONDS = int(env_str("LINLI_DASHBOARD_SNAPSHOT_SECONDS", "60"))
# A home page's register overview (residents, households, grids of the area) is reused
# for this many seconds by those who only read the register (0: count on every view).
LINLI_REGISTER_SNAPSHOT_SECONDS = int(env_str("LINLI_REGISTER_SNAPSHOT_SECONDS", "600"))
# Past its lifetime, a snapshot is still shown (with its time) for up to this many seconds
# while a background task counts it again (0: count on the view, as soon as it expires).
LINLI_SNAPSHOT_STALE_SECONDS = int(env_str("LINLI_SNAPSHOT_STALE_SECONDS", "3600"))
# Triage: a request filed without category or place takes the reader's suggestion
# when its confidence reaches this; below it, the request waits for a dispatcher.
LINLI_TRIAGE_THRESHOLD = float(env_str("LINLI_TRIAGE_THRESHOLD", "0.6"))

# Security logs are kept at least six months (等保 level 3, PIPL): shorter is refused.
LINLI_AUDIT_RETENTION_DAYS = int(env_str("LINLI_AUDIT_RETENTION_DAYS", "180"))
if LINLI_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("LINLI_AUDIT_RETENTION_DAYS must be at least 180")

# Volunteer points earned per hour of service (travel excluded), and the most visits the
# weekly roster gives one volunteer.
LINLI_VOLUNTEER_POINTS_PER_HOUR = env_int("LINLI_VOLUNTEER_POINTS_PER_HOUR", 10)
LINLI_ROSTER_MAX_VISITS_PER_VOLUNTEER = env_int("LINLI_ROSTER_MAX_VISITS_PER_VOLUNTEER", 6)
# A CJK font for the volunteer certificate PDF; Debian's fonts-noto-cjk when empty.
LINLI_CJK_FONT = env_str("LINLI_CJK_FONT")

# Care alerts (linli.care): blood pressure in mmHg, blood sugar in mmol/L. An alert is
# raised at a reading at or above "high"; "urgent" ones are sent out at once.
LINLI_CARE_THRESHOLDS = {
    "bp_high": (140, 90),
    "bp_urgent": (180, 110),
    "glucose_fasting_high": 7.0,
    "glucose_after_meal_high": 11.1,
    "glucose_urgent_high": 16.7,
    "glucose_urgent_low": 3.9,
    # The same concern in this many visits running raises an alert.
    "repeated_concern_visits": 3,
}
# Service time credited for a visit when the volunteer does not say (travel excluded).
LINLI_CARE_DEFAULT_MINUTES = {"home": 30, "phone": 10}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LINLI_LOG_LEVEL", "INFO")},
    # fpdf2 subsets fonts through fontTools, which logs every glyph table at INFO.
    "loggers": {"fontTools": {"level": "WARNING"}},
}

# --- Notifications beyond the app (docs/operations.md) -----------------------------------------
# SMS: ``linli.notifications.senders.LogSms`` (log only, the default) or
# ``linli.notifications.senders.AliyunSms`` (Aliyun 短信服务 SendSms, signed requests).
LINLI_SMS_PROVIDER = env_str("LINLI_SMS_PROVIDER", "linli.notifications.senders.LogSms")
LINLI_SMS_ENDPOINT = env_str("LINLI_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
LINLI_SMS_ACCESS_KEY_ID = env_str("LINLI_SMS_ACCESS_KEY_ID")
LINLI_SMS_ACCESS_KEY_SECRET = env_str("LINLI_SMS_ACCESS_KEY_SECRET")
LINLI_SMS_SIGN_NAME = env_str("LINLI_SMS_SIGN_NAME")
LINLI_SMS_TEMPLATE_CODE = env_str("LINLI_SMS_TEMPLATE_CODE")
if LINLI_SMS_PROVIDER.endswith("AliyunSms") and not (
    LINLI_SMS_ACCESS_KEY_ID
    and LINLI_SMS_ACCESS_KEY_SECRET
    and LINLI_SMS_SIGN_NAME
    and LINLI_SMS_TEMPLATE_CODE
):
    raise ImproperlyConfigured(
        "LINLI_SMS_PROVIDER=AliyunSms needs LINLI_SMS_ACCESS_KEY_ID, "
        "LINLI_SMS_ACCESS_KEY_SECRET, LINLI_SMS_SIGN_NAME and LINLI_SMS_TEMPLATE_CODE"
    )
# WeChat Work group robots: ``name=key,name=key`` (the key from the robot's webhook URL);
# staff attach a robot to a grid or a community by its name.
LINLI_WECOM_WEBHOOK_URL = env_str(
    "LINLI_WECOM_WEBHOOK_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
)
LINLI_WECOM_ROBOTS: dict[str, str] = {}
for _robot in env_list("LINLI_WECOM_ROBOTS", []):
    _name, _eq, _key = _robot.partition("=")
    if not (_name.strip() and _key.strip()):
        raise ImproperlyConfigured("LINLI_WECOM_ROBOTS must look like name=key,name=key")
    LINLI_WECOM_ROBOTS[_name.strip()] = _key.strip()
# Email: Django's backend; SMTP when LINLI_EMAIL_HOST is set, the console otherwise.
EMAIL_HOST = env_str("LINLI_EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("LINLI_EMAIL_PORT", 465)
EMAIL_HOST_USER = env_str("LINLI_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("LINLI_EMAIL_PASSWORD")
EMAIL_USE_SSL = EMAIL_PORT == 465
EMAIL_USE_TLS = EMAIL_PORT == 587
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("LINLI_EMAIL_FROM", "linli@localhost")
