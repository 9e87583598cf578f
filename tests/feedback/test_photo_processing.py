"""feedback.services.photos: a photo is stored as uploaded and processed by a task; until then the
rider and staff see "照片处理中"; a file the task cannot decode is recorded on the timeline; a
photo whose message was lost is found by the sweep; a second run changes nothing."""

import threading
import time
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from feedback import tasks
from feedback.models import Event, PhotoState, Suggestion, SuggestionPhoto, TaskPhoto
from feedback.services import complete_task
from feedback.services.photos import SWEEP_AFTER
from tests.factories import StationFactory, SuggestionFactory, TaskFactory
from tests.feedback.test_photos import gps_exif

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(tree, media):
    return StationFactory(name="建设路暖心驿站", area=tree.community_a)


def jpeg(size=(64, 48), **save) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, "JPEG", **save)
    return buffer.getvalue()


def file_as_a_rider(client, station, content: bytes, name="IMG_0001.jpg") -> Suggestion:
    """The rider's post; the task is not run (its message waits for a worker)."""
    response = client.post(
        reverse("feedback:station_suggest", args=[station.token]),
        {
            "category": "hazard",
            "text": "建设路口井盖缺失",
            "photos": [SimpleUploadedFile(name, content, content_type="image/jpeg")],
        },
    )
    assert response.status_code == 302
    return Suggestion.objects.get()


def track(client, suggestion) -> str:
    return client.get(reverse("feedback:track", args=[suggestion.tracking_code])).text


def stored(field) -> bytes:
    with field.open("rb") as file:
        return file.read()


def test_the_rider_sees_photo_being_processed_until_the_task_has_run_then_the_photo(
    client, station
):
    suggestion = file_as_a_rider(client, station, jpeg())
    photo = suggestion.photos.get()
    assert photo.state == PhotoState.PENDING and not photo.image
    assert default_storage.exists(photo.original.name)  # kept as uploaded, meanwhile
    assert "照片处理中" in track(client, suggestion)

    assert tasks.process_suggestion_photo(photo.pk) == PhotoState.READY

    photo.refresh_from_db()
    page = track(client, suggestion)
    assert "照片处理中" not in page
    url = reverse("feedback:track_photo", args=[suggestion.tracking_code, photo.thumbnail_file])
    assert url in page
    assert client.get(url).status_code == 200


def test_the_eager_task_processes_the_photo_as_the_suggestion_is_filed(
    client, station, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = file_as_a_rider(client, station, jpeg())
    assert suggestion.photos.get().state == PhotoState.READY
    assert "照片处理中" not in track(client, suggestion)


def test_the_stored_copies_have_no_gps_and_the_uploaded_original_is_deleted(
    client, station, django_capture_on_commit_callbacks
):
    content = jpeg(exif=gps_exif())
    photo = file_as_a_rider(client, station, content).photos.get()
    original = photo.original.name
    assert b"RiderPhone" in stored(photo.original)  # the test's premise: as uploaded

    with django_capture_on_commit_callbacks(execute=True):  # the task's transaction commits
        tasks.process_suggestion_photo(photo.pk)

    photo.refresh_from_db()
    for copy in (photo.image, photo.thumbnail):
        data = stored(copy)
        assert ExifTags.IFD.GPSInfo not in Image.open(BytesIO(data)).getexif()
        assert b"Exif" not in data and b"RiderPhone" not in data
    assert not photo.original and not default_storage.exists(original)


def test_the_photo_is_turned_upright_by_its_exif_orientation(client, station):
    sideways = Image.new("RGB", (48, 64), "white")  # stored 48 wide, 64 high
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to view"
    buffer = BytesIO()
    sideways.save(buffer, "JPEG", exif=exif)
    photo = file_as_a_rider(client, station, buffer.getvalue()).photos.get()

    tasks.process_suggestion_photo(photo.pk)

    photo.refresh_from_db()
    assert Image.open(BytesIO(stored(photo.image))).size == (64, 48)


def test_a_file_the_task_cannot_decode_is_recorded_on_the_timeline_and_deleted(
    client, station, staff_a, django_capture_on_commit_callbacks
):
    content = jpeg(size=(400, 300))
    suggestion = file_as_a_rider(client, station, content[: len(content) // 2], "cut.jpg")
    photo = suggestion.photos.get()
    original = photo.original.name

    with django_capture_on_commit_callbacks(execute=True):  # the task's transaction commits
        assert tasks.process_suggestion_photo(photo.pk) == PhotoState.FAILED

    photo.refresh_from_db()
    assert photo.state == PhotoState.FAILED and not photo.image and not photo.original
    assert not default_storage.exists(original)
    event = suggestion.events.get(kind=Event.Kind.PHOTO_UNREADABLE)
    assert event.actor is None
    client.force_login(staff_a)
    page = client.get(reverse("feedback:suggestion", args=[suggestion.pk])).text
    assert "有一张照片无法读取" in page  # the timeline
    assert "照片无法读取" in page and "照片处理中" not in page  # where the photo would be


def test_a_second_run_changes_nothing(client, station):
    photo = file_as_a_rider(client, station, jpeg()).photos.get()
    tasks.process_suggestion_photo(photo.pk)
    photo.refresh_from_db()

    assert tasks.process_suggestion_photo(photo.pk) is None

    again = SuggestionPhoto.objects.get(pk=photo.pk)
    assert (again.image.name, again.thumbnail.name) == (photo.image.name, photo.thumbnail.name)
    assert stored(again.image) == stored(photo.image)
    assert not Event.objects.filter(kind=Event.Kind.PHOTO_UNREADABLE).exists()


def test_the_sweep_processes_a_photo_whose_message_was_lost_and_leaves_a_new_one(
    client, station, eager_tasks
):
    lost = file_as_a_rider(client, station, jpeg()).photos.get()
    SuggestionPhoto.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - SWEEP_AFTER - timedelta(seconds=1)
    )
    new = SuggestionPhoto.objects.create(
        suggestion=lost.suggestion, original=SimpleUploadedFile("new.jpg", jpeg())
    )

    assert tasks.sweep_photos() == 1  # eager here: the task runs as it is enqueued

    assert SuggestionPhoto.objects.get(pk=lost.pk).state == PhotoState.READY
    assert SuggestionPhoto.objects.get(pk=new.pk).state == PhotoState.PENDING
    assert tasks.sweep_photos() == 0


def test_a_result_photo_is_processed_alike_and_staff_see_it_being_processed_meanwhile(
    client, media, tree, department_x, handler, staff_a
):
    accepted = SuggestionFactory(area=tree.community_a, state="accepted")
    task_x = TaskFactory(suggestion=accepted, department=department_x)
    complete_task(
        task_x,
        result="已补装井盖",
        by=handler,
        photos=[SimpleUploadedFile("done.jpg", jpeg(exif=gps_exif()))],
    )
    photo = TaskPhoto.objects.get()
    client.force_login(staff_a)
    page = client.get(reverse("feedback:task", args=[task_x.pk])).text
    assert "照片处理中" in page

    assert tasks.process_task_photo(photo.pk) == PhotoState.READY

    photo.refresh_from_db()
    assert b"RiderPhone" not in stored(photo.image)
    page = client.get(reverse("feedback:task", args=[task_x.pk])).text
    assert "照片处理中" not in page
    assert reverse("feedback:photo", args=[photo.thumbnail_file]) in page


# On PostgreSQL with Redis and a real worker (the services pass).


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_processes_the_photo_sent_through_redis(tree, media):
    from celery.contrib.testing.worker import start_worker

    from feedback.services import submit
    from portal.celery import app

    assert not app.conf.task_always_eager
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        suggestion = submit(
            {"category": "hazard", "text": "建设路口井盖缺失"},
            [SimpleUploadedFile("IMG_0001.jpg", jpeg(exif=gps_exif()))],
            channel="online",
            area=tree.community_a,
        )
        photo = suggestion.photos.get()
        deadline = timezone.now() + timedelta(seconds=20)
        while photo.state == PhotoState.PENDING:
            assert timezone.now() < deadline, "the worker did not process the photo"
            time.sleep(0.1)
            photo.refresh_from_db()
    assert photo.state == PhotoState.READY
    assert b"RiderPhone" not in stored(photo.image)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_photo_another_worker_is_processing_is_left_to_it(tree, media):
    suggestion = SuggestionFactory(area=tree.community_a)
    photo = SuggestionPhoto.objects.create(
        suggestion=suggestion, original=SimpleUploadedFile("a.jpg", jpeg())
    )
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            SuggestionPhoto.objects.select_for_update().get(pk=photo.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert tasks.process_suggestion_photo(photo.pk) is None  # skipped, not waited for
        assert SuggestionPhoto.objects.get(pk=photo.pk).state == PhotoState.PENDING
    finally:
        release.set()
        thread.join()
    assert tasks.process_suggestion_photo(photo.pk) == PhotoState.READY
