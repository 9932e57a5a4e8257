"""Account security pages: password change, two-factor enrolment and the code step."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from linli.accounts import services
from linli.accounts.backends import locked_parameters
from linli.accounts.current import request_user
from linli.accounts.forms import EnrolmentCodeForm, OneTimeCodeForm, PasswordChangeForm
from linli.accounts.selectors import backup_codes_left, has_two_factor, two_factor_required
from linli.core.outcomes import run_service, submit_form


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PasswordChangeForm(user, request.POST or None)

    def change() -> None:
        services.password_change(user=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)

    # The validators' refusals name no field: they stand beside the confirmation.
    return submit_form(
        request,
        form,
        change,
        success=_("密码已修改。"),
        then=lambda _none: HttpResponseRedirect(_next_url(request)),
        fields={NON_FIELD_ERRORS: "new_password2"},
    ) or render(
        request,
        "accounts/password_change.html",
        {"form": form, "next": _next_url(request), "forced": user.must_change_password},
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.is_verified() or not has_two_factor(user):  # type: ignore[attr-defined]
        return HttpResponseRedirect(_next_url(request))
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.two_factor_verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            left = backup_codes_left(user)
            if device.__class__.__name__ == "StaticDevice":
                messages.warning(
                    request,
                    _("已使用一个备用验证码,还剩%(n)d个。用完前请在“账号安全”中重新生成。")
                    % {"n": left},
                )
            return HttpResponseRedirect(_next_url(request))
        form.add_error("token", _("验证码不正确或已过期。如多次输入错误,请稍等片刻再试。"))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The account-security page: enrol an authenticator, or manage the one in use."""
    user = request_user(request)
    required = two_factor_required(user)
    if has_two_factor(user):
        if not user.is_verified():  # type: ignore[attr-defined]
            return HttpResponseRedirect(reverse("accounts:two_factor_verify"))
        return render(
            request,
            "accounts/two_factor.html",
            {
                "enrolled": True,
                "required": required,
                "codes_left": backup_codes_left(user),
            },
        )
    device = services.totp_enrolment_start(user=user)
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.totp_enrolment_confirm(
            user=user, device=device, token=form.cleaned_data["token"]
        )
        if codes is not None:
            otp_login(request, device)
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled_now": True},
            )
        form.add_error("token", _("验证码不正确或已过期,请输入验证器当前显示的6位数字。"))
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enrolled": False,
            "required": required,
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(
                scale=5, dark="#1f2937", title=_("扫描此二维码")
            ),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next_url(request),
        },
    )


@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(reverse("accounts:two_factor"))
    codes = services.backup_codes_generate(user=user)
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "next": reverse("accounts:two_factor"), "enrolled_now": False},
    )


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(reverse("accounts:two_factor"))
    run_service(
        request,
        lambda: services.two_factor_disable(
            user=user, actor=user, required=two_factor_required(user)
        ),
        success=_("已关闭两步验证。"),
    )
    return HttpResponseRedirect(reverse("accounts:two_factor"))


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, object] | None = None,
) -> HttpResponse:
    """What django-axes shows instead of the login page once the limit is reached.

    It names what is locked — the account, the address, or both — so that someone at a
    locked address (a shared office or mobile network) is not told their account is.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    locked = locked_parameters(request, credentials)
    address_only = locked == {"ip_address"}
    return render(
        request,
        "accounts/locked.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(cool_off.total_seconds() // 60),
            "account_locked": not address_only,
            "address_locked": "ip_address" in locked or not locked,
        },
        status=429,
    )
