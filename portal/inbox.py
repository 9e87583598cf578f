"""The staff in-portal inbox: any app leaves a message for a staff member with `notify`."""

from django.utils import timezone

from portal.models import Notification


def notify(user, title: str, body: str = "", url: str = "") -> Notification:
    """Leave a message in `user`'s inbox; `url` is a local path the message links to."""
    return Notification.objects.create(
        user=user,
        title=title[: Notification._meta.get_field("title").max_length],
        body=body,
        url=url,
    )


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(notification: Notification) -> None:
    """Mark one message read; reading it again keeps the first time it was read."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
