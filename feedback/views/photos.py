"""A suggestion's photos, sent only to those who may see them (portal.private_files): staff whose
scope holds the suggestion (hidden photos too), the handlers of a task on it, and whoever holds
its tracking code (the photos not hidden). Anyone else gets 404, as for a photo that never was."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from feedback.models import SuggestionPhoto, Task
from feedback.views.public import by_tracking_code
from feedback.views.triage import READERS
from portal.models import Role
from portal.private_files import serve
from portal.scope import scope_to_user


def _visible_to(user):
    """The photos the staff member may see."""
    photos = SuggestionPhoto.objects.all()
    if user.role in READERS:
        return scope_to_user(photos, user, "suggestion__area")
    if user.role == Role.DEPARTMENT_HANDLER:
        tasks = Task.objects.for_handler(user)
        return photos.filter(hidden=False, suggestion__in=tasks.values("suggestion"))
    return photos.none()


def staff_photo(request, name):
    if not (request.user.is_authenticated and request.user.is_active):
        raise Http404("No such photo.")  # not a sign-in page: nobody learns the photo exists
    photo = get_object_or_404(_visible_to(request.user).with_file(name))
    return serve(photo.file_named(name))


@by_tracking_code
def track_photo(request, suggestion, name):
    photo = get_object_or_404(suggestion.photos.filter(hidden=False).with_file(name))
    return serve(photo.file_named(name))
