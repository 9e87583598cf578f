import pytest
from django.conf import settings
from playwright.sync_api import expect

from registry import tasks
from registry.imports import jobs
from registry.models import ImportJob, Worker, WorkerStatus
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_staff_login import log_in
from tests.factories import PASSWORD
from tests.registry.test_import import person, xlsx

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def held_tasks(monkeypatch, settings, tmp_path):
    """Tasks wait until the test runs them, as a busy worker would, so the progress shows."""
    settings.MEDIA_ROOT = tmp_path
    held = []
    for task in (tasks.read_import, tasks.commit_import):
        monkeypatch.setattr(task, "delay", held.append)
    return held


def look_at(page, name):
    """Screenshots at both widths; on a phone nothing scrolls sideways."""
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        screenshot(page, f"{name}-{viewport['width']}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.set_viewport_size(DESKTOP)


def test_staff_upload_a_survey_list_watch_it_read_fix_nothing_and_save_it(
    new_page, live_server, tree, staff_a, held_tasks
):
    page = new_page(DESKTOP)
    log_in(page, "alice", PASSWORD)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.goto("/staff/registry/workers/")
    page.get_by_role("main").get_by_role("link", name="Import survey list").click()
    look_at(page, "import-start")

    survey = xlsx(person(), person(mobile="13900000012", name="李红"), person(mobile="12345"))
    page.get_by_label("Survey list (.xlsx)").set_input_files(
        {"name": "三月摸排.xlsx", "mimeType": "application/octet-stream", "buffer": survey}
    )
    page.get_by_label("Everyone on this list has agreed").check()
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("Waiting for the file to be read…")).to_be_visible()
    expect(page.locator("progress.import-progress")).to_be_visible()
    look_at(page, "import-progress")

    job = ImportJob.objects.get()
    assert held_tasks == [job.pk]
    jobs.read(held_tasks.pop())  # the worker gets to it; the page reloads by itself
    page.get_by_role("link", name="Rejected only (1)").wait_for()
    expect(page.get_by_role("cell", name="139****0012")).to_be_visible()
    expect(page.get_by_text("Enter an 11-digit mainland mobile number")).to_be_visible()
    look_at(page, "import-preview")

    page.get_by_role("link", name="Rejected only (1)").click()
    assert page.get_by_role("row").count() == 2  # the heading and row 4
    expect(page.get_by_role("rowheader", name="4")).to_be_visible()

    page.get_by_role("button", name="Save the valid rows").click()
    expect(page.get_by_text("Saving the workers: 0 of 2 rows.")).to_be_visible()
    jobs.commit(held_tasks.pop())
    page.get_by_text("Saved: 2 workers added and 0 updated.").wait_for()
    look_at(page, "import-done")
    page.get_by_role("link", name="Import another list").click()
    expect(page.get_by_role("cell", name="2 added, 0 updated")).to_be_visible()
    look_at(page, "import-list")
    assert sorted(Worker.objects.values_list("name", "status")) == [
        ("李红", WorkerStatus.CONFIRMED),
        ("王小明", WorkerStatus.CONFIRMED),
    ]
