from django.urls import include, path

from stations.views import landing, staff
from stations.views import map as station_map

app_name = "stations"

# A station's QR code: its public landing page and 报到 (views/landing.py).
landing_urls = [
    path("", landing.landing, name="landing"),
    path("check-in/", landing.check_in, name="check_in"),
]

# One station, for staff (views/staff.py).
station_urls = [
    path("", staff.station_detail, name="detail"),
    path("edit/", staff.station_edit, name="edit"),
    path("qr.png", staff.qr_png, name="qr_png"),
    path("qr.svg", staff.qr_svg, name="qr_svg"),
    path("rotate/", staff.rotate, name="rotate"),
    path("standard/", staff.standard, name="standard"),
    path("photos/", staff.photo_add, name="photo_add"),
    path("poster/", staff.poster, name="poster"),
]

urlpatterns = [
    # The friendly map (views/map.py).
    path("map/", station_map.station_map, name="map"),
    path("map/stations.json", station_map.map_data, name="map_data"),
    path("s/<station_token:token>/", include(landing_urls)),
    path("staff/stations/", staff.station_list, name="list"),
    path("staff/stations/new/", staff.station_add, name="add"),
    path("staff/stations/<int:pk>/", include(station_urls)),
    path("staff/stations/photos/<int:pk>/delete/", staff.photo_delete, name="photo_delete"),
    path("staff/stations/posters/<area_code:code>/", staff.posters, name="posters"),
]
