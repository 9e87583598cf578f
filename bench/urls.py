"""The portal's URLs plus the bare views, which exist only on benchmark servers."""

import secrets
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


def bare(request):
    """The least work a Django response can take on this server: the floor for every figure."""
    return HttpResponse(b"ok", content_type="text/plain")


@csrf_exempt
@require_POST
def insert(request):
    """The floor of a post that stores a row (bench/suggestion.py): the form's body parsed and
    one INSERT committed through Django, nothing else. A session row, already expired, so that
    `clearsessions` takes them away."""
    assert request.POST
    Session.objects.create(
        session_key=secrets.token_hex(16),
        session_data="",
        expire_date=timezone.now() - timedelta(days=1),
    )
    return HttpResponse(b"ok", content_type="text/plain")


@csrf_exempt
@require_POST
def upload(request):
    """The floor of a post with a photo (bench/suggestion.py): the upload received and written
    to the storage as it came, nothing else (into the run's MEDIA_ROOT, removed afterwards)."""
    default_storage.save(f"bench/{secrets.token_hex(16)}", request.FILES["photos"])
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/insert/", insert, name="bench_insert"),
    path("bench/upload/", upload, name="bench_upload"),
    path("", include("portal.urls")),
]
