"""Work reports: figures from the selectors, 环比, paragraphs, files read back, scope."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from linli.core.models import AuditEvent
from linli.reports.content import build_report, count_change, rate_change
from linli.reports.models import FiledReport
from linli.reports.periods import Period, parse_period
from linli.reports.render import report_docx, report_pdf
from linli.requests.figures import Rate, figures_for_user
from linli.requests.models import Mediation
from linli.requests.services import (
    mediation_add_session,
    mediation_conclude,
    mediation_start,
)
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import file_request, local, move

NOW = local(2026, 12, 3, 10)
NOVEMBER = Period("month", 2026, 11)


def _resolved(cast: Cast, at: dt.datetime, *, after: dt.timedelta, urgent: bool = False) -> None:
    request = file_request(cast, category_code="sanitation", at=at, urgent=urgent)
    move(request, Status.IN_PROGRESS, cast.worker1, at=at + dt.timedelta(minutes=20))
    move(request, Status.RESOLVED, cast.worker1, note="已清理", at=at + after)


def _dispute(cast: Cast, at: dt.datetime) -> None:
    request = file_request(cast, category_code="dispute", text="楼上漏水不给修", at=at)
    move(request, Status.IN_PROGRESS, cast.worker1, at=at)
    mediation = mediation_start(
        request=request, actor=cast.worker1, parties="王某(1号楼101)\n李某(1号楼201)", at=at
    )
    concluded = at + dt.timedelta(days=2)
    mediation_add_session(
        mediation=mediation,
        actor=cast.worker1,
        held_on=concluded.date(),
        mediators="刘社工",
        notes="面对面调解",
        at=concluded,
    )
    mediation_conclude(
        mediation=mediation,
        actor=cast.staff,
        outcome=Mediation.Outcome.AGREEMENT,
        agreement_text="201户请人做防水",
        at=concluded,
    )
    move(request, Status.RESOLVED, cast.worker1, note="调解结案", at=concluded)
    move(request, Status.CLOSED, cast.staff, at=concluded + dt.timedelta(hours=2))


@pytest.fixture
def world(cast: Cast) -> Cast:
    """October: 2 requests, 1 resolved. November: 5 requests, 4 resolved or closed
    (one urgent in 90 minutes, one dispute mediated), one left open past its deadline."""
    _resolved(cast, local(2026, 10, 5, 9), after=dt.timedelta(hours=5))
    file_request(cast, category_code="sanitation", at=local(2026, 10, 20, 9))
    _resolved(cast, local(2026, 11, 3, 9), after=dt.timedelta(hours=4))
    _resolved(cast, local(2026, 11, 9, 9), after=dt.timedelta(hours=6))
    _resolved(cast, local(2026, 11, 12, 9), after=dt.timedelta(minutes=90), urgent=True)
    _dispute(cast, local(2026, 11, 16, 9))
    file_request(cast, category_code="sanitation", at=local(2026, 11, 20, 9))
    return cast


def test_periods_parse_and_step_back() -> None:
    assert parse_period("2026-11") == NOVEMBER
    assert NOVEMBER.previous() == Period("month", 2026, 10)
    assert Period("month", 2026, 1).previous() == Period("month", 2025, 12)
    q4 = parse_period("2026-Q4")
    assert (q4.start, q4.end, q4.previous().key) == (
        dt.date(2026, 10, 1),
        dt.date(2027, 1, 1),
        "2026-Q3",
    )
    assert parse_period("2026").previous().label == "2025年"
    with pytest.raises(Exception, match="报告期格式"):
        parse_period("2026-13")


def test_comparisons_say_up_down_and_by_how_much() -> None:
    assert rate_change(Rate(79, 87), Rate(63, 72), "10月") == "较10月上升3.3个百分点"
    assert rate_change(Rate(1, 2), Rate(3, 4), "10月") == "较10月下降25.0个百分点"
    assert rate_change(Rate(1, 2), Rate(2, 4), "10月") == "与10月持平"
    assert rate_change(Rate(1, 2), Rate(0, 0), "10月") == ""
    assert count_change(87, 80, "10月", "件") == "较10月增加7件(+8.8%)"
    assert count_change(3, 4, "10月", "次") == "较10月减少1次(-25.0%)"


def _row(content: object, table: str, label: str) -> list[str]:
    from linli.reports.content import ReportContent

    assert isinstance(content, ReportContent)
    rows = next(t for t in content.tables if t.key == table).rows
    row = next(r for r in rows if r.label == label)
    return [row.current, row.previous, row.change]


def test_figures_equal_the_selectors_figures_with_the_previous_month(world: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        content = build_report(world.staff, world.community, NOVEMBER)
        nov = figures_for_user(world.staff, world.community, NOVEMBER.start, NOVEMBER.end)
        oct_ = figures_for_user(
            world.staff, world.community, dt.date(2026, 10, 1), dt.date(2026, 11, 1)
        )
    assert (nov.total, oct_.total) == (5, 2)
    assert _row(content, "requests", "受理诉求") == ["5", "2", "较10月增加3件(+150.0%)"]
    assert _row(content, "requests", "办结") == ["4", "1", "较10月增加3件(+300.0%)"]
    on_time = _row(content, "requests", "按期办结率")
    assert on_time[0] == f"{nov.on_time}({nov.on_time.fraction})"
    assert on_time[1] == str(oct_.on_time)
    assert on_time[2] == rate_change(nov.on_time, oct_.on_time, "10月")
    assert _row(content, "requests", "矛盾纠纷化解")[0] == str(nov.disputes_resolved) == "1"
    assert _row(content, "requests", "当前超期未办结")[0] == str(nov.overdue_open)
    summary = content.section("summary").text
    assert summary.startswith(f"11月共受理居民诉求5件,办结4件,按期办结率{nov.on_time}")
    assert "化解矛盾纠纷1件" in summary


def test_notable_cases_are_told_without_naming_anyone(world: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        cases = build_report(world.staff, world.community, NOVEMBER).section("cases").text
    assert "经1次调解达成协议,11月18日结案" in cases
    assert "紧急诉求,从受理到办结用时1.5小时" in cases
    assert world.building1.name in cases
    for name in ("王某", "李某", world.elder.name, "101", world.unit1.name):
        assert name not in cases


def test_docx_and_pdf_carry_the_figures_and_the_text(world: Cast) -> None:
    with time_machine.travel(NOW, tick=False):
        content = build_report(world.staff, world.community, NOVEMBER)
    document = Document(io.BytesIO(report_docx(content)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert content.title in text
    assert "11月共受理居民诉求5件,办结4件" in text
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["受理诉求", "5", "2", "较10月增加3件(+150.0%)"] in cells
    assert len(document.inline_shapes) == 2  # the comparison and the categories charts

    pdf = pdfium.PdfDocument(report_pdf(content))
    pdf_text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    squeezed = pdf_text.replace("\r", "").replace("\n", "")
    assert "11月共受理居民诉求5件" in squeezed
    assert "较10月增加3件(+150.0%)" in squeezed


def test_the_command_writes_the_months_report(world: Cast, tmp_path: Path) -> None:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "report",
            "monthly",
            "--area",
            world.community.code,
            "--month",
            "2026-11",
            "--output",
            str(tmp_path),
            stdout=out,
        )
    stem = f"{world.community.code}-2026-11"
    document = Document(str(tmp_path / f"{stem}.docx"))
    assert any("受理居民诉求5件" in p.text for p in document.paragraphs)
    assert (tmp_path / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / f"{stem}.xlsx").exists()
    assert "11月共受理居民诉求5件" in out.getvalue()
    assert AuditEvent.objects.filter(action="export", note__startswith="docx ").count() == 1


def test_staff_edit_the_draft_file_it_and_download_it_again(world: Cast, client: Client) -> None:
    client.force_login(world.staff)
    query = {"area": world.community.code, "period": "2026-11"}
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("reports:draft"), query)
        assert page.status_code == 200
        assert "11月共受理居民诉求5件" in page.content.decode()
        content = page.context["content"]
        data = {f"section_{s.key}": s.text for s in content.sections}
        data["section_summary"] = "11月诉求办理平稳。" + data["section_summary"]
        response = client.post(
            reverse("reports:draft") + f"?area={world.community.code}&period=2026-11", data
        )
    report = FiledReport.objects.get()
    assert response.status_code == 302
    assert (report.period_key, report.filed_by, report.area) == (
        "2026-11",
        world.staff,
        world.community,
    )
    assert (
        AuditEvent.objects.filter(action="create", object_type="reports.filedreport").count() == 1
    )
    docx = client.get(reverse("reports:download", args=[report.pk, "docx"]))
    document = Document(io.BytesIO(docx.content))
    assert any(p.text.startswith("11月诉求办理平稳。11月共受理") for p in document.paragraphs)
    xlsx = client.get(reverse("reports:download", args=[report.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content))["居民诉求办理"]
    assert ["受理诉求", "5", "2"] in [[c.value for c in row][:3] for row in sheet.iter_rows()]
    assert client.get(reverse("reports:download", args=[report.pk, "pdf"])).status_code == 200
    assert (
        AuditEvent.objects.filter(action="export", object_type="reports.filedreport").count() == 3
    )


def test_an_area_outside_scope_is_a_404(world: Cast, client: Client) -> None:
    client.force_login(world.staff)
    query = {"area": world.other_community.code, "period": "2026-11"}
    assert client.get(reverse("reports:draft"), query).status_code == 404
    report = FiledReport.objects.create(
        area=world.other_community,
        period_kind="month",
        period_key="2026-11",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 12, 1),
        title="别的社区",
        content={},
        filed_at=NOW,
    )
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:download", args=[report.pk, "docx"])).status_code == 404
    client.force_login(world.worker1)
    assert client.get(reverse("reports:index")).status_code == 403


def test_a_grid_report_carries_care_and_survey_results(cast: Cast, tmp_path: Path) -> None:
    """`linli report monthly --area grid:<grid code>`: the grid's requests, its elders' care
    (plans, visits done against due, alerts) and its survey results, in the .docx."""
    from linli.care.services import Readings, care_plan_save, visit_log
    from linli.people.models import ConsentPurpose
    from linli.people.services import consent_record
    from linli.surveys.models import Invitation, Question
    from linli.surveys.services import (
        RawAnswer,
        survey_answer,
        survey_apply_template,
        survey_create,
        survey_open,
    )

    with time_machine.travel(local(2026, 11, 20, 9), tick=False):
        file_request(cast, category_code="sanitation", at=local(2026, 11, 3, 9))
        file_request(cast, cast.building2, category_code="sanitation", at=local(2026, 11, 4, 9))
        consent_record(actor=None, resident=cast.elder, purpose=ConsentPurpose.HEALTH)
        care_plan_save(
            actor=cast.staff, resident=cast.elder, visits_per_week=2, primary_volunteer=None
        )
        for day in (5, 12):
            visit_log(
                actor=cast.worker1,
                resident=cast.elder,
                services=["blood_pressure"],
                visited_at=local(2026, 11, day, 10),
                readings=Readings(bp_systolic=190, bp_diastolic=110),
                note="血压偏高",
            )
    with time_machine.travel(local(2026, 11, 10, 9), tick=False):
        survey = survey_create(actor=cast.staff, community=cast.community, title="居民满意度")
        survey_apply_template(actor=cast.staff, survey=survey)
        survey_open(actor=cast.staff, survey=survey)
        answers = {
            q.pk: RawAnswer(scale=4)
            if q.kind == Question.Kind.SCALE
            else RawAnswer(choices=[0])
            if q.kind == Question.Kind.SINGLE
            else RawAnswer(choices=[1])
            if q.kind == Question.Kind.MULTIPLE
            else RawAnswer(text="")
            for q in survey.questions.all()
        }
        invitation = Invitation.objects.get(survey=survey, household=cast.household1)
        survey_answer(invitation=invitation, answers=answers)

    with time_machine.travel(NOW, tick=False):
        content = build_report(cast.staff, cast.grid1, NOVEMBER)
        call_command(
            "report",
            "monthly",
            "--area",
            f"grid:{cast.grid1.code}",  # grid 1's code is also its compound's
            "--month",
            "2026-11",
            "--output",
            str(tmp_path),
            "--format",
            "docx",
            stdout=io.StringIO(),
        )
    assert content.title.startswith("和平社区第1网格")
    rows = {t.key: {r.label: r.current for r in t.rows} for t in content.tables}
    assert rows["requests"]["受理诉求"] == "1"  # 2号楼 is the other grid's
    assert rows["care"]["有关爱计划的老人"] == "1"
    assert rows["care"]["已走访"] == "2"
    assert rows["care"]["应走访(按计划)"] == str(round(2 * 30 / 7))
    assert "1位老人纳入关爱计划" in content.section("care").text
    survey_row = next(r for r in content.tables[-1].rows if r.label == "居民满意度")
    assert survey_row.current.startswith("1/")
    assert "获得感4" in survey_row.previous
    assert "「居民满意度」" in content.section("surveys").text

    document = Document(str(tmp_path / f"{cast.grid1.code}-2026-11.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "和平社区第1网格" in text  # the grid's report, not the compound's
    assert "四、关爱走访" in text
    assert "五、民意调查" in text
    assert cast.elder.name not in text
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert any(row[:2] == ["已走访", "2"] for row in cells)
