"""Settings for 暖新 Portal, read from the environment.

Nothing set: a development portal on one laptop (SQLite file, local-memory cache, Celery tasks run
eagerly, e-mail and SMS to the console, DEBUG on). `DJANGO_ENV=production` turns on everything
`manage.py check --deploy` asks for and requires SECRET_KEY and ALLOWED_HOSTS. The README lists
every variable; docs/DEPLOYMENT.md says how production is set up.
"""

import ipaddress
import re
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable; a typo stops start-up instead of silently meaning False."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}")


def env_int(name: str, default: int, *, low: int, high: int) -> int:
    """A whole-number variable from `low` to `high`; anything else (a word, a fraction, a number out
    of range) stops start-up with one line naming the variable, as a typo in a boolean does."""
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    if not re.fullmatch(r"-?[0-9]+", raw) or not low <= int(raw) <= high:
        raise ImproperlyConfigured(
            f"{name} must be a whole number from {low} to {high}, not {raw!r}"
        )
    return int(raw)


def env_required(name: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production")
    return value


DJANGO_ENV = env.str("DJANGO_ENV", default="development").strip().lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in env_required("ALLOWED_HOSTS").split(",") if h.strip()]
else:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-key")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

DEBUG = env_bool("DEBUG", default=not PRODUCTION)

# Sensitive columns (ID numbers, party membership details) are encrypted at rest (portal.crypto):
# Fernet keys, comma-separated, newest first; the first encrypts, every one decrypts, and
# `manage.py rotate_field_keys` brings all rows under the first. FIELD_HASH_KEY keys the hashes
# that look ID numbers up. Production has no default (check portal.E010 stops start-up); these
# development keys protect nothing and are for laptops and tests only.
_DEVELOPMENT_FIELD_KEY = "fDD8tk1xSuxPyqjKnIH1dpudy-rvNdpyqwP1UfJ4emI="


def env_fernet_keys(name: str, default: str) -> list[str]:
    keys = [key.strip() for key in env.str(name, default=default).split(",") if key.strip()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list Fernet keys (44 characters of url-safe base64, as "
                "`manage.py rotate_field_keys --new-key` prints), separated by commas"
            ) from None
    if len(set(keys)) < len(keys):
        raise ImproperlyConfigured(f"{name} lists a key twice")
    return keys


FIELD_ENCRYPTION_KEYS = env_fernet_keys(
    "FIELD_ENCRYPTION_KEYS", "" if PRODUCTION else _DEVELOPMENT_FIELD_KEY
)
FIELD_HASH_KEY = env.str(
    "FIELD_HASH_KEY", default="" if PRODUCTION else "development-only-id-number-hash-key"
).strip()

# The public address, e.g. https://portal.example.gov.cn, for QR codes and links in text messages.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # trigram similarity of suggestions, on PostgreSQL only
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "django_filters",
    "portal",
    "registry",
    "stations",
    "points",
    "feedback",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.replica.ReplicaMiddleware",  # notes a request's writes (portal.replica)
    "portal.middleware.no_store_with_a_session",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.staff_sessions_expire_when_idle",
    "portal.middleware.administrators_pages_from_allowed_networks",
    "portal.middleware.SignInSteps",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "stations.middleware.StationNotFoundPages",
    "portal.outage.RedisOutage",
    "portal.outage.StoreOutage",
    # Axes must come last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.navigation.navigation",
                "stations.last_station.last_station",
            ],
        },
    },
]

# Database: SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, low=0, high=3600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # The dashboard's covering index (INCLUDE columns) is a PostgreSQL optimisation; SQLite builds
    # the same index without them, which is all a laptop needs, so its warning is noise there.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# A streaming replica of the primary (docs/DEPLOYMENT.md, "A read replica"): the heavy reads of
# the views marked @reads_from_replica go there (portal.replica), unless the user wrote within
# REPLICA_AFTER_WRITE_SECONDS or the replica is down or more than REPLICA_MAX_LAG_SECONDS behind,
# which each process checks every REPLICA_CHECK_SECONDS. Unset: the primary serves everything.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="").strip()
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 10, low=1, high=3600)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 5, low=1, high=300)
REPLICA_AFTER_WRITE_SECONDS = env_int("REPLICA_AFTER_WRITE_SECONDS", 15, low=1, high=3600)
if DATABASE_REPLICA_URL:
    replica = env.db_url_config(DATABASE_REPLICA_URL)
    postgresql = "django.db.backends.postgresql"
    if not replica["ENGINE"] == DATABASES["default"]["ENGINE"] == postgresql:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs PostgreSQL, and DATABASE_URL too (its primary)"
        )
    replica["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    replica["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer is given up on quickly: the primary serves instead.
    replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Tests create no database on a read-only replica: the alias reads the test database's name
    # there (streamed from the primary), or, on one server, the same database.
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = replica
    DATABASE_ROUTERS = ["portal.replica.ReplicaRouter"]

# A connection pooler between the portal and PostgreSQL (docs/DEPLOYMENT.md, "PgBouncer"):
# `transaction` when it hands a server connection to a client for one transaction only
# (PgBouncer's pool_mode = transaction). Nothing of a session then lasts past a transaction, so
# Django's server-side cursors (declared WITH HOLD by .iterator() outside a transaction, and read
# by later statements) are off: .iterator() reads each query's rows on the client, a chunk at a
# time. The portal keeps no other session state (no SET outside a transaction, no session advisory
# locks, no LISTEN, no temporary tables, no prepared statements with psycopg2); tests/portal/
# test_pooler.py says so. `session` (or unset): a pooler in session mode, or none.
DATABASE_POOLER = env.str("DATABASE_POOLER", default="").strip().lower()
if DATABASE_POOLER not in {"", "session", "transaction"}:
    raise ImproperlyConfigured(
        f"DATABASE_POOLER must be session or transaction (or unset), not {DATABASE_POOLER!r}"
    )
if DATABASE_POOLER == "transaction":
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_POOLER=transaction needs DATABASE_URL on PostgreSQL")
    for database in DATABASES.values():
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when configured, holds the cache (and with it rate-limit counters) and is Celery's broker.
# A Redis that hangs rather than refuses: a cache call gives up after a second (the rate limits
# then fail open, portal.ratelimit), and sending a task after a few seconds (CELERY_BROKER_…
# below; portal.background.enqueue logs it and a sweep does the work), not at gunicorn's timeout.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "portal.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.passwords.CommonChinesePasswordValidator"},
    {"NAME": "portal.passwords.PasswordHistoryValidator"},
]
# Passwords (等保 level 3, 身份鉴别): at least 12 characters, none of the common ones (Django's list
# and portal/common_passwords_zh.txt), not one of the user's last PASSWORD_HISTORY (0: no check);
# one older than PASSWORD_EXPIRY_DAYS must be changed at the next sign-in (0: never expires), and
# so must one an administrator set (a new account's first).
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5, low=0, high=24)
PASSWORD_EXPIRY_DAYS = env_int("PASSWORD_EXPIRY_DAYS", 0, low=0, high=3650)

# The second factor of every staff sign-in (portal.second_factor): an authenticator app (TOTP), or
# a texted code for whom an administrator chose it. STAFF_SECOND_FACTOR_TOTP_ONLY refuses texted
# codes to everybody. How long a code is good for is portal.second_factor.TOLERANCE.
STAFF_SECOND_FACTOR_TOTP_ONLY = env_bool("STAFF_SECOND_FACTOR_TOTP_ONLY", default=False)
OTP_TOTP_SYNC = False  # no drift learnt from accepted codes: the window stays the one above
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="暖新服务平台")  # the name in the app
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff_home"

# Wrong passwords: after AXES_FAILURE_LIMIT failures for one username from one address, that
# pair is locked for AXES_COOLOFF_MINUTES. Locking the pair, not the address alone, keeps staff
# behind one carrier NAT from locking each other out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, low=1, high=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, low=1, high=24 * 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "portal.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Number of reverse proxies in front of the app (0: clients connect directly). Only when it is set,
# and only for requests that come from one of PROXY_ADDRESSES (FORWARDED_ALLOW_IPS, the variable
# gunicorn reads too; "*": any, when gunicorn's port is reachable from the proxy alone), are
# X-Forwarded-For and X-Forwarded-Proto believed. The client address is then the one the outermost
# of our proxies appended (PROXY_COUNT-th from the right), so a client cannot choose its own.
PROXY_COUNT = env_int("PROXY_COUNT", 0, low=0, high=10)
PROXY_ADDRESSES = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"])
AXES_CLIENT_IP_CALLABLE = "portal.ratelimit.known_address"


def env_networks(name: str) -> list:
    """Client networks in CIDR (10.8.0.0/16, 192.168.1.5), comma-separated; one that is not a
    network stops start-up with one line naming the variable."""
    networks = []
    for raw in env.list(name, default=[]):
        try:
            networks.append(ipaddress.ip_network(raw.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list networks such as 10.8.0.0/16, not {raw!r}"
            ) from None
    return networks


# The administrators' pages (/admin/, the accounts review, the security log) answer only to a
# client in one of these networks, and 404 to everyone else; empty: from anywhere. The client's
# address is the one PROXY_COUNT believes, so set that too behind a proxy.
ADMIN_ALLOWED_NETWORKS = env_networks("ADMIN_ALLOWED_NETWORKS")

# Staff accounts over time (等保 level 3): an account nobody has signed in to for
# ACCOUNT_INACTIVE_DAYS is disabled by the daily upkeep (0: never). The security log keeps
# AUDIT_LOG_RETENTION_DAYS, at least the six months 等保 asks for (the database refuses to delete
# a younger row).
ACCOUNT_INACTIVE_DAYS = env_int("ACCOUNT_INACTIVE_DAYS", 90, low=0, high=3650)
AUDIT_LOG_RETENTION_DAYS = env_int("AUDIT_LOG_RETENTION_DAYS", 365, low=180, high=36500)

# Rate limits of the public forms and the API: (attempts, seconds of the window), counted in the
# cache (Redis when configured: shared by every web process, where a local-memory counter would
# count each process apart). A network is one client address: riders share carrier addresses,
# so those limits are generous. RATE_LIMITS='{"suggest:address": [40, 3600]}' overrides some.
MINUTE, HOUR = 60, 60 * 60
RATE_LIMITS = {
    "register:address": (20, HOUR),  # registrations sent from one network
    "register:mobile": (3, HOUR),  # and for one mobile number
    "suggest:address": (20, HOUR),  # public suggestions
    "suggest:mobile": (5, HOUR),
    "suggest:station": (200, HOUR),  # through one station's QR code
    "check-in:mobile": (10, HOUR),
    "check-in:station": (300, 10 * MINUTE),
    "sms-code:address": (30, HOUR),  # texted codes (rider sign-in, registration, check-in)
    "sms-code:mobile": (5, HOUR),
    "track-miss:address": (30, 10 * MINUTE),  # unknown tracking codes: too few to guess 1 of 31**10
    "open311:key": (120, HOUR),  # Open311 requests posted with one API key
}
rate_limits_set = env.json("RATE_LIMITS", default={})
if unknown := set(rate_limits_set) - set(RATE_LIMITS):
    raise ImproperlyConfigured(f"RATE_LIMITS names no such limit: {', '.join(sorted(unknown))}")
for name, limit in rate_limits_set.items():
    if not (
        isinstance(limit, list)
        and len(limit) == 2
        and all(type(number) is int and 1 <= number <= 7 * 24 * HOUR for number in limit)
    ):
        raise ImproperlyConfigured(
            f"RATE_LIMITS {name} must be [attempts, seconds], two whole numbers from 1 to "
            f"{7 * 24 * HOUR}, not {limit!r}"
        )
RATE_LIMITS |= {name: tuple(limit) for name, limit in rate_limits_set.items()}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Private uploads (suggestion photos) are sent by views that check who asks (portal.private_files).
# Behind nginx, the prefix of its `internal` location onto MEDIA_ROOT, e.g. /protected-media/: the
# view then answers with X-Accel-Redirect and nginx sends the file (docs/DEPLOYMENT.md). Empty:
# the web process streams the file itself.
MEDIA_ACCEL_REDIRECT = env.str("MEDIA_ACCEL_REDIRECT", default="").strip()
if MEDIA_ACCEL_REDIRECT and not (
    MEDIA_ACCEL_REDIRECT.startswith("/") and MEDIA_ACCEL_REDIRECT.endswith("/")
):
    raise ImproperlyConfigured(
        f"MEDIA_ACCEL_REDIRECT must start and end with / (e.g. /protected-media/), "
        f"not {MEDIA_ACCEL_REDIRECT!r}"
    )

# Media. Two storages: "default", private (suggestion and result photos, survey lists), read only
# through views that check who asks (portal.private_files); "public" (station photos, reward
# pictures, QR codes), whose files browsers fetch by URL. With S3_BUCKET unset both are the local
# disk under MEDIA_ROOT (the web processes and workers then need one shared disk). With it set,
# both are buckets of an S3-compatible object store (django-storages): S3_BUCKET private,
# S3_PUBLIC_BUCKET readable by anyone (docs/DEPLOYMENT.md says how to make them), so web processes
# and workers on different machines find the same files.
S3_BUCKET = env.str("S3_BUCKET", default="").strip()
S3_PUBLIC_BUCKET = env.str("S3_PUBLIC_BUCKET", default="").strip()
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="").strip().rstrip("/")
S3_REGION = env.str("S3_REGION", default="us-east-1").strip()
S3_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default="").strip()
S3_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default="").strip()
# Where browsers read the public bucket, e.g. https://media.portal.example.gov.cn/portal-public
# (a CDN-less proxy or the store's own address); empty: the endpoint's path-style address.
S3_PUBLIC_URL = env.str("S3_PUBLIC_URL", default="").strip().rstrip("/")
# Seconds the portal waits for the object store before an upload fails with a clear message.
S3_TIMEOUT = env_int("S3_TIMEOUT", 5, low=1, high=120)


def s3_storages() -> dict:
    """The "default" and "public" storages on the object store; start-up stops on a half-done
    configuration rather than writing private files where the public can read them."""
    if not S3_PUBLIC_BUCKET or S3_PUBLIC_BUCKET == S3_BUCKET:
        raise ImproperlyConfigured(
            "S3_PUBLIC_BUCKET must name a second bucket, readable by anyone, when S3_BUCKET is set"
        )
    if bool(S3_ACCESS_KEY_ID) != bool(S3_SECRET_ACCESS_KEY):
        raise ImproperlyConfigured("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together")
    if MEDIA_ACCEL_REDIRECT:
        raise ImproperlyConfigured(
            "MEDIA_ACCEL_REDIRECT sends files from nginx's disk; leave it empty with S3_BUCKET"
        )
    from botocore.config import Config

    public_url = urlsplit(S3_PUBLIC_URL or f"{S3_ENDPOINT_URL}/{S3_PUBLIC_BUCKET}")
    if public_url.scheme not in ("http", "https") or not public_url.netloc:
        raise ImproperlyConfigured(
            "S3_PUBLIC_URL (or S3_ENDPOINT_URL, which it defaults from) must be an http(s) "
            f"address, not {public_url.geturl()!r}"
        )
    common = {
        "endpoint_url": S3_ENDPOINT_URL or None,
        "region_name": S3_REGION,
        "access_key": S3_ACCESS_KEY_ID or None,
        "secret_key": S3_SECRET_ACCESS_KEY or None,
        "addressing_style": "path",
        "signature_version": "s3v4",
        # Never write over a file of the same name (two station photos both IMG_0001.jpg).
        "file_overwrite": False,
        # A store that is down fails an upload within seconds, not at gunicorn's timeout.
        "client_config": Config(
            connect_timeout=S3_TIMEOUT, read_timeout=S3_TIMEOUT, retries={"max_attempts": 2}
        ),
    }
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            # No ACL: the bucket's own, private. Never a URL for these (querystring_auth makes
            # any that is asked for expire, but no page asks: portal.private_files streams them).
            "OPTIONS": {**common, "bucket_name": S3_BUCKET, "querystring_auth": True},
        },
        "public": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": S3_PUBLIC_BUCKET,
                "querystring_auth": False,
                "url_protocol": f"{public_url.scheme}:",
                "custom_domain": f"{public_url.netloc}{public_url.path}",
            },
        },
    }


if S3_BUCKET:
    MEDIA_STORAGES = s3_storages()
elif S3_PUBLIC_BUCKET:
    raise ImproperlyConfigured("S3_PUBLIC_BUCKET is set but S3_BUCKET is not: set both, or neither")
else:
    # No location given: FileSystemStorage reads MEDIA_ROOT and MEDIA_URL when used.
    MEDIA_STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "public": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }

STORAGES = {
    **MEDIA_STORAGES,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production whitenoise reads static/ directly, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
# Text messages go through a backend class, like e-mail: the console one prints them.
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.sms.ConsoleBackend")

# Filter drop-downs read "All" rather than django-filter's dashes.
FILTERS_EMPTY_CHOICE_LABEL = _("All")

# Exports (portal.exports): one of more than EXPORT_BACKGROUND_ROWS rows is written by a Celery
# task into the private storage instead of in the request; the file is deleted EXPORT_KEEP_HOURS
# after it is made. A job whose task has not reported progress for EXPORT_STALE_MINUTES (its
# worker was killed or lost) is shown as failed, and may be started again.
EXPORT_BACKGROUND_ROWS = env_int("EXPORT_BACKGROUND_ROWS", 5000, low=0, high=10_000_000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24, low=1, high=24 * 30)
EXPORT_STALE_MINUTES = env_int("EXPORT_STALE_MINUTES", 15, low=1, high=24 * 60)

# 三必访: days from a recorded trigger to the care visit's due date.
CARE_VISIT_DUE_DAYS = env_int("CARE_VISIT_DUE_DAYS", 7, low=1, high=365)
# Retention (PIPL): a worker who left or withdrew consent is anonymised this many days after
# leaving, by a nightly beat task (registry.services.anonymise_departed); 0 keeps them.
REGISTRY_ANONYMISE_AFTER_DAYS = env_int("REGISTRY_ANONYMISE_AFTER_DAYS", 365, low=0, high=3650)

# Riders sign in with a text-message code and stay signed in on that phone this many days.
RIDER_SESSION_DAYS = env_int("RIDER_SESSION_DAYS", 30, low=1, high=365)
# Minutes a work card's QR code stays valid after the rider opened the card (reloading renews it).
WORK_CARD_MINUTES = env_int("WORK_CARD_MINUTES", 10, low=1, high=24 * 60)

# The suggestion loop (feedback): points for an accepted hazard report; working days a suggestion
# may wait for assessment before assessors are reminded; working days a new task gets by default;
# days after which a resolved suggestion nobody rated closes itself.
FEEDBACK_HAZARD_POINTS = env_int("FEEDBACK_HAZARD_POINTS", 10, low=1, high=1000)
FEEDBACK_ASSESS_WITHIN_WORKING_DAYS = env_int(
    "FEEDBACK_ASSESS_WITHIN_WORKING_DAYS", 2, low=1, high=60
)
FEEDBACK_TASK_DUE_WORKING_DAYS = env_int("FEEDBACK_TASK_DUE_WORKING_DAYS", 5, low=1, high=250)
FEEDBACK_AUTO_CLOSE_DAYS = env_int("FEEDBACK_AUTO_CLOSE_DAYS", 7, low=1, high=365)
# A suggestion's own limit: no task of it may be due (nor extended, 延期) later than this many
# working days after it was accepted.
FEEDBACK_LIMIT_WORKING_DAYS = env_int("FEEDBACK_LIMIT_WORKING_DAYS", 60, low=5, high=250)
# Days after a hazard report is resolved when its submitter is asked by text whether it is fixed
# (feedback.texts.ask_if_fixed). Such a hazard closes itself FEEDBACK_AUTO_CLOSE_DAYS after the
# question, not after the resolution, so the answer "not fixed" can always still reopen it.
FEEDBACK_ASK_IF_FIXED_DAYS = env_int("FEEDBACK_ASK_IF_FIXED_DAYS", 5, low=1, high=90)


def env_hours(name: str, default: str) -> tuple[time, time]:
    """A span of the day written "09:00-17:30": its beginning and end; anything else (a typo, an
    end before the beginning) stops start-up, as other bad values do."""
    raw = env.str(name, default="").strip() or default
    match = re.fullmatch(
        r"([01][0-9]|2[0-3]):([0-5][0-9])\s*-\s*([01][0-9]|2[0-3]):([0-5][0-9])", raw
    )
    if not match:
        raise ImproperlyConfigured(f"{name} must be two times like 09:00-17:30, not {raw!r}")
    begin = time(int(match[1]), int(match[2]))
    end = time(int(match[3]), int(match[4]))
    if end <= begin:
        raise ImproperlyConfigured(f"{name} must end after it begins, not {raw!r}")
    return begin, end


# Working hours on working days (feedback.calendar): what deadlines in working hours count, and
# when the acknowledgement follow-up runs its reminders and escalations.
FEEDBACK_WORKING_HOURS = env_hours("FEEDBACK_WORKING_HOURS", "09:00-17:30")
# Suggestion photos: the largest upload accepted, and the most pixels decoded (a bomb guard).
FEEDBACK_PHOTO_MAX_BYTES = env_int(
    "FEEDBACK_PHOTO_MAX_BYTES", 10 * 1024 * 1024, low=100 * 1024, high=100 * 1024 * 1024
)
FEEDBACK_PHOTO_MAX_PIXELS = env_int(
    "FEEDBACK_PHOTO_MAX_PIXELS", 40_000_000, low=1_000_000, high=200_000_000
)
# Retention (PIPL): a suggestion's photos, hidden ones too, are deleted this many days after it
# was closed or rejected (a duplicate's with its original's), by a nightly beat task; 0 keeps them.
FEEDBACK_PHOTO_RETENTION_DAYS = env_int("FEEDBACK_PHOTO_RETENTION_DAYS", 180, low=0, high=3650)

# The dashboard's figures are recounted every DASHBOARD_REFRESH_MINUTES (a beat task, editable in
# the admin; the page asks for a recount when the last one is older than twice that), and the last
# DASHBOARD_SETTLE_DAYS days again every night.
DASHBOARD_REFRESH_MINUTES = env_int("DASHBOARD_REFRESH_MINUTES", 10, low=1, high=24 * 60)
DASHBOARD_SETTLE_DAYS = env_int("DASHBOARD_SETTLE_DAYS", 35, low=2, high=400)

# Celery: Redis when REDIS_URL is set, otherwise tasks run eagerly inside the request.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 2, "socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Two queues, so an import of 50,000 rows never holds up this morning's reminders: `quick` (the
# default) for reminders, texts, follow-ups and small upkeep; `heavy` for the work that takes a
# core for seconds or minutes: survey lists read and saved, QR codes drawn, photos deleted,
# workers anonymised, the dashboard recounted. A worker started without -Q takes both (the tests'
# workers do); production runs one per queue (docker-compose.yml, docs/DEPLOYMENT.md):
#   celery --app portal worker -Q quick --concurrency 4
#   celery --app portal worker -Q heavy --concurrency 1
# There is no `bulk` queue: nothing texts many workers at once yet (activity reminders go one
# sign-up at a time, on `quick`).
CELERY_TASK_DEFAULT_QUEUE = "quick"
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in ("quick", "heavy")]
CELERY_TASK_CREATE_MISSING_QUEUES = False  # a route to a queue nobody consumes is an error
CELERY_TASK_ROUTES = {
    name: {"queue": "heavy"}
    for name in (
        "registry.tasks.read_import",
        "registry.tasks.commit_import",
        "registry.tasks.sweep_imports",
        "registry.tasks.purge_abandoned_imports",
        "registry.tasks.anonymise_departed_workers",
        "stations.tasks.make_qr_codes",
        "stations.tasks.sweep_qr_codes",
        "feedback.tasks.delete_expired_photos",
        "feedback.tasks.process_suggestion_photo",
        "feedback.tasks.process_task_photo",
        "feedback.tasks.sweep_photos",
        "portal.dashboard.tasks.refresh_dashboard",
        "portal.dashboard.tasks.settle_dashboard",
        "portal.tasks.write_export",
        "portal.tasks.sweep_exports",
    )
}


def tile_image_sources(tile_url: str) -> list[str]:
    """The img-src entries the map's tiles need: `https://{s}.tile.example.org/{z}/{x}/{y}.png`
    gives `https://*.tile.example.org` (the `{s}` subdomain placeholder becomes a wildcard, which
    CSP allows only as the leftmost label); a tile URL on our own origin ("/tiles/…") needs none."""
    if not tile_url or tile_url.startswith("/"):
        return []
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"MAP_TILE_URL must start with https://, http:// or /: {tile_url!r}"
        )
    labels = parts.netloc.split(".")
    placeholders = [i for i, label in enumerate(labels) if "{" in label]
    if placeholders:
        rest = labels[placeholders[-1] + 1 :]
        if len(rest) < 2:
            raise ImproperlyConfigured(
                f"MAP_TILE_URL needs a fixed domain after its placeholder: {tile_url!r}"
            )
        labels = ["*", *rest]
    return [f"{parts.scheme}://{'.'.join(labels)}"]


def public_media_sources() -> list[str]:
    """The img-src entry for the public bucket's origin (station photos, reward pictures)."""
    if not S3_BUCKET:
        return []
    options = STORAGES["public"]["OPTIONS"]
    return [f"{options['url_protocol']}//{options['custom_domain'].split('/', 1)[0]}"]


# The friendly map's tiles (docs in the README): a Leaflet tile URL template, its attribution and
# the values of its {s} placeholder. Empty: the map page shows the list and says the map is off.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="").strip()
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
MAP_TILE_SUBDOMAINS = env.str("MAP_TILE_SUBDOMAINS", default="abc").strip()

# Content-Security-Policy: everything from our own origin, no inline script, no external host but
# the map's tile server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *tile_image_sources(MAP_TILE_URL), *public_media_sources()],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A staff session ends SESSION_COOKIE_AGE after signing in (a working day), or sooner after
# STAFF_IDLE_MINUTES without a request (portal.middleware.staff_sessions_expire_when_idle).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, low=5 * 60, high=7 * 24 * 60 * 60)
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30, low=1, high=24 * 60)

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int(
        "SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60, low=0, high=2 * 365 * 24 * 60 * 60
    )
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    if PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Logs go to the console; nothing personal (mobile, ID number, party membership) is ever logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
