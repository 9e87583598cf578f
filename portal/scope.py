"""Staff scope: a staff member sees their area and everything under it, nothing else.

Every queryset a staff view shows goes through `scope_to_user`, and every object a staff view
fetches through `get_in_scope_or_404`, so an object outside the scope is a 404 (it may as well not
exist) rather than a 403 that would confirm it does.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404


def scope_to_user(queryset: QuerySet, user, area_field: str | None = "area") -> QuerySet:
    """Rows of `queryset` whose area (reached through `area_field`) is within the user's area.

    `area_field` is the lookup path from the model to its Area ("area", "station__area");
    None means the queryset is of areas itself.
    """
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if user.area_id is None:
        # Only administrators may have no area (a database constraint holds that): everywhere.
        return queryset if user.is_administrator else queryset.none()
    return within_area(queryset, user.area, area_field)


def within_area(queryset: QuerySet, area, area_field: str | None = "area") -> QuerySet:
    """Rows of `queryset` in `area` or anywhere under it: one indexed prefix match on the path."""
    prefix = f"{area_field}__" if area_field else ""
    return queryset.filter(**{f"{prefix}path__startswith": area.path})


def get_in_scope_or_404(queryset: QuerySet, user, area_field: str | None = "area", **lookup):
    return get_object_or_404(scope_to_user(queryset, user, area_field), **lookup)


class ScopedQuerySet(QuerySet):
    """Base queryset for models that belong to an area: `Model.objects.in_scope(user)`."""

    area_field = "area"

    def in_scope(self, user):
        return scope_to_user(self, user, self.area_field)

    def within(self, area):
        return within_area(self, area, self.area_field)
