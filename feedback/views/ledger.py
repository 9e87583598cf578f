"""差评整改台账: the low ratings and reopenings of a period in the user's scope, with what was done
about each (feedback.ledger), its export, and staff recording what they did."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import ledger, services
from feedback.models import Suggestion
from feedback.staff_forms import RectificationForm
from portal import export_views
from portal.errors import flash_refusal
from portal.permissions import role_required
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404

PAGE_SIZE = 50


@role_required(*READERS)
def ledger_list(request):
    filters = ledger.filters_for(request.user, request.GET)
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
    """The file at once, or for a long ledger a background job (portal.exports)."""
    return export_views.respond(request, "feedback.ledger")


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
