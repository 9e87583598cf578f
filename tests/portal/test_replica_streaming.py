"""The read replica for real (portal.replica): a PostgreSQL primary and its streaming replica,
DATABASE_URL at the one and DATABASE_REPLICA_URL at the other (.ci/replica-pair, CI's step
"tests against a streaming replica").

The test database is made on the primary and streams to the replica, where the "replica" alias
finds it by name (a test mirror, portal/settings.py). Rows reach the replica only once committed,
so the tests are transactional and wait for the replica to replay them. Pausing the replay
(`pg_wal_replay_pause`) then gives the replica an old view of the data: what a page shows tells
which server answered. Run in one process, never in parallel: pausing the replay or stopping the
replica is felt by every test database on it.
"""

import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import replica
from tests.factories import WorkerFactory
from tests.registry.test_worker_record import NEW_WORKER
from tests.webprocess import wait_for

PAIR = Path(__file__).resolve().parents[2] / ".ci" / "replica-pair"

pytestmark = [
    pytest.mark.services,
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, replica.REPLICA]),
]


def replay(action: str):
    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute(f"SELECT pg_wal_replay_{action}()")


def caught_up():
    """The replica has replayed every write committed so far."""
    wait_for(lambda: replica.lag_seconds() == 0, 10, "the replica replays the primary's writes")


@pytest.fixture(autouse=True)
def pair():
    """A replica that answers and is replaying at the start and at the end of every test."""
    if not os.environ.get("DATABASE_REPLICA_URL"):
        pytest.fail("these tests need DATABASE_REPLICA_URL pointing at DATABASE_URL's replica")
    replica.forget_state()
    yield
    subprocess.run([PAIR, "start-replica"], check=True)
    connections[replica.REPLICA].close()
    wait_for(lambda: replay("resume") or True, 10, "the replica answers again")
    replica.forget_state()


def queries_of(captured, table: str) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if table in query["sql"]]


def test_the_dashboard_is_read_from_the_replica(client, official):
    caught_up()
    client.force_login(official)
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[replica.REPLICA]) as standby,
    ):
        response = client.get(reverse("dashboard:summary"))
    assert response.status_code == 200
    assert queries_of(standby, '"dashboard_')
    assert not queries_of(primary, '"dashboard_')
    # The session and the user come from the primary, which has them however recent.
    assert queries_of(primary, '"django_session"')
    assert not queries_of(standby, '"django_session"')


def test_a_roster_shows_what_the_replica_holds(client, official, tree):
    WorkerFactory(name="早来的", area=tree.community_a, status="confirmed")
    caught_up()
    replay("pause")
    WorkerFactory(name="新来的", area=tree.community_a, status="confirmed")
    client.force_login(official)
    response = client.get(reverse("registry:workers"))
    assert "早来的" in response.text
    assert "新来的" not in response.text  # only the primary has them yet
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:  # the page that wrote nothing
        cursor.execute("SELECT count(*) FROM registry_worker")
        assert cursor.fetchone() == (2,)


def test_whoever_wrote_reads_from_the_primary_for_a_while(client, staff_a, tree, settings):
    settings.REPLICA_AFTER_WRITE_SECONDS = 2
    caught_up()
    replay("pause")
    client.force_login(staff_a)
    client.post(reverse("registry:worker_add"), {**NEW_WORKER, "area": tree.community_a.id})
    assert "王小明" in client.get(reverse("registry:workers")).text
    time.sleep(2)
    # Their write is old enough now: the replica answers again, which has not replayed it.
    assert "王小明" not in client.get(reverse("registry:workers")).text
    replay("resume")
    caught_up()
    assert "王小明" in client.get(reverse("registry:workers")).text


def test_a_replica_too_far_behind_is_left_alone(client, official, tree, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 1
    caught_up()
    replay("pause")
    WorkerFactory(name="新来的", area=tree.community_a, status="confirmed")
    time.sleep(1.5)
    client.force_login(official)
    assert "新来的" in client.get(reverse("registry:workers")).text
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["replica"] == "degraded"


def test_a_stopped_replica_costs_no_reader_an_error(client, official, tree):
    WorkerFactory(name="早来的", area=tree.community_a, status="confirmed")
    caught_up()
    client.force_login(official)
    assert "早来的" in client.get(reverse("registry:workers")).text  # read from the replica
    assert client.get(reverse("healthz")).json()["replica"] == "ok"
    subprocess.run([PAIR, "stop-replica"], check=True)
    # The process still thinks the replica fine (checked a moment ago): the page fails on it,
    # and is served again by the primary.
    response = client.get(reverse("registry:workers"))
    assert response.status_code == 200
    assert "早来的" in response.text
    assert client.get(reverse("dashboard:summary")).status_code == 200
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "replica": "degraded",
    }
