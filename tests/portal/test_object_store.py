"""Media on a real S3-compatible object store (SeaweedFS, which .ci/run starts from the venv:
TEST_S3_URL=http://KEY:SECRET@127.0.0.1:PORT) between two "hosts" that share no disk: gunicorn
started by bin/start-web, and a Celery worker, each with its own MEDIA_ROOT, both under
production settings on the test database and Redis. Each test process makes buckets of its own
(manage.py make_buckets), so parallel processes never see each other's files.

The web process takes a rider's photo, a survey list and a station photo; the worker reads the
list and makes the QR codes; neither writes a file to its own disk. Private files are read only
through the portal's checking views, public ones by anyone at their URL. With the store behind a
closed port, an upload says so and saves nothing.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import urllib.request
from io import BytesIO
from urllib.error import HTTPError
from urllib.parse import urlsplit
from uuid import uuid4

import boto3
import pytest
from botocore.config import Config
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from PIL import Image

from feedback.models import PhotoState, Suggestion, SuggestionPhoto
from portal.management.commands.make_buckets import public_read_policy
from registry.imports.columns import COLUMNS
from registry.models import ImportJob, Worker
from stations.models import Station, StationPhoto
from tests.factories import StationFactory, SuggestionFactory
from tests.stations.test_staff_pages import details
from tests.webprocess import (
    CeleryWorker,
    Web,
    free_port,
    production_environment,
    staff_cookies,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class Store:
    """The test server's address and key, and two fresh buckets on it."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.endpoint = f"{parts.scheme}://{parts.hostname}:{parts.port}"
        self.key, self.secret = parts.username, parts.password
        self.bucket = f"portal-{uuid4().hex[:12]}"
        self.public_bucket = f"{self.bucket}-public"
        self.client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.key,
            aws_secret_access_key=self.secret,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
        )

    def environment(self, endpoint=None) -> dict:
        return {
            "S3_ENDPOINT_URL": endpoint or self.endpoint,
            "S3_BUCKET": self.bucket,
            "S3_PUBLIC_BUCKET": self.public_bucket,
            "S3_ACCESS_KEY_ID": self.key,
            "S3_SECRET_ACCESS_KEY": self.secret,
            "S3_TIMEOUT": "2",
        }

    def names(self, bucket) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, bucket, name) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=name)["Body"].read()

    def anyone_reads(self, bucket, name) -> int:
        """The status a browser without the key gets at the object's path-style address."""
        try:
            with urllib.request.urlopen(f"{self.endpoint}/{bucket}/{name}", timeout=10) as got:  # noqa: S310
                return got.status
        except HTTPError as error:
            return error.code

    def remove(self):
        for bucket in (self.bucket, self.public_bucket):
            for name in self.names(bucket):
                self.client.delete_object(Bucket=bucket, Key=name)
            self.client.delete_bucket(Bucket=bucket)


def make_buckets(store, folder):
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "make_buckets"],
        env=production_environment(folder, "portal-make-buckets", **store.environment()),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def hosts(django_db_setup, tmp_path_factory):
    url = os.environ.get("TEST_S3_URL", "")
    if not url:
        pytest.fail("these tests need TEST_S3_URL pointing at an S3 server (.ci/run starts one)")
    store = Store(url)
    web_host, worker_host = tmp_path_factory.mktemp("web"), tmp_path_factory.mktemp("worker")
    made = make_buckets(store, web_host)
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"{store.bucket}: private" in made.stdout
    try:
        web = Web(web_host, **store.environment())
        try:
            worker = CeleryWorker(worker_host, **store.environment())
            try:
                yield store, web, worker
            finally:
                worker.stop()
        finally:
            web.stop()
    finally:
        store.remove()


class Session:
    """One browser: its cookies, the CSRF token of the last form it loaded, multipart posts."""

    def __init__(self, web: Web, cookies=None, language="zh-hans"):
        self.web, self.cookies, self.token, self.language = web, dict(cookies or {}), "", language

    def _headers(self) -> dict:
        headers = {"Accept-Language": self.language}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, headers, content: bytes):
        for header in headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        if found := re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content):
            self.token = found.group(1).decode()

    def get(self, path):
        status, headers, content = self.web.request_bytes("GET", path, headers=self._headers())
        self._keep(headers, content)
        return status, headers, content

    def post(self, path, fields: dict, files: dict | None = None, form=None):
        """GET the form (`path` unless told) for its token, then POST multipart/form-data."""
        self.get(form or path)
        boundary = secrets.token_hex(16)
        parts = []
        for name, values in {**fields, "csrfmiddlewaretoken": self.token}.items():
            for value in values if isinstance(values, list) else [values]:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
        for name, (filename, content, content_type) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {**self._headers(), "Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, response_headers, content = self.web.request_bytes("POST", path, body, headers)
        self._keep(response_headers, content)
        return status, response_headers, content


def jpeg() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def survey_list(*mobiles) -> bytes:
    workbook = Workbook()
    workbook.active.append([column.header for column in COLUMNS])
    for mobile in mobiles:
        row = ["王小明", mobile, "外卖骑手", "美团", "", "411402001001", "群众", "", "", "否"]
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def files_on_disk(*hosts) -> list:
    return [path for host in hosts if host.media.exists() for path in host.media.rglob("*.*")]


def file_a_hazard(web, station, language="zh-hans"):
    rider = Session(web, language=language)
    return rider.post(
        reverse("feedback:station_suggest", args=[station.token]),
        {"category": "hazard", "text": "建设路口井盖缺失，晚上看不见"},
        {"photos": ("IMG_0001.jpg", jpeg(), "image/jpeg")},
    )


def test_a_riders_photo_is_kept_private_and_shown_to_staff_through_the_portal(hosts, tree, staff_a):
    store, web, worker = hosts
    status, _, health = web.request_bytes("GET", reverse("healthz"))
    assert (status, json.loads(health)["storage"]) == (200, "ok")
    station = StationFactory(name="建设路暖心驿站", area=tree.community_a)
    status, headers, _ = file_a_hazard(web, station)
    assert status == 302, headers
    photo = SuggestionPhoto.objects.get(suggestion__station=station)
    original = photo.original.name  # stored as uploaded, for the worker
    assert original

    def processed():
        photo.refresh_from_db()
        return photo.state == PhotoState.READY

    wait_for(processed, 30, f"the worker did not process the photo; see {worker.log_path}")
    assert {photo.image.name, photo.thumbnail.name} <= set(store.names(store.bucket))
    wait_for(lambda: original not in store.names(store.bucket), 10, "the upload was not deleted")
    assert not files_on_disk(web, worker)
    # Nobody reads it from the store without the portal's key …
    assert store.anyone_reads(store.bucket, photo.image.name) == 403
    # … staff of its community read it through the portal, which streams it from the store.
    staff = Session(web, staff_cookies(staff_a))
    status, headers, content = staff.get(reverse("feedback:photo", args=[photo.image_file]))
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert content == store.read(store.bucket, photo.image.name)
    assert "no-store" in headers["Cache-Control"]
    assert Session(web).get(reverse("feedback:photo", args=[photo.image_file]))[0] in (302, 404)


def test_the_worker_makes_a_new_stations_qr_codes_where_anyone_may_read_them(hosts, tree, staff_a):
    store, web, worker = hosts
    staff = Session(web, staff_cookies(staff_a))
    status, _, _ = staff.post(reverse("stations:add"), details(tree.community_a))
    assert status == 302
    station = Station.objects.get()

    def made():
        station.refresh_from_db()
        return station.qr_token == station.token

    wait_for(made, 30, f"the worker made no QR codes; see {worker.log_path}")
    assert {station.qr_png.name, station.qr_svg.name} <= set(store.names(store.public_bucket))
    status, headers, content = staff.get(reverse("stations:qr_png", args=[station.pk]))
    assert status == 200 and content.startswith(b"\x89PNG")
    assert content == store.read(store.public_bucket, station.qr_png.name)
    assert store.anyone_reads(store.public_bucket, station.qr_png.name) == 200
    assert not files_on_disk(web, worker)


def test_a_station_photo_is_shown_from_the_public_bucket(hosts, tree, staff_a):
    store, web, worker = hosts
    station = StationFactory(name="建设路暖心驿站", area=tree.community_a)
    staff = Session(web, staff_cookies(staff_a))
    detail = reverse("stations:detail", args=[station.pk])
    status, _, _ = staff.post(
        reverse("stations:photo_add", args=[station.pk]),
        {"caption": "门口"},
        {"image": ("IMG_0001.jpg", jpeg(), "image/jpeg")},
        form=detail,
    )
    assert status == 302
    photo = StationPhoto.objects.get(station=station)
    address = f"{store.endpoint}/{store.public_bucket}/{photo.image.name}"
    status, headers, page = staff.get(detail)
    assert f'src="{address}"'.encode() in page
    assert store.endpoint in headers["Content-Security-Policy"]  # img-src lets the page load it
    assert store.anyone_reads(store.public_bucket, photo.image.name) == 200
    assert not files_on_disk(web, worker)


def import_reaches(job, status, worker, what):
    """Waits until the worker has brought the import `job` to `status`; a failed job ends the
    wait with the worker's log."""

    def reached():
        job.refresh_from_db()
        assert job.status != ImportJob.Status.FAILED, worker.logged()
        return job.status == status

    wait_for(reached, 30, what)


def test_a_list_uploaded_to_the_web_host_is_read_and_saved_by_the_worker_host(hosts, tree, staff_a):
    store, web, worker = hosts
    staff = Session(web, staff_cookies(staff_a))
    content = survey_list("13900000011", "13900000012")
    status, headers, _ = staff.post(
        reverse("registry:import_start"),
        {"consent": "on"},
        {"file": ("数据摸排清单.xlsx", content, "application/octet-stream")},
    )
    assert status == 302
    job = ImportJob.objects.get()
    assert job.file.name in store.names(store.bucket)
    assert store.anyone_reads(store.bucket, job.file.name) == 403

    import_reaches(job, ImportJob.Status.READ, worker, "the worker read the list")
    assert job.valid_rows == 2
    status, _, _ = staff.post(
        reverse("registry:import_commit", args=[job.pk]),
        {},
        form=reverse("registry:import_job", args=[job.pk]),
    )
    assert status == 302
    import_reaches(job, ImportJob.Status.DONE, worker, "the worker saved the list")
    assert set(Worker.objects.values_list("mobile", flat=True)) == {"13900000011", "13900000012"}
    # Saved: the list, personal data, is deleted from the store.
    wait_for(lambda: job.file.name not in store.names(store.bucket), 10, "the list was kept")
    assert not files_on_disk(web, worker)
    # The roster's export is made in the web process, from the database alone.
    status, headers, content = staff.get(reverse("registry:workers_export"))
    assert status == 200
    sheet = load_workbook(BytesIO(content), read_only=True).active
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "13900000011",
        "13900000012",
    }


def test_with_the_store_unreachable_an_upload_says_so_and_saves_nothing(
    hosts, tree, staff_a, tmp_path
):
    store, _, _ = hosts
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there: as when it is stopped
    web = Web(tmp_path, application_name="portal-store-down", **store.environment(closed))
    try:
        station = StationFactory(name="建设路暖心驿站", area=tree.community_a)
        status, headers, page = file_a_hazard(web, station)
        assert status == 503 and headers["Retry-After"] == "60"
        assert "您提交的内容和文件都没有保存" in page.decode()
        status, _, page = file_a_hazard(web, station, language="en")
        assert status == 503 and "nothing you sent has been saved" in page.decode()
        status, _, health = web.request_bytes("GET", reverse("healthz"))
        assert (status, json.loads(health)["storage"]) == (200, "degraded")
        assert not Suggestion.objects.exists() and not SuggestionPhoto.objects.exists()

        staff = Session(web, staff_cookies(staff_a))
        status, _, page = staff.post(
            reverse("registry:import_start"),
            {"consent": "on"},
            {"file": ("list.xlsx", survey_list("13900000011"), "application/octet-stream")},
        )
        assert status == 503 and "文件存储暂时无法使用" in page.decode()
        assert not ImportJob.objects.exists()

        # A photo saved before the store went away cannot be shown, and the page says so.
        photo = SuggestionPhoto.objects.create(
            suggestion=SuggestionFactory(area=tree.community_a),
            image="feedback/gone.jpg",
            thumbnail="feedback/gone-thumbnail.jpg",
            state=PhotoState.READY,
        )
        status, _, page = staff.get(reverse("feedback:photo", args=[photo.image_file]))
        assert status == 503 and "这个文件现在无法显示" in page.decode()
        assert "object store unreachable (EndpointConnectionError)" in web.logged()
        assert not files_on_disk(web)
    finally:
        web.stop()


def test_make_buckets_refuses_a_private_bucket_that_anyone_can_read(hosts, tmp_path):
    store, _, _ = hosts
    store.client.put_bucket_policy(Bucket=store.bucket, Policy=public_read_policy(store.bucket))
    try:
        made = make_buckets(store, tmp_path)
        assert made.returncode == 1
        assert f"{store.bucket} lets anyone read its files" in made.stderr
    finally:
        store.client.delete_bucket_policy(Bucket=store.bucket)
    assert make_buckets(store, tmp_path).returncode == 0
