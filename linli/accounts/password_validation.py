"""Password rules beyond Django's own validators (length, similarity, common passwords)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from linli.accounts.models import User


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digits and other characters ``password`` uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),
        )
    )


class CharacterClassesValidator:
    """At least ``min_classes`` of the four character classes (等保 level 3 asks for three)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: User | None = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _(
                    "密码须包含小写字母、大写字母、数字、符号这四类中的至少%(n)d类,"
                    "例如 Heping@2026。"
                ),
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号这四类中的至少%(n)d类。") % {
            "n": self.min_classes
        }


# Django's own checks, with messages written for Linli's users (Django's Chinese
# catalogue misses some of them and words others stiffly).


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短,至少需要%(n)d个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要%(n)d个字符。") % {"n": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("密码与您的%(verbose_name)s太相似,容易被猜到,请换一个。")

    def get_help_text(self) -> str:
        return _("密码不能与用户名、姓名、电话等个人信息相近。")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("这是一个常见密码,很容易被猜到,请换一个。")

    def get_help_text(self) -> str:
        return _("不能使用常见密码。")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("密码不能全是数字。")

    def get_help_text(self) -> str:
        return _("密码不能全是数字。")
