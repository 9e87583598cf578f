from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render

from portal import export_views, workbench
from portal.filters import AuditLogFilter
from portal.models import Area, AreaLevel, AuditLog, Role
from portal.permissions import role_required
from portal.roles import READERS
from portal.scope import get_in_scope_or_404


def home(request):
    """The portal's public front page."""
    return render(request, "portal/home.html")


class StaffLoginView(LoginView):
    """The password step; the second factor follows (portal.signin_views), which greets."""

    redirect_authenticated_user = True


@role_required()
def staff_home(request):
    """The workbench: today's work for the user's role and scope, a count and a link for each
    kind (portal.workbench: each app adds its own), and the user's area."""
    user = request.user
    counts = dict(
        Area.objects.in_scope(user).values_list("level").annotate(n=Count("id")).order_by()
    )
    area_counts = [(level.label, counts[level]) for level in AreaLevel if counts.get(level)]
    parts = workbench.today(user)
    return render(
        request,
        "portal/staff_home.html",
        {
            "area_trail": user.area.ancestors() if user.area else [],
            "area_counts": area_counts,
            "work": parts,
            "urgent": sum(line.count for _part, lines in parts for line in lines if line.urgent),
        },
    )


@role_required(*READERS)
def area_detail(request, code=None):
    """An area in the user's scope and the areas directly under it; without a code, the
    user's own area (for an administrator with no area: the top areas)."""
    user = request.user
    if code is None and user.area is None:
        area, children = None, Area.objects.filter(parent=None)
    else:
        area = get_in_scope_or_404(Area.objects, user, area_field=None, code=code or user.area.code)
        children = area.children.all()
    trail = (
        [a for a in area.ancestors() if user.area is None or a.is_within(user.area)] if area else []
    )
    return render(
        request,
        "portal/area_detail.html",
        {
            "area": area,
            "trail": trail,
            "children": children.annotate(child_count=Count("children")).order_by("code"),
        },
    )


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers to a login attempt while the username and address are locked."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )


@role_required(Role.ADMINISTRATOR)
def audit_log(request):
    """The security log: who saw or exported personal data, adjusted points or moved a
    suggestion, and who signed in, failed to, was locked out, or had their account changed; for
    the administrator's PIPL audits and the 等保 assessor."""
    entries = AuditLog.objects.select_related("user").prefetch_related("subject")
    filters = AuditLogFilter(request.GET, queryset=entries)
    page = Paginator(filters.qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/audit_log.html",
        {"page": page, "filters": filters, "retention_days": settings.AUDIT_LOG_RETENTION_DAYS},
    )


@role_required(Role.ADMINISTRATOR)
def audit_log_export(request):
    """The security log as filtered, to Excel: at once, or a job for a large one (portal.exports);
    the access log keeps the client's address."""
    return export_views.respond(request, "portal.audit_log")
