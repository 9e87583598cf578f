"""Large exports in the background (portal.exports): the page answers at once, the file is written
by the task (here run eagerly, as on a laptop with `make run`), the requester gets an inbox
message with the link, only they may download it, and only until it is deleted; a job whose
worker died is shown as failed and may be started again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import exports
from portal.models import AuditLog, ExportJob, Notification
from portal.tasks import sweep_exports, write_export
from tests.exports import rows_of
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(settings, tree, media, eager_tasks):
    """Three workers in community A, one in B; more than two rows is a large export."""
    settings.EXPORT_BACKGROUND_ROWS = 2
    for name in ("张三", "李四", "王五"):
        WorkerFactory(name=name, area=tree.community_a, occupation="courier")
    WorkerFactory(name="赵六", area=tree.community_b)


def ask(client, on_commit, user, **query):
    client.force_login(user)
    with on_commit():
        response = client.get(reverse("registry:workers_export"), query)
    assert response.status_code == 302
    return ExportJob.objects.get(pk=response["Location"].split("/")[-2]), response


def test_a_small_export_is_still_sent_at_once(client, large, staff_a, settings):
    settings.EXPORT_BACKGROUND_ROWS = 3
    client.force_login(staff_a)
    response = client.get(reverse("registry:workers_export"))
    assert response.status_code == 200
    assert len(rows_of(response)) == 4
    assert not ExportJob.objects.exists()


def test_a_large_export_becomes_a_job_whose_file_the_inbox_links_to(
    client, large, staff_a, on_commit
):
    job, response = ask(client, on_commit, staff_a, occupation="courier")
    assert response["Location"] == reverse("export_job", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == ("done", 3, 3)
    page = client.get(response["Location"])
    assert "文件已生成" in page.content.decode()
    assert "Refresh" not in page
    message = Notification.objects.get(user=staff_a)
    assert "导出已完成" in message.title
    assert message.url == reverse("export_download", args=[job.pk])

    download = client.get(message.url)
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    rows = rows_of(download)
    assert sorted(row[0] for row in rows[1:]) == ["张三", "李四", "王五"]  # scope: not 赵六

    requested, downloaded = AuditLog.objects.data_use().order_by("id")
    assert (requested.action, requested.rows, requested.user) == ("exported", 3, staff_a)
    assert "快递员" in requested.description
    assert (downloaded.action, downloaded.rows, downloaded.user) == ("downloaded", 3, staff_a)


def test_a_job_being_written_shows_its_progress_and_refreshes(client, staff_a):
    job = ExportJob.objects.create(
        user=staff_a, kind="registry.workers", status="running", rows_done=500, rows_total=120000
    )
    client.force_login(staff_a)
    page = client.get(reverse("export_job", args=[job.pk]))
    assert page["Refresh"] == "3"
    assert "已写入 500 / 120000 行" in page.content.decode()
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 302


def test_only_the_requester_sees_the_job_and_its_file(client, large, staff_a, official, on_commit):
    job, _ = ask(client, on_commit, staff_a)
    client.force_login(official)  # reads community A too, but did not ask for this file
    assert client.get(reverse("export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404


def test_the_file_is_deleted_after_its_time_and_the_link_says_so(client, large, staff_a, on_commit):
    job, _ = ask(client, on_commit, staff_a)
    job.refresh_from_db()
    name, storage = job.file.name, job.file.storage
    assert storage.exists(name)
    result = sweep_exports.apply(kwargs={}).get()
    assert result["expired"] == 0
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    gone = client.get(reverse("export_download", args=[job.pk]))
    assert gone.status_code == 410
    assert "文件已删除" in gone.content.decode()
    assert sweep_exports.apply().get()["expired"] == 1
    assert not storage.exists(name)
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 410

    with on_commit():
        again = client.post(reverse("export_again", args=[job.pk]))
    new = ExportJob.objects.exclude(pk=job.pk).get()
    assert again["Location"] == reverse("export_job", args=[new.pk])
    assert new.status == "done" and new.query == job.query


def test_a_job_whose_worker_died_is_shown_as_failed_and_can_be_started_again(
    client, large, staff_a, on_commit
):
    job, _ = ask(client, on_commit, staff_a)
    # As a worker killed after its last progress report leaves it: running, heartbeat old.
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", file="", updated_at=timezone.now() - timedelta(minutes=16)
    )
    page = client.get(reverse("export_job", args=[job.pk]))
    assert "后台程序中断" in page.content.decode()
    assert "Refresh" not in page

    assert sweep_exports.apply().get()["stalled"] == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert "导出失败" in Notification.objects.filter(user=staff_a).first().title
    write_export.apply(args=[job.pk])  # a late redelivery of its message changes nothing
    job.refresh_from_db()
    assert job.status == "failed"

    with on_commit():
        client.post(reverse("export_again", args=[job.pk]))
    assert ExportJob.objects.exclude(pk=job.pk).get().status == "done"


def test_a_job_running_elsewhere_is_not_written_twice(large, staff_a, rf):
    table = exports.KINDS["registry.workers"].table(staff_a, rf.get("/").GET)
    job = ExportJob.objects.create(
        user=staff_a, kind="registry.workers", status="running", filename="x.xlsx"
    )
    exports.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("running", "")
    assert table.count == 3


def test_the_export_is_not_written_for_a_user_who_may_no_longer_export(large, staff_a):
    job = ExportJob.objects.create(user=staff_a, kind="registry.workers", filename="x.xlsx")
    staff_a.role = "department_handler"
    staff_a.save()
    exports.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", exports.NOT_ALLOWED)
