from django.urls import path

from stations.views import landing
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
]
