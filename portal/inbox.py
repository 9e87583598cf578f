"""The staff in-portal inbox: any app leaves a message for a staff member with `notify`, and
sends it by e-mail too with `email`."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Notification
from portal.workbench import Line

logger = logging.getLogger(__name__)


def notify(user, title: str, body: str = "", url: str = "") -> Notification:
    """Leave a message in `user`'s inbox; `url` is a local path the message links to."""
    return Notification.objects.create(
        user=user,
        title=title[: Notification._meta.get_field("title").max_length],
        body=body,
        url=url,
    )


def email(user, title: str, body: str, url: str = "") -> None:
    """Send the message to `user`'s e-mail address too, if they have one. The inbox message is
    already saved: a failed e-mail is logged (without the address) and stops nothing else."""
    if not user.email:
        return
    link = f"\n\n{settings.SITE_URL}{url}" if url else ""
    try:
        send_mail(title, f"{body}{link}", None, [user.email])
    except Exception as error:
        logger.warning("e-mail to staff user %s failed (%s)", user.pk, type(error).__name__)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def workbench_lines(user) -> list[Line]:
    """The staff home's part (portal.workbench): reminders and assignments not read yet."""
    return [Line(_("Unread messages"), unread_count(user), reverse("inbox"))]


def mark_read(notification: Notification) -> None:
    """Mark one message read; reading it again keeps the first time it was read."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
