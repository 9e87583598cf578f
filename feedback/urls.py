from django.urls import path

from feedback.views import public

app_name = "feedback"

# Each part of the loop adds its own patterns: the rider's public pages (views/public.py) first.
urlpatterns = [
    path("suggest/", public.suggest, name="suggest"),
    path("s/<str:token>/suggest/", public.station_suggest, name="station_suggest"),
    path("track/", public.track_lookup, name="track_lookup"),
    path("track/<str:code>/", public.track, name="track"),
    path("track/<str:code>/rate/", public.rate, name="rate"),
    path("track/<str:code>/reopen/", public.reopen, name="reopen"),
]
