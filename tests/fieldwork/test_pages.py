"""Field-work pages: a cadre records a visit, a grid worker patrols, the town oversees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from linli.fieldwork.models import FindingOutcome, PatrolFinding, SinkDownVisit
from linli.requests.models import Channel, Request
from tests.cast import Cast
from tests.fieldwork.support import Fieldwork
from tests.requests.support import category, jpeg_bytes, upload

pytestmark = pytest.mark.django_db


def test_a_cadre_records_a_visit_with_concerns(fw: Fieldwork, client_for: Any) -> None:
    client = client_for("liandian")
    form = client.get("/fieldwork/visits/new/").content.decode()
    assert "1号楼" in form
    response = client.post(
        "/fieldwork/visits/new/",
        {
            "posting": fw.posting.pk,
            "visited_on": timezone.localdate().isoformat(),
            "households_count": "4",
            "households": "1号楼 3户",
            "listened_to": "楼栋长",
            "notes": "",
            "building": "",
            "concerns": "健身器材坏了\n\n楼道杂物多",
        },
    )
    assert response.status_code == 302
    visit = SinkDownVisit.objects.latest("pk")
    assert [c.text for c in visit.concerns.all()] == ["健身器材坏了", "楼道杂物多"]
    assert Request.objects.filter(channel=Channel.SINK_DOWN).count() == 3
    detail = client.get(response["Location"]).content.decode()
    assert "健身器材坏了" in detail
    home = client.get("/").content.decode()
    assert "我反映的问题" in home
    assert "楼道杂物多" in home
    assert "下沉巡查" in home  # the navigation entry


def test_a_visit_form_shows_chinese_errors(fw: Fieldwork, client_for: Any) -> None:
    response = client_for("liandian").post(
        "/fieldwork/visits/new/", {"posting": fw.posting.pk, "households_count": "-1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项" in page or "必填" in page
    assert SinkDownVisit.objects.count() == 1


def test_a_grid_worker_patrols_through_the_pages(cast: Cast, client_for: Any) -> None:
    client = client_for("worker1")
    start = client.post("/fieldwork/patrols/start/", {"grid": cast.grid1.pk})
    assert start.status_code == 302
    patrol_url = start["Location"]
    page = client.get(patrol_url).content.decode()
    assert "1号楼" in page
    assert "2号楼" not in page
    client.post(patrol_url + "check/", {"buildings": [cast.building1.pk], "places": "车库"})
    solved = client.post(
        patrol_url + "findings/",
        {
            "category": category("sanitation").pk,
            "text": "垃圾桶满溢,已清运",
            "building": cast.building1.pk,
            "outcome": FindingOutcome.SOLVED,
            "photo": upload(jpeg_bytes()),
        },
    )
    assert solved.status_code == 302
    filed = client.post(
        patrol_url + "findings/",
        {
            "category": category("repair").pk,
            "text": "路灯不亮",
            "building": "",
            "outcome": FindingOutcome.FILED,
        },
    )
    assert filed.status_code == 302
    findings = list(PatrolFinding.objects.order_by("pk"))
    assert [f.outcome for f in findings] == [FindingOutcome.SOLVED, FindingOutcome.FILED]
    assert findings[1].request is not None
    assert findings[1].request.channel == Channel.PATROL
    photo = client.get(f"/fieldwork/findings/{findings[0].pk}/photo/")
    assert photo.status_code == 200
    client.post(patrol_url + "finish/", {"note": "一切正常"})
    page = client.get(patrol_url).content.decode()
    assert "一切正常" in page
    assert "车库" in page
    # client_for signs the one test client in as someone else.
    assert (
        client_for("worker2").get(f"/fieldwork/findings/{findings[0].pk}/photo/").status_code == 404
    )


def test_the_town_sees_who_has_not_gone_down(cast: Cast, fw: Fieldwork, client_for: Any) -> None:
    client = client_for("leader")
    page = client.get("/fieldwork/not-down/").content.decode()
    assert "贾联点" in page
    assert "所有干部本月都已下沉" in page
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    earlier = client.get(f"/fieldwork/not-down/?month={last_month}").content.decode()
    assert "未下沉" in earlier
    assert "本月还没有干部下沉" in earlier
    bad = client.get("/fieldwork/not-down/?month=2026-13")
    assert "请输入正确的月份" in bad.content.decode()
    assert client_for("worker1").get("/fieldwork/not-down/").status_code == 403
    patrols = client_for("staff").get("/fieldwork/patrols/").content.decode()
    assert "两天以上未巡查的网格" in patrols
    assert "第2网格" in patrols
    figures = client.get("/fieldwork/figures/").content.decode()
    assert "问题办结率" in figures


def test_outsiders_get_404_on_objects(cast: Cast, fw: Fieldwork, client_for: Any) -> None:
    worker2 = client_for("worker2")
    assert worker2.get(f"/fieldwork/visits/{fw.visit.pk}/").status_code == 404
    assert worker2.get(f"/fieldwork/patrols/{fw.patrol.pk}/").status_code == 404
    assert worker2.post(f"/fieldwork/patrols/{fw.patrol.pk}/finish/").status_code == 404
    # The community sees the patrol, but only its worker records on it.
    staff = client_for("staff")
    assert staff.get(f"/fieldwork/patrols/{fw.patrol.pk}/").status_code == 200
    assert staff.post(f"/fieldwork/patrols/{fw.patrol.pk}/finish/").status_code == 403
