"""The real web process for tests that need it: bin/start-web (migrate, collectstatic, gunicorn with
portal/gunicorn.conf.py) under production settings, DEBUG off, on the test database (PostgreSQL:
the `services` pass). Used by tests/faults and by the private photo files' test."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import auth
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django_otp import DEVICE_ID_SESSION_KEY

from bench.proxy import LoopbackHTTP, free_port
from tests.signin import authenticator

ROOT = Path(__file__).resolve().parents[1]


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what} within {seconds} s")


def production_environment(folder: Path, application_name: str, **environment) -> dict:
    """The environment of a portal process under production settings on the test database:
    the test process's keys (sessions and encrypted columns it makes are valid there, and back),
    `folder`/media as MEDIA_ROOT; `environment` adds to or overrides it."""
    db = connection.settings_dict
    assert db["ENGINE"] == "django.db.backends.postgresql", "the services pass only"
    user = f"{db['USER']}:{db['PASSWORD']}" if db["PASSWORD"] else db["USER"]
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DJANGO_ENV": "production",
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "FIELD_HASH_KEY": settings.FIELD_HASH_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://portal.example.gov.cn",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": (
            f"postgres://{user}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
            f"?application_name={application_name}"
        ),
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        **environment,
    }
    for name in ("DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL", "DEBUG"):
        environment.pop(name, None)
    return environment


def direct_server() -> tuple[str, int]:
    """PostgreSQL's own host and port. Under a pooler in transaction mode (CI's services pass goes
    through PgBouncer) what needs a session of its own (pg_dump and pg_restore set their session
    up first) or must see PostgreSQL itself drop connections goes straight to the server named by
    DATABASE_DIRECT_URL, as an operator's backup does (docs/DEPLOYMENT.md, "PgBouncer")."""
    if url := os.environ.get("DATABASE_DIRECT_URL"):
        parts = urlsplit(url)
        return parts.hostname, parts.port or 5432
    db = connection.settings_dict
    return db["HOST"], int(db["PORT"] or 5432)


def direct_url(application_name: str) -> str:
    """The test database on PostgreSQL itself (direct_server)."""
    db = connection.settings_dict
    user = f"{db['USER']}:{db['PASSWORD']}" if db["PASSWORD"] else db["USER"]
    host, port = direct_server()
    return f"postgres://{user}@{host}:{port}/{db['NAME']}?application_name={application_name}"


class Web(LoopbackHTTP):
    """bin/start-web in a process group of its own; its log (stdout and stderr) in a file.
    `environment` adds to or overrides the production environment given here."""

    def __init__(self, folder: Path, *, application_name="portal-test-web", **environment):
        self.port = free_port()
        self.media = folder / "media"
        self.log_path = folder / "web.log"
        environment = production_environment(
            folder,
            application_name,
            HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_CONCURRENCY="2",
            GUNICORN_THREADS="2",
            **environment,
        )
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [str(ROOT / "bin" / "start-web")],
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.healthy, 90, f"the web server did not start; see {self.log_path}")

    def healthy(self) -> bool:
        assert self.process.poll() is None, self.log_path.read_text()
        try:
            return self.request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def logged(self) -> str:
        return self.log_path.read_text()

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


class CeleryWorker:
    """`celery --app portal worker` as docker-compose's worker service runs it (one process, solo
    pool), under production settings on the test database and the test process's Redis, in a
    process group of its own, its log in a file. `environment` as for Web."""

    def __init__(self, folder: Path, *, application_name="portal-test-worker", **environment):
        self.media = folder / "media"
        self.log_path = folder / "worker.log"
        environment = production_environment(folder, application_name, **environment)
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "--app", "portal", "worker", "--pool", "solo",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_for(self.ready, 60, f"the Celery worker did not start; see {self.log_path}")

    def ready(self) -> bool:
        assert self.process.poll() is None, self.log_path.read_text()
        return " ready." in self.log_path.read_text()

    def logged(self) -> str:
        return self.log_path.read_text()

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def staff_cookies(user) -> dict:
    """The session cookie a whole sign-in as `user` (password and code) leaves, made here in the
    database."""
    session = SessionStore()
    session.update(
        {
            auth.SESSION_KEY: str(user.pk),
            auth.BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            auth.HASH_SESSION_KEY: user.get_session_auth_hash(),
            DEVICE_ID_SESSION_KEY: authenticator(user).persistent_id,
        }
    )
    session.save()
    return {settings.SESSION_COOKIE_NAME: session.session_key}
