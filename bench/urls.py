"""The portal's URLs plus a bare view, which exists only on benchmark servers."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """The least work a Django response can take on this server: the floor for every figure."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("portal.urls")),
]
