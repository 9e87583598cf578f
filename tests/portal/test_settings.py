"""The settings module read in a fresh interpreter under different environments."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7#kq2!vz9@mw4$pt6^rb8&nd3*hj5(lc1)gf0-sy+ue=ao_Lq8Zr2Tn5Wc7Vb",
    "ALLOWED_HOSTS": "portal.example.gov.cn",
    "SITE_URL": "https://portal.example.gov.cn",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "FIELD_ENCRYPTION_KEYS": "Lk0MYH3rMz5FS7JRUVb6KxJq1mVw1uTj0Yx9hQG0b9o=",
    "FIELD_HASH_KEY": "settings-test-hash-key-" + "h" * 20,
}
VARIABLES = {
    "DJANGO_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "DATABASE_POOLER",
    "REDIS_URL",
    "SITE_URL",
    "CELERY_BROKER_URL",
    "PROXY_COUNT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "FIELD_ENCRYPTION_KEYS",
    "FIELD_HASH_KEY",
    "S3_BUCKET",
    "S3_PUBLIC_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_PUBLIC_URL",
    "MEDIA_ACCEL_REDIRECT",
}

SHOW = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "sms": settings.SMS_BACKEND,
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "media": [settings.STORAGES[alias]["BACKEND"] for alias in ("default", "public")],
    "img_src": [str(s) for s in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]],
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "secure_cookies": getattr(settings, "SESSION_COOKIE_SECURE", False),
}))
"""


def run(args, **variables):
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env |= {"DJANGO_SETTINGS_MODULE": "portal.settings", **variables}
    # A fresh interpreter that migrates a database: 15 s alone, several times that on a busy
    # machine with a test process on each core. The limit only ends a hang.
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def show(**variables):
    result = run([sys.executable, "-c", SHOW], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_nothing_set_it_runs_on_one_laptop():
    values = show()
    assert values["debug"] is True
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(ROOT / "db.sqlite3")
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["eager"] is True
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["sms"] == "portal.sms.ConsoleBackend"
    assert values["media"] == ["django.core.files.storage.FileSystemStorage"] * 2


def test_database_url_selects_postgresql():
    values = show(DATABASE_URL="postgres://portal@db.internal:5432/portal")
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["db_name"] == "portal"


SHOW_DATABASES = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "databases": {alias: db["HOST"] for alias, db in settings.DATABASES.items()},
    "replica": settings.DATABASES.get("replica", {}),
    "routers": settings.DATABASE_ROUTERS,
}))
"""


def test_without_a_replica_url_the_primary_is_the_only_database():
    result = run([sys.executable, "-c", SHOW_DATABASES])
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert list(values["databases"]) == ["default"]
    assert values["routers"] == []


def test_a_replica_url_adds_the_replica_a_router_and_a_test_mirror():
    result = run(
        [sys.executable, "-c", SHOW_DATABASES],
        DATABASE_URL="postgres://portal@db-primary.internal:5432/portal",
        DATABASE_REPLICA_URL="postgres://portal@db-replica.internal:5432/portal",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["databases"] == {
        "default": "db-primary.internal",
        "replica": "db-replica.internal",
    }
    assert values["routers"] == ["portal.replica.ReplicaRouter"]
    # Tests make no database on it, and a replica that does not answer is given up on quickly.
    assert values["replica"]["TEST"]["MIRROR"] == "default"
    assert values["replica"]["OPTIONS"]["connect_timeout"] == 2


def test_a_replica_needs_postgresql_on_both_sides():
    result = run(
        [sys.executable, "manage.py", "check"],
        DATABASE_REPLICA_URL="postgres://portal@db-replica.internal:5432/portal",
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DATABASE_REPLICA_URL needs PostgreSQL, and DATABASE_URL too "
        "(its primary)"
    ]


def test_the_checks_warn_when_a_writer_could_read_a_replica_without_their_write():
    result = run(
        [sys.executable, "manage.py", "check"],
        DATABASE_URL="postgres://portal@db-primary.internal:5432/portal",
        DATABASE_REPLICA_URL="postgres://portal@db-replica.internal:5432/portal",
        REPLICA_MAX_LAG_SECONDS="30",
        REPLICA_AFTER_WRITE_SECONDS="20",
    )
    assert result.returncode == 0, result.stderr
    assert "(portal.W003) REPLICA_AFTER_WRITE_SECONDS is 20" in result.stderr
    assert "Set REPLICA_AFTER_WRITE_SECONDS to 35 or more." in result.stderr


def test_redis_url_selects_redis_for_cache_and_broker_and_stops_eager_tasks():
    values = show(REDIS_URL="redis://127.0.0.1:6379/3")
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["eager"] is False


S3 = {
    "S3_BUCKET": "portal",
    "S3_PUBLIC_BUCKET": "portal-public",
    "S3_ENDPOINT_URL": "https://oss.example.gov.cn",
    "S3_ACCESS_KEY_ID": "portal",
    "S3_SECRET_ACCESS_KEY": "portal-secret",
}


def test_s3_bucket_puts_both_media_storages_on_the_store_and_lets_pages_show_public_files():
    values = show(**S3)
    assert values["media"] == ["storages.backends.s3.S3Storage"] * 2
    assert "https://oss.example.gov.cn" in values["img_src"]
    values = show(**S3, S3_PUBLIC_URL="https://media.portal.example.gov.cn/public")
    assert "https://media.portal.example.gov.cn" in values["img_src"]
    assert "https://oss.example.gov.cn" not in values["img_src"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"S3_PUBLIC_BUCKET": ""}, "S3_PUBLIC_BUCKET must name a second bucket"),
        ({"S3_PUBLIC_BUCKET": "portal"}, "S3_PUBLIC_BUCKET must name a second bucket"),
        ({"S3_SECRET_ACCESS_KEY": ""}, "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together"),
        ({"MEDIA_ACCEL_REDIRECT": "/protected-media/"}, "leave it empty with S3_BUCKET"),
        ({"S3_ENDPOINT_URL": "oss.example.gov.cn"}, "must be an http(s) address"),
        ({"S3_BUCKET": ""}, "S3_PUBLIC_BUCKET is set but S3_BUCKET is not"),
    ],
)
def test_a_half_done_object_store_configuration_stops_start_up(variables, message):
    result = run([sys.executable, "manage.py", "check"], **{**S3, **variables})
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_production_turns_on_secure_cookies_hsts_and_hashed_static_files():
    values = show(**PRODUCTION)
    assert values["debug"] is False
    assert values["secure_cookies"] is True
    assert values["hsts"] >= 31536000
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_a_missing_production_variable_stops_start_up_with_one_line_naming_it(missing):
    variables = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run([sys.executable, "manage.py", "check"], **variables)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Configuration error: {missing} must be set when DJANGO_ENV=production"
    ]


def test_production_without_the_field_keys_is_stopped_by_the_checks():
    variables = {k: v for k, v in PRODUCTION.items() if not k.startswith("FIELD_")}
    result = run([sys.executable, "manage.py", "check", "--deploy"], **variables)
    assert result.returncode == 1
    assert "(portal.E010) FIELD_ENCRYPTION_KEYS is not set" in result.stderr
    assert "(portal.E011) FIELD_HASH_KEY is not set" in result.stderr


def test_a_malformed_field_key_stops_start_up_with_one_line_naming_it():
    result = run([sys.executable, "manage.py", "check"], FIELD_ENCRYPTION_KEYS="not-a-key")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: FIELD_ENCRYPTION_KEYS must list Fernet keys (44 characters of "
        "url-safe base64, as `manage.py rotate_field_keys --new-key` prints), separated by commas"
    ]


@pytest.mark.parametrize("name", ["DEBUG", "STAFF_SECOND_FACTOR_TOTP_ONLY"])
def test_a_typo_in_a_boolean_stops_start_up(name):
    result = run([sys.executable, "manage.py", "check"], **{name: "ture"})
    assert result.returncode == 1
    assert f"{name} must be one of" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["seven", "-3", "366"])
def test_a_bad_integer_stops_start_up_with_one_line_naming_it(value):
    result = run([sys.executable, "manage.py", "check"], CARE_VISIT_DUE_DAYS=value)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: CARE_VISIT_DUE_DAYS must be a whole number from 1 to 365, "
        f"not {value!r}"
    ]


INTEGERS = [
    "CONN_MAX_AGE",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "PROXY_COUNT",
    "CARE_VISIT_DUE_DAYS",
    "REGISTRY_ANONYMISE_AFTER_DAYS",
    "RIDER_SESSION_DAYS",
    "WORK_CARD_MINUTES",
    "FEEDBACK_HAZARD_POINTS",
    "FEEDBACK_ASSESS_WITHIN_WORKING_DAYS",
    "FEEDBACK_TASK_DUE_WORKING_DAYS",
    "FEEDBACK_AUTO_CLOSE_DAYS",
    "FEEDBACK_LIMIT_WORKING_DAYS",
    "FEEDBACK_ASK_IF_FIXED_DAYS",
    "FEEDBACK_PHOTO_MAX_BYTES",
    "FEEDBACK_PHOTO_MAX_PIXELS",
    "FEEDBACK_PHOTO_RETENTION_DAYS",
    "DASHBOARD_REFRESH_MINUTES",
    "DASHBOARD_SETTLE_DAYS",
    "SESSION_COOKIE_AGE",
    "STAFF_IDLE_MINUTES",
    "PASSWORD_HISTORY",
    "PASSWORD_EXPIRY_DAYS",
    "SECURE_HSTS_SECONDS",
    "REPLICA_MAX_LAG_SECONDS",
    "REPLICA_CHECK_SECONDS",
    "REPLICA_AFTER_WRITE_SECONDS",
]

# The settings module run once per variable and bad value in one interpreter (an interpreter each
# would take a second apiece): what each refusal says, or None where the value was accepted.
REFUSALS = """
import json, os, runpy, sys
from django.core.exceptions import ImproperlyConfigured
refusals = {}
for name in json.loads(sys.argv[1]):
    for value in ("seven", "-1", "1e3", str(10**12)):
        os.environ[name] = value
        try:
            runpy.run_module("portal.settings")
            refusals[f"{name}={value}"] = None
        except ImproperlyConfigured as exc:
            refusals[f"{name}={value}"] = str(exc)
    del os.environ[name]
print(json.dumps(refusals))
"""


def test_every_integer_variable_refuses_words_and_numbers_out_of_its_bounds():
    # Production with PostgreSQL, so that the variables read only there are read too.
    result = run(
        [sys.executable, "-c", REFUSALS, json.dumps(INTEGERS)],
        **PRODUCTION,
        DATABASE_URL="postgres://portal@db.internal:5432/portal",
    )
    assert result.returncode == 0, result.stderr
    refusals = json.loads(result.stdout)
    for setting, refusal in refusals.items():
        name, value = setting.split("=")
        assert refusal is not None, f"{setting} was accepted"
        assert refusal.startswith(f"{name} must be a whole number from "), refusal
        assert refusal.endswith(f", not {value!r}"), refusal


def test_an_integer_variable_may_be_blank_or_padded(monkeypatch):
    from portal.settings import env_int

    monkeypatch.setenv("CARE_VISIT_DUE_DAYS", " ")
    assert env_int("CARE_VISIT_DUE_DAYS", 7, low=1, high=365) == 7
    monkeypatch.setenv("CARE_VISIT_DUE_DAYS", " 14 ")
    assert env_int("CARE_VISIT_DUE_DAYS", 7, low=1, high=365) == 14
    monkeypatch.setenv("CARE_VISIT_DUE_DAYS", "365")
    assert env_int("CARE_VISIT_DUE_DAYS", 7, low=1, high=365) == 365


def test_check_deploy_has_no_warning_at_all_in_production():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_when_production_has_no_redis():
    variables = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = run([sys.executable, "manage.py", "check", "--deploy"], **variables)
    assert "portal.W001" in result.stderr


def test_every_response_carries_a_content_security_policy_without_inline_script(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_a_fresh_sqlite_database_migrates_without_a_warning(tmp_path):
    """The default set-up prints nothing but the migrations: the PostgreSQL-only covering index
    of the dashboard does not warn on SQLite (models.W040)."""
    result = run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "W040" not in result.stdout + result.stderr
