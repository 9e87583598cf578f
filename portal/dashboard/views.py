from datetime import timedelta

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from portal.dashboard import charts, export, refresh
from portal.dashboard.forms import PeriodForm, default_period, presets, query
from portal.dashboard.models import Refresh
from portal.dashboard.sections import (
    HEADLINE_NOW,
    HEADLINE_PERIOD,
    NEW_REGISTRATIONS,
    headline,
    tables,
)
from portal.dashboard.summary import TRENDS, Summary
from portal.models import Area, Role
from portal.permissions import role_required
from portal.scope import get_in_scope_or_404

READERS = (Role.COMMUNITY_STAFF, Role.OFFICIAL, Role.ADMINISTRATOR)


def _area(request) -> Area | None:
    """The area asked for (`?area=<code>`), which must be in the user's scope (else 404); by
    default the user's own area, or everywhere (None) for an administrator without one."""
    code = request.GET.get("area", "").strip()
    if not code:
        return request.user.area
    return get_in_scope_or_404(Area.objects, request.user, area_field=None, code=code)


def _summary(request) -> tuple[Summary, PeriodForm]:
    """The summary the request asks for; a period that does not make sense is shown with its
    error beside this month's figures."""
    today = timezone.localdate()
    period = default_period(today)
    if "start" in request.GET or "end" in request.GET:
        form = PeriodForm(request.GET, today=today)
        if form.is_valid():
            period = form.period
    else:
        form = PeriodForm(initial={"start": period.start, "end": period.end}, today=today)
    return Summary(_area(request), period, today), form


def is_stale(latest: Refresh | None) -> bool:
    limit = timedelta(minutes=2 * settings.DASHBOARD_REFRESH_MINUTES)
    return latest is None or latest.started_at < timezone.now() - limit


@role_required(*READERS)
def summary(request):
    dashboard, form = _summary(request)
    if is_stale(dashboard.refreshed) and settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker means no beat either (one laptop): the page recounts for itself.
        refresh.refresh_recent(2)
        dashboard, form = _summary(request)
    user_area = request.user.area
    trail = [
        area
        for area in (dashboard.area.ancestors() if dashboard.area else [])
        if user_area is None or area.is_within(user_area)
    ]
    period = dashboard.period
    return render(
        request,
        "dashboard/summary.html",
        {
            "dashboard": dashboard,
            "form": form,
            "tables": tables(dashboard),
            "trail": [(area, query(area, period)) for area in trail],
            "query": query(dashboard.area, period),
            "presets": [
                (label, query(dashboard.area, preset), preset == period)
                for label, preset in presets(dashboard.today)
            ],
            "charts": [
                (
                    label,
                    charts.bars(dashboard.bars, dashboard.trends[name], by_week=dashboard.by_week),
                )
                for name, label in TRENDS.items()
            ],
            "headline_period": headline(dashboard, HEADLINE_PERIOD),
            "headline_now": headline(dashboard, HEADLINE_NOW),
            "new_registrations": NEW_REGISTRATIONS,
            "stale": is_stale(dashboard.refreshed),
        },
    )


@role_required(*READERS)
def summary_export(request):
    dashboard, _form = _summary(request)
    return export.workbook_response(dashboard)
