"""Retention: a suggestion's photos, files and rows, go FEEDBACK_PHOTO_RETENTION_DAYS after it
was closed or rejected (feedback.services.delete_expired_photos, a nightly beat task)."""

import logging
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from feedback import services
from feedback.models import State, SuggestionPhoto
from feedback.tasks import delete_expired_photos
from portal.celery import app as celery_app
from tests.factories import SuggestionFactory, SuggestionPhotoFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2027, 6, 1, 4, 0))
NAME, MOBILE = "王小明", "13912345678"


@pytest.fixture(autouse=True)
def half_a_year(settings, media):
    settings.FEEDBACK_PHOTO_RETENTION_DAYS = 180


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def finished(area, days: int, state=State.CLOSED, **fields):
    """A suggestion closed (or rejected) `days` before NOW, by a rider who gave name and mobile."""
    return SuggestionFactory(
        area=area, state=state, closed_at=days_ago(days), name=NAME, mobile=MOBILE, **fields
    )


def follower(original, marked_days_ago: int, state=State.DUPLICATE):
    return SuggestionFactory(
        area=original.area,
        state=state,
        original=original,
        assessed_at=days_ago(marked_days_ago),
    )


def files_of(photo) -> list[str]:
    return [photo.image.name, photo.thumbnail.name]


def exists(storage, names) -> list[bool]:
    return [storage.exists(name) for name in names]


def run(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return services.delete_expired_photos(NOW)


def test_photos_of_a_suggestion_closed_longer_ago_than_the_period_go_with_their_files(
    tree, django_capture_on_commit_callbacks
):
    old = finished(tree.community_a, 181)
    photo = SuggestionPhotoFactory(suggestion=old)
    hidden = SuggestionPhotoFactory(suggestion=old, hidden=True)
    names = files_of(photo) + files_of(hidden)
    storage = photo.image.storage
    assert exists(storage, names) == [True] * 4  # the test's premise

    assert run(django_capture_on_commit_callbacks) == 2

    assert not SuggestionPhoto.objects.exists()
    assert exists(storage, names) == [False] * 4
    old.refresh_from_db()
    assert old.state == State.CLOSED  # the suggestion itself, and its text, stay


def test_a_rejected_suggestion_counts_from_the_day_it_was_rejected(
    tree, django_capture_on_commit_callbacks
):
    SuggestionPhotoFactory(suggestion=finished(tree.community_a, 200, state=State.REJECTED))
    assert run(django_capture_on_commit_callbacks) == 1


def test_photos_of_recent_and_open_suggestions_stay(tree, django_capture_on_commit_callbacks):
    recent = SuggestionPhotoFactory(suggestion=finished(tree.community_a, 179))
    # Open, resolved and waiting suggestions have no closing date yet, however old they are.
    old_open = [
        SuggestionPhotoFactory(
            suggestion=SuggestionFactory(
                area=tree.community_a, state=state, submitted_at=days_ago(900)
            )
        )
        for state in (State.SUBMITTED, State.ACCEPTED, State.RESOLVED)
    ]

    assert run(django_capture_on_commit_callbacks) == 0

    kept = [recent, *old_open]
    assert SuggestionPhoto.objects.count() == len(kept)
    for photo in kept:
        assert exists(photo.image.storage, files_of(photo)) == [True, True]


def test_a_duplicates_photos_go_with_its_originals_once_it_was_marked_that_long_ago_too(
    tree, django_capture_on_commit_callbacks
):
    original = finished(tree.community_a, 400)
    gone = SuggestionPhotoFactory(suggestion=follower(original, marked_days_ago=390))
    # Marked a duplicate of that old case only last month: its photos are kept for now.
    kept_new = SuggestionPhotoFactory(suggestion=follower(original, marked_days_ago=30))
    # A duplicate of a case still being worked on follows that one.
    still_open = SuggestionFactory(area=tree.community_a, state=State.ACCEPTED)
    kept_open = SuggestionPhotoFactory(suggestion=follower(still_open, marked_days_ago=390))
    # Two links: a duplicate of a duplicate of the old case.
    twice = SuggestionPhotoFactory(
        suggestion=follower(follower(original, marked_days_ago=395), marked_days_ago=385)
    )

    assert run(django_capture_on_commit_callbacks) == 2

    assert set(SuggestionPhoto.objects.values_list("pk", flat=True)) == {kept_new.pk, kept_open.pk}
    assert exists(gone.image.storage, files_of(gone) + files_of(twice)) == [False] * 4


def test_the_files_are_deleted_only_once_the_rows_are_committed(
    tree, django_capture_on_commit_callbacks
):
    photo = SuggestionPhotoFactory(suggestion=finished(tree.community_a, 181))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.delete_expired_photos(NOW)
    assert not SuggestionPhoto.objects.exists()
    assert exists(photo.image.storage, files_of(photo)) == [True, True]  # not yet committed
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert exists(photo.image.storage, files_of(photo)) == [False, False]


def test_the_log_line_counts_and_names_nobody(tree, caplog, django_capture_on_commit_callbacks):
    first, second = finished(tree.community_a, 181), finished(tree.community_b, 365)
    SuggestionPhotoFactory.create_batch(2, suggestion=first)
    SuggestionPhotoFactory(suggestion=second)

    with caplog.at_level(logging.INFO, logger="feedback.services"):
        run(django_capture_on_commit_callbacks)

    assert [record.getMessage() for record in caplog.records] == [
        "retention: deleted 3 suggestion photos of 2 suggestions closed more than 180 days ago"
    ]
    for personal in (NAME, MOBILE, first.tracking_code, first.text, "feedback/"):
        assert personal not in caplog.text


def test_running_twice_deletes_nothing_more(tree, caplog, django_capture_on_commit_callbacks):
    SuggestionPhotoFactory.create_batch(2, suggestion=finished(tree.community_a, 181))
    kept = SuggestionPhotoFactory(suggestion=finished(tree.community_a, 10))
    assert run(django_capture_on_commit_callbacks) == 2

    with caplog.at_level(logging.INFO, logger="feedback.services"):
        assert run(django_capture_on_commit_callbacks) == 0

    assert list(SuggestionPhoto.objects.all()) == [kept]
    assert "retention: deleted 0 suggestion photos of 0 suggestions" in caplog.text


def test_many_photos_are_deleted_in_batches(
    tree, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "RETENTION_BATCH", 2)
    SuggestionPhotoFactory.create_batch(5, suggestion=finished(tree.community_a, 181))
    assert run(django_capture_on_commit_callbacks) == 5
    assert not SuggestionPhoto.objects.exists()


def test_a_period_of_zero_keeps_every_photo(
    tree, settings, caplog, django_capture_on_commit_callbacks
):
    settings.FEEDBACK_PHOTO_RETENTION_DAYS = 0
    SuggestionPhotoFactory(suggestion=finished(tree.community_a, 3650))
    with caplog.at_level(logging.INFO, logger="feedback.services"):
        assert run(django_capture_on_commit_callbacks) == 0
    assert SuggestionPhoto.objects.count() == 1
    assert "suggestion photos are kept" in caplog.text


def test_the_period_follows_the_setting(tree, settings, django_capture_on_commit_callbacks):
    settings.FEEDBACK_PHOTO_RETENTION_DAYS = 30
    SuggestionPhotoFactory(suggestion=finished(tree.community_a, 31))
    SuggestionPhotoFactory(suggestion=finished(tree.community_a, 29))
    assert run(django_capture_on_commit_callbacks) == 1


def test_it_refuses_to_run_inside_a_callers_transaction(tree):
    """Durable: each batch's files are deleted once its rows are, so a batch commits on its own."""
    SuggestionPhotoFactory(suggestion=finished(tree.community_a, 181))
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.delete_expired_photos(NOW)
    assert SuggestionPhoto.objects.count() == 1


# The scheduled task


def test_the_photo_retention_is_scheduled_daily_at_four_with_celery_beat():
    task = PeriodicTask.objects.get(task="feedback.tasks.delete_expired_photos")
    assert task.enabled
    crontab = task.crontab
    assert (crontab.hour, crontab.minute, crontab.day_of_week) == ("4", "0", "*")
    assert str(crontab.timezone) == "Asia/Shanghai"


def test_the_task_is_discovered_and_runs_eagerly_with_the_current_time(
    eager_tasks, tree, django_capture_on_commit_callbacks
):
    celery_app.loader.import_default_modules()
    assert "feedback.tasks.delete_expired_photos" in celery_app.tasks
    old = SuggestionFactory(
        area=tree.community_a, state=State.CLOSED, closed_at=timezone.now() - timedelta(days=181)
    )
    SuggestionPhotoFactory(suggestion=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_expired_photos.delay().get() == 1
    assert not SuggestionPhoto.objects.exists()
