"""Staff pages of the stations: list, add, edit, detail with QR code, standard and photos,
printable posters. Community staff keep the stations of their scope; officials read them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.background import enqueue_on_commit
from portal.models import Area
from portal.permissions import role_required
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404
from stations import services, tasks
from stations.filters import StationFilter
from stations.forms import PhotoForm, RotateForm, StandardForm, StationForm
from stations.models import Station, StationAmenity, StationPhoto


def _station(request, pk) -> Station:
    return get_in_scope_or_404(Station.objects.select_related("area"), request.user, id=pk)


@role_required(*READERS)
def station_list(request):
    filters = StationFilter(
        request.GET, queryset=Station.objects.in_scope(request.user), user=request.user
    )
    rows = services.with_compliance(filters.qs.select_related("area")).order_by("name", "id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    area = filters.form.cleaned_data.get("area") if filters.is_valid() else None
    return render(
        request,
        "stations/list.html",
        {
            "filters": filters,
            "page": page,
            "can_keep": request.user.role in KEEPERS,
            "poster_area": area or request.user.area,
        },
    )


def _form(request, station=None):
    return StationForm(
        request.POST or None,
        instance=station,
        areas=Area.objects.in_scope(request.user),
    )


def _save(request, form):
    station = form.save(commit=False)
    return services.save_station(station, form.cleaned_data["amenities"], by=request.user)


@role_required(*KEEPERS)
def station_add(request):
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        station = _save(request, form)
        enqueue_on_commit(tasks.make_qr_codes, station.pk)  # or the sweep makes them (Redis down)
        messages.success(request, _("Added %(name)s.") % {"name": station})
        return redirect("stations:detail", station.id)
    return render(request, "stations/form.html", {"form": form, "station": None})


@role_required(*KEEPERS)
def station_edit(request, pk):
    station = _station(request, pk)
    form = _form(request, station)
    if request.method == "POST" and form.is_valid():
        _save(request, form)
        messages.success(request, _("Saved the changes."))
        return redirect("stations:detail", station.id)
    return render(request, "stations/form.html", {"form": form, "station": station})


@role_required(*READERS)
def station_detail(request, pk):
    station = _station(request, pk)
    held = station.standard.values_list("item_id", flat=True)
    return render(
        request,
        "stations/detail.html",
        {
            "station": station,
            "compliance": services.compliance(station),
            "amenities": station.amenities.all(),
            "photos": station.photos.all(),
            "events": station.events.select_related("actor")[:30],
            "can_keep": request.user.role in KEEPERS,
            "standard_form": StandardForm(initial={"items": list(held)}),
            "rotate_form": RotateForm(),
            "photo_form": PhotoForm(),
            "landing_url": services.landing_url(station),
        },
    )


def _qr(request, pk, field):
    station = _station(request, pk)
    image = getattr(station, field)
    if not image or station.qr_token != station.token:
        raise Http404("The QR code is being made.")
    extension = image.name.rsplit(".", 1)[-1]
    return FileResponse(
        image.open("rb"),
        as_attachment="download" in request.GET,
        filename=f"{station.name}-{_('QR code')}.{extension}",
    )


@role_required(*READERS)
def qr_png(request, pk):
    return _qr(request, pk, "qr_png")


@role_required(*READERS)
def qr_svg(request, pk):
    return _qr(request, pk, "qr_svg")


@require_POST
@role_required(*KEEPERS)
def rotate(request, pk):
    station = _station(request, pk)
    form = RotateForm(request.POST)
    if form.is_valid():
        services.rotate_token(station, by=request.user)
        enqueue_on_commit(tasks.make_qr_codes, station.pk)
        messages.success(
            request, _("The station has a new QR code. Print its new poster and replace the old.")
        )
    else:
        messages.error(request, form.errors["confirm"][0])
    return redirect("stations:detail", station.id)


@require_POST
@role_required(*KEEPERS)
def standard(request, pk):
    station = _station(request, pk)
    form = StandardForm(request.POST)
    if form.is_valid():
        services.set_standard(station, form.cleaned_data["items"], by=request.user)
        messages.success(request, _("Saved the standard checklist."))
    else:
        messages.error(request, _("Choose items of the standard from the list."))
    return redirect("stations:detail", station.id)


@require_POST
@role_required(*KEEPERS)
def photo_add(request, pk):
    station = _station(request, pk)
    form = PhotoForm(request.POST, request.FILES, instance=StationPhoto(station=station))
    if form.is_valid():
        services.add_photo(form, by=request.user)
        messages.success(request, _("Added the photo."))
    else:
        messages.error(
            request, " ".join(error for errors in form.errors.values() for error in errors)
        )
    return redirect("stations:detail", station.id)


@require_POST
@role_required(*KEEPERS)
def photo_delete(request, pk):
    photo = get_in_scope_or_404(
        StationPhoto.objects.all(), request.user, area_field="station__area", id=pk
    )
    services.delete_photo(photo, by=request.user)
    messages.success(request, _("Deleted the photo."))
    return redirect("stations:detail", photo.station_id)


def _with_amenities(stations):
    return stations.select_related("area").prefetch_related(
        Prefetch("amenities", queryset=StationAmenity.objects.order_by("amenity"))
    )


@role_required(*READERS)
def poster(request, pk):
    station = get_in_scope_or_404(_with_amenities(Station.objects), request.user, id=pk)
    return render(request, "stations/poster.html", {"stations": [station], "area": None})


@role_required(*READERS)
def posters(request, code):
    area = get_in_scope_or_404(Area.objects.all(), request.user, area_field=None, code=code)
    stations = _with_amenities(Station.objects.within(area))
    return render(request, "stations/poster.html", {"stations": stations, "area": area})
