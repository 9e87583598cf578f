from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from stations.views import map as station_map

app_name = "stations"

# Each part of the app adds its own lines: staff pages (views/staff.py), the public landing page and
# check-in (views/landing.py), the friendly map (views/map.py).
urlpatterns: list = [
    path("map/", station_map.station_map, name="map"),
    path("map/stations.json", station_map.map_data, name="map_data"),
    # Temporary, until the landing page (views/landing.py) is merged: it replaces this line.
    path("s/<str:token>/", RedirectView.as_view(url=reverse_lazy("stations:map")), name="landing"),
]
