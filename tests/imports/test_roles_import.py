"""Volunteers and party members come in through the same pipeline as residents: a template
per kind, a dry run by row and column, an all-or-nothing import, audited."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linli.core.models import AuditEvent
from linli.core.spreadsheets import Sheet, csv_text, xlsx_bytes
from linli.imports.kinds import import_kind
from linli.imports.models import ImportJob
from linli.party.models import MemberKind, PartyMember
from linli.volunteers.models import TeamMembership, Volunteer, VolunteerKind
from linli.volunteers.services import team_create
from tests.cast import Cast, id_number_for
from tests.party.support import build_party


def _upload(client: Client, cast: Cast, kind: str, rows: list[list[str]], csv: bool = False) -> Any:
    columns = import_kind(kind).columns
    if csv:
        file = SimpleUploadedFile("名单.csv", csv_text(columns, rows).encode("gb18030"))
    else:
        file = SimpleUploadedFile(
            "名单.xlsx", xlsx_bytes([Sheet(title="名单", header=columns, rows=rows)])
        )
    response = client.post(
        reverse("imports:upload"), {"kind": kind, "community": cast.community.pk, "file": file}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def _id(resident: Any) -> str:
    return str(resident.id_number)


def test_templates_per_kind_have_their_chinese_columns(cast: Cast, client_for: Any) -> None:
    client = client_for("staff")
    for kind in ("volunteers", "party_members"):
        response = client.get(reverse("imports:template") + f"?kind={kind}")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == import_kind(kind).columns
        assert tuple(v or "" for v in rows[1]) == import_kind(kind).example_row
    assert client.get(reverse("imports:template") + "?kind=nope").status_code == 404
    assert client_for("worker1").get(reverse("imports:template")).status_code == 403


def test_volunteers_dry_run_then_import(cast: Cast, client_for: Any) -> None:
    client = client_for("staff")
    team = team_create(actor=None, community=cast.community, name="邻里互助队")
    unknown = id_number_for(dt.date(1960, 1, 2), "male", 77)
    future = f"{timezone.localdate() + dt.timedelta(days=400):%Y-%m-%d}"
    bad = [
        ["王秀兰", _id(cast.elder), "党员志愿者", "第1网格", "邻里互助队", "2024-03-05"],
        ["", unknown, "", "", "", ""],  # row 3: nobody registered
        ["", _id(cast.neighbour), "路人", "第9网格", "无此队", "2024-13-01"],  # row 4
        ["", _id(cast.elder), "", "", "", future],  # row 5: duplicate of row 2, future date
    ]
    job = _upload(client, cast, "volunteers", bad)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    cells = {(e["row"], e["column"]) for e in job.errors}
    assert cells == {
        (3, "身份证号"),
        (4, "志愿者类型"),
        (4, "网格"),
        (4, "队伍"),
        (4, "加入日期"),
        (5, "身份证号"),
        (5, "加入日期"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "本社区没有登记" in str(messages[(3, "身份证号")])
    assert "第2行" in str(messages[(5, "身份证号")])
    assert not Volunteer.objects.exists()

    job = _upload(client, cast, "volunteers", [bad[0], ["", _id(cast.neighbour)] + [""] * 4], True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED, job.errors
    client.post(reverse("imports:job_run", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)
    elder = Volunteer.objects.get(resident=cast.elder)
    assert (elder.kind, elder.grid, elder.joined_on) == (
        VolunteerKind.PARTY_MEMBER,
        cast.grid1,
        dt.date(2024, 3, 5),
    )
    assert TeamMembership.objects.filter(team=team, volunteer=elder).exists()
    assert AuditEvent.objects.filter(object_type="volunteers.volunteer", action="create").count()
    # Again: both are volunteers already, so nothing goes in.
    job = _upload(client, cast, "volunteers", [bad[0]])
    job.refresh_from_db()
    assert [e["message"] for e in job.errors] == ["这位居民已是志愿者。"]


def test_party_members_import_all_or_nothing(cast: Cast, client_for: Any) -> None:
    party = build_party(cast)  # the neighbour is already a 双报到 member
    client = client_for("staff")
    rows = [
        ["王秀兰", _id(cast.elder), "", "第1网格党小组", "", "第1网格", "", ""],
        ["李建军", _id(cast.neighbour), "", "第1网格党小组", "", "", "", ""],  # already
        ["王秀兰", _id(cast.elder), "双报到", "无此支部", "书记长", "", "", "2024/02/30"],
    ]
    job = _upload(client, cast, "party_members", rows)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert {(e["row"], e["column"]) for e in job.errors} == {
        (3, "身份证号"),
        (4, "身份证号"),  # duplicate of row 2
        (4, "党员类型"),
        (4, "所在党组织"),
        (4, "职务"),
        (4, "报到日期"),
    }
    job = _upload(client, cast, "party_members", rows[:1])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED, job.errors
    # Registered elsewhere in the meantime: the import re-checks and writes nothing.
    PartyMember.objects.create(
        name="王秀兰",
        resident=cast.elder,
        organisation=party.group2,
        community=cast.community,
        kind=MemberKind.DIRECT,
    )
    client.post(reverse("imports:job_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert PartyMember.objects.filter(resident=cast.elder).get().organisation == party.group2
    PartyMember.objects.filter(resident=cast.elder).delete()
    job = _upload(client, cast, "party_members", rows[:1])
    client.post(reverse("imports:job_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    member = PartyMember.objects.get(resident=cast.elder)
    assert (member.organisation, member.grid) == (party.group1, cast.grid1)
    assert AuditEvent.objects.filter(
        object_type="party.partymember", object_id=str(member.pk), action="create"
    ).exists()


def test_a_kind_needs_its_own_capability(cast: Cast, client_for: Any) -> None:
    # A grid worker may neither import anything nor open another's job.
    client = client_for("staff")
    job = _upload(client, cast, "volunteers", [["", _id(cast.elder)] + [""] * 4])
    worker = client_for("worker1")
    assert worker.get(reverse("imports:upload")).status_code == 403
    assert worker.get(reverse("imports:job", args=[job.pk])).status_code == 404
