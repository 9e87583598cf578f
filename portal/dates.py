from datetime import date, datetime, time

from django.utils import timezone


def local_midnight(day: date) -> datetime:
    """The moment `day` begins in the portal's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.min))
