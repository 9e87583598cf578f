"""The community picker: a rider page that needs the rider's community (registration, the
suggestion form, the points shop, activities near you) takes it from `?community=<division code>`
(a station's QR link carries one); without one the rider taps down district → street → community
as plain links, no JavaScript and a short list on each step."""

from urllib.parse import urlencode

from django import forms
from django.shortcuts import render

from portal.models import Area, AreaLevel


class PickerForm(forms.Form):
    """The picker's query: `?area=` is the step the rider is on, `?community=` the community they
    chose. A value that is no code (a NUL, which PostgreSQL refuses in a query, fails the field's
    validation) is no choice."""

    community = forms.CharField(required=False, strip=False)
    area = forms.CharField(required=False, strip=False)

    @classmethod
    def code(cls, request, name: str) -> str:
        """The code `?<name>=` gives, or "" for none."""
        form = cls(request.GET)
        form.is_valid()  # a field that fails is left out of cleaned_data
        return form.cleaned_data.get(name, "")


def chosen_community(request) -> Area | None:
    """The community of `?community=` (a station's QR link, or the picker's last step) with its
    street; None for no such community."""
    code = PickerForm.code(request, "community")
    return (
        Area.objects.filter(level=AreaLevel.COMMUNITY, code=code).select_related("parent").first()
    )


def choose_community(request, title: str):
    """The picker's page at the step of `?area=`. Each step links to `?area=`, the last to
    `?community=` of the page that called it, which shows its own page once it has the
    community."""
    code = PickerForm.code(request, "area")
    area = Area.objects.exclude(level=AreaLevel.COMMUNITY).filter(code=code).first()
    choices = list((area.children if area else Area.objects.filter(parent=None)).order_by("code"))
    while len(choices) == 1 and choices[0].level != AreaLevel.COMMUNITY:
        area = choices[0]  # one city or one street: nothing to choose, go one level down
        choices = list(area.children.order_by("code"))
    return render(
        request,
        "portal/choose_community.html",
        {
            "title": title,
            "area": area,
            "trail": area.ancestors() if area else [],
            "choices": choices,
            # Where the rider was headed (a check-in waiting for the registration) goes along.
            "keep": "&" + urlencode({"next": request.GET["next"]})
            if request.GET.get("next")
            else "",
        },
    )
