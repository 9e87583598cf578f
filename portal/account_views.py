"""The administrators' accounts page: every staff account with its role, scope, last sign-in and
state; disabling one with a reason, enabling it again, and confirming the monthly review."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import accounts
from portal.errors import flash_refusal
from portal.models import AccountReview, Role, User
from portal.permissions import role_required
from portal.ratelimit import known_address

PAGE_SIZE = 100

# ?state= of the accounts page.
STATES = {
    "all": gettext_lazy("All"),
    "active": gettext_lazy("Active"),
    "unused": gettext_lazy("About to be disabled as unused"),
    "disabled": gettext_lazy("Disabled"),
}


class DisableForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it disabled?"),
        max_length=200,
        help_text=gettext_lazy("For example: left the community centre on 1 March."),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("What you checked or changed."),
    )


def _accounts(state: str):
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    listed = (
        User.objects.select_related("area", "disabled_by")
        .annotate(authenticator=Exists(enrolled))
        .order_by("username")
    )
    if state == "active":
        return listed.filter(is_active=True)
    if state == "disabled":
        return listed.filter(is_active=False)
    if state == "unused":
        # Those the upkeep would disable a fortnight from now, so there is time to ask.
        soon = timezone.now() + timezone.timedelta(days=14)
        return listed.filter(pk__in=accounts.unused_accounts(soon).values("pk"))
    return listed


@role_required(Role.ADMINISTRATOR)
def account_list(request):
    state = request.GET.get("state") if request.GET.get("state") in STATES else "all"
    page = Paginator(_accounts(state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/accounts.html",
        {
            "page": page,
            "state": state,
            "states": STATES.items(),
            "reviews": AccountReview.objects.select_related("reviewed_by")[:6],
            "review_form": ReviewForm(),
        },
    )


@role_required(Role.ADMINISTRATOR)
def account_disable(request, pk):
    account = get_object_or_404(User, pk=pk)
    form = DisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with flash_refusal(request):
            accounts.disable(
                account,
                reason=form.cleaned_data["reason"],
                by=request.user,
                address=known_address(request),
            )
            messages.success(request, _("%(name)s's account is disabled.") % {"name": account})
        return redirect("accounts")
    return render(request, "portal/account_disable.html", {"account": account, "form": form})


@require_POST
@role_required(Role.ADMINISTRATOR)
def account_enable(request, pk):
    account = get_object_or_404(User, pk=pk)
    with flash_refusal(request):
        accounts.enable(account, by=request.user, address=known_address(request))
        messages.success(request, _("%(name)s can sign in again.") % {"name": account})
    return redirect("accounts")


@require_POST
@role_required(Role.ADMINISTRATOR)
def account_review(request):
    form = ReviewForm(request.POST)
    if form.is_valid():
        review = accounts.confirm_review(
            by=request.user, note=form.cleaned_data["note"], address=known_address(request)
        )
        messages.success(
            request,
            _("Review confirmed: %(accounts)s accounts, %(active)s active.")
            % {"accounts": review.accounts, "active": review.active},
        )
    else:
        messages.error(request, _("The note is too long."))
    return redirect("accounts")
