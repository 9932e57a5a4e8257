"""The password rules (等保 level 3): length, character classes, unlike the user, uncommon."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from linli.accounts.models import User
from linli.accounts.password_validation import CharacterClassesValidator, character_classes


def messages_for(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("abcdefgh", 1),
        ("abcdEFGH", 2),
        ("abcd1234", 2),
        ("abcD1234", 3),
        ("abc-1234", 3),
        ("ABC-1234", 3),
        ("aB1-", 4),
        ("密码abc123", 3),  # Chinese characters count as "other"
    ],
)
def test_character_classes_are_counted(password: str, classes: int) -> None:
    assert character_classes(password) == classes


def test_two_classes_are_refused_with_a_chinese_message() -> None:
    with pytest.raises(ValidationError) as exc:
        CharacterClassesValidator().validate("heping2026")
    assert exc.value.messages == [
        "密码须包含小写字母、大写字母、数字、符号这四类中的至少3类,例如 Heping@2026。"
    ]


@pytest.mark.parametrize("password", ["Heping@2026", "heping-2026", "HEPING_2026", "Qz7#kd9w"])
def test_good_passwords_pass_every_rule(db: None, password: str) -> None:
    user = User(username="liuxm", full_name="刘晓明", phone="13812345678")
    assert messages_for(password, user) == []


def test_short_password_is_refused_in_chinese(db: None) -> None:
    assert messages_for("Ab1-xyz") == ["密码太短,至少需要8个字符。"]


def test_password_like_the_username_is_refused(db: None) -> None:
    user = User(username="zhangwei88", full_name="张伟")
    assert messages_for("Zhangwei88!", user) == ["密码与您的用户名太相似,容易被猜到,请换一个。"]


def test_password_like_the_phone_number_is_refused(db: None) -> None:
    user = User(username="chenli", phone="13812345678")
    assert messages_for("13812345678a!", user) == ["密码与您的联系电话太相似,容易被猜到,请换一个。"]


@pytest.mark.parametrize("password", ["Password1!", "P@ssw0rd", "Iloveyou1"])
def test_common_passwords_are_refused(db: None, password: str) -> None:
    assert "这是一个常见密码,很容易被猜到,请换一个。" in messages_for(password)


def test_all_digit_password_is_refused(db: None) -> None:
    assert "密码不能全是数字。" in messages_for("20261129")
