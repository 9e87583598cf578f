"""问题研判: the triage queue, the list of suggestions, a suggestion's page with its assessment
(accept, reject, duplicate, merge, pass on), and suggestions staff collected offline."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import services
from feedback.calendar import working_days_since
from feedback.exports import listed_suggestions
from feedback.followup import assessment_overdue_before
from feedback.models import (
    PUBLIC_SUMMARY_LENGTH,
    SHOWN_STATES,
    ResponseTemplate,
    State,
    Suggestion,
    SuggestionPhoto,
)
from feedback.selectors import support_of, waiting, with_supporters
from feedback.similar import similar_open
from feedback.staff_forms import (
    AcceptForm,
    DuplicateForm,
    EntryForm,
    IssueTypeForm,
    MergeForm,
    PublicSummaryForm,
    RejectForm,
    TransferForm,
)
from feedback.views.callbacks import callback_panel
from feedback.views.tasks import task_panel
from portal import export_views
from portal.errors import flash_refusal
from portal.models import AuditLog
from portal.pagination import CappedPaginator
from portal.permissions import role_required
from portal.privacy import mask_mobile
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404

# Officials read the queue and the suggestions to report upward; community staff assess them.
PAGE_SIZE = 50
# The assessment sections whose reply box a picked response template fills (the resolution's
# is the tasks').
REPLY_SECTIONS = {"reject": State.REJECTED, "duplicate": State.DUPLICATE}


@role_required(*READERS)
def queue(request):
    """Suggestions waiting for assessment in the user's scope, the longest waiting first."""
    rows = with_supporters(
        waiting(request.user).select_related("area", "station").order_by("queued_at", "id")
    )
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    today = timezone.localdate()
    queued_on = {row.pk: timezone.localdate(row.queued_at) for row in page.object_list}
    waits = working_days_since(queued_on.values(), today)
    overdue_before = assessment_overdue_before(today)
    for row in page.object_list:
        row.waited = waits.get(queued_on[row.pk], 0)
        row.overdue = row.queued_at < overdue_before
    return render(
        request,
        "feedback/queue.html",
        {
            "page": page,
            "limit": settings.FEEDBACK_ASSESS_WITHIN_WORKING_DAYS,
            "can_assess": request.user.role in KEEPERS,
        },
    )


@role_required(*READERS)
def suggestion_list(request):
    filters, rows = listed_suggestions(request.user, request.GET)
    rows = with_supporters(rows.select_related("area", "station", "issue_type"))
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/suggestions.html",
        {"filters": filters, "page": page, "can_assess": request.user.role in KEEPERS},
    )


@role_required(*READERS)
def suggestion_export(request):
    """诉求清单 (feedback.exports.suggestion_table): the file at once, or for a long list a
    background job (portal.exports)."""
    return export_views.respond(request, "feedback.suggestions")


def _suggestion(request, pk) -> Suggestion:
    return get_in_scope_or_404(
        Suggestion.objects.select_related("area", "station", "original", "worker", "issue_type"),
        request.user,
        pk=pk,
    )


@role_required(*READERS)
def suggestion_detail(request, pk):
    return _page(request, _suggestion(request, pk))


def _page(request, suggestion: Suggestion, bound: dict | None = None):
    """The suggestion's page; `bound` holds an assessment form (or the public summary's) sent
    back with its errors."""
    bound = dict(bound or {})
    summary_form = bound.pop("summary_form", None)
    show_mobile = request.GET.get("mobile") == "full" and bool(suggestion.mobile)
    if show_mobile:
        AuditLog.record(
            request.user,
            AuditLog.Action.VIEWED,
            f"{suggestion.tracking_code} mobile",
            subject=suggestion,
        )
    can_assess = request.user.role in KEEPERS
    context = {
        "suggestion": suggestion,
        "mobile": suggestion.mobile if show_mobile else mask_mobile(suggestion.mobile),
        "show_mobile": show_mobile,
        "photos": suggestion.photos.all(),
        "followers": suggestion.followers.select_related("area").order_by("submitted_at", "id"),
        "events": suggestion.events.select_related("actor"),
        "can_assess": can_assess,
        "support": support_of(suggestion),
    }
    if can_assess:
        context["issue_type_form"] = IssueTypeForm(
            initial={"version": suggestion.version}, suggestion=suggestion
        )
    if can_assess and suggestion.state in SHOWN_STATES:
        # Approving what the reply says is one click: staff take out anything personal first.
        draft = suggestion.public_summary or suggestion.reply[:PUBLIC_SUMMARY_LENGTH]
        context["summary_form"] = summary_form or PublicSummaryForm(
            initial={"version": suggestion.version, "summary": draft}
        )
    if can_assess and (suggestion.state == State.SUBMITTED or bound):
        context.update(_assessment(request, suggestion))
        for name, form in (bound or {}).items():
            context[name] = form
            context["opened"].add(name.removesuffix("_form"))
    context.update(task_panel(request, suggestion))
    context.update(callback_panel(request, suggestion))
    return render(request, "feedback/suggestion.html", context)


def _assessment(request, suggestion: Suggestion) -> dict:
    """The assessment forms and the similar open suggestions. 受理 is always open; the other
    outcomes stay folded until chosen, and a reply box holds a template's text only once staff
    picked that template (a link that reloads the page with ?template=)."""
    templates = _reply_templates(suggestion)
    chosen = request.GET.get("template", "")
    picked = {
        outcome: next((template for template in options if str(template.pk) == chosen), None)
        for outcome, options in templates.items()
    }
    replies = {outcome: template.text if template else "" for outcome, template in picked.items()}
    version = {"version": suggestion.version}
    original = {"code": request.GET.get("original", "")}
    user = request.user
    # The folded sections shown unfolded: the one a link asked for.
    opened = {name for name, outcome in REPLY_SECTIONS.items() if picked[outcome]}
    if original["code"]:
        opened |= {"duplicate", "merge"}
    return {
        "opened": opened,
        "accept_form": AcceptForm(initial=version, suggestion=suggestion),
        "reject_form": RejectForm(initial={**version, "reply": replies[State.REJECTED]}),
        "duplicate_form": DuplicateForm(
            initial={**version, **original, "reply": replies[State.DUPLICATE]}, user=user
        ),
        "merge_form": MergeForm(initial={**version, **original}, user=user),
        "transfer_form": TransferForm(initial=version, suggestion=suggestion, user=user),
        "reject_templates": templates[State.REJECTED],
        "duplicate_templates": templates[State.DUPLICATE],
        "similar": similar_open(suggestion, user),
    }


def _reply_templates(suggestion: Suggestion) -> dict[str, list[ResponseTemplate]]:
    """Response templates per outcome: the suggestion's category's own first, then the general."""
    templates = {outcome: [] for outcome in REPLY_SECTIONS.values()}
    for template in ResponseTemplate.objects.for_suggestion(suggestion).filter(
        state__in=REPLY_SECTIONS.values()
    ):
        templates[template.state].append(template)
    return templates


def _assess(request, suggestion: Suggestion, name: str, form, change, done: str, finished=True):
    """Run one assessment with a valid form; an invalid one goes back to the page with its errors.
    A refusal (wrong state, someone else was quicker) changes nothing and says why. When the
    suggestion is `finished` with, the queue shows the next one; an accepted one stays open for
    its tasks."""
    if not form.is_valid():
        return _page(request, suggestion, {name: form})
    with flash_refusal(request, messages.WARNING):
        change(form.cleaned_data)
        messages.success(request, done % {"code": suggestion.tracking_code})
        if finished:
            return redirect("feedback:queue")
    return redirect("feedback:suggestion", suggestion.pk)


@require_POST
@role_required(*KEEPERS)
def accept(request, pk):
    suggestion = _suggestion(request, pk)
    return _assess(
        request,
        suggestion,
        "accept_form",
        AcceptForm(request.POST, suggestion=suggestion),
        lambda data: services.accept(
            suggestion,
            version=data["version"],
            note=data["note"],
            issue_type=data["issue_type"],
            by=request.user,
        ),
        _("Accepted %(code)s. Now split it into tasks for the departments."),
        finished=False,
    )


@require_POST
@role_required(*KEEPERS)
def reject(request, pk):
    suggestion = _suggestion(request, pk)
    return _assess(
        request,
        suggestion,
        "reject_form",
        RejectForm(request.POST),
        lambda data: services.reject(
            suggestion, version=data["version"], reply=data["reply"], by=request.user
        ),
        _("%(code)s is not taken up; the submitter can read your reply."),
    )


@require_POST
@role_required(*KEEPERS)
def duplicate(request, pk):
    suggestion = _suggestion(request, pk)
    return _assess(
        request,
        suggestion,
        "duplicate_form",
        DuplicateForm(request.POST, user=request.user),
        lambda data: services.mark_duplicate(
            suggestion,
            data["code"],
            version=data["version"],
            reply=data["reply"],
            by=request.user,
        ),
        _("%(code)s is marked as a duplicate and follows the other suggestion's outcome."),
    )


@require_POST
@role_required(*KEEPERS)
def merge(request, pk):
    suggestion = _suggestion(request, pk)
    return _assess(
        request,
        suggestion,
        "merge_form",
        MergeForm(request.POST, user=request.user),
        lambda data: services.merge(
            suggestion, data["code"], version=data["version"], by=request.user
        ),
        _("%(code)s is merged into the other suggestion, with its text and photos."),
    )


@require_POST
@role_required(*KEEPERS)
def transfer(request, pk):
    suggestion = _suggestion(request, pk)
    return _assess(
        request,
        suggestion,
        "transfer_form",
        TransferForm(request.POST, suggestion=suggestion, user=request.user),
        lambda data: services.transfer(
            suggestion, data["area"], version=data["version"], note=data["note"], by=request.user
        ),
        _("%(code)s is passed on and waits in that area's queue now."),
    )


@require_POST
@role_required(*KEEPERS)
def issue_type(request, pk):
    """Staff give the suggestion another issue type (or none), in any state."""
    suggestion = _suggestion(request, pk)
    form = IssueTypeForm(request.POST, suggestion=suggestion)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("feedback:suggestion", suggestion.pk)
    with flash_refusal(request, messages.WARNING):
        data = form.cleaned_data
        services.set_issue_type(
            suggestion, data["issue_type"], version=data["version"], by=request.user
        )
        messages.success(
            request, _("Saved the issue type of %(code)s.") % {"code": suggestion.tracking_code}
        )
    return redirect("feedback:suggestion", suggestion.pk)


@require_POST
@role_required(*KEEPERS)
def publish_summary(request, pk):
    """Write or approve the public summary: the suggestion then shows where riders scan."""
    suggestion = _suggestion(request, pk)
    form = PublicSummaryForm(request.POST)
    if not form.is_valid():
        return _page(request, suggestion, {"summary_form": form})
    with flash_refusal(request, messages.WARNING):
        services.publish_summary(
            suggestion,
            form.cleaned_data["summary"],
            version=form.cleaned_data["version"],
            by=request.user,
        )
        messages.success(
            request,
            _("%(code)s shows on the station's page and the friendly map with this summary.")
            % {"code": suggestion.tracking_code},
        )
    return redirect("feedback:suggestion", suggestion.pk)


@require_POST
@role_required(*KEEPERS)
def withdraw_summary(request, pk):
    suggestion = _suggestion(request, pk)
    with flash_refusal(request, messages.WARNING):
        services.withdraw_summary(suggestion, version=None, by=request.user)
        messages.success(
            request,
            _("%(code)s no longer shows on the station's page or the map.")
            % {"code": suggestion.tracking_code},
        )
    return redirect("feedback:suggestion", suggestion.pk)


@require_POST
@role_required(*KEEPERS)
def hide_photo(request, pk):
    photo = get_in_scope_or_404(
        SuggestionPhoto.objects.select_related("suggestion"),
        request.user,
        "suggestion__area",
        pk=pk,
    )
    with flash_refusal(request, messages.WARNING):
        services.hide_photo(photo, by=request.user)
        messages.success(request, _("The photo is hidden from the public tracking page."))
    return redirect("feedback:suggestion", photo.suggestion_id)


@role_required(*KEEPERS)
def enter(request):
    """The offline channel: a suggestion heard at a forum, on the phone or on a visit."""
    form = EntryForm(
        request.POST if request.method == "POST" else None, request.FILES or None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        suggestion = services.submit(
            form.details(),
            data["photos"],
            channel=data["channel"],
            area=data["area"],
            station=data["station"],
            by=request.user,
        )
        messages.success(
            request,
            _("Entered as %(code)s. Give the rider this tracking code to follow it.")
            % {"code": suggestion.tracking_code},
        )
        return redirect("feedback:suggestion", suggestion.pk)
    return render(request, "feedback/enter.html", {"form": form})
