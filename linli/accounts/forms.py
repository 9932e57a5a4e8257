from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确,请重新输入。注意密码区分大小写。"),
        "inactive": _("该账号已停用,请联系社区管理员。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Old password once, new password twice; the password rules run on the new one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("再次输入新密码")
        self.fields["new_password1"].help_text = _(
            "至少8位,包含小写字母、大写字母、数字、符号中的至少3类;"
            "不要与用户名、姓名、电话相近,不要用常见密码。"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new = cleaned.get("new_password2")
        if new and cleaned.get("old_password") == new:
            self.add_error("new_password2", _("新密码不能与原密码相同。"))
        return cleaned


class OneTimeCodeForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=16,
        help_text=_(
            "打开手机上的验证器应用,输入当前显示的6位数字;手机不在身边时可输入一个备用验证码。"
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class EnrolmentCodeForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=8,
        help_text=_("扫描二维码后,输入验证器显示的6位数字。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
