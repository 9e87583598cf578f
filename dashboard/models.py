from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from portal.models import Area

DEPARTMENT = "dept:"  # the prefix of a department's figures, keyed by its id (dashboard.rates)


class Span(models.TextChoices):
    """What a figure covers: how things stand now, or what happened on a day, in a week (from
    its Monday) or in a month (from its 1st). Weeks and months are sums of their days, kept so
    that a year reads a few dozen rows per figure instead of 365."""

    NOW = "now", _("Now")
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class Figure(models.Model):
    """One number of the dashboard for one area, counted over the area and everything under it.

    A current figure (span "now", no day) is how things stand at the last refresh, e.g. workers
    waiting for confirmation; the others count what happened on `day` or in the week or month
    starting on it, e.g. registrations. `key` breaks a figure down (an occupation, a state, a
    department's id). Rows are written by `dashboard.refresh` only, from the apps' tables.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    span = models.CharField(max_length=5, choices=Span.choices)
    day = models.DateField(null=True)
    name = models.CharField(max_length=24)
    key = models.CharField(max_length=32, blank=True)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        indexes = [
            # the dashboard: the figures of an area and its children, now or over a period, read
            # from the index alone on PostgreSQL (the rows of one area lie far apart in the table)
            models.Index(
                fields=["area", "span", "day"],
                include=["name", "key", "value"],
                name="dashboard_figure_read",
            ),
            # the departments' rates, read by department (dashboard.ranking.department_figures)
            models.Index(
                fields=["key", "span", "day"],
                include=["name", "value"],
                condition=models.Q(name__startswith=DEPARTMENT),
                name="dashboard_figure_department",
            ),
            # a refresh replaces the rows of some days (or the current ones) at once
            models.Index(fields=["span", "day"], name="dashboard_figure_span_day"),
        ]

    def __str__(self):
        return f"{self.area_id} {self.day or '-'} {self.name}:{self.key} = {self.value}"


class Refresh(models.Model):
    """One run of the refresh: when the figures it wrote were counted, and how long it took."""

    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), db_default=Now())
    rows = models.PositiveIntegerField(_("rows written"))

    class Meta:
        verbose_name = _("dashboard refresh")
        verbose_name_plural = _("dashboard refreshes")
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"

    def __str__(self):
        return f"{self.first_day}–{self.last_day} @ {self.started_at:%Y-%m-%d %H:%M}"
