"""Dates from outside are held to 1900–2100 and real offsets, without the database."""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from pydantic import BaseModel

from linli.core.dates import (
    QueryDateField,
    _pydantic_plausible,
    _pydantic_plausible_date,
    parse_query_date,
    parse_query_datetime,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAUSIBLE = (_pydantic_plausible, _pydantic_plausible_date)


def _message(call: object, raw: str) -> str:
    with pytest.raises(ValidationError) as caught:
        call(raw)  # type: ignore[operator]
    return " ".join(caught.value.messages)


def test_an_ordinary_date_passes() -> None:
    assert parse_query_date("2026-11-01") == dt.date(2026, 11, 1)
    assert parse_query_date("1900-01-01") == dt.date(1900, 1, 1)
    assert parse_query_date("2100-12-31") == dt.date(2100, 12, 31)


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"])
def test_dates_near_pythons_limits_are_refused_with_the_range(raw: str) -> None:
    assert _message(parse_query_date, raw) == "日期应在 1900 年到 2100 年之间。"


@pytest.mark.parametrize("raw", ["2026-02-30", "2026/11/01", "下周一", ""])
def test_malformed_dates_say_the_format(raw: str) -> None:
    assert "YYYY-MM-DD" in _message(parse_query_date, raw)


def test_a_datetime_with_an_offset_keeps_it() -> None:
    parsed = parse_query_datetime("2026-11-01T08:00:00+08:00")
    assert parsed == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def test_a_naive_datetime_is_read_as_shanghai_time() -> None:
    parsed = parse_query_datetime("2026-11-01T08:00:00")
    assert parsed == dt.datetime(2026, 11, 1, 8, tzinfo=SHANGHAI)
    assert parsed.utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"])
def test_datetimes_near_pythons_limits_are_refused(raw: str) -> None:
    assert _message(parse_query_datetime, raw) == "日期应在 1900 年到 2100 年之间。"


@pytest.mark.parametrize("raw", ["2026-11-01T00:00:00+99:00", "2026-11-01T00:00:00+15:00"])
def test_offsets_beyond_fourteen_hours_are_refused(raw: str) -> None:
    assert _message(parse_query_datetime, raw) == "时区偏移应在 ±14:00 以内,如 +08:00。"


@pytest.mark.parametrize("raw", ["2026-13-01T00:00:00+08:00", "yesterday", "2026-11-01T25:00"])
def test_malformed_datetimes_say_the_format(raw: str) -> None:
    assert "YYYY-MM-DDTHH:MM:SS+08:00" in _message(parse_query_datetime, raw)


def test_the_form_field_refuses_implausible_dates() -> None:
    field = QueryDateField(required=False)
    assert field.clean("2026-11-01") == dt.date(2026, 11, 1)
    assert field.clean("") is None
    with pytest.raises(ValidationError, match="1900"):
        field.clean("9999-12-31")
    with pytest.raises(ValidationError, match="请输入正确的日期"):
        field.clean("三月一日")


def _unchecked_times(model: type[BaseModel], where: str, seen: set[type]) -> list[str]:
    """The fields of ``model`` (and the models inside it) that take a datetime without
    ``PlausibleDateTime``'s check."""
    if model in seen:
        return []
    seen.add(model)
    found: list[str] = []

    def visit(annotation: Any, checked: bool, name: str) -> None:
        if typing.get_origin(annotation) is typing.Annotated:
            inner, *metadata = typing.get_args(annotation)
            checked = checked or any(getattr(m, "func", None) in PLAUSIBLE for m in metadata)
            visit(inner, checked, name)
        elif annotation in (dt.datetime, dt.date):
            if not checked:
                found.append(f"{where}.{name}")
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.extend(_unchecked_times(annotation, f"{where}.{name}", seen))
        else:
            for argument in typing.get_args(annotation):
                visit(argument, checked, name)

    for name, info in model.model_fields.items():
        checked = any(getattr(m, "func", None) in PLAUSIBLE for m in info.metadata)
        visit(info.annotation, checked, name)
    return found


def test_every_date_and_datetime_the_api_takes_is_held_to_a_plausible_range() -> None:
    """A datetime near Python's limits overflows once converted to UTC for the database
    (``0001-01-01T00:00+14:00`` recorded as service hours answered 500), a date in any
    arithmetic on it. Every datetime in any operation's body, query or path is
    ``PlausibleDateTime``, every date ``PlausibleDate``."""
    from linli.api import api

    unchecked = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    where = f"{'/'.join(operation.methods)} {prefix}{path}"
                    unchecked += _unchecked_times(model, where, set())
    assert unchecked == []


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01"])
def test_an_api_date_near_pythons_limits_is_a_422_naming_the_range(
    cast: Any, client: Any, raw: str
) -> None:
    from tests.requests.test_api import Api

    api = Api(client, cast.staff)
    status, body = api.get("/api/v1/party/figures", start=raw)
    assert status == 422
    assert "日期应在 1900 年到 2100 年之间。" in str(body)
    status, body = api.post(
        "/api/v1/volunteers", {"resident": cast.elder.pk, "joined_on": raw, "kind": "party"}
    )
    assert status == 422
    assert "日期应在 1900 年到 2100 年之间。" in str(body)
