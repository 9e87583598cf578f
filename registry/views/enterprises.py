"""The enterprise ledger (一台账): platform companies and their local branches and stations."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import export_views
from portal.models import Area
from portal.permissions import role_required
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404
from registry.exports import enterprise_rows
from registry.forms import EnterpriseForm
from registry.models import Enterprise


@role_required(*READERS)
def enterprises(request):
    filters, rows = enterprise_rows(request.user, request.GET)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/enterprises.html",
        {"filters": filters, "page": page, "can_keep": request.user.role in KEEPERS},
    )


@role_required(*READERS)
def enterprises_export(request):
    """The file at once, or for a large ledger a background job (portal.exports)."""
    return export_views.respond(request, "registry.enterprises")


def _form(request, enterprise=None):
    return EnterpriseForm(
        request.POST or None,
        instance=enterprise,
        areas=Area.objects.in_scope(request.user),
        parents=Enterprise.objects.in_scope(request.user),
    )


@role_required(*KEEPERS)
def enterprise_add(request):
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        enterprise = form.save()
        messages.success(request, _("Added %(name)s to the ledger.") % {"name": enterprise})
        return redirect("registry:enterprises")
    return render(request, "registry/enterprise_form.html", {"form": form, "enterprise": None})


@role_required(*KEEPERS)
def enterprise_edit(request, pk):
    enterprise = get_in_scope_or_404(Enterprise.objects, request.user, id=pk)
    form = _form(request, enterprise)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved the changes."))
        return redirect("registry:enterprises")
    return render(
        request, "registry/enterprise_form.html", {"form": form, "enterprise": enterprise}
    )
