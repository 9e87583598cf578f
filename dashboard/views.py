import re
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from dashboard import charts, export, ranking, refresh
from dashboard.forms import PeriodForm, RankingForm, default_period, presets, query
from dashboard.models import Refresh
from dashboard.sections import (
    HEADLINE_NOW,
    HEADLINE_PERIOD,
    NEW_REGISTRATIONS,
    RATE_COLUMNS,
    RATE_DEFINITIONS,
    headline,
    tables,
)
from dashboard.spans import month_start
from dashboard.summary import TRENDS, Summary
from portal.converters import AreaCodeConverter
from portal.models import Area
from portal.permissions import role_required
from portal.replica import from_primary, reads_from_replica
from portal.roles import READERS
from portal.scope import get_in_scope_or_404

# A province has some 640 streets: ranked as a whole, shown a hundred places at a time (all of
# them made a 600-KB page that took longer to draw than the figures took to read).
STREETS_PER_PAGE = 100


def _area(request) -> Area | None:
    """The area asked for (`?area=<code>`), which must be in the user's scope (else 404); by
    default the user's own area, or everywhere (None) for an administrator without one."""
    code = request.GET.get("area", "").strip()
    if not code:
        return request.user.area
    if not re.fullmatch(AreaCodeConverter.regex, code):
        raise Http404  # no NUL or other oddity reaches the database
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


def _fresh_summary(request) -> tuple[Summary, PeriodForm]:
    dashboard, form = _summary(request)
    if is_stale(dashboard.refreshed) and settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker means no beat either (one laptop): the page recounts for itself.
        with from_primary():
            refresh.refresh_recent(2)
        dashboard, form = _summary(request)
    return dashboard, form


def _trail(request, area: Area | None) -> list[Area]:
    """The areas from the user's own down to `area`, for the way back up."""
    user_area = request.user.area
    return [
        above
        for above in (area.ancestors() if area else [])
        if user_area is None or above.is_within(user_area)
    ]


def _page(request, dashboard: Summary, form: PeriodForm) -> dict:
    """What the summary and the rates pages share: the area, its trail and the period."""
    period = dashboard.period
    return {
        "dashboard": dashboard,
        "form": form,
        "trail": [(area, query(area, period)) for area in _trail(request, dashboard.area)],
        "query": query(dashboard.area, period),
        "presets": [
            (label, query(dashboard.area, preset), preset == period)
            for label, preset in presets(dashboard.today)
        ],
        "stale": is_stale(dashboard.refreshed),
    }


@reads_from_replica
@role_required(*READERS)
def summary(request):
    dashboard, form = _fresh_summary(request)
    return render(
        request,
        "dashboard/summary.html",
        {
            **_page(request, dashboard, form),
            "tables": tables(dashboard),
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
        },
    )


@reads_from_replica
@role_required(*READERS)
def rates(request):
    """The rates by area (a row per child, to drill down) and by department, with what each
    means, and the suggestions of the period by category."""
    dashboard, form = _fresh_summary(request)
    return render(
        request,
        "dashboard/rates.html",
        {
            **_page(request, dashboard, form),
            "table": tables(dashboard, slugs=["rates"])[0],
            "columns": RATE_COLUMNS,
            "departments": ranking.by_department(dashboard.area, dashboard.period),
            "categories": ranking.by_category(dashboard.total),
            "definitions": RATE_DEFINITIONS,
        },
    )


@reads_from_replica
@role_required(*READERS)
def ranking_page(request):
    """The departments and the streets in the user's scope ranked by a rate, month by month."""
    today = timezone.localdate()
    form = RankingForm(request.GET or None, today=today)
    month, by = month_start(today), ranking.DEFAULT_RANK_BY
    if form.is_valid():
        month, by = form.chosen_month, form.cleaned_data["by"] or by
    area = _area(request)
    table = ranking.Ranking(area, ranking.month_period(month, today), by)
    streets = Paginator(table.streets, STREETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/ranking.html",
        {
            "ranking": table,
            "streets": streets,
            "form": form,
            "month": month,
            "area": area,
            "trail": [(above, _ranking_query(above, month, by)) for above in _trail(request, area)],
            "rates_query": query(area, table.period),
            "definitions": RATE_DEFINITIONS,
        },
    )


def _ranking_query(area: Area | None, month, by: str) -> str:
    params = {"area": area.code} if area else {}
    return urlencode({**params, "month": f"{month:%Y-%m}", "by": by})


# Always written in the request, not through portal.exports: a row per child area, never large.
@reads_from_replica
@role_required(*READERS)
def summary_export(request):
    dashboard, _form = _summary(request)
    return export.workbook_response(dashboard)
