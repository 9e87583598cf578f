"""The Open311 GeoReport v2 endpoints under /open311/v2/ (feedback/open311.py maps the loop).

Public and read-only except POST requests, which needs an API key (feedback.apikeys). Every
answer, errors included, is in the format the URL asks for.
"""

from functools import wraps

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from feedback import apikeys, open311
from feedback.models import Channel, Suggestion
from feedback.services import submit
from portal import ratelimit
from portal.replica import reads_from_replica


def api(*methods: str):
    """Only `methods`; another gets the spec's error document with 405. No CSRF token: a client
    application proves itself with its API key, and sends no cookies."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, fmt, *args, **kwargs):
            if request.method not in methods:
                response = open311.errors(
                    fmt, 405, _("Use %(methods)s here.") % {"methods": " or ".join(methods)}
                )
                response["Allow"] = ", ".join(methods)
                return response
            response = view(request, fmt, *args, **kwargs)
            if request.method == "GET":
                # Public data: a web application on another site may read it too.
                response["Access-Control-Allow-Origin"] = "*"
            return response

        return wrapped

    return decorator


def _not_found(fmt, what: str, value: str):
    return open311.errors(
        fmt, 404, _("No %(what)s %(value)s here.") % {"what": what, "value": value}
    )


@reads_from_replica
@api("GET")
def discovery(request, fmt):
    services = reverse("feedback:open311_services", args=[fmt])
    return open311.render(
        {
            "changeset": open311.CHANGESET,
            "contact": _("Ask the administrators of this portal."),
            "key_service": _(
                "Ask the portal's administrators for an API key, naming your application and "
                "the area whose requests it files."
            ),
            "endpoints": [
                {
                    "specification": open311.SPECIFICATION,
                    "url": settings.SITE_URL + services.rsplit("/", 1)[0],
                    "changeset": open311.CHANGESET,
                    "type": "test" if settings.DEBUG else "production",
                    "formats": list(open311.FORMATS.values()),
                }
            ],
        },
        "discovery",
        fmt,
    )


@reads_from_replica
@api("GET")
def services(request, fmt):
    return open311.render(open311.service_list(), "services", fmt)


@reads_from_replica
@api("GET")
def service_definition(request, fmt, code):
    if not any(open311.service_codes([code])):
        return _not_found(fmt, "service_code", code)
    return open311.render(open311.service_definition(code), "service_definition", fmt)


@reads_from_replica
@api("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    # The spec lets a list parameter be repeated as well as comma-separated.
    query = open311.RequestQuery({key: ",".join(values) for key, values in request.GET.lists()})
    if not query.is_valid():
        return open311.form_errors(fmt, query)
    found = [open311.service_request(suggestion) for suggestion in query.requests()]
    return open311.render(found, "service_requests", fmt)


def _create(request, fmt):
    key = apikeys.authenticate(request.POST.get("api_key") or request.GET.get("api_key", ""))
    if key is None:
        return open311.errors(
            fmt, 403, _("Missing or invalid api_key: requests cannot be posted without one.")
        )
    if not ratelimit.allow("open311:key", str(key.pk)):
        response = open311.errors(
            fmt, 429, _("This API key has posted too many requests this hour. Try again later.")
        )
        response["Retry-After"] = str(settings.RATE_LIMITS["open311:key"][1])
        return response
    code = request.POST.get("service_code", "")
    if code and not any(open311.service_codes([code])):
        return _not_found(fmt, "service_code", code)
    form = open311.NewRequestForm(request.POST)
    if not form.is_valid():
        return open311.form_errors(fmt, form)
    suggestion = submit(form.details(), channel=Channel.OPEN311, area=key.area)
    notice = _("Staff assess it within %(days)s working days.") % {
        "days": settings.FEEDBACK_ASSESS_WITHIN_WORKING_DAYS
    }
    return open311.render(
        [{"service_request_id": suggestion.public_id, "service_notice": notice}],
        "service_requests",
        fmt,
    )


def _by_id(public_id: str):
    return open311.for_api(Suggestion.objects.filter(public_id=public_id)).first()


@reads_from_replica
@api("GET")
def service_request(request, fmt, public_id):
    suggestion = _by_id(public_id)
    if suggestion is None:
        return _not_found(fmt, "service_request_id", public_id)
    return open311.render([open311.service_request(suggestion)], "service_requests", fmt)


@reads_from_replica
@api("GET")
def token(request, fmt, token):
    """Requests are realtime, so no token is ever handed out; a request's id works as one."""
    suggestion = _by_id(token)
    if suggestion is None:
        return _not_found(fmt, "token", token)
    return open311.render(
        [{"service_request_id": suggestion.public_id, "token": token}], "service_requests", fmt
    )
