"""Dates and times from outside, held to plausible ranges (DESIGN rule 9).

Python's dates run from year 1 to 9999, but a date near either end cannot be moved a
day or a time zone further without ``OverflowError``: ``9999-12-31`` plus one day for an
inclusive range, ``0001-01-01 00:00+08:00`` converted to UTC for the database. Every
filter a person or another system types therefore passes through here first and is
refused with a Chinese message outside 1900–2100 — a window no real query of this
platform leaves, and far enough from Python's limits that the arithmetic after it is
safe.

A time without an offset is read in the site's time zone (``Asia/Shanghai``): that is
what a person or a Chinese system that leaves it out means.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import datetime_re, parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import AfterValidator

QUERY_FIRST_YEAR = 1900
QUERY_LAST_YEAR = 2100
# Real UTC offsets run from −12:00 to +14:00; anything beyond ±14:00 is a typo.
MAX_UTC_OFFSET = dt.timedelta(hours=14)


def _out_of_range_message() -> str:
    return _("日期应在 %(first)s 年到 %(last)s 年之间。") % {
        "first": QUERY_FIRST_YEAR,
        "last": QUERY_LAST_YEAR,
    }


def _offset_error() -> ValidationError:
    return ValidationError(_("时区偏移应在 ±14:00 以内,如 +08:00。"), code="offset_out_of_range")


def check_query_date(value: dt.date) -> dt.date:
    """Refuse a date (or datetime) outside the years a query may ask about."""
    if not QUERY_FIRST_YEAR <= value.year <= QUERY_LAST_YEAR:
        raise ValidationError(_out_of_range_message(), code="date_out_of_range")
    return value


def parse_query_date(raw: str) -> dt.date:
    """``YYYY-MM-DD`` within 1900–2100, or a ``ValidationError`` that says what is wrong."""
    try:
        parsed = parse_date(raw.strip())
    except ValueError:  # well formed but no such day, like 2026-02-30
        parsed = None
    if parsed is None:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD,如 2026-11-01。"), code="date_format")
    return check_query_date(parsed)


def assume_local(value: dt.datetime) -> dt.datetime:
    """A datetime with an offset as it is; one without, in the site's time zone."""
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_default_timezone())


def check_query_datetime(value: dt.datetime) -> dt.datetime:
    """A plausible instant: year 1900–2100 and a real UTC offset; naive is local time."""
    check_query_date(value)
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise _offset_error()
    return assume_local(value)


def _offset_minutes(raw: str) -> int | None:
    match = datetime_re.match(raw)
    offset = match["tzinfo"] if match else None
    if not offset or offset == "Z":
        return None
    digits = offset[1:].replace(":", "")
    return int(digits[:2]) * 60 + int(digits[2:] or 0)


def parse_query_datetime(raw: str) -> dt.datetime:
    """An ISO 8601 / W3C date-time within 1900–2100, timezone-aware."""
    raw = raw.strip()
    try:
        parsed = parse_datetime(raw)
    except ValueError:  # well formed but impossible: a 25th hour, an offset of +99:00
        offset = _offset_minutes(raw)
        if offset is not None and offset > MAX_UTC_OFFSET.total_seconds() // 60:
            raise _offset_error() from None
        parsed = None
    if parsed is None:
        raise ValidationError(
            _("日期时间格式应为 YYYY-MM-DDTHH:MM:SS+08:00,如 2026-11-01T08:00:00+08:00。"),
            code="datetime_format",
        )
    return check_query_datetime(parsed)


def _pydantic_plausible(value: dt.datetime) -> dt.datetime:
    try:
        return check_query_datetime(value)
    except ValidationError as error:
        # pydantic reports a ValueError as ``value_error`` with this message.
        raise ValueError(" ".join(error.messages)) from None


PlausibleDateTime = Annotated[dt.datetime, AfterValidator(_pydantic_plausible)]
"""An API schema's datetime: 1900–2100, a real offset, naive read as Asia/Shanghai."""


def _pydantic_plausible_date(value: dt.date) -> dt.date:
    try:
        return check_query_date(value)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


PlausibleDate = Annotated[dt.date, AfterValidator(_pydantic_plausible_date)]
"""An API schema's date: 1900–2100 (a date near Python's limits overflows in arithmetic)."""


class QueryDateField(forms.DateField):
    """A form's date filter, refused outside 1900–2100 instead of overflowing later."""

    default_error_messages = {"invalid": gettext_lazy("请输入正确的日期,如 2026-11-01。")}

    def to_python(self, value: Any) -> dt.date | None:
        parsed: dt.date | None = super().to_python(value)
        if parsed is not None:
            check_query_date(parsed)
        return parsed
