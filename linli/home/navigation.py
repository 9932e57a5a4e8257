"""The navigation bar of every page (``base.html``): a context processor.

It lives in ``home``, the top of the app layers, because it asks apps of every layer
(accounts for roles, requests for open tasks, notifications for the unread count)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from linli.accounts.selectors import capabilities_of, roles_of
from linli.core.roles import Capability, Role
from linli.notifications.selectors import unread_count
from linli.party.models import PartyMember
from linli.requests.selectors import has_open_tasks


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation bar may offer this user; scope checks still happen in views.

    The flags that need the database (open tasks, the unread count, and the phone's tabs,
    which show that count) are read only when a template shows them: an htmx fragment
    (a list's next page, a filter change) renders no navigation bar and sends neither
    statement.
    """
    user = getattr(request, "user", None)  # absent on a 400 raised before the auth middleware
    if user is None or not user.is_authenticated:
        return {}
    if getattr(request, "linli_login_pending", False):
        # Mid-login (code, password change or enrolment still due): nothing to offer yet.
        return {"nav_pending": True}
    caps = capabilities_of(user)
    roles = roles_of(user)

    @cache
    def unread() -> int:
        return unread_count(user)

    flags = {
        "nav_register": Capability.REGISTER_VIEW in caps,
        "nav_areas": Capability.AREAS_VIEW in caps,
        "nav_admin": user.is_superuser,
        "nav_audit": Capability.AUDIT_VIEW in caps,
        "nav_warnings": Capability.REQUESTS_VIEW in caps,
        "nav_surveys": Capability.SURVEYS_VIEW in caps,
        "nav_requests": Capability.REQUESTS_VIEW in caps,
        "nav_care": Capability.CARE_VIEW in caps,
        # Grid workers always have a task list; anyone else once something is assigned.
        "nav_tasks": Role.GRID_WORKER in roles or SimpleLazyObject(lambda: has_open_tasks(user)),
        "nav_report": Role.RESIDENT in roles,
        "nav_volunteers": Capability.VOLUNTEERS_MANAGE in caps,
        "nav_my_service": Role.VOLUNTEER in roles,
        # The figures page (诉求统计): whoever may see requests sees their place's figures.
        "nav_figures": Capability.REQUESTS_VIEW in caps,
        # summer programmes: staff run them; volunteers sign children in; guardians enrol.
        "nav_programmes": Capability.PROGRAMMES_MANAGE in caps
        or bool(roles & {Role.VOLUNTEER, Role.RESIDENT}),
        # --- activities (issue 14) ---
        "nav_activities": Capability.ACTIVITIES_VIEW in caps
        or Role.RESIDENT in roles
        or Role.VOLUNTEER in roles,
        # --- end activities ---
        "nav_unread": SimpleLazyObject(unread),
        # --- dashboard (issue 16): the 驾驶舱 for leaders, staff, the committee, admins ---
        "nav_dashboard": Capability.REQUESTS_VIEW in caps
        and bool(roles & {Role.LEADER, Role.STAFF, Role.COMMITTEE, Role.ADMIN}),
        # fieldwork: cadres sink down, grid workers patrol, the town and community oversee.
        "nav_fieldwork": bool(
            caps & {Capability.SINK_DOWN, Capability.PATROL, Capability.FIELDWORK_OVERSEE}
        ),
        # --- party work (linli.party) ---
        "nav_party": Capability.PARTY_VIEW in caps,
        "nav_my_party": lambda: PartyMember.objects.filter(user_id=user.pk).exists(),
        # --- work reports (issue 16) ---
        "nav_reports": Capability.REPORTS_FILE in caps,
    }
    flags["nav_phone_tabs"] = SimpleLazyObject(lambda: phone_tabs(request, flags, unread()))
    return flags


# --- the phone's bottom tab bar (issue 17) ---------------------------------------------------

MAX_TABS = 5


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    active: bool
    badge: int = 0


def phone_tabs(request: HttpRequest, flags: dict[str, Any], unread: int) -> list[Tab]:
    """At most five tabs for a phone: 首页, the role's three most used pages, and 消息 with
    its unread badge, which is always the last tab and therefore always on screen."""
    candidates = [
        ("nav_report", _("我要反映"), "requests:report"),
        ("nav_tasks", _("我的任务"), "requests:tasks"),
        ("nav_requests", _("诉求"), "requests:queue"),
        ("nav_care", _("关爱走访"), "care:due_list"),
        ("nav_report", _("我的诉求"), "requests:mine"),
        ("nav_my_service", _("我的服务"), "volunteers:my_service"),
        ("nav_register", _("居民"), "people:resident_list"),
        ("nav_volunteers", _("志愿者"), "volunteers:list"),
    ]
    chosen = [(label, reverse(name)) for flag, label, name in candidates if flags.get(flag)]
    messages_url = reverse("notifications:list")
    items = [(_("首页"), reverse("home")), *chosen[: MAX_TABS - 2], (_("消息"), messages_url)]
    # The current tab: the longest tab address the page is under (/requests/tasks/ is
    # 我的任务, not 诉求 at /requests/); 首页 only on the home page itself.
    path = request.path
    under = [url for _label, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(under, key=len, default=None)
    tabs = [
        Tab(
            label=label,
            url=url,
            active=url == current,
            badge=unread if url == messages_url else 0,
        )
        for label, url in items
    ]
    return tabs
