from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import ratelimit
from portal.community_picker import choose_community, chosen_community
from portal.errors import flash_refusal
from portal.otp_forms import CodeForm
from portal.permissions import role_required
from portal.privacy import mask_mobile
from portal.roles import KEEPERS
from portal.scope import get_in_scope_or_404
from registry import services
from registry.forms import RegistrationForm
from registry.models import Channel, Worker
from registry.services import riders
from registry.views import review

REGISTRATION = "registration"  # the session's form data waiting for its texted code


def register(request):
    """The public registration page. A station's QR link carries `?community=<division code>`;
    without one the rider first picks their community step by step (portal.community_picker).

    Only the mobile's owner changes its record: the details wait in the session while a code is
    texted to the mobile, unless this phone proved the number already (its signed-in rider's,
    or one proven by the sign-in code). `?next=` is where the rider goes once registered."""
    community = chosen_community(request)
    if community is None and request.method == "GET":
        return choose_community(request, title=_("Register with your community"))
    # The community's own street, not a province's thousands of communities in one drop-down.
    communities = community.parent.children.all() if community else None
    own = _own_details(request)
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        initial={**own, "area": community},
        communities=communities,
    )
    if own.get("mobile"):
        form.fields["mobile"].help_text = _(
            "This phone has confirmed this number: no code is needed for it. Change it and we "
            "text a code to the new one. A field left blank keeps what we have."
        )
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow("register:address", ratelimit.client_address(request)):
            return ratelimit.too_many(request)
        mobile = form.cleaned_data["mobile"]
        if not ratelimit.allow("register:mobile", mobile):
            return ratelimit.too_many(request)
        done = riders.next_url(request, reverse("registry:registered"))
        if riders.owns(request, mobile):
            return _registered(request, form, done)
        refusal = riders.send_code(request, mobile)
        if refusal:
            form.add_error("mobile", refusal)
        else:
            data = request.POST.dict()
            data.pop("csrfmiddlewaretoken", None)
            request.session[REGISTRATION] = {
                "data": data,
                "mobile": mobile,
                "query": request.GET.urlencode(),
                "done": done,
            }
            return redirect("registry:register_code")
    return render(
        request,
        "registry/register.html",
        {"form": form, "community": community, "consent_version": services.CONSENT_VERSION},
    )


# What the signed-in rider finds filled in when they update their details; the ID number is
# not shown again (left blank, it is kept).
OWN_DETAILS = ["name", "mobile", "occupation", "platform", "platform_other", "political_status"]


def _own_details(request) -> dict:
    worker = riders.current_worker(request)
    if worker is None:
        return {"mobile": riders.proven_mobile(request)}
    return {field: getattr(worker, field) for field in OWN_DETAILS}


def register_code(request):
    """The texted code, then the registration: a new record, or the rider's own one updated."""
    waiting = request.session.get(REGISTRATION)
    if not waiting:
        return redirect("registry:register")
    mobile = waiting["mobile"]
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = riders.check_code(request, mobile, form.cleaned_data["code"])
        if not refusal:
            details = RegistrationForm(waiting["data"])
            del request.session[REGISTRATION]
            if not details.is_valid():  # the community was merged away meanwhile: start again
                return redirect(_register_url(waiting))
            return _registered(request, details, waiting["done"])
        form.add_error("code", refusal)
    return render(
        request,
        "registry/register_code.html",
        {
            "form": form,
            "masked": mask_mobile(mobile),
            "minutes": riders.CODE_SECONDS // 60,
            "register_url": _register_url(waiting),
        },
    )


def _registered(request, form: RegistrationForm, done: str):
    """Keep the proven registration and sign its rider in on this phone."""
    worker = services.register(
        form.details(),
        sensitive_consent=form.cleaned_data["sensitive_consent"],
        channel=Channel.SELF,
    )
    riders.sign_in(request, worker)
    return redirect(done)


def _register_url(waiting: dict) -> str:
    query = waiting["query"]
    return reverse("registry:register") + (f"?{query}" if query else "")


def registered(request):
    return render(request, "registry/registered.html")


@role_required(*KEEPERS)
def pending(request):
    """The confirmation queue: self-registrations in the user's scope, oldest first."""
    workers = Worker.objects.in_scope(request.user).pending().select_related("area")
    page = Paginator(workers.order_by("created_at", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "registry/pending.html", {"page": page})


@require_POST
@role_required(*KEEPERS)
def confirm(request, pk):
    worker = get_in_scope_or_404(Worker.objects, request.user, id=pk)
    with flash_refusal(request, messages.WARNING):
        services.confirm(worker, by=request.user)
        messages.success(request, _("Confirmed the registration of %(name)s.") % {"name": worker})
    return review.decided(request, worker)
