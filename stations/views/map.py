"""The public friendly map (友好地图): the stations riders can use, as a list that works without
JavaScript and as markers on a map when tiles are configured and load."""

from math import asin, cos, radians, sin, sqrt

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import slots
from portal.models import Area, AreaLevel
from portal.replica import reads_from_replica
from stations.models import Amenity, Station, StationAmenity, StationKind

PAGE_SIZE = 30
EARTH_RADIUS_KM = 6371.0
ALL = [("", _("All"))]
AMENITIES_IN_ORDER = Prefetch("amenities", queryset=StationAmenity.objects.order_by("id"))


class AreaField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        if area.level == AreaLevel.DISTRICT:
            return area.name
        return f"{area.parent.name} · {area.name}"


class MapFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ALL + StationKind.choices, required=False)
    amenity = forms.ChoiceField(label=_("Amenity"), choices=ALL + Amenity.choices, required=False)
    # Any district, street or community code is accepted (a link from a community's page), but
    # the drop-down offers only the districts and streets that have stations: a short list.
    area = AreaField(
        label=_("Area"),
        queryset=Area.objects.filter(
            level__in=[AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY]
        ).select_related("parent"),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    # The visitor's location, set by static/js/map.js: the list is then sorted by distance.
    lat = forms.FloatField(min_value=-90, max_value=90, required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(min_value=-180, max_value=180, required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, with_area_choices=True):
        super().__init__(data)
        self.is_valid()  # a bad parameter is left out of cleaned_data, and so ignored
        if with_area_choices:
            self.fields["area"].widget.choices = self.area_choices()

    def area_choices(self):
        field = self.fields["area"]
        with_stations = Exists(Station.objects.filter(area__path__startswith=OuterRef("path")))
        areas = list(
            field.queryset.filter(
                with_stations, level__in=[AreaLevel.DISTRICT, AreaLevel.STREET]
            ).order_by("path")
        )
        chosen = self.cleaned_data.get("area")
        if chosen and chosen not in areas:
            areas.append(chosen)
        return [("", field.empty_label)] + [
            (area.code, field.label_from_instance(area)) for area in areas
        ]

    @property
    def origin(self) -> tuple[float, float] | None:
        lat, lng = self.cleaned_data.get("lat"), self.cleaned_data.get("lng")
        return None if lat is None or lng is None else (lat, lng)


def distance_km(origin: tuple[float, float], station: Station) -> float | None:
    """Great-circle (haversine) distance; GCJ-02's offset of a few hundred metres is the same
    for the visitor and the station, so it hardly changes the distance."""
    if station.latitude is None or station.longitude is None:
        return None
    lat1, lng1 = map(radians, origin)
    lat2, lng2 = radians(float(station.latitude)), radians(float(station.longitude))
    a = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(a))


def matching_stations(form: MapFilterForm) -> list[Station]:
    """The stations the filters ask for, each with `open_now` (and `distance` when the visitor's
    location is known: then nearest first).

    The database narrows by kind, amenity and area; the rest is done in Python over the whole
    filtered set, which is fine for a city's few hundred to few thousand stations. Far beyond
    that, distance wants a spatial index (PostGIS) and "open now" a precomputed column."""
    data = form.cleaned_data
    stations = Station.objects.select_related("area")
    if data.get("kind"):
        stations = stations.filter(kind=data["kind"])
    if data.get("amenity"):
        stations = stations.filter(amenities__amenity=data["amenity"])
    if data.get("area"):
        stations = stations.within(data["area"])
    now = timezone.now()
    stations = list(stations)
    for station in stations:
        station.open_now = station.is_open_at(now)
    # Opening hours are JSON (intervals per weekday, some past midnight): "open now" cannot be a
    # database filter, so it is applied here, after the database filters.
    if data.get("open_now"):
        stations = [station for station in stations if station.open_now]
    if form.origin:
        for station in stations:
            station.distance = distance_km(form.origin, station)
        stations.sort(key=lambda s: (s.distance is None, s.distance or 0))
    return stations


@reads_from_replica
def station_map(request):
    form = MapFilterForm(request.GET)
    page = Paginator(matching_stations(form), PAGE_SIZE).get_page(request.GET.get("page"))
    prefetch_related_objects(page.object_list, AMENITIES_IN_ORDER)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stations/map.html",
        {
            "form": form,
            "page": page,
            "markers_url": f"{reverse('stations:map_data')}?{query.urlencode()}",
            # What later apps show about these stations (feedback: what was done near them).
            "more": slots.render(slots.FRIENDLY_MAP, request, page.object_list),
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "tile_subdomains": settings.MAP_TILE_SUBDOMAINS,
        },
    )


@reads_from_replica
def map_data(request):
    """The map's markers: public facts only (no contact person or phone)."""
    form = MapFilterForm(request.GET, with_area_choices=False)
    stations = [s for s in matching_stations(form) if None not in (s.latitude, s.longitude)]
    prefetch_related_objects(stations, AMENITIES_IN_ORDER)
    return JsonResponse(
        {
            "stations": [
                {
                    "name": station.name,
                    "kind": station.get_kind_display(),
                    "address": station.address,
                    "lat": float(station.latitude),
                    "lng": float(station.longitude),
                    "open_now": station.open_now,
                    "amenities": [str(amenity) for amenity in station.amenities.all()],
                    "offer": station.offer,
                    "url": reverse("stations:landing", args=[station.token]),
                }
                for station in stations
            ]
        }
    )
