import time
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from portal.celery import app as celery_app
from registry.imports import jobs, saving
from registry.imports.columns import COLUMNS
from registry.imports.template import EXAMPLE_MOBILES
from registry.models import (
    ImportJob,
    ImportRow,
    Worker,
    WorkerEvent,
    WorkerRole,
    WorkerStatus,
    id_number_hash,
)
from tests.factories import WorkerFactory, WorkerRoleFactory

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in COLUMNS]
COMMUNITY_A = "411402001001"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def tasks_run_in_process(request, monkeypatch):
    """On CI's second pass REDIS_URL is set; only the `services` test here uses a real worker."""
    if not request.node.get_closest_marker("services"):
        monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def person(**values) -> list:
    """A row of the survey list, valid unless `values` say otherwise."""
    row = {
        "name": "王小明",
        "mobile": "13900000011",
        "occupation": "外卖骑手",
        "platform": "美团",
        "platform_other": "",
        "area": COMMUNITY_A,
        "political_status": "群众",
        "party_branch": "",
        "membership_held_at": "",
        "is_mobile_party_member": "否",
        "id_number": "",
        "roles": "",
        **values,
    }
    return [row[column.field] for column in COLUMNS]


def xlsx(*rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if headers:
        sheet.append(headers)
    for row in rows:
        sheet.append(row)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    def post(content: bytes, name="survey.xlsx", consent=True, sensitive=False):
        data = {"file": SimpleUploadedFile(name, content)}
        if consent:
            data["consent"] = "on"
        if sensitive:
            data["sensitive_consent"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("registry:import_start"), data)
        return client.get(response["Location"]) if response.status_code == 302 else response

    return post


@pytest.fixture
def save(client, django_capture_on_commit_callbacks):
    def post(job):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("registry:import_commit", args=[job.pk]))
        return client.get(response["Location"])

    return post


def rows_of(job) -> dict[int, ImportRow]:
    return {row.number: row for row in job.rows.all()}


def reasons(row: ImportRow) -> str:
    return " ".join(f"{error['column']}: {error['message']['en']}" for error in row.errors)


def test_the_template_lists_no_one_and_its_examples_sit_on_the_notes_sheet(client, staff_a, tree):
    client.force_login(staff_a)
    response = client.get(reverse("registry:import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.content))
    sheet, notes = workbook.worksheets
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet["A1"].comment.text.startswith("Full name")
    assert sheet.max_row == 1  # nobody on the list: a list sent back as it came adds no one
    rows = list(notes.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows[: len(HEADERS)]] == HEADERS
    examples = rows[-2:]
    assert list(rows[-3]) == HEADERS
    assert [example[1] for example in examples] == list(EXAMPLE_MOBILES)
    assert all(example[5] == COMMUNITY_A for example in examples)  # the user's own community


def test_an_example_copied_into_the_list_is_refused_and_the_rest_imports(
    client, staff_a, tree, upload, save
):
    """The examples are otherwise valid rows: only their mobiles keep them out."""
    client.force_login(staff_a)
    template = load_workbook(BytesIO(client.get(reverse("registry:import_template")).content))
    examples = [list(row) for row in template.worksheets[1].iter_rows(values_only=True)][-2:]
    page = upload(xlsx(*examples, person()), sensitive=True)
    job = ImportJob.objects.get()
    rows = rows_of(job)
    for number in (2, 3):
        assert rows[number].outcome == ImportRow.Outcome.REJECTED
        assert reasons(rows[number]) == (
            "手机号: This is the template's example, not a person: delete the row."
        )
    assert rows[4].outcome == ImportRow.Outcome.NEW
    assert "模板中的示例" in page.text

    page = save(job)
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 1)
    assert not Worker.objects.filter(mobile__in=EXAMPLE_MOBILES).exists()


def test_a_party_member_imports_with_roles_consent_and_timeline(
    client, staff_a, tree, upload, save
):
    client.force_login(staff_a)
    row = person(
        name="李红",
        mobile="13900000012",
        occupation="快递员",
        platform="其他",
        platform_other="同城快送",
        political_status="中共党员",
        party_branch="快递物流行业联合党支部",
        membership_held_at="河南省商丘市",
        is_mobile_party_member="是",
        id_number="11010519491231002X",
        roles="网格员,志愿者",
    )
    page = upload(xlsx(row), name="数据摸排清单.xlsx", sensitive=True)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.READ
    assert page.context["counts"][ImportRow.Outcome.NEW] == 1
    assert "139****0012" in page.text
    assert "13900000012" not in page.text

    page = save(job)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.updated_count) == ("done", 1, 0)
    party_member = Worker.objects.get(mobile="13900000012")
    assert party_member.status == WorkerStatus.CONFIRMED
    assert party_member.confirmed_by == staff_a
    assert party_member.area == tree.community_a
    assert party_member.platform_label == "同城快送"
    assert party_member.sensitive_consented_at == job.created_at
    assert party_member.name_initials == "lh"
    assert sorted(party_member.roles.values_list("role", flat=True)) == [
        "grid_member",
        "volunteer",
    ]
    event = party_member.events.get()
    assert (event.kind, event.actor) == (WorkerEvent.Kind.IMPORTED, staff_a)
    record = client.get(reverse("registry:worker_detail", args=[party_member.pk]))
    assert "从摸排清单导入" in record.text


REJECTIONS = {
    "short name": (person(name="张"), "姓名: Enter a name of 2 to 30 characters."),
    "bad mobile": (person(mobile="1390000"), "手机号: Enter an 11-digit mainland mobile number"),
    "mobile twice": (person(mobile="139 0000 0099"), "手机号: Same mobile number as row 2."),
    "unknown occupation": (
        person(occupation="厨师"),
        "职业: Select a valid choice. 厨师 is not one of",
    ),
    "other platform unnamed": (
        person(platform="其他"),
        "其他平台或单位: Tell us which platform or employer.",
    ),
    "community code outside the area": (
        person(area="411402001002"),
        "所属社区: “411402001002” is not a community in your area",
    ),
    "community name outside the area": (
        person(area="平原路社区"),
        "所属社区: “平原路社区” is not a community in your area",
    ),
    "too long": (
        person(platform="其他", platform_other="快" * 61),
        "其他平台或单位: Ensure this value has at most 60 characters (it has 61).",
    ),
    "party member without branch": (
        person(political_status="中共党员"),
        "所在党支部: Party members: enter your party branch.",
    ),
    "wrong ID check digit": (
        person(id_number="411402199001011234"),
        "身份证号: This ID number is not valid",
    ),
    "sensitive data without consent": (
        person(id_number="11010519491231002X"),
        "kept only with the separate consent",
    ),
    "neither yes nor no": (
        person(is_mobile_party_member="也许"),
        "是否流动党员: Enter 是 (yes) or 否 (no).",
    ),
    "unknown role": (
        person(roles="volunteer,队长"),
        "角色: Select a valid choice. 队长 is not one of",
    ),
    "mobile of another community": (
        person(mobile="13800000003"),
        "手机号: This mobile number is registered in another community.",
    ),
}


@pytest.mark.parametrize(("row", "reason"), REJECTIONS.values(), ids=REJECTIONS.keys())
def test_a_rejected_row_is_listed_with_its_number_and_the_reason(
    english, staff_a, worker_c, upload, row, reason
):
    english.force_login(staff_a)
    page = upload(xlsx(person(mobile="13900000099"), row))
    job = ImportJob.objects.get()
    rows = rows_of(job)
    assert rows[2].outcome == ImportRow.Outcome.NEW
    assert rows[3].outcome == ImportRow.Outcome.REJECTED
    assert reason in reasons(rows[3])
    assert reason.split(": ")[-1] in page.text
    assert "李四" not in page.text  # whose number it is stays unsaid


def test_values_are_read_by_chinese_label_english_label_or_code(client, staff_a, upload):
    client.force_login(staff_a)
    upload(
        xlsx(
            person(mobile=13900000011, occupation="courier", platform="SF Express"),
            person(mobile="+86 139-0000-0012", area="建设路社区", is_mobile_party_member=""),
            person(mobile="13900000013", roles="Volunteer、grid_member"),
        )
    )
    rows = rows_of(ImportJob.objects.get())
    assert [row.outcome for row in rows.values()] == ["new"] * 3
    assert (rows[2].values["mobile"], rows[2].values["occupation"]) == ("13900000011", "courier")
    assert rows[2].values["platform"] == "sf"
    assert rows[3].values["mobile"] == "13900000012"
    assert rows[4].values["roles"] == ["grid_member", "volunteer"]


def test_the_reasons_are_shown_in_the_readers_language(english, client, staff_a, upload):
    english.force_login(staff_a)
    upload(xlsx(person(mobile="12345")))  # read while the uploader's page was in English
    url = reverse("registry:import_job", args=[ImportJob.objects.get().pk])
    assert "Enter an 11-digit mainland mobile number" in english.get(url).text
    client.cookies.clear()
    client.force_login(staff_a)
    assert "请输入 11 位大陆手机号（以 13 至 19 开头）。" in client.get(url).text


def zipped(members: dict[str, bytes]) -> bytes:
    output = BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


def with_a_damaged_sheet() -> bytes:
    """A sound zip holding a workbook whose sheet breaks off: openpyxl fails only reading it."""
    archive = zipfile.ZipFile(BytesIO(xlsx(person())))
    members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row>"
    return zipped(members)


BAD_FILES = {
    "a CSV renamed": (
        "list.xlsx",
        "姓名,手机号\n张三,13900000011\n".encode(),
        "not a readable .xlsx",
    ),
    "an old .xls": ("list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "not a readable"),
    "a damaged workbook": ("list.xlsx", xlsx(person())[:600], "not a readable .xlsx"),
    "a zip of something else": ("list.xlsx", zipped({"a.txt": b"hello"}), "not a readable"),
    "a damaged sheet inside a sound zip": ("list.xlsx", with_a_damaged_sheet(), "not a readable"),
    "an empty sheet": ("list.xlsx", xlsx(headers=None), "The first sheet is empty."),
    "wrong headings": (
        "list.xlsx",
        xlsx(person(), headers=["姓名", "电话", *HEADERS[2:]]),
        "Missing: 手机号.",
    ),
    "headings without rows": ("list.xlsx", xlsx(), "no rows of people"),
}


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_file_that_is_no_survey_list_gets_a_clear_message_and_creates_nothing(
    english, staff_a, upload, media, name, content, message
):
    english.force_login(staff_a)
    page = upload(content, name=name)
    assert page.status_code == 200
    assert message in page.text
    assert not ImportJob.objects.exists()
    assert not list(media.rglob("*.xlsx"))


def test_a_file_over_the_size_limit_is_refused(english, staff_a, upload, monkeypatch):
    monkeypatch.setattr("registry.imports.upload.MAX_UPLOAD_BYTES", 1000)
    english.force_login(staff_a)
    page = upload(xlsx(person()))
    assert "larger than 10 MB" in page.text
    assert not ImportJob.objects.exists()


def test_without_the_consent_box_nothing_is_imported(english, staff_a, upload):
    english.force_login(staff_a)
    page = upload(xlsx(person()), consent=False)
    assert "Without the consent of the people on the list" in page.text
    assert not ImportJob.objects.exists()


def test_importing_the_same_file_again_adds_and_changes_nothing(client, staff_a, upload, save):
    client.force_login(staff_a)
    content = xlsx(person(), person(mobile="13900000012", roles="volunteer"))
    upload(content)
    save(ImportJob.objects.get())
    events = WorkerEvent.objects.count()

    page = upload(content)
    again = ImportJob.objects.first()
    assert page.context["counts"][ImportRow.Outcome.UNCHANGED] == 2
    save(again)
    again.refresh_from_db()
    assert (again.created_count, again.updated_count) == (0, 0)
    assert Worker.objects.count() == 2
    assert WorkerEvent.objects.count() == events


def test_a_row_for_a_known_worker_in_the_area_updates_them_with_a_timeline_entry(
    client, staff_a, worker_a, upload, save
):
    WorkerRoleFactory(worker=worker_a, role="volunteer")
    client.force_login(staff_a)
    upload(xlsx(person(name="张珊", mobile=worker_a.mobile, platform="顺丰", roles="grid_member")))
    job = ImportJob.objects.get()
    assert rows_of(job)[2].outcome == ImportRow.Outcome.UPDATE
    save(job)
    worker_a.refresh_from_db()
    assert (worker_a.name, worker_a.name_pinyin, worker_a.platform) == ("张珊", "zhangshan", "sf")
    today = timezone.localdate()
    held = WorkerRole.objects.active(today).filter(worker=worker_a)
    assert list(held.values_list("role", flat=True)) == ["grid_member"]
    # The role the list no longer gives ends today and stays as history.
    assert worker_a.roles.get(role="volunteer").ended_on == today
    event = worker_a.events.get(kind=WorkerEvent.Kind.UPDATED)
    assert event.changes == {
        "name": ["张三", "张珊"],
        "platform": ["meituan", "sf"],
        "roles": [["volunteer"], ["grid_member"]],
    }
    assert event.actor == staff_a
    job.refresh_from_db()
    assert (job.created_count, job.updated_count) == (0, 1)


def test_a_worker_who_already_consented_may_have_party_details_without_the_box(
    client, staff_a, tree, upload
):
    WorkerFactory(
        mobile="13900000011", area=tree.community_a, sensitive_consented_at=timezone.now()
    )
    client.force_login(staff_a)
    upload(xlsx(person(political_status="中共党员", party_branch="第一支部")))
    assert rows_of(ImportJob.objects.get())[2].outcome == ImportRow.Outcome.UPDATE


def test_an_id_number_changed_by_a_list_is_found_by_its_new_hash_and_never_kept_in_plain(
    client, staff_a, worker_a, upload, save
):
    worker_a.sensitive_consented_at = timezone.now()
    worker_a.save()
    client.force_login(staff_a)
    upload(xlsx(person(mobile=worker_a.mobile, name=worker_a.name, id_number="11010519491231002x")))
    job = ImportJob.objects.get()
    with connection.cursor() as cursor:
        cursor.execute('SELECT "values" FROM registry_importrow WHERE job_id = %s', [job.pk])
        assert "11010519491231002" not in cursor.fetchone()[0]
    save(job)
    assert Worker.objects.get(id_number_hash=id_number_hash("11010519491231002X")) == worker_a
    assert worker_a.events.get(kind=WorkerEvent.Kind.UPDATED).changes == {
        "id_number": ["***", "***"]
    }


def test_saving_twice_saves_once(english, staff_a, upload, save):
    english.force_login(staff_a)
    upload(xlsx(person()))
    job = ImportJob.objects.get()
    save(job)
    page = save(job)
    assert "already being saved or has been saved" in page.text
    assert Worker.objects.count() == 1
    assert WorkerEvent.objects.count() == 1


def test_after_saving_the_file_and_the_rows_are_deleted_and_the_counts_stay(
    english, staff_a, upload, save, media
):
    english.force_login(staff_a)
    upload(xlsx(person(), person(mobile="13900000012"), person(name="张")))
    job = ImportJob.objects.get()
    assert list(media.rglob("*.xlsx"))
    page = save(job)
    job.refresh_from_db()
    assert job.file.name == ""
    assert not list(media.rglob("*.xlsx"))
    assert not job.rows.exists()
    assert (job.total_rows, job.valid_rows, job.created_count) == (3, 2, 2)
    assert "Saved: 2 workers added and 0 updated." in page.text
    assert page.context["counts"][ImportRow.Outcome.REJECTED] == 1


def test_a_list_left_unsaved_for_a_week_is_deleted_and_the_page_says_so(
    english, staff_a, upload, media, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from registry.imports.jobs import purge_abandoned

    english.force_login(staff_a)
    upload(xlsx(person()))
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_abandoned(now=timezone.now() + timedelta(days=6)) == 0
        assert purge_abandoned(now=timezone.now() + timedelta(days=8)) == 1
    job.refresh_from_db()
    assert (job.status, job.file.name, job.rows.exists()) == ("failed", "", False)
    assert not list(media.rglob("*.xlsx"))
    page = english.get(reverse("registry:import_job", args=[job.pk]))
    assert "was not saved within 7 days" in page.text


def test_the_purge_of_unsaved_lists_is_scheduled_daily():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="registry.tasks.purge_abandoned_imports").exists()


def test_a_commit_that_stopped_half_way_goes_on_where_it_stopped(staff_a, tree, monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK", 2)
    job = ImportJob.objects.create(
        uploaded_by=staff_a, area=tree.community_a, original_name="list.xlsx"
    )
    job.file.save(
        "list.xlsx", ContentFile(xlsx(*(person(mobile=f"1390000001{n}") for n in range(5))))
    )
    jobs.read(job.pk)
    jobs.start_commit(job)
    assert jobs._commit_next_chunk(job)  # the worker stopped after the first chunk
    jobs.commit(job.pk)  # the task runs again
    jobs.commit(job.pk)  # and once more, after it finished
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 5)
    assert Worker.objects.count() == 5


def test_a_commit_that_fails_part_way_says_so_and_keeps_what_it_saved(
    english, staff_a, tree, monkeypatch
):
    monkeypatch.setattr(jobs, "CHUNK", 2)
    save_workers = saving.save_workers

    def fail_on_the_second_chunk(job, rows):
        if Worker.objects.exists():
            raise RuntimeError("the database went away")
        return save_workers(job, rows)

    monkeypatch.setattr(saving, "save_workers", fail_on_the_second_chunk)
    job = ImportJob.objects.create(
        uploaded_by=staff_a, area=tree.community_a, original_name="list.xlsx"
    )
    job.file.save(
        "list.xlsx", ContentFile(xlsx(*(person(mobile=f"1390000001{n}") for n in range(3))))
    )
    jobs.read(job.pk)
    jobs.start_commit(job)
    jobs.commit(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.file.name) == ("failed", 2, "")
    assert not job.rows.exists()
    english.force_login(staff_a)
    page = english.get(reverse("registry:import_job", args=[job.pk]))
    assert "Saving stopped part-way" in page.text
    assert "Saved before it stopped: 2 workers added and 0 updated." in page.text


def test_reading_again_leaves_a_read_job_alone_and_restarts_an_interrupted_one(staff_a, tree):
    job = ImportJob.objects.create(
        uploaded_by=staff_a, area=tree.community_a, original_name="list.xlsx"
    )
    job.file.save("list.xlsx", ContentFile(xlsx(person(), person(mobile="13900000012"))))
    jobs.read(job.pk)
    jobs.read(job.pk)
    assert job.rows.count() == 2
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.READING)
    ImportRow.objects.filter(job=job, number=3).delete()  # stopped half-way
    jobs.read(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows.count(), job.valid_rows) == ("read", 2, 2)


def test_a_file_that_cannot_be_read_in_the_background_fails_with_a_message(english, staff_a, tree):
    job = ImportJob.objects.create(
        uploaded_by=staff_a, area=tree.community_a, original_name="list.xlsx"
    )
    job.file.save("list.xlsx", ContentFile(b"not a workbook"))
    jobs.read(job.pk)
    english.force_login(staff_a)
    page = english.get(reverse("registry:import_job", args=[job.pk]))
    assert "The file could not be read." in page.text
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("failed", "")


def test_while_the_task_runs_the_page_shows_progress_and_reloads_itself(english, staff_a, tree):
    job = ImportJob.objects.create(
        uploaded_by=staff_a,
        area=tree.community_a,
        original_name="list.xlsx",
        status=ImportJob.Status.READING,
        total_rows=200,
        processed_rows=50,
    )
    english.force_login(staff_a)
    page = english.get(reverse("registry:import_job", args=[job.pk]))
    assert page["Refresh"] == "2"
    assert "Checking the rows: 50 of about 200." in page.text
    assert '<progress class="import-progress" max="200" value="50">' in page.text
    assert "<script>" not in page.text
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.READ)
    assert "Refresh" not in english.get(reverse("registry:import_job", args=[job.pk]))


def test_the_preview_filters_rejected_rows_and_pages_by_100_with_masked_mobiles(
    english, staff_a, upload
):
    english.force_login(staff_a)
    rows = [person(mobile=f"139{n:08d}") for n in range(150)] + [person(name="张")] * 3
    upload(xlsx(*rows))
    job = ImportJob.objects.get()
    url = reverse("registry:import_job", args=[job.pk])
    page = english.get(url)
    assert len(page.context["rows"]) == 100
    assert "139****0007" in page.text and "13900000007" not in page.text
    rejected = english.get(url, {"show": "rejected"})
    assert [row.number for row in rejected.context["rows"]] == [152, 153, 154]
    second = english.get(url, {"page": 2})
    assert second.context["rows"][0].number == 102
    assert "All rows (153)" in page.text and "Rejected only (3)" in page.text


def test_the_preview_uses_as_many_queries_for_5_rows_as_for_a_page_of_100(
    client, staff_a, upload, django_assert_max_num_queries
):
    client.force_login(staff_a)
    upload(xlsx(*[person(mobile=f"139{n:08d}", name="张" if n % 3 else "王五") for n in range(5)]))
    upload(
        xlsx(*[person(mobile=f"138{n:08d}", name="张" if n % 3 else "王五") for n in range(150)])
    )
    few, many = ImportJob.objects.order_by("id")
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("registry:import_job", args=[few.pk]))
    with django_assert_max_num_queries(14) as large:
        client.get(reverse("registry:import_job", args=[many.pk]))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_staff_of_another_community_cannot_see_or_save_the_import(
    client, staff_a, staff_b, upload, save
):
    client.force_login(staff_a)
    upload(xlsx(person()), name="建设路.xlsx")
    job = ImportJob.objects.get()
    client.force_login(staff_b)
    assert client.get(reverse("registry:import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("registry:import_commit", args=[job.pk])).status_code == 404
    assert "建设路.xlsx" not in client.get(reverse("registry:import_start")).text
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READ


def test_the_upload_page_lists_recent_imports_in_the_area(client, staff_a, upload):
    client.force_login(staff_a)
    upload(xlsx(person()), name="三月摸排.xlsx")
    page = client.get(reverse("registry:import_start"))
    assert "三月摸排.xlsx" in page.text
    assert "张敏" in page.text


def test_an_administrator_imports_into_any_community(client, administrator, tree, upload):
    client.force_login(administrator)
    upload(xlsx(person(area="文化路社区")))
    job = ImportJob.objects.get()
    assert job.area is None
    assert rows_of(job)[2].outcome == ImportRow.Outcome.NEW


def test_the_roster_offers_the_import_to_those_who_keep_the_ledger(client, staff_a, official):
    import_url = reverse("registry:import_start")
    client.force_login(staff_a)
    assert import_url in client.get(reverse("registry:workers")).text
    client.force_login(official)
    assert import_url not in client.get(reverse("registry:workers")).text


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_reads_and_saves_an_upload_sent_through_redis(client, staff_a, tree):
    from celery.contrib.testing.worker import start_worker

    assert not celery_app.conf.task_always_eager
    client.force_login(staff_a)

    def wait_for(job, status):
        deadline = timezone.now() + timedelta(seconds=30)
        while job.status != status:
            assert timezone.now() < deadline, f"the worker did not get the job to {status}"
            time.sleep(0.1)
            job.refresh_from_db()

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        client.post(
            reverse("registry:import_start"),
            {
                "file": SimpleUploadedFile("list.xlsx", xlsx(person(), person(name="张"))),
                "consent": "on",
            },
        )
        job = ImportJob.objects.get()
        wait_for(job, ImportJob.Status.READ)
        assert (job.total_rows, job.valid_rows) == (2, 1)
        client.post(reverse("registry:import_commit", args=[job.pk]))
        wait_for(job, ImportJob.Status.DONE)
    assert job.created_count == 1
    assert Worker.objects.get().mobile == "13900000011"
