"""/audit/: searching and exporting the trail, for holders of AUDIT_VIEW only."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from tests.cast import Cast

ClientFor = Callable[[str], Client]
pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(cast: Cast) -> None:
    audit_record(actor=cast.worker1, action="reveal", obj=cast.elder, fields=["phone"])
    audit_record(actor=None, actor_name="mallory", action="login_failed", success=False)
    audit_record(actor=cast.worker2, action="update", obj=cast.neighbour, fields=["name"])


@pytest.mark.parametrize("username", ["worker1", "worker2", "staff", "leader", "resident"])
def test_users_without_audit_view_get_404(
    cast: Cast, trail: None, client_for: ClientFor, username: str
) -> None:
    client = client_for(cast.resident_user.username if username == "resident" else username)
    assert client.get(reverse("audit:list")).status_code == 404
    assert client.get(reverse("audit:export", args=["csv"])).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(reverse("audit:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_admin_searches_by_user_action_and_result(
    cast: Cast, trail: None, client_for: ClientFor
) -> None:
    client = client_for("admin")
    page = client.get(reverse("audit:list"), {"user": "worker1"}).content.decode()
    assert cast.elder.name in page
    assert cast.neighbour.name not in page
    page = client.get(reverse("audit:list"), {"result": "failure"}).content.decode()
    assert "mallory" in page
    assert cast.elder.name not in page
    response = client.get(reverse("audit:list"), {"action": "update", "obj": "people.resident"})
    assert cast.neighbour.name in response.content.decode()


def test_searching_the_trail_is_itself_recorded(cast: Cast, client_for: ClientFor) -> None:
    client_for("admin").get(reverse("audit:list"), {"user": "worker1"})
    event = AuditEvent.objects.filter(action="view").latest("sequence")
    assert event.actor_name == "admin"
    assert "user=worker1" in event.note


def test_an_inverted_date_range_is_explained(cast: Cast, client_for: ClientFor) -> None:
    response = client_for("admin").get(
        reverse("audit:list"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_the_list_is_paginated(cast: Cast, client_for: ClientFor) -> None:
    for i in range(25):
        audit_record(actor=None, actor_name=f"bulk{i}", action="update")
    client = client_for("admin")
    first = client.get(reverse("audit:list"), {"user": "bulk"}).content.decode()
    second = client.get(reverse("audit:list"), {"user": "bulk", "page": "2"}).content.decode()
    assert "第 1 / 2 页" in first
    assert "bulk24" in first
    assert "bulk0<" not in first
    assert "bulk0<" in second


def test_csv_export_holds_the_filtered_rows_and_is_audited(
    cast: Cast, trail: None, client_for: ClientFor
) -> None:
    response = client_for("admin").get(reverse("audit:export", args=["csv"]), {"user": "worker"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "时间", "操作人"]
    assert sorted(r[2] for r in rows[1:]) == ["worker1", "worker2"]
    export = AuditEvent.objects.get(action="export")
    assert export.actor_name == "admin"
    assert export.note.startswith("2 rows; user=worker")


def test_xlsx_export_opens_in_openpyxl(cast: Cast, trail: None, client_for: ClientFor) -> None:
    response = client_for("admin").get(
        reverse("audit:export", args=["xlsx"]), {"result": "failure"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "序号"
    assert len(values) == 2
    assert values[1][2] == "mallory"


def test_export_neutralises_spreadsheet_formulas(cast: Cast, client_for: ClientFor) -> None:
    audit_record(actor=None, actor_name="=HYPERLINK(1)", action="login_failed", success=False)
    response = client_for("admin").get(reverse("audit:export", args=["csv"]), {"user": "HYPER"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_unknown_export_format_is_404(cast: Cast, client_for: ClientFor) -> None:
    assert client_for("admin").get("/audit/export.pdf").status_code == 404


@pytest.mark.parametrize(
    "query", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}, {"date_from": "三月"}]
)
def test_an_impossible_date_is_explained_and_lists_nothing(
    cast: Cast, trail: None, client_for: ClientFor, query: dict[str, str]
) -> None:
    response = client_for("admin").get(reverse("audit:list"), query)

    assert response.status_code == 200
    page = response.content.decode()
    assert "筛选条件有误" in page
    assert "日期应在 1900 年到 2100 年之间。" in page or "请输入正确的日期" in page
    assert "mallory" not in page  # an unfiltered list would pass for the answer
    assert response.context["page"].paginator.count == 0


def test_an_impossible_date_in_the_htmx_fragment_is_explained(
    cast: Cast, trail: None, client_for: ClientFor
) -> None:
    response = client_for("admin").get(
        reverse("audit:list"), {"date_to": "9999-12-31"}, HTTP_HX_REQUEST="true"
    )
    assert "结束日期:日期应在 1900 年到 2100 年之间。" in response.content.decode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exporting_with_an_impossible_date_is_a_400_with_the_reason(
    cast: Cast, trail: None, client_for: ClientFor, file_format: str
) -> None:
    response = client_for("admin").get(
        reverse("audit:export", args=[file_format]), {"date_to": "9999-12-31"}
    )

    assert response.status_code == 400
    assert "结束日期:日期应在 1900 年到 2100 年之间。" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()
