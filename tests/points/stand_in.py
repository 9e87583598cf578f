"""A stand-in for the rider's sign-in page (`points:sign_in`, built in another part of issue 6),
so that the shop's sign-in link and @rider_required's redirect reverse before that page is
merged. Once it is, `use_if_missing` does nothing: delete this module and its callers."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from points.urls import urlpatterns as points_patterns
from portal.urls import urlpatterns as portal_patterns

urlpatterns = [
    path(
        "",
        include(
            (
                [
                    *points_patterns,
                    path("sign-in/", lambda request: HttpResponse(), name="sign_in"),
                ],
                "points",
            )
        ),
    ),
    *portal_patterns,
]


def use_if_missing(settings):
    """Switch the test's URLs to these when `points:sign_in` does not exist yet."""
    try:
        reverse("points:sign_in")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.points.stand_in"
