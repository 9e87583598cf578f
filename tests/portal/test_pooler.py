"""The portal behind PgBouncer in transaction mode (DATABASE_POOLER=transaction).

CI's whole services pass goes through a PgBouncer in transaction mode (.ci/run), so a query that
leans on a session's state fails there. Here: what the setting does, and a PgBouncer of the test's
own that is restarted under the real web process (tests/webprocess.py).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from io import BytesIO
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import WorkerFactory
from tests.portal.test_settings import run
from tests.webprocess import Web, free_port, staff_cookies, wait_for

ROOT = Path(__file__).resolve().parents[2]

SHOW = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps(settings.DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False)))
"""


def test_a_transaction_pooler_turns_server_side_cursors_off():
    url = "postgres://portal@pgbouncer.internal:6432/portal"
    for pooler, disabled in (("", "false"), ("session", "false"), ("transaction", "true")):
        result = run([sys.executable, "-c", SHOW], DATABASE_URL=url, DATABASE_POOLER=pooler)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == disabled


def test_a_pooler_setting_that_is_not_a_mode_stops_start_up():
    result = run([sys.executable, "manage.py", "check"], DATABASE_POOLER="transactions")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DATABASE_POOLER must be session or transaction (or unset), "
        "not 'transactions'"
    ]


def test_a_transaction_pooler_needs_postgresql():
    result = run([sys.executable, "manage.py", "check"], DATABASE_POOLER="transaction")
    assert result.returncode == 1
    assert "DATABASE_POOLER=transaction needs DATABASE_URL on PostgreSQL" in result.stderr


# Nothing in the code keeps state in a session, which a transaction pooler would hand to another
# client: checked over the source, so a new use is seen at review rather than in production.
SESSION_STATE = re.compile(
    r"pg_advisory_lock|pg_try_advisory_lock\(|\bLISTEN |\bNOTIFY |CREATE TEMP|\bPREPARE |"
    r"WITH HOLD|set_config\([^)]*false|\bSET (?!CONSTRAINTS |LOCAL )\w+ *(TO|=)"
)


def test_no_code_relies_on_the_state_of_a_database_session():
    apps = ("portal", "registry", "stations", "points", "feedback", "dashboard", "bin")
    found = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for app in apps
        for path in (ROOT / app).rglob("*")
        if path.is_file() and path.suffix in {".py", ""} and "__pycache__" not in path.parts
        for line in path.read_text(errors="ignore").splitlines()
        if SESSION_STATE.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []


class PrivateBouncer:
    """A PgBouncer of the test's own in transaction mode, on a free port, in front of the test
    database's server (PostgreSQL, or CI's own PgBouncer), which the test can restart without
    touching the connections of other tests."""

    def __init__(self, folder: Path):
        db = connection.settings_dict
        self.port = free_port()
        self.folder = folder
        folder.mkdir()
        (folder / "userlist.txt").write_text(f'"{db["USER"]}" ""\n')
        (folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={db['HOST']} port={db['PORT'] or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {folder / 'userlist.txt'}\n"
            "pool_mode = transaction\ndefault_pool_size = 4\n"
            f"logfile = {folder / 'pgbouncer.log'}\n"
        )
        self.process = None

    def start(self):
        command = ["/usr/sbin/pgbouncer", str(self.folder / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root (CI runs as root)
            subprocess.run(["chown", "-R", "postgres", str(self.folder)], check=True)  # noqa: S607
            command[1:1] = ["-u", "postgres"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        wait_for(self.answers, 10, f"PgBouncer did not start; see {self.folder}/pgbouncer.log")

    def answers(self) -> bool:
        ready = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(ready, check=False).returncode == 0  # noqa: S603

    def stop(self):
        self.process.terminate()  # immediate shutdown: its clients' connections are cut
        self.process.wait(timeout=10)

    def url(self) -> str:
        db = connection.settings_dict
        return f"postgres://{db['USER']}@127.0.0.1:{self.port}/{db['NAME']}"


@pytest.fixture
def bouncer():
    if not Path("/usr/sbin/pgbouncer").exists():
        pytest.fail("this test needs PgBouncer: apt-get install pgbouncer")
    # Not under pytest's tmp_path: as root, its folders are closed to the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="portal-pgbouncer-"))
    folder.chmod(0o755)
    bouncer = PrivateBouncer(folder / "pgbouncer")
    bouncer.start()
    yield bouncer
    if bouncer.process.poll() is None:
        bouncer.stop()
    shutil.rmtree(folder)


def rows_of(body: bytes) -> list[list]:
    return [list(row) for row in load_workbook(BytesIO(body)).active.iter_rows(values_only=True)]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_after_pgbouncer_restarts_the_next_requests_succeed(tmp_path, bouncer, tree, staff_a):
    for number in range(30):
        WorkerFactory(name=f"骑手{number:02d}", area=tree.community_a)
    web = Web(tmp_path, DATABASE_URL=bouncer.url(), DATABASE_POOLER="transaction")
    try:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in staff_cookies(staff_a).items())}

        def roster():
            """The workers' roster exported (read by .iterator(), without a server cursor)."""
            status, _headers, body = web.request_bytes(
                "GET", reverse("registry:workers_export"), headers=headers
            )
            assert status == 200, body[:300]
            return [row[0] for row in rows_of(body)[1:]]

        names = sorted(f"骑手{number:02d}" for number in range(30))
        for _ in range(4):  # both gunicorn workers hold a connection to PgBouncer (CONN_MAX_AGE)
            assert sorted(roster()) == names
        bouncer.stop()
        assert web.request("GET", "/healthz")[0] == 503  # the database is away while it is down
        bouncer.start()
        for _ in range(4):
            assert sorted(roster()) == names
        assert web.request("GET", "/healthz")[0] == 200
    finally:
        web.stop()
