"""A suggestion's photos and its tasks' result photos, sent only to those who may see them
(portal.private_files): staff whose scope holds the suggestion (hidden photos too), the handlers
of a task on it, and whoever holds its tracking code (the rider's photos not hidden, the result
photos staff published). A result photo staff published shows where riders scan too. Anyone
else gets 404, as for a photo that never was."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from feedback.models import SuggestionPhoto, Task, TaskPhoto
from feedback.selectors import published_photos
from feedback.views.public import by_tracking_code
from portal.models import Role
from portal.private_files import serve
from portal.roles import READERS
from portal.scope import scope_to_user


def _visible_to(user, photos, to_suggestion: str):
    """The photos the staff member may see; `to_suggestion` is the path to their suggestion."""
    if user.role in READERS:
        return scope_to_user(photos, user, f"{to_suggestion}__area")
    if user.role == Role.DEPARTMENT_HANDLER:
        tasks = Task.objects.for_handler(user)
        return photos.filter(hidden=False, **{f"{to_suggestion}__in": tasks.values("suggestion")})
    return photos.none()


def staff_photo(request, name):
    if not (request.user.is_authenticated and request.user.is_active):
        raise Http404("No such photo.")  # not a sign-in page: nobody learns the photo exists
    user = request.user
    photo = (
        _visible_to(user, SuggestionPhoto.objects.all(), "suggestion").with_file(name).first()
        or _visible_to(user, TaskPhoto.objects.all(), "task__suggestion").with_file(name).first()
    )
    if photo is None:
        raise Http404("No such photo.")
    return serve(photo.file_named(name))


@by_tracking_code
def track_photo(request, suggestion, name):
    photo = (
        suggestion.photos.filter(hidden=False).with_file(name).first()
        or TaskPhoto.objects.filter(task__suggestion=suggestion, published=True, hidden=False)
        .with_file(name)
        .first()
    )
    if photo is None:
        raise Http404("No such photo.")
    return serve(photo.file_named(name))


def done_photo(request, name):
    """A result photo on a station's page or the friendly map ("what was done here"): public,
    but only once staff published both the photo and the suggestion's summary, and only while
    the suggestion shows there as done."""
    photo = get_object_or_404(published_photos().with_file(name))
    return serve(photo.file_named(name))
