from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import inbox as service
from portal.models import Notification
from portal.permissions import role_required


@role_required()
def inbox(request):
    """The user's own messages, newest first."""
    notifications = Notification.objects.filter(user=request.user)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "portal/inbox.html", {"page": page})


@require_POST
@role_required()
def inbox_read(request, pk):
    """Open a message: it is marked read and the user goes where it links (only on this site)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    service.mark_read(notification)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("inbox")


@require_POST
@role_required()
def inbox_read_all(request):
    count = service.mark_all_read(request.user)
    if count:
        messages.success(request, _("All messages are marked as read."))
    return redirect("inbox")
