"""Uploads only some people may see (a suggestion's photos may show faces and number plates),
sent by a view once it has checked who asks. The view answers 404 to anyone else, so a URL
passed on reveals nothing, not even that the file exists.

Behind nginx, set MEDIA_ACCEL_REDIRECT to the prefix of an `internal` location onto MEDIA_ROOT
(docs/DEPLOYMENT.md): the answer is then empty, with `X-Accel-Redirect`, and nginx sends the file
from disk, so no web worker waits on a slow phone. Without it the web process streams the file.

Either way no browser or proxy keeps a copy: a photo a moderator hides, or retention deletes, is
gone from the next view, and the next person on a shared phone finds nothing.

On an object store (S3_BUCKET) the web process streams the file too, read through the storage API
from the private bucket. A redirect to a short-lived presigned URL would spare the web process,
but that URL opens the photo for anyone it is passed to until it expires (the 404 above would no
longer hold), a browser or proxy may keep what it fetched, and every phone would need to reach
the store itself and CSP to allow it. Photos are small (feedback.photos re-encodes them), so the
stream costs little.
"""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import add_never_cache_headers


def serve(file: FieldFile) -> HttpResponse:
    """The stored `file`, to a request the caller has already allowed; 404 when it is gone."""
    if not file.name:
        raise Http404("No file.")
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(f"{settings.MEDIA_ACCEL_REDIRECT}{file.name}")
    else:
        try:
            stream = file.storage.open(file.name, "rb")
        except FileNotFoundError as error:
            raise Http404("The file is gone.") from error
        response = FileResponse(stream, content_type=content_type)
    add_never_cache_headers(response)  # private, no-store, no-cache, must-revalidate
    response["X-Content-Type-Options"] = "nosniff"
    return response
