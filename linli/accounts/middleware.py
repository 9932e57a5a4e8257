"""What stands between a password login and the rest of the site.

In order, for a logged-in user on any page (except the few steps themselves):

1. staff roles (and admin-site users) are logged out after 30 minutes without a request;
2. a user with an authenticator must type a one-time code before anything else;
3. an account an administrator set up must change its password;
4. where two-factor login is required (``LINLI_REQUIRE_2FA``, on in production) a staff
   user without an authenticator must enrol one.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from linli.accounts.models import User
from linli.accounts.selectors import has_two_factor, is_staff_role_user, two_factor_required

LAST_SEEN_KEY = "linli_last_seen"

# Logging in and out, and the one-time-code step itself.
OPEN_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:two_factor_verify",
        "admin:logout",
        "set_language",
    }
)
# The later steps, open once the one-time code (if any) has been given.
STEP_VIEWS = frozenset({"accounts:password_change", "accounts:two_factor"})
# Paths that never use the session login (assets; the API takes bearer tokens).
OPEN_PREFIXES = ("/static/", "/media/", "/api/", "/open311/")


def start_idle_clock(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """Start the idle clock at login, so a session never inherits an old last-seen time."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = time.time()


class AccountSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and not request.path_info.startswith(OPEN_PREFIXES):
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: User) -> HttpResponse | None:
        if is_staff_role_user(user):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - float(last_seen) > settings.LINLI_STAFF_IDLE_SECONDS:
                logout(request)
                messages.info(
                    request,
                    _("您已超过%(n)d分钟未操作,为保护居民信息已自动退出,请重新登录。")
                    % {"n": settings.LINLI_STAFF_IDLE_SECONDS // 60},
                )
                return _htmx_aware(request, redirect_to_login(request.get_full_path()))
            # Write the session at most every 30 seconds, not on every request.
            if last_seen is None or now - float(last_seen) > 30:
                request.session[LAST_SEEN_KEY] = now

        try:
            view_name = resolve(request.path_info).view_name
        except Resolver404:
            return None
        step = _pending_step(user)
        # Pages reached mid-login show no navigation (see home.navigation).
        request.linli_login_pending = step is not None  # type: ignore[attr-defined]
        if step is None or view_name in OPEN_VIEWS:
            return None
        if view_name in STEP_VIEWS and step != "accounts:two_factor_verify":
            return None
        return _redirect(request, step)


def _pending_step(user: User) -> str | None:
    """The next step of logging in this user still has to take, if any."""
    verified = user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
    if not verified and has_two_factor(user):
        return "accounts:two_factor_verify"
    if user.must_change_password:
        return "accounts:password_change"
    if not verified and two_factor_required(user):
        return "accounts:two_factor"
    return None


def _redirect(request: HttpRequest, view_name: str) -> HttpResponse:
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    url = reverse(view_name) + (f"?{query}" if query else "")
    return _htmx_aware(request, HttpResponseRedirect(url))


def _htmx_aware(request: HttpRequest, response: HttpResponseRedirect) -> HttpResponse:
    """An htmx request gets a whole-page redirect, not a login page inside a fragment."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(response["Location"])
    return response
