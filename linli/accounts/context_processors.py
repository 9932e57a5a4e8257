from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from linli.accounts.selectors import capabilities_of
from linli.core.roles import Capability


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation bar may offer this user; scope checks still happen in views."""
    user = request.user
    if not user.is_authenticated:
        return {}
    caps = capabilities_of(user)
    return {
        "nav_register": Capability.REGISTER_VIEW in caps,
        "nav_areas": Capability.AREAS_VIEW in caps,
        "nav_admin": user.is_superuser,
    }
