"""docker-compose.yml can't run here (no Docker engine); what it runs is tested instead."""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.error import HTTPError

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_names_its_services(compose):
    assert set(compose["services"]) == {
        "postgres",
        "redis",
        "seaweedfs",
        "buckets",
        "web",
        "nginx",
        "worker",
        "worker-heavy",
        "beat",
    }


def test_every_queue_has_a_worker_and_the_heavy_one_works_one_task_at_a_time(compose):
    from portal.celery import app

    consumed = {}
    for name in ("worker", "worker-heavy"):
        command = compose["services"][name]["command"]
        assert command[:4] == ["celery", "--app", "portal", "worker"]
        queues = command[command.index("-Q") + 1].split(",")
        consumed |= {queue: int(command[command.index("--concurrency") + 1]) for queue in queues}
    assert set(consumed) == set(app.amqp.queues) == {"quick", "heavy"}
    assert consumed["heavy"] == 1


def test_web_worker_and_beat_share_media_only_through_the_object_store(compose):
    """No media volume: files go to SeaweedFS's buckets, made once by `buckets` before the
    portal starts, with the key SeaweedFS was started with."""
    services = compose["services"]
    seaweedfs = services["seaweedfs"]
    assert seaweedfs["image"] == "chrislusf/seaweedfs"
    assert "-s3" in seaweedfs["command"] and "-s3.port=8333" in seaweedfs["command"]
    assert services["buckets"]["command"] == ["python", "manage.py", "make_buckets"]
    assert services["buckets"]["depends_on"]["seaweedfs"]["condition"] == "service_healthy"
    for name in ("web", "worker", "worker-heavy", "beat"):
        service = services[name]
        environment = service["environment"]
        assert environment["S3_ENDPOINT_URL"] == "http://seaweedfs:8333"
        assert environment["S3_BUCKET"] != environment["S3_PUBLIC_BUCKET"]
        assert (
            environment["S3_SECRET_ACCESS_KEY"] == seaweedfs["environment"]["AWS_SECRET_ACCESS_KEY"]
        )
        assert "MEDIA_ACCEL_REDIRECT" not in environment  # nginx has no disk to send from
        assert not service.get("volumes")
        assert service["depends_on"]["buckets"]["condition"] == "service_completed_successfully"


def test_nginx_sends_only_the_public_bucket_and_only_for_reading(compose):
    """Only nginx is reachable (on the loopback, for the host's TLS proxy); of the store, it
    passes GETs of the public bucket's files at S3_PUBLIC_URL, and nothing of the private one."""
    services = compose["services"]
    nginx, web = services["nginx"], services["web"]
    assert "ports" not in web and "ports" not in services["seaweedfs"]
    assert nginx["ports"] == ["127.0.0.1:8000:80"]
    (config_mount,) = nginx["volumes"]
    source, target, mode = config_mount.split(":")
    assert (source, target, mode) == ("./deploy/nginx.conf", "/etc/nginx/conf.d/default.conf", "ro")
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    locations = dict(re.findall(r"location (\S+) \{(.*?)\n    \}", config, re.S))
    assert set(locations) == {"/", "/media/public/"}
    assert web["environment"]["S3_PUBLIC_URL"] == "${SITE_URL}/media/public"
    public = locations["/media/public/"]
    bucket = web["environment"]["S3_PUBLIC_BUCKET"]
    assert f"proxy_pass http://seaweedfs:8333/{bucket}/;" in public
    assert "limit_except GET { deny all; }" in public
    assert "proxy_pass http://web:8000;" in locations["/"]


def test_web_worker_and_beat_run_the_portal_image_against_postgres_and_redis(compose):
    services = compose["services"]
    assert (ROOT / "Dockerfile").is_file()
    for name in ("web", "worker", "worker-heavy", "beat"):
        service = services[name]
        assert service["build"] == "."
        assert service["environment"]["DJANGO_ENV"] == "production"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert set(service["depends_on"]) == {"postgres", "redis", "buckets"}
    assert services["web"]["command"] == ["bin/start-web"]
    assert services["beat"]["command"][:4] == ["celery", "--app", "portal", "beat"]


def test_the_web_service_migrates_and_collects_static_files_before_gunicorn():
    lines = [line for line in (ROOT / "bin" / "start-web").read_text().splitlines() if line.strip()]
    commands = [line for line in lines if not line.startswith(("#", "set ", "cd "))]
    assert commands[0].startswith("python manage.py migrate")
    assert commands[1].startswith("python manage.py collectstatic")
    assert shlex.split(commands[2])[:2] == ["exec", "gunicorn"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect comes back as an HTTPError with its status


def get(url, **headers):
    """(status, headers, body) of a GET to the local server, not following redirects."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (local URL)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def scratch_database():
    """A database of its own, so the start script's migrations run on an empty schema."""
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = f"portal_start_web_{os.getpid()}"
    admin = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"],
        password=db["PASSWORD"],
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = f"{db['USER']}:{db['PASSWORD']}" if db["PASSWORD"] else db["USER"]
    yield f"postgres://{user}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.services
def test_the_web_service_command_serves_the_portal_with_gunicorn(scratch_database, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "gunicorn-test-" + "k3y" * 20,
        "FIELD_ENCRYPTION_KEYS": "Lk0MYH3rMz5FS7JRUVb6KxJq1mVw1uTj0Yx9hQG0b9o=",
        "FIELD_HASH_KEY": "gunicorn-test-hash-" + "k3y" * 10,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://portal.example.gov.cn",
        "DATABASE_URL": scratch_database,
        "STATIC_ROOT": str(tmp_path / "static"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "PROXY_COUNT": "1",  # as behind the load balancer, which says the client used https
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(  # noqa: S603
        [str(ROOT / "bin" / "start-web")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _, body = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.5)
        assert server.poll() is None, server.stdout.read()
        assert status == 200, body
        assert json.loads(body) == {
            "status": "ok",
            "database": "ok",
            "cache": "ok",
            "broker": "ok",
        }

        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/portal.css"]
        assert hashed != "css/portal.css"
        https = {"X-Forwarded-Proto": "https"}
        status, headers, _ = get(f"http://127.0.0.1:{port}/static/{hashed}", **https)
        assert status == 200
        assert "immutable" in headers["Cache-Control"]

        status, headers, body = get(f"http://127.0.0.1:{port}/accounts/login/", **https)
        assert status == 200
        assert "工作人员登录" in body.decode()
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "script-src 'self'" in headers["Content-Security-Policy"]

        # Without https everything but the health check is redirected to it.
        status, headers, _ = get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 301
        assert headers["Location"] == f"https://127.0.0.1:{port}/accounts/login/"
    finally:
        server.terminate()
        server.wait(timeout=30)
