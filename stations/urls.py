from django.urls import path

from stations.views import landing, staff
from stations.views import map as station_map

app_name = "stations"

# Each part of the app adds its own lines: staff pages (views/staff.py), the public landing page and
# check-in (views/landing.py), the friendly map (views/map.py).
urlpatterns: list = [
    path("map/", station_map.station_map, name="map"),
    path("map/stations.json", station_map.map_data, name="map_data"),
    # The public landing page of a station's QR code and its 报到.
    path("s/<str:token>/", landing.landing, name="landing"),
    path("s/<str:token>/check-in/", landing.check_in, name="check_in"),
    path("staff/stations/", staff.station_list, name="list"),
    path("staff/stations/new/", staff.station_add, name="add"),
    path("staff/stations/<int:station_id>/", staff.station_detail, name="detail"),
    path("staff/stations/<int:station_id>/edit/", staff.station_edit, name="edit"),
    path("staff/stations/<int:station_id>/qr.png", staff.qr_png, name="qr_png"),
    path("staff/stations/<int:station_id>/qr.svg", staff.qr_svg, name="qr_svg"),
    path("staff/stations/<int:station_id>/rotate/", staff.rotate, name="rotate"),
    path("staff/stations/<int:station_id>/standard/", staff.standard, name="standard"),
    path("staff/stations/<int:station_id>/photos/", staff.photo_add, name="photo_add"),
    path("staff/stations/photos/<int:photo_id>/delete/", staff.photo_delete, name="photo_delete"),
    path("staff/stations/<int:station_id>/poster/", staff.poster, name="poster"),
    path("staff/stations/posters/<str:code>/", staff.posters, name="posters"),
]
