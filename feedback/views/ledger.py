"""差评整改台账: the low ratings and reopenings of a period in the user's scope, with what was done
about each (feedback.ledger), its export, and staff recording what they did."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import ledger, services
from feedback.exports import ledger_header, ledger_lines
from feedback.models import Suggestion
from feedback.staff_forms import RectificationForm
from portal.errors import flash_refusal
from portal.filters import unfiltered_export
from portal.models import AuditLog
from portal.permissions import role_required
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404
from portal.xlsx import xlsx_response

PAGE_SIZE = 50


def _filters(request) -> ledger.LedgerFilter:
    return ledger.LedgerFilter(
        request.GET,
        queryset=Suggestion.objects.in_scope(request.user),
        user=request.user,
        today=timezone.localdate(),
    )


@role_required(*READERS)
def ledger_list(request):
    filters = _filters(request)
    found = ledger.entries(filters)
    page = Paginator(found[: ledger.CAP], PAGE_SIZE).get_page(request.GET.get("page"))
    ledger.fill(page.object_list)
    can_keep = request.user.role in KEEPERS
    return render(
        request,
        "feedback/ledger.html",
        {
            "filters": filters,
            "page": page,
            "capped": len(found) > ledger.CAP,
            "cap": ledger.CAP,
            "first_day": filters.first_day,
            "can_keep": can_keep,
            "form": RectificationForm() if can_keep else None,
        },
    )


@role_required(*READERS)
def ledger_export(request):
    filters = _filters(request)
    if filters.errors:
        return unfiltered_export(request, "feedback:ledger")
    found = ledger.fill(ledger.entries(filters)[: ledger.CAP])
    title = _("Low ratings and reopenings")
    AuditLog.record(
        request.user, AuditLog.Action.EXPORTED, f"{title} ({filters.describe()})", rows=len(found)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(f"{title}-{stamp}.xlsx", title, ledger_header(), ledger_lines(found))


@require_POST
@role_required(*KEEPERS)
def rectify(request, pk):
    """Record what was done, then back to the ledger page it was sent from."""
    suggestion = get_in_scope_or_404(Suggestion.objects, request.user, pk=pk)
    form = RectificationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        with flash_refusal(request, messages.WARNING):
            services.record_rectification(suggestion, form.cleaned_data["text"], by=request.user)
            messages.success(
                request,
                _("Recorded what was done about %(code)s.") % {"code": suggestion.tracking_code},
            )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("feedback:ledger")
