"""The navigation bar of every page (``base.html``): a context processor.

It lives in ``home``, the top of the app layers, because it asks apps of every layer
(accounts for roles, requests for open tasks, notifications for the unread count)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from linli.accounts.selectors import capabilities_of, roles_of
from linli.core.roles import Capability, Role
from linli.notifications.models import Notification
from linli.requests.selectors import has_open_tasks


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation bar may offer this user; scope checks still happen in views."""
    user = getattr(request, "user", None)  # absent on a 400 raised before the auth middleware
    if user is None or not user.is_authenticated:
        return {}
    if getattr(request, "linli_login_pending", False):
        # Mid-login (code, password change or enrolment still due): nothing to offer yet.
        return {"nav_pending": True}
    caps = capabilities_of(user)
    roles = roles_of(user)
    return {
        "nav_register": Capability.REGISTER_VIEW in caps,
        "nav_areas": Capability.AREAS_VIEW in caps,
        "nav_admin": user.is_superuser,
        "nav_audit": Capability.AUDIT_VIEW in caps,
        "nav_warnings": Capability.REQUESTS_VIEW in caps,
        "nav_surveys": Capability.SURVEYS_VIEW in caps,
        "nav_requests": Capability.REQUESTS_VIEW in caps,
        "nav_care": Capability.CARE_VIEW in caps,
        # Grid workers always have a task list; anyone else once something is assigned.
        "nav_tasks": Role.GRID_WORKER in roles or has_open_tasks(user),
        "nav_report": Role.RESIDENT in roles,
        "nav_volunteers": Capability.VOLUNTEERS_MANAGE in caps,
        "nav_my_service": Role.VOLUNTEER in roles,
        # The figures page (诉求统计): whoever may see requests sees their place's figures.
        "nav_figures": Capability.REQUESTS_VIEW in caps,
        # summer programmes: staff run them; volunteers sign children in; guardians enrol.
        "nav_programmes": Capability.PROGRAMMES_MANAGE in caps
        or bool(roles & {Role.VOLUNTEER, Role.RESIDENT}),
        "nav_unread": Notification.objects.filter(user_id=user.pk, read_at=None).count(),
    }
