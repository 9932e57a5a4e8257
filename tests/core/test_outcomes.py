"""A page runs a service and tells the user how it went (``linli.core.outcomes``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from linli.core.outcomes import run_service, submit_form


class NameForm(forms.Form):
    name = forms.CharField()


def _request(method: str, data: dict[str, str] | None = None) -> HttpRequest:
    factory = RequestFactory()
    request = factory.post("/", data or {}) if method == "POST" else factory.get("/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _said(request: HttpRequest) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def _refuse() -> str:
    raise ValidationError({"name": ["这个名字已经有人用了。"]})


def test_a_service_that_succeeds_is_flashed_with_words_made_from_its_result() -> None:
    request = _request("POST")
    assert run_service(request, lambda: 3, success=lambda n: f"已添加 {n} 人。")
    assert _said(request) == [("success", "已添加 3 人。")]


def test_a_service_that_refuses_tells_the_user_why() -> None:
    request = _request("POST")
    assert not run_service(request, _refuse, success="不会出现")
    assert _said(request) == [("error", "这个名字已经有人用了。")]


def test_a_refused_form_keeps_the_input_and_puts_the_reason_on_the_field() -> None:
    request = _request("POST", {"name": "王芳"})
    form = NameForm(request.POST)
    answer = submit_form(request, form, _refuse, success="不会出现", then=HttpResponse)
    assert answer is None
    assert form.errors == {"name": ["这个名字已经有人用了。"]}
    assert form["name"].value() == "王芳"
    assert _said(request) == []


def test_a_saved_form_is_answered_by_then_and_never_run_on_a_get() -> None:
    calls: list[str] = []

    def save() -> str:
        calls.append("saved")
        return "王芳"

    assert (
        submit_form(_request("GET"), NameForm(), save, success="已保存。", then=HttpResponse)
        is None
    )
    request = _request("POST", {"name": "王芳"})
    answer = submit_form(
        request, NameForm(request.POST), save, success="已保存。", then=HttpResponse
    )
    assert answer is not None
    assert answer.content.decode() == "王芳"
    assert calls == ["saved"]
    assert _said(request) == [("success", "已保存。")]


def test_a_success_that_is_news_is_told_at_the_level_made_from_its_result() -> None:
    def waiting(place: str) -> int:
        return messages.INFO if place == "候补" else messages.SUCCESS

    request = _request("POST")
    assert run_service(request, lambda: "候补", success="已进入候补。", level=waiting)
    assert run_service(request, lambda: "正式", success="报名成功。", level=waiting)
    form_request = _request("POST", {"name": "王芳"})
    submit_form(
        form_request,
        NameForm(form_request.POST),
        lambda: "王芳",
        success="读数偏高。",
        then=HttpResponse,
        level=messages.WARNING,
    )
    assert _said(request) == [("info", "已进入候补。"), ("success", "报名成功。")]
    assert _said(form_request) == [("warning", "读数偏高。")]


def test_no_success_words_flash_nothing() -> None:
    request = _request("POST", {"name": "王芳"})
    answer = submit_form(
        request, NameForm(request.POST), lambda: "王芳", success=None, then=HttpResponse
    )
    assert answer is not None
    assert run_service(request, lambda: 1, success=None)
    assert _said(request) == []


class PasswordForm(forms.Form):
    given_by_name = forms.CharField()
    password = forms.CharField()


def test_a_refusal_goes_onto_the_fields_the_form_names_otherwise() -> None:
    renamed = {"guardian_name": "given_by_name", NON_FIELD_ERRORS: "password"}

    def refuse_named() -> None:
        raise ValidationError({"guardian_name": ["请填写监护人姓名。"], "other": ["别处。"]})

    def refuse_unnamed() -> None:
        raise ValidationError(["密码太短。", "密码太常见。"])

    data = {"given_by_name": "李", "password": "123"}
    named = PasswordForm(data)
    unnamed = PasswordForm(data)
    plain = PasswordForm(data)
    for form, refuse, fields in [
        (named, refuse_named, renamed),
        (unnamed, refuse_unnamed, renamed),
        (plain, refuse_unnamed, None),
    ]:
        request = _request("POST", data)
        answer = submit_form(
            request, form, refuse, success="不会出现", then=HttpResponse, fields=fields
        )
        assert answer is None
    assert named.errors == {"given_by_name": ["请填写监护人姓名。"], NON_FIELD_ERRORS: ["别处。"]}
    assert unnamed.errors == {"password": ["密码太短。", "密码太常见。"]}
    assert plain.errors == {NON_FIELD_ERRORS: ["密码太短。", "密码太常见。"]}
    assert unnamed["password"].value() == "123"
