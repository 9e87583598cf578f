from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from portal.models import Area


class Figure(models.Model):
    """One number of the dashboard for one area, counted over the area and everything under it.

    A daily figure (`day` set) counts what happened on that local day, e.g. registrations; a
    current figure (`day` empty) is how things stand at the last refresh, e.g. workers waiting
    for confirmation. `key` breaks a figure down (an occupation, a state, a department's id).
    Rows are written by `portal.dashboard.refresh` only, from the apps' own tables.
    """

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(null=True)
    name = models.CharField(max_length=24)
    key = models.CharField(max_length=32, blank=True)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        indexes = [
            # the dashboard: the figures of an area and its children, now or over a period
            models.Index(fields=["area", "day"], name="dashboard_figure_area_day"),
            # a refresh replaces the rows of some days (or the current ones) at once
            models.Index(fields=["day"], name="dashboard_figure_day"),
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
