# ruff: noqa: E402 (Django is set up before the project is imported)
"""Import speed: a 20,000-row survey list, checked and saved, on the database DATABASE_URL names.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_import
    .venv/bin/python manage.py migrate && .venv/bin/python bench/import_20k.py

(Without DATABASE_URL it runs on the SQLite file.) It times what staff wait for: the upload check
in the request, the read task, the commit task, and the same file imported a second time (which must
add and change nothing). Beside them, in the same run, the least the same work can cost: openpyxl
reading the file without checking anything, and a bare bulk_create of the same 20,000 workers;
the ratio of the two totals is the figure to compare between machines. A third run imports the
list with everyone's occupation and platform changed: 20,000 updates. Its own rows (an area tree
under code 990000 and mobiles 170…) are deleted first, so it can run again.
"""

import os
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="import-bench-"))

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from portal.models import Area, AreaLevel, Role, User
from registry.imports import jobs
from registry.imports.columns import COLUMNS
from registry.imports.upload import ImportUploadForm
from registry.models import ImportJob, Worker
from registry.validators import ID_CHECK_CHARACTERS, ID_WEIGHTS

ROWS = 20_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静强磊军洋勇艳杰涛明超"
JOBS = [("外卖骑手", "美团"), ("外卖骑手", "饿了么"), ("快递员", "顺丰"), ("快递员", "中通"),
        ("网约车司机", "滴滴"), ("货车司机", "货拉拉")]  # fmt: skip


def area(code, name, level, parent=None):
    found, _ = Area.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    return found


def setup():
    city = area("990000", "基准市", AreaLevel.CITY)
    district = area("990001", "基准区", AreaLevel.DISTRICT, city)
    street = area("990001001", "基准街道", AreaLevel.STREET, district)
    communities = [
        area(f"990001001{n:03d}", f"基准{n}社区", AreaLevel.COMMUNITY, street) for n in (1, 2)
    ]
    user, _ = User.objects.get_or_create(
        username="bench-import",
        defaults={"name": "基准", "role": Role.COMMUNITY_STAFF, "area": street},
    )
    Worker.objects.filter(area__in=communities).delete()
    ImportJob.objects.filter(uploaded_by=user).delete()
    return user, communities


def id_number(n):
    body = f"411402{1970 + n % 30}{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK_CHARACTERS[total % 11]


def survey_list(communities, jobs=JOBS) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([column.header for column in COLUMNS])
    for n in range(ROWS):
        occupation, platform = jobs[n % len(jobs)]
        party = n % 10 == 0
        sheet.append(
            [
                SURNAMES[n % 20] + GIVEN[n // 20 % 15] + GIVEN[n // 300 % 15],
                f"170{n:08d}",
                occupation,
                platform,
                "",
                communities[n % 2].code if n % 3 else communities[n % 2].name,
                "中共党员" if party else "群众",
                "快递物流行业联合党支部" if party else "",
                "河南省商丘市" if party else "",
                "是" if party and n % 20 == 0 else "否",
                id_number(n) if party else "",
                "volunteer" if n % 7 == 0 else "",
            ]
        )
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def import_once(user, content):
    upload = SimpleUploadedFile("bench.xlsx", content)
    form = ImportUploadForm({"consent": "on", "sensitive_consent": "on"}, {"file": upload})
    check, valid = timed(form.is_valid)
    assert valid, form.errors
    job = jobs.create_job(form.cleaned_data["file"], by=user, sensitive_consent=True)
    read, _ = timed(jobs.read, job.pk)
    jobs.start_commit(job)
    commit, _ = timed(jobs.commit, job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    return check, read, commit, job


def bare_read(content):
    workbook = load_workbook(BytesIO(content), read_only=True)
    rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows


def bare_insert(communities):
    Worker.objects.filter(area__in=communities).delete()
    now = timezone.now()
    workers = []
    for n in range(ROWS):
        worker = Worker(
            name="基准",
            mobile=f"170{n:08d}",
            occupation="courier",
            platform="sf",
            area=communities[n % 2],
            political_status="masses",
            consent_version="bench",
            consented_at=now,
        )
        worker.set_derived_fields()
        workers.append(worker)
    Worker.objects.bulk_create(workers, batch_size=jobs.CHUNK)


def main():
    user, communities = setup()
    content = survey_list(communities)
    check, read, commit, job = import_once(user, content)
    assert (job.created_count, job.updated_count) == (ROWS, 0)
    check2, read2, commit2, again = import_once(user, content)
    assert (again.created_count, again.updated_count) == (0, 0)
    # Everyone moved to the next occupation and platform: 20,000 updates.
    changed = survey_list(communities, [(o, p) for o, p in JOBS[1:] + JOBS[:1]])
    check3, read3, commit3, updates = import_once(user, changed)
    bare_read_time, rows = timed(bare_read, content)
    assert rows == ROWS + 1
    bare_insert_time, _ = timed(bare_insert, communities)
    Worker.objects.filter(area__in=communities).delete()

    first = check + read + commit
    bare = bare_read_time + bare_insert_time
    vendor = connection.vendor
    print(f"Import of {ROWS:,} rows ({len(content) / 1e6:.1f} MB .xlsx) on {vendor}\n")
    print("| step | first import (s) | same file again (s) | changed file (s) |")
    print("|---|---:|---:|---:|")
    print(f"| upload check (in the request) | {check:.1f} | {check2:.1f} | {check3:.1f} |")
    print(f"| read task (check every row) | {read:.1f} | {read2:.1f} | {read3:.1f} |")
    print(f"| commit task (save) | {commit:.1f} | {commit2:.1f} | {commit3:.1f} |")
    again_total, changed_total = check2 + read2 + commit2, check3 + read3 + commit3
    print(f"| **total** | **{first:.1f}** | **{again_total:.1f}** | **{changed_total:.1f}** |")
    print(
        f"\nadded/updated: first {job.created_count:,}/{job.updated_count}, same file again "
        f"{again.created_count}/{again.updated_count}, changed file "
        f"{updates.created_count}/{updates.updated_count:,}"
    )
    print(
        f"bare baseline: openpyxl read {bare_read_time:.1f} s + bulk_create "
        f"{bare_insert_time:.1f} s = {bare:.1f} s; import / baseline = {first / bare:.1f}"
    )


if __name__ == "__main__":
    main()
