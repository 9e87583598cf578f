"""Large exports with a real Celery worker (`celery --app portal worker`, as in production) on
PostgreSQL and Redis: the worker writes the file into the storage and the requester downloads
it; a worker killed mid-export leaves the job visibly stopped, never waiting for ever, and the
export started again is written by the next worker."""

import os
import signal
from datetime import timedelta
from io import BytesIO

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal import exports
from portal.models import ExportJob, Notification
from registry.models import Worker
from tests.factories import WorkerFactory
from tests.webprocess import CeleryWorker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROWS = 3000


@pytest.fixture
def roster(tree, settings):
    """ROWS workers in community A; more than 100 rows is a large export."""
    settings.EXPORT_BACKGROUND_ROWS = 100
    workers = [WorkerFactory.build(area=tree.community_a) for _ in range(ROWS)]
    for worker in workers:
        worker.set_derived_fields()
    Worker.objects.bulk_create(workers, batch_size=1000)


def ask_for_the_roster(client, user) -> ExportJob:
    client.force_login(user)
    response = client.get(reverse("registry:workers_export"))
    assert response.status_code == 302
    return ExportJob.objects.get(pk=response["Location"].split("/")[-2])


def finished(job) -> ExportJob | None:
    job.refresh_from_db()
    return job if job.status in ("done", "failed") else None


def downloaded_rows(client, job) -> int:
    response = client.get(reverse("export_download", args=[job.pk]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active
    return sum(1 for _ in sheet.iter_rows(values_only=True)) - 1


def test_the_worker_writes_a_large_export_and_the_requester_downloads_it(
    client, roster, staff_a, settings, tmp_path
):
    worker = CeleryWorker(tmp_path)
    settings.MEDIA_ROOT = worker.media  # the web and the worker share the storage
    try:
        job = ask_for_the_roster(client, staff_a)
        job = wait_for(lambda: finished(job), 60, "the export was not written")
    finally:
        worker.stop()
    assert (job.status, job.rows_done) == ("done", ROWS)
    message = Notification.objects.get(user=staff_a)
    assert message.url == reverse("export_download", args=[job.pk])
    assert downloaded_rows(client, job) == ROWS
    assert Worker.objects.first().mobile not in worker.logged()  # nothing personal logged


def test_a_worker_killed_mid_export_leaves_the_job_visibly_stopped(
    client, roster, staff_a, settings, tmp_path
):
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    worker = CeleryWorker(tmp_path / "first")
    settings.MEDIA_ROOT = worker.media
    job = ask_for_the_roster(client, staff_a)
    wait_for(
        lambda: ExportJob.objects.get(pk=job.pk).rows_done >= exports.PROGRESS_EVERY,
        60,
        "the export made no progress",
    )
    # Hold the job's row, so the worker waits at its next progress report, and kill it there.
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        assert job.status == "running", "the export finished before the kill: raise ROWS"
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=30)
    worker.log.close()

    job.refresh_from_db()
    assert job.status == "running" and 0 < job.rows_done < ROWS
    assert not job.file
    page = client.get(reverse("export_job", args=[job.pk]))
    assert page["Refresh"]  # no progress for a while yet: still shown as being written

    # EXPORT_STALE_MINUTES later, without a heartbeat: the page says it stopped, the sweep
    # marks it failed and tells the requester.
    stale = timezone.now() - timedelta(minutes=settings.EXPORT_STALE_MINUTES + 1)
    ExportJob.objects.filter(pk=job.pk).update(updated_at=stale)
    page = client.get(reverse("export_job", args=[job.pk]))
    assert "后台程序中断" in page.content.decode() and "Refresh" not in page
    assert exports.sweep(timezone.now())["stalled"] == 1
    assert ExportJob.objects.get(pk=job.pk).status == "failed"
    assert "导出失败" in Notification.objects.get(user=staff_a).title

    # Started again, the next worker writes it whole.
    response = client.post(reverse("export_again", args=[job.pk]))
    again = ExportJob.objects.get(pk=response["Location"].split("/")[-2])
    worker = CeleryWorker(tmp_path / "second")
    settings.MEDIA_ROOT = worker.media
    try:
        again = wait_for(lambda: finished(again), 60, "the export started again was not written")
    finally:
        worker.stop()
    assert again.status == "done"
    assert downloaded_rows(client, again) == ROWS
