"""回访: staff record their call to the submitter of a resolved suggestion who did not rate it
online (feedback.services.record_callback). The page gives what the call needs: what was raised,
the reply given, and the submitter's number (in full on request, written to the access log)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from feedback import services
from feedback.models import Suggestion
from feedback.staff_forms import CallbackForm
from portal.errors import flash_refusal
from portal.models import AuditLog
from portal.permissions import role_required
from portal.privacy import mask_mobile
from portal.roles import KEEPERS
from portal.scope import get_in_scope_or_404


@role_required(*KEEPERS)
def callback(request, pk):
    suggestion = get_in_scope_or_404(
        Suggestion.objects.select_related("area", "worker"), request.user, pk=pk
    )
    callbacks = list(suggestion.callbacks.select_related("by"))
    refusal = services.callback_refusal(suggestion, callbacks)
    form = CallbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        with flash_refusal(request, messages.WARNING):
            services.record_callback(
                suggestion,
                reached=data["reached"],
                satisfaction=data["satisfaction"],
                words=data["words"],
                by=request.user,
            )
            messages.success(request, _("The callback is recorded."))
        return redirect("feedback:suggestion", suggestion.pk)
    mobile = suggestion.mobile or (suggestion.worker.mobile if suggestion.worker else "")
    show_mobile = request.GET.get("mobile") == "full" and bool(mobile)
    if show_mobile:
        AuditLog.record(
            request.user,
            AuditLog.Action.VIEWED,
            f"{suggestion.tracking_code} mobile",
            subject=suggestion,
        )
    return render(
        request,
        "feedback/callback.html",
        {
            "suggestion": suggestion,
            "callbacks": callbacks,
            "refusal": refusal,
            "form": form,
            "mobile": mobile if show_mobile else mask_mobile(mobile),
            "show_mobile": show_mobile,
        },
    )


def callback_panel(request, suggestion: Suggestion) -> dict:
    """What the suggestion page's callback section (templates/feedback/_callbacks.html) needs:
    shown once there are callbacks, or while one may be recorded."""
    callbacks = list(suggestion.callbacks.select_related("by"))
    may_call = services.callback_refusal(suggestion, callbacks) is None
    return {
        "callbacks": callbacks,
        "show_callbacks": bool(callbacks) or may_call,
        "callback_url": (
            reverse("feedback:callback", args=[suggestion.pk])
            if may_call and request.user.role in KEEPERS
            else ""
        ),
    }
