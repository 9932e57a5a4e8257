"""``/api/v1/reports``: a work report's draft read, edited, filed and downloaded over
bearer tokens — the same figures, text, files and audit as the pages, scoped like them."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2 as pdfium
import pytest
import time_machine
from django.test import Client
from docx import Document

from linli.core.models import AuditEvent
from linli.reports.models import FiledReport
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, local, move
from tests.requests.test_api import Api

pytestmark = pytest.mark.django_db

NOW = local(2026, 12, 3, 10)


@pytest.fixture
def november(cast: Cast) -> Cast:
    """October: 1 request. November: 3 requests, 2 resolved."""
    file_request(cast, category_code="sanitation", at=local(2026, 10, 20, 9))
    for day in (3, 9):
        at = local(2026, 11, day, 9)
        request = file_request(cast, category_code="sanitation", at=at)
        move(request, Status.IN_PROGRESS, cast.worker1, at=at + dt.timedelta(minutes=20))
        move(request, Status.RESOLVED, cast.worker1, note="已清理", at=at + dt.timedelta(hours=4))
    file_request(cast, category_code="sanitation", at=local(2026, 11, 20, 9))
    return cast


def test_a_draft_edited_filed_and_downloaded(november: Cast, client: Client) -> None:
    cast = november
    api = Api(client, cast.staff)
    places = api.get("/api/v1/reports/places")[1]
    assert (cast.community.code, cast.community.name) in [(p["code"], p["name"]) for p in places]
    with time_machine.travel(NOW, tick=False):
        status, draft = api.get("/api/v1/reports/draft", area=cast.community.code, period="2026-11")
        assert status == 200, draft
        assert (draft["period_key"], draft["period_label"]) == ("2026-11", "2026年11月")
        requests = next(t for t in draft["tables"] if t["key"] == "requests")
        assert {"label": "受理诉求", "current": "3", "previous": "1"}.items() <= next(
            r for r in requests["rows"] if r["label"] == "受理诉求"
        ).items()
        summary = next(s for s in draft["sections"] if s["key"] == "summary")
        assert summary["text"].startswith("11月共受理居民诉求3件,办结2件")
        assert not FiledReport.objects.exists()  # a draft is not kept

        edited = "11月诉求办理平稳。" + summary["text"]
        status, report = api.post(
            "/api/v1/reports",
            {"area": cast.community.code, "period": "2026-11", "sections": {"summary": edited}},
        )
    assert status == 201, report
    assert (report["area"], report["grid"], report["period_kind"], report["filed_by"]) == (
        cast.community.code,
        None,
        "month",
        "刘社工",
    )
    sections = {s["key"]: s["text"] for s in report["content"]["sections"]}
    assert sections["summary"] == edited
    # The paragraphs not sent keep the draft's text.
    assert sections == {s["key"]: s["text"] for s in draft["sections"]} | {"summary": edited}
    filed = FiledReport.objects.get()
    assert (filed.pk, filed.filed_by, filed.area) == (report["id"], cast.staff, cast.community)
    assert AuditEvent.objects.filter(
        action="create", object_type="reports.filedreport", object_id=str(filed.pk)
    ).exists()
    assert [r["id"] for r in api.get("/api/v1/reports")[1]["items"]] == [filed.pk]
    assert api.get(f"/api/v1/reports/{filed.pk}")[1]["content"] == report["content"]

    headers = api.headers
    docx = client.get(f"/api/v1/reports/{filed.pk}/report.docx", **headers)  # type: ignore[arg-type]
    assert docx.status_code == 200
    assert docx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert docx["Content-Disposition"] == (
        f'attachment; filename="{cast.community.code}-2026-11.docx"'
    )
    document = Document(io.BytesIO(docx.content))
    assert any(p.text.startswith("11月诉求办理平稳。11月共受理") for p in document.paragraphs)
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert next(c for c in cells if c[0] == "受理诉求")[:3] == ["受理诉求", "3", "1"]

    pdf = client.get(f"/api/v1/reports/{filed.pk}/report.pdf", **headers)  # type: ignore[arg-type]
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf.content))
    assert "11月诉求办理平稳。" in text.replace("\r", "").replace("\n", "")
    assert (
        AuditEvent.objects.filter(
            action="export", object_type="reports.filedreport", object_id=str(filed.pk)
        ).count()
        == 2
    )
    bad = client.get(f"/api/v1/reports/{filed.pk}/report.odt", **headers)  # type: ignore[arg-type]
    assert bad.status_code == 422


def test_a_grid_whose_code_is_its_compounds_is_reached_by_its_key(
    november: Cast, client: Client
) -> None:
    """Grid codes and compound codes are often the same number (the cast's grid 1 and its
    compound share one): a grid is named ``grid:<code>``, a bare code the area."""
    cast = november
    assert cast.grid1.code == cast.compound.code
    api = Api(client, cast.staff)
    places = [(p["code"], p["name"]) for p in api.get("/api/v1/reports/places")[1]]
    assert (cast.compound.code, cast.compound.name) in places
    assert (f"grid:{cast.grid1.code}", f"{cast.community.name}{cast.grid1.name}") in places
    with time_machine.travel(NOW, tick=False):
        grid = api.get("/api/v1/reports/draft", area=f"grid:{cast.grid1.code}", period="2026-11")
        compound = api.get("/api/v1/reports/draft", area=cast.compound.code, period="2026-11")
        status, report = api.post(
            "/api/v1/reports", {"area": f"grid:{cast.grid1.code}", "period": "2026-11"}
        )
        missing = api.get("/api/v1/reports/draft", area="grid:999999999999999", period="2026-11")
        client.force_login(cast.staff)
        page = client.get(
            "/reports/draft/", {"area": f"grid:{cast.grid1.code}", "period": "2026-11"}
        )
    assert grid[0] == compound[0] == 200
    assert grid[1]["title"].startswith(f"{cast.community.name}{cast.grid1.name}"), grid[1]["title"]
    assert compound[1]["title"].startswith(cast.compound.name), compound[1]["title"]
    assert status == 201, report
    assert (report["area"], report["grid"]) == (cast.community.code, cast.grid1.code)
    assert missing[0] == 404
    assert page.status_code == 200
    assert page.context["area"] == cast.grid1


def test_a_grid_report_is_filed_under_its_community(november: Cast, client: Client) -> None:
    cast = november
    api = Api(client, cast.staff)
    with time_machine.travel(NOW, tick=False):
        status, report = api.post("/api/v1/reports", {"area": cast.grid2.code, "period": "2026-Q4"})
    assert status == 201, report
    assert (report["area"], report["grid"], report["period_kind"]) == (
        cast.community.code,
        cast.grid2.code,
        "quarter",
    )
    assert report["content"]["period_label"] == "2026年第四季度"


def test_without_the_reporting_capability_it_is_refused(november: Cast, client: Client) -> None:
    api = Api(client, november.worker1)
    query = {"area": november.community.code, "period": "2026-11"}
    status, body = api.get("/api/v1/reports/draft", **query)
    assert (status, body["code"]) == (403, "not_permitted")
    assert api.post("/api/v1/reports", query)[0] == 403
    assert api.get("/api/v1/reports")[0] == 403
    assert api.get("/api/v1/reports/places")[0] == 403
    assert not FiledReport.objects.exists()


def test_outside_the_scope_is_a_404(november: Cast, client: Client) -> None:
    cast = november
    api = Api(client, cast.staff)
    query = {"area": cast.other_community.code, "period": "2026-11"}
    status, body = api.get("/api/v1/reports/draft", **query)
    assert (status, body["code"]) == (404, "not_found")
    assert api.post("/api/v1/reports", query)[0] == 404
    report = FiledReport.objects.create(
        area=cast.other_community,
        period_kind="month",
        period_key="2026-11",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 12, 1),
        title="别的社区",
        content={},
        filed_at=NOW,
    )
    assert api.get(f"/api/v1/reports/{report.pk}")[0] == 404
    download = client.get(
        f"/api/v1/reports/{report.pk}/report.docx",
        **api.headers,  # type: ignore[arg-type]
    )
    assert download.status_code == 404
    assert api.get("/api/v1/reports")[1]["items"] == []
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_wrong_period_or_paragraph_is_refused(november: Cast, client: Client) -> None:
    cast = november
    api = Api(client, cast.staff)
    status, body = api.get("/api/v1/reports/draft", area=cast.community.code, period="2026-13")
    assert (status, body["code"]) == (422, "invalid")
    assert body["errors"] == {"period": ["报告期格式应为 2026-11(月)、2026-Q4(季度)或 2026(年)"]}
    with time_machine.travel(NOW, tick=False):
        status, body = api.post("/api/v1/reports", {"area": cast.community.code, "period": "11月"})
        assert (status, list(body["errors"])) == (422, ["period"])
        status, body = api.post(
            "/api/v1/reports",
            {"area": cast.community.code, "period": "2026-11", "sections": {"poem": "春"}},
        )
        assert (status, list(body["errors"])) == (422, ["sections"])
        assert "没有这一段:poem" in body["detail"]
        status, body = api.post(
            "/api/v1/reports",
            {"area": cast.community.code, "period": "2026-11", "sections": {"summary": " \t"}},
        )
        assert (status, list(body["errors"])) == (422, ["summary"])
        status, body = api.post(
            "/api/v1/reports",
            {
                "area": cast.community.code,
                "period": "2026-11",
                "sections": {"summary": "长" * 5001},
            },
        )
        assert (status, body["errors"]) == (422, {"sections.summary": ["最多 5000 个字符。"]})
    assert not FiledReport.objects.exists()
