"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): the loop's categories as services, its
suggestions as service requests, in XML and JSON. docs/OPEN311.md has the mapping field by field.

A service request's id is the suggestion's `public_id`, never its tracking code: whoever holds a
tracking code may rate or reopen the suggestion on the tracking page.
"""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from feedback.models import (
    FOLLOWER_STATES,
    OPEN_STATES,
    Category,
    IssueType,
    State,
    Suggestion,
    Task,
)
from portal.mobile import normalise_mobile, validate_mobile

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Bump when a service or its definition changes: clients refresh what they cached.
CHANGESET = "2026-12-04T00:00:00+08:00"  # the issue types joined the categories
MAX_REQUESTS = 1000  # the spec's default query limit: 90 days or 1000 requests
MAX_DAYS = 90
# The years a date parameter may name: room for clean()'s 90 days either side and the shift to
# UTC, which overflow Python's dates at years 1 and 9999 (a 500).
YEARS = (1900, 9998)
FORMATS = {"xml": "text/xml", "json": "application/json"}  # the URL's .xml or .json
# XML 1.0 cannot carry these characters, even escaped.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A mainland mobile number typed into the text: masked before the text is published.
MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")

# A list's items are elements named in the singular (the Spark convention the spec follows).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
}

IDEAS = gettext_lazy("Ideas and needs")
PROBLEMS = gettext_lazy("Problems to fix")
# service_code (the category) → description, keywords, group.
SERVICES = {
    Category.SUGGESTION: (
        gettext_lazy("An idea to make work or life better for couriers, riders and drivers."),
        gettext_lazy("suggestion, idea, proposal"),
        IDEAS,
    ),
    Category.NEED: (
        gettext_lazy("A difficulty at work or in daily life that the community can help with."),
        gettext_lazy("need, difficulty, demand"),
        IDEAS,
    ),
    Category.HAZARD: (
        gettext_lazy(
            "A safety hazard seen on the road or at a station: lights out, broken covers, "
            "dangerous crossings, fire risks."
        ),
        gettext_lazy("hazard, danger, safety, snapshot"),
        PROBLEMS,
    ),
    Category.COMPLAINT: (
        gettext_lazy("A complaint about a service, a station or how workers were treated."),
        gettext_lazy("complaint, unfair, service"),
        PROBLEMS,
    ),
    Category.HELP: (
        gettext_lazy("A request for help: legal aid, an injury, wages owed, an emergency at work."),
        gettext_lazy("help, legal aid, wages, injury"),
        IDEAS,
    ),
}


# Responses


def render(data, root: str, fmt: str, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under the element `root`, in UTF-8 as the spec asks."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        tree = ET.tostring(_element(root, data), encoding="unicode")
        body = f'<?xml version="1.0" encoding="utf-8"?>\n{tree}'
    return HttpResponse(body.encode(), content_type=f"{FORMATS[fmt]}; charset=utf-8", status=status)


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, list):
        element.extend(_element(ITEM_TAGS[tag], item) for item in value)
    elif isinstance(value, dict):
        element.extend(_element(key, item) for key, item in value.items())
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_IN_XML.sub("", str(value))
    return element


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    return render(
        [{"code": status, "description": str(text)} for text in descriptions], "errors", fmt, status
    )


def form_errors(fmt: str, form: forms.Form) -> HttpResponse:
    """A refused form as the spec's 400, one error per problem, each naming its parameter."""
    problems = [
        message if field == "__all__" else f"{field}: {message}"
        for field, messages in form.errors.items()
        for message in messages
    ]
    return errors(fmt, 400, *problems)


def w3(moment: datetime | None) -> str | None:
    """ISO 8601 in the portal's time zone with its offset: 2026-11-23T09:30:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


# Services


def service(category: Category) -> dict:
    description, keywords, group = SERVICES[category]
    return {
        "service_code": category.value,
        "service_name": str(category.label),
        "description": str(description),
        "metadata": False,
        "type": "realtime",
        "keywords": str(keywords),
        "group": str(group),
    }


def sub_service(issue_type: IssueType) -> dict:
    """An issue type is a service of its own, in its category's group: a client that knows only
    the categories files under those, one that lists the services offers the finer kinds too."""
    category = Category(issue_type.category)
    _description, keywords, group = SERVICES[category]
    return {
        "service_code": issue_type.code,
        "service_name": issue_type.name,
        "description": f"{category.label}: {issue_type.name}",
        "metadata": False,
        "type": "realtime",
        "keywords": f"{issue_type.name}, {keywords}",
        "group": str(group),
    }


def service_list() -> list[dict]:
    """The categories (the service codes clients have always used), then the offered issue
    types in their categories' order."""
    types = sorted(
        IssueType.objects.offered(),
        key=lambda issue_type: Category.values.index(issue_type.category),
    )
    return [service(category) for category in Category] + [sub_service(t) for t in types]


def service_codes(codes) -> tuple[list[str], list[str]]:
    """`codes` as (categories, issue type codes); a code that is neither is left out. Issue
    types retired from the list still answer, so the requests filed under them stay findable."""
    categories = [code for code in codes if code in Category.values]
    # Issue type codes are slugs: anything else (a NUL byte, which the database refuses in a
    # query) is simply unknown.
    others = {code for code in codes if slug_re.match(code)} - set(categories)
    types = IssueType.objects.filter(code__in=others).values_list("code", flat=True)
    return categories, list(types) if others else []


def service_definition(code: str) -> dict:
    """A suggestion asks nothing beyond the spec's own fields: no attributes."""
    return {"service_code": code, "attributes": []}


# Service requests


def published(suggestions):
    """Suggestions anyone may list: those staff have assessed and taken up, or linked to one
    (a rider may have typed a name or an address into the text, and staff read it first).
    Unassessed and rejected ones answer only to their id, which only their submitter holds."""
    return suggestions.filter(assessed_at__isnull=False).exclude(state=State.REJECTED)


def with_status(suggestions, status: str):
    """Suggestions whose Open311 status is `status`: a duplicate or merged suggestion has its
    original's, through up to three links (marking rarely chains further)."""
    wanted = OPEN_STATES if status == "open" else [s for s in State if s not in OPEN_STATES]
    decided = [s for s in wanted if s not in FOLLOWER_STATES]
    match, chain, path = Q(), Q(), ""
    for _depth in range(4):
        match |= chain & Q(**{f"{path}state__in": decided})
        chain &= Q(**{f"{path}state__in": FOLLOWER_STATES})
        path += "original__"
    return suggestions.filter(match)


def for_api(suggestions):
    """What service_request() reads, in a fixed number of queries however many rows."""
    tasks = Task.objects.select_related("department")
    return suggestions.select_related("original", "issue_type").prefetch_related(
        Prefetch("tasks", queryset=tasks),
        Prefetch("original__tasks", queryset=tasks),
    )


def service_request(suggestion: Suggestion) -> dict:
    """One suggestion as a service request: no name, mobile or staff member, ever."""
    decided = suggestion.outcome()
    is_open = decided.state in OPEN_STATES
    tasks = list(decided.tasks.all())
    open_due = [task.due_on for task in tasks if task.state == Task.State.OPEN]
    closed_at = decided.closed_at or decided.resolved_at or suggestion.updated_at
    return {
        "service_request_id": suggestion.public_id,
        "status": "open" if is_open else "closed",
        "status_notes": None if is_open else decided.reply or None,
        # The finest service it was filed or classed under: its issue type, else its category.
        "service_name": suggestion.issue_type.name
        if suggestion.issue_type
        else suggestion.get_category_display(),
        "service_code": suggestion.issue_type.code
        if suggestion.issue_type
        else suggestion.category,
        "description": MOBILE_IN_TEXT.sub(r"\1****\2", suggestion.text),
        "agency_responsible": ", ".join(sorted({task.department.name for task in tasks})) or None,
        # The loop's finer state ("Accepted, being worked on", "Duplicate" …).
        "service_notice": suggestion.get_state_display(),
        "requested_datetime": w3(suggestion.submitted_at),
        "updated_datetime": w3(suggestion.updated_at if is_open else closed_at),
        "expected_datetime": w3(end_of_day(max(open_due))) if is_open and open_due else None,
        "address": suggestion.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": float(suggestion.latitude) if suggestion.latitude is not None else None,
        "long": float(suggestion.longitude) if suggestion.longitude is not None else None,
        # Always empty: a photo may show a face or a number plate, and the API is public. Its
        # viewers are staff and whoever holds the tracking code (feedback.views.photos).
        "media_url": None,
    }


def end_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


# Parameters


class W3DateTimeField(forms.Field):
    """A w3 date-time (2010-01-01T00:00:00Z) or date; one without a time zone is taken as the
    portal's local time."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            moment = parse_datetime(value)
            if moment is None and (day := parse_date(value)) is not None:
                moment = datetime.combine(day, time())
        except ValueError:
            moment = None
        if moment is None:
            raise ValidationError(_("Use the w3 format, for example 2026-01-01T00:00:00+08:00."))
        if not YEARS[0] <= moment.year <= YEARS[1]:
            raise ValidationError(
                _("Use a date between the years %(first)s and %(last)s.")
                % {"first": YEARS[0], "last": YEARS[1]}
            )
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class RequestQuery(forms.Form):
    """GET requests: which service requests to list."""

    service_request_id = forms.CharField(required=False)
    service_code = forms.CharField(required=False)
    start_date = W3DateTimeField(required=False)
    end_date = W3DateTimeField(required=False)
    status = forms.CharField(required=False)

    def clean_service_request_id(self):
        ids = [value.upper() for value in comma_list(self.cleaned_data["service_request_id"])]
        if len(ids) > MAX_REQUESTS:
            raise ValidationError(
                _("Ask for at most %(count)s requests at once.") % {"count": MAX_REQUESTS}
            )
        return ids

    def clean_service_code(self):
        """(category codes, issue type codes): a category's code finds its issue types too."""
        codes = comma_list(self.cleaned_data["service_code"])
        categories, types = service_codes(codes)
        unknown = [code for code in codes if code not in categories and code not in types]
        if unknown:
            raise ValidationError(
                _("Unknown service_code %(codes)s; GET services lists the codes.")
                % {"codes": ", ".join(unknown)}
            )
        return categories, types

    def clean_status(self):
        statuses = comma_list(self.cleaned_data["status"])
        if any(status not in ("open", "closed") for status in statuses):
            raise ValidationError(_("Use open or closed."))
        return statuses

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start, end = data.get("start_date"), data.get("end_date")
        if end is None:
            end = start + timedelta(days=MAX_DAYS) if start else timezone.now()
        if start is None:
            start = end - timedelta(days=MAX_DAYS)
        if start > end:
            raise ValidationError(_("start_date is after end_date."))
        if end - start > timedelta(days=MAX_DAYS):
            raise ValidationError(
                _("start_date to end_date may not span more than %(days)s days.")
                % {"days": MAX_DAYS}
            )
        data["start_date"], data["end_date"] = start, end
        return data

    def requests(self):
        """The matching suggestions, newest first, at most MAX_REQUESTS."""
        data = self.cleaned_data
        if data["service_request_id"]:  # the spec: this overrides all other arguments
            found = Suggestion.objects.filter(public_id__in=data["service_request_id"])
        else:
            found = published(Suggestion.objects).filter(
                submitted_at__gte=data["start_date"], submitted_at__lte=data["end_date"]
            )
            categories, types = data["service_code"]
            if categories or types:
                found = found.filter(Q(category__in=categories) | Q(issue_type__code__in=types))
            if len(set(data["status"])) == 1:
                found = with_status(found, data["status"][0])
        return for_api(found.order_by("-submitted_at", "-id"))[:MAX_REQUESTS]


class NewRequestForm(forms.Form):
    """POST requests: a service request filed by a client application (form-encoded)."""

    # A category's code, or an offered issue type's (clean_service_code).
    service_code = forms.CharField()
    lat = forms.FloatField(min_value=-90, max_value=90, required=False)
    long = forms.FloatField(min_value=-180, max_value=180, required=False)
    address_string = forms.CharField(
        max_length=Suggestion._meta.get_field("address").max_length, required=False
    )
    address_id = forms.CharField(required=False)
    description = forms.CharField(max_length=Suggestion._meta.get_field("text").max_length)
    first_name = forms.CharField(max_length=30, required=False)
    last_name = forms.CharField(max_length=30, required=False)
    # Longer than the 11 stored digits: people type spaces, hyphens, +86.
    phone = forms.CharField(max_length=20, required=False)

    def clean_service_code(self) -> tuple[str, IssueType | None]:
        """(category, issue type or None)."""
        code = self.cleaned_data["service_code"]
        if code in Category.values:
            return code, None
        issue_type = IssueType.objects.offered().filter(code=code).first()
        if issue_type is None:
            raise ValidationError(
                _("This service_code is not offered; GET services lists the codes.")
            )
        return issue_type.category, issue_type

    def clean_phone(self):
        mobile = normalise_mobile(self.cleaned_data["phone"])
        if mobile:
            validate_mobile(mobile)
        return mobile

    def clean(self):
        data = super().clean()
        if len(self.name()) > Suggestion._meta.get_field("name").max_length:
            raise ValidationError(_("first_name and last_name together are too long."))
        if {"lat", "long", "address_string"} & set(self.errors):
            return data
        has_lat, has_long = data["lat"] is not None, data["long"] is not None
        if has_lat != has_long:
            raise ValidationError(_("Send both lat and long, or neither."))
        if not (has_lat or data["address_string"]):
            if data.get("address_id"):
                raise ValidationError(
                    _("address_id is not supported here: send lat and long, or address_string.")
                )
            raise ValidationError(_("Send a location: lat and long, or address_string."))
        return data

    def name(self) -> str:
        first = self.cleaned_data.get("first_name", "")
        last = self.cleaned_data.get("last_name", "")
        if (first + last).isascii():
            return f"{first} {last}".strip()
        return f"{last}{first}"  # 张 + 三 → 张三: the family name first

    def details(self) -> dict:
        """The fields feedback.services.submit takes."""
        data = self.cleaned_data
        coordinates = {}
        if data["lat"] is not None:
            coordinates = {
                "latitude": Decimal(f"{data['lat']:.6f}"),
                "longitude": Decimal(f"{data['long']:.6f}"),
            }
        category, issue_type = data["service_code"]
        return {
            "category": category,
            "issue_type": issue_type,
            "text": data["description"],
            "address": data["address_string"],
            "name": self.name(),
            "mobile": data["phone"],
            **coordinates,
        }
