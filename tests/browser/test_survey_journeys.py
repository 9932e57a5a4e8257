"""Survey journeys in Chromium: staff print the codes of a published survey, and a resident
answers on a phone through the link the QR code on her slip encodes, without an account."""

from __future__ import annotations

import re

import pytest
import segno
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.surveys.models import Invitation, Response, Survey
from linli.surveys.services import survey_apply_template, survey_create, survey_open
from tests.browser.support import Shot
from tests.cast import PASSWORD, Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _published(cast: Cast) -> Survey:
    survey = survey_create(actor=cast.staff, community=cast.community, title="居民满意度调查")
    survey_apply_template(actor=cast.staff, survey=survey)
    survey_open(actor=cast.staff, survey=survey, seed=3)
    return survey


def test_a_resident_answers_a_survey_on_a_phone_through_its_qr_link(
    page: Page, phone: Page, live_server: LiveServer, live_cast: Cast, screenshot: Shot
) -> None:
    survey = _published(live_cast)
    invitation = Invitation.objects.get(survey=survey, household=live_cast.household2)

    # Staff print the slips: each carries the code and a QR code of the answer link.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    page.get_by_role("link", name="打印答题码").click()
    slip = page.locator(".slip", has_text=invitation.code)
    expect(slip).to_be_visible()
    link = f"{live_server.url}/surveys/a/{invitation.code}/"
    # The QR code's modules are those of the answer link (the path the SVG draws).
    expected = re.search(r' d="([^"]+)"', segno.make(link, error="m").svg_inline(scale=3, border=2))
    assert expected is not None
    assert slip.locator(".slip-qr path").get_attribute("d") == expected.group(1)
    screenshot(page, "survey-code-slips")

    # The resident scans the slip: the phone opens the link the QR code encodes.
    phone.goto(link)
    expect(phone.get_by_role("heading", name="居民满意度调查")).to_be_visible()
    submit = phone.get_by_role("button", name="提交")
    expect(submit).to_be_in_viewport()  # always on screen, however long the form
    for fieldset in phone.locator("fieldset.question").all():
        legend = fieldset.locator("legend").inner_text()
        if "可多选" in legend:
            fieldset.get_by_text("儿童托管").click()
            fieldset.get_by_text("义诊健康").click()
        elif "网格员" in legend:
            fieldset.get_by_text("非常满意").click()
        elif "意见和建议" in legend:
            fieldset.locator("textarea").fill("楼下路灯坏了,晚上看不见。")
        else:
            fieldset.locator(".tile", has_text="4").click()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "survey-answer-phone")
    submit.click()
    expect(phone.get_by_text("提交成功,谢谢您!")).to_be_visible()
    screenshot(phone, "survey-answered-phone")

    response = Response.objects.get(survey=survey)
    assert response.grid == live_cast.grid2
    assert response.resident is None
    answers = {a.question.text: a for a in response.answers.select_related("question")}
    assert answers["您最希望社区多做哪些事?(可多选)"].choices == [2, 4]
    assert {a.scale for a in answers.values() if a.question.kind == "scale"} == {4}

    # The same slip cannot be used twice.
    phone.goto(link)
    expect(phone.get_by_text("您家已经答过这份调查了")).to_be_visible()

    # Staff see the answer in the results of grid 2.
    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    row = page.locator("tr", has_text="第2网格")
    expect(row).to_contain_text("1 / 1")
    expect(row).to_contain_text("100.0%")
    screenshot(page, "survey-results")
