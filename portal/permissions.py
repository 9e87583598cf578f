from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from portal.models import Role

ALL_ROLES = frozenset(Role)


def role_required(*roles: Role):
    """Staff of the given roles only: anonymous users go to the login page, other roles get 403.

    The allowed roles stay on the view (`allowed_roles`), so the navigation shows a link exactly
    to the users the view itself lets in.
    """
    allowed = frozenset(roles) or ALL_ROLES

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator
