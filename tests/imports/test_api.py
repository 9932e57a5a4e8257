"""``/api/v1/imports``: the register import over bearer tokens — upload and dry run,
progress and problems by row and column, the all-or-nothing import, the template —
through the same services as the page, scoped like it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from linli.accounts.models import User
from linli.accounts.services import api_token_create, role_assign
from linli.core.models import AuditEvent
from linli.core.roles import Role
from linli.imports.models import ImportJob
from linli.imports.reading import COLUMNS
from linli.imports.services import MAX_UPLOAD_BYTES
from linli.people.models import Resident
from tests.cast import Cast, make_user
from tests.imports.helpers import ID_B, good_rows, row, xlsx_file

pytestmark = pytest.mark.django_db


class ImportApi:
    """One user's bearer token; uploads go as ``multipart/form-data``."""

    def __init__(self, client: Client, user: User) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)[1]}"}

    def upload(self, file: SimpleUploadedFile, **fields: Any) -> tuple[int, Any]:
        response = self.client.post(
            "/api/v1/imports",
            {**fields, "file": file},
            **self.headers,  # type: ignore[arg-type]
        )
        return response.status_code, response.json()

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        response = self.client.get(path, params, **self.headers)  # type: ignore[arg-type]
        return response.status_code, response.json()

    def post(self, path: str) -> tuple[int, Any]:
        response = self.client.post(
            path,
            "{}",
            content_type="application/json",
            **self.headers,  # type: ignore[arg-type]
        )
        return response.status_code, response.json()


def _outsider(cast: Cast) -> User:
    """Staff of the other community: may import, but not into 和平社区."""
    user = make_user("outsider", "赵社工")
    role_assign(actor=None, user=user, role=Role.STAFF, area=cast.other_community)
    return user


def test_an_import_round_trip_through_the_api(cast: Cast, client: Client) -> None:
    api = ImportApi(client, cast.staff)
    status, job = api.upload(xlsx_file(good_rows()), community=cast.community.pk)
    assert status == 201, job
    # The task queue runs at once in the tests: the dry run is done (every row checked).
    assert (job["status"], job["total"], job["percent"], job["problem_count"]) == (
        "checked",
        2,
        100,
        0,
    )
    assert (job["kind"], job["community"], job["file_name"]) == (
        "residents",
        cast.community.pk,
        "名册.xlsx",
    )
    assert job["update_existing"] is False
    assert api.get(f"/api/v1/imports/jobs/{job['id']}")[1]["status_label"] == "检查通过,待导入"
    assert [j["id"] for j in api.get("/api/v1/imports/jobs")[1]["items"]] == [job["id"]]

    status, done = api.post(f"/api/v1/imports/jobs/{job['id']}/run")
    assert status == 202, done
    assert (done["status"], done["percent"], done["running"]) == ("done", 100, False)
    assert (done["created_count"], done["updated_count"], done["households_created"]) == (2, 0, 2)
    zhao = Resident.objects.get(name="赵桂芳")
    assert zhao.household is not None
    assert zhao.household.room == "302"
    assert AuditEvent.objects.filter(
        object_type="people.resident", object_id=str(zhao.pk), action="create"
    ).exists()
    notes = set(
        AuditEvent.objects.filter(
            object_type="imports.importjob", object_id=str(job["id"])
        ).values_list("note", flat=True)
    )
    assert "上传导入文件" in notes
    assert any(n.startswith("批量导入居民:新增2") for n in notes)
    # Imported once: a second run is refused, as the page refuses it.
    status, body = api.post(f"/api/v1/imports/jobs/{job['id']}/run")
    assert (status, body["code"]) == (409, "invalid_transition")
    assert body["detail"] == "只有检查通过的文件才能导入。"


def test_updating_existing_residents_is_chosen_at_upload(cast: Cast, client: Client) -> None:
    api = ImportApi(client, cast.staff)
    elder_row = row(
        身份证号=cast.elder.id_number, 姓名="王秀兰", 出生日期="1957-03-08", 房号="101", 标签=""
    )
    refused = api.upload(xlsx_file([elder_row]), community=cast.community.pk)[1]
    assert refused["status"] == "invalid"
    status, job = api.upload(
        xlsx_file([elder_row]), community=cast.community.pk, update_existing="true"
    )
    assert (status, job["status"], job["update_existing"]) == (201, "checked", True)
    done = api.post(f"/api/v1/imports/jobs/{job['id']}/run")[1]
    assert (done["status"], done["created_count"], done["updated_count"]) == ("done", 0, 1)


def test_the_dry_run_problems_by_row_and_column_page_by_page(cast: Cast, client: Client) -> None:
    api = ImportApi(client, cast.staff)
    rows = [
        row(),  # 2: good
        row(楼栋="9号楼", 身份证号="", 姓名="丁"),  # 3
        row(手机号="12345", 身份证号="", 姓名="庚"),  # 4
        row(姓名="辛"),  # 5: the same ID as row 2
        row(身份证号=ID_B[:-1] + ("0" if ID_B[-1] != "0" else "1"), 姓名="甲"),  # 6
    ]
    status, job = api.upload(xlsx_file(rows), community=cast.community.pk)
    assert (status, job["status"], job["problem_count"]) == (201, "invalid", 4)
    path = f"/api/v1/imports/jobs/{job['id']}/problems"
    first = api.get(path, page_size=3)[1]
    second = api.get(path, page_size=3, page=2)[1]
    assert first["count"] == 4
    problems = first["items"] + second["items"]
    assert [(p["row"], p["column"]) for p in problems] == [
        (3, "楼栋"),
        (4, "手机号"),
        (5, "身份证号"),
        (6, "身份证号"),
    ]
    assert problems[2]["message"] == "与第2行的身份证号重复。"
    assert problems[3]["message"] == "身份证号校验位不正确,请核对是否输错。"
    assert ID_B not in str(problems)
    # Nothing was written, and an invalid job cannot be imported.
    assert not Resident.objects.filter(name="赵桂芳").exists()
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/run")[0] == 409


def test_the_template_is_the_pages(cast: Cast, client: Client) -> None:
    api = ImportApi(client, cast.staff)
    response = client.get("/api/v1/imports/template.xlsx", **api.headers)  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="linli-residents-template.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["居民"]
    assert [c.value for c in sheet[1]][:5] == ["小区", "楼栋", "单元", "房号", "姓名"]
    missing = client.get(
        "/api/v1/imports/template.xlsx",
        {"kind": "no-such-kind"},
        **api.headers,  # type: ignore[arg-type]
    )
    assert missing.status_code == 404


def test_without_the_import_capability_it_is_refused(cast: Cast, client: Client) -> None:
    worker = ImportApi(client, cast.worker1)
    status, body = worker.upload(xlsx_file(good_rows()), community=cast.community.pk)
    assert (status, body["code"]) == (403, "not_permitted")
    assert body["detail"] == "您没有这项操作的权限。"
    assert worker.get("/api/v1/imports/jobs")[0] == 403
    assert worker.get("/api/v1/imports/template.xlsx")[0] == 403
    assert not ImportJob.objects.exists()


def test_outside_the_scope_is_a_404(cast: Cast, client: Client) -> None:
    staff = ImportApi(client, cast.staff)
    status, body = staff.upload(xlsx_file(good_rows()), community=cast.other_community.pk)
    assert (status, body["code"]) == (404, "not_found")
    assert not ImportJob.objects.exists()
    job = staff.upload(xlsx_file(good_rows()), community=cast.community.pk)[1]

    outsider = ImportApi(client, _outsider(cast))
    assert outsider.get(f"/api/v1/imports/jobs/{job['id']}")[0] == 404
    assert outsider.get(f"/api/v1/imports/jobs/{job['id']}/problems")[0] == 404
    assert outsider.post(f"/api/v1/imports/jobs/{job['id']}/run")[0] == 404
    assert outsider.get("/api/v1/imports/jobs")[1]["items"] == []
    # A leader reads the register but may not import: the job is not there for them.
    leader = ImportApi(client, cast.leader)
    assert leader.get(f"/api/v1/imports/jobs/{job['id']}")[0] == 404
    assert ImportJob.objects.get().status == ImportJob.Status.CHECKED


def test_a_file_of_the_wrong_type_or_too_big_is_refused(cast: Cast, client: Client) -> None:
    api = ImportApi(client, cast.staff)
    status, body = api.upload(
        SimpleUploadedFile("名册.txt", b"not a sheet"), community=cast.community.pk
    )
    assert (status, body["code"]) == (422, "invalid")
    assert body["errors"] == {"file": ["请上传 .xlsx 或 .csv 文件。"]}

    too_big = SimpleUploadedFile("名册.csv", b"x" * (MAX_UPLOAD_BYTES + 1))
    status, body = api.upload(too_big, community=cast.community.pk)
    assert (status, body["errors"]) == (422, {"file": ["文件不能超过 20 MB。"]})

    status, body = api.upload(xlsx_file(good_rows()), community=cast.community.pk, kind="pets")
    assert (status, list(body["errors"])) == (422, ["kind"])
    response = client.post(
        "/api/v1/imports",
        {"community": cast.community.pk},
        **api.headers,  # type: ignore[arg-type]
    )
    assert response.status_code == 422
    assert "file" in response.json()["errors"]
    assert not ImportJob.objects.exists()


def test_more_rows_than_the_page_allows_fail_the_dry_run(cast: Cast, client: Client) -> None:
    lines = [",".join(COLUMNS)]
    lines += [f"和平小区,1号楼,1单元,302,张{i},,女,,,,," for i in range(50_001)]
    sheet = SimpleUploadedFile("名册.csv", "\n".join(lines).encode())
    status, job = ImportApi(client, cast.staff).upload(sheet, community=cast.community.pk)
    assert (status, job["status"]) == (201, "invalid")
    problems = ImportApi(client, cast.staff).get(f"/api/v1/imports/jobs/{job['id']}/problems")[1]
    assert [p["message"] for p in problems["items"]] == ["文件超过 50,000 行,请分成几个文件导入。"]
