"""A stand-in for the staff suggestion page (`feedback:suggestion`, built in another part of
issue 5), so that the task views' redirects to it reverse before that page is merged. Once it
is, `use_if_missing` does nothing: delete this module and its callers."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from feedback.urls import urlpatterns as feedback_patterns
from portal.urls import urlpatterns as portal_patterns

urlpatterns = [
    path(
        "",
        include(
            (
                [
                    *feedback_patterns,
                    path(
                        "staff/feedback/suggestions/<int:pk>/",
                        lambda request, pk: HttpResponse(),
                        name="suggestion",
                    ),
                ],
                "feedback",
            )
        ),
    ),
    *portal_patterns,
]


def use_if_missing(settings):
    """Switch the test's URLs to these when `feedback:suggestion` does not exist yet."""
    try:
        reverse("feedback:suggestion", args=[1])
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.feedback.stand_in"
