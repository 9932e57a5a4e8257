"""The signed-in user of a request, typed as ``User``.

Pages reach it behind ``login_required``, the API behind ``BearerTokenAuth``; by then
``request.user`` is a ``User``, but Django types it as ``User | AnonymousUser``. This is
the one place that narrows it, instead of an ``assert isinstance`` in every module.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.selectors import capabilities_of
from linli.core.roles import Capability


def request_user(request: HttpRequest) -> User:
    """``request.user``, which must be signed in (checked earlier by the view's login
    requirement or the API's authentication); anything else is a programming error."""
    user = request.user
    if not isinstance(user, User):
        # Not an assert: ``python -O`` would drop it and hand an AnonymousUser on.
        raise TypeError("request_user() needs a signed-in request (login_required or API auth)")
    return user


def require_capability(request: HttpRequest, capability: Capability) -> None:
    """403 for a page that creates or lists things the user's roles cannot touch at all
    (an object outside their scope is a 404, from the scoped selectors)."""
    if capability not in capabilities_of(request.user):
        raise PermissionDenied(_("您没有这项操作的权限。"))
