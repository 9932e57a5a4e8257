"""Validation of Chinese identity document and phone numbers and of birth dates, with
Chinese messages."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_PATTERN = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_id_number(value: str) -> str:
    return value.strip().replace(" ", "").upper()


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s\-()（）]", "", value.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def id_number_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def id_number_birth_date(id_number: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(id_number[6:14], "%Y%m%d").date()
    except ValueError:
        return None


def id_number_gender(id_number: str) -> str:
    """``male`` or ``female`` from the sequence digit (odd is male, GB 11643)."""
    return "male" if int(id_number[16]) % 2 else "female"


def validate_id_number(value: str) -> str:
    """Check a resident identity card number (GB 11643-1999); return it normalised."""
    number = normalise_id_number(value)
    if not _ID_PATTERN.match(number):
        raise ValidationError(
            _("身份证号应为18位,前17位是数字,最后一位是数字或X。"), code="id_format"
        )
    birth = id_number_birth_date(number)
    if birth is None or birth > timezone.localdate() or birth.year < 1890:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth_date")
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号校验位不正确,请核对是否输错。"), code="id_checksum")
    return number


# The oldest people on record lived about 122 years; 130 leaves room without letting a
# typed 1800 (or 9999) through, which would show an age of 226 (or −7974).
MAX_AGE_YEARS = 130


def earliest_birth_date(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - MAX_AGE_YEARS, day=28)


def validate_birth_date(value: dt.date, *, today: dt.date | None = None) -> dt.date:
    """A living person's birth date: not after today, not more than 130 years ago."""
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError(_("出生日期不能晚于今天,请核对。"), code="birth_date_future")
    earliest = earliest_birth_date(today)
    if value < earliest:
        raise ValidationError(
            _("出生日期不能早于 %(date)s(%(years)s 年前),请核对。")
            % {"date": f"{earliest:%Y-%m-%d}", "years": MAX_AGE_YEARS},
            code="birth_date_too_early",
        )
    return value


def validate_phone(value: str) -> str:
    """Accept a mainland mobile number or a landline with area code; return it normalised."""
    phone = normalise_phone(value)
    if _MOBILE_PATTERN.match(phone) or _LANDLINE_PATTERN.match(phone):
        return phone
    raise ValidationError(
        _("请输入11位手机号(如13812345678)或带区号的固定电话(如0358-1234567)。"),
        code="phone_format",
    )


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 2) + phone[-1:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(number: str) -> str:
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
