"""``/api/v1/register`` (households and residents) and ``/api/v1/grids`` — the register
pages' reads and writes, through the same selectors and services.

ID and phone numbers are always masked; the full value comes only from the audited
``POST /register/residents/{id}/reveal`` (capability ``sensitive.reveal``), exactly like
the 查看 button on the resident page. Health tags are shown only to those who may see
them (``people.selectors.tag_links_visible_to``); children under 14 without a guardian's
consent are hidden from those who do not manage consent (``visible_residents``). Anyone
outside the caller's scope is a 404.
"""

# No ``from __future__ import annotations``: ninja's ``paginate`` wrapper resolves the
# view's annotations in its own module, where string annotations would not resolve.

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as Reply

from linli.accounts.current import request_user, require_capability
from linli.areas.models import AreaKind, Grid
from linli.areas.selectors import (
    area_get_for_user,
    area_label,
    grid_get_for_user,
    register_places,
    visible_grids,
)
from linli.core.api_pagination import pages_of
from linli.core.api_schemas import ErrorOut
from linli.core.dates import PlausibleDate
from linli.core.errors import Conflict, NotPermitted
from linli.core.roles import Capability
from linli.core.spreadsheets import XLSX_CONTENT_TYPE
from linli.people.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    EmergencyContact,
    Gender,
    Household,
    Relation,
    Resident,
)
from linli.people.selectors import (
    GridSummary,
    ResidentFilters,
    consent_get_for_user,
    consent_history,
    editable_units,
    emergency_contact_get_for_user,
    grid_summaries,
    guardian_candidates,
    household_get_for_user,
    household_label,
    household_label_map,
    resident_get_for_user,
    residents_search,
    tags_visible_to,
    visible_households,
    visible_residents,
)
from linli.people.services import (
    ConsentGiver,
    ResidentData,
    consent_record,
    consent_withdraw,
    emergency_contact_add,
    emergency_contact_remove,
    household_create,
    household_update,
    resident_create,
    resident_reveal,
    resident_update,
)
from linli.privacy.registry import registered_sources
from linli.privacy.services import (
    anonymisation_refusals,
    personal_data_export,
    resident_anonymise,
)

router = Router(tags=["register"])
grids_router = Router(tags=["grids"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**ERRORS, 409: ErrorOut}


# --- residents -----------------------------------------------------------------------------


class ResidentOut(Schema):
    id: int
    name: str
    alias: str = Field(..., description="常用称呼")
    gender: Gender
    birth_date: dt.date
    age: int
    id_number: str = Field(..., description="身份证号(脱敏);完整号码用 reveal 查看")
    phone: str = Field(..., description="手机号(脱敏);完整号码用 reveal 查看")
    household_id: int | None
    household: str = Field(..., description="住户,如 幸福小区1号楼2单元502室;未登记住户为空")
    relation_to_head: Relation
    area_id: int | None = Field(None, description="所属区域(住户的单元,或未登记住户时所选区域)")
    tags: list[str] = Field(..., description="服务标签(本人可见的)")


class ContactOut(Schema):
    id: int
    name: str
    relation: str
    phone: str = Field(..., description="电话(脱敏)")
    note: str


class ResidentDetailOut(ResidentOut):
    place: str = Field(..., description="未登记住户时所属的社区、小区或楼栋")
    notes: str
    emergency_contacts: list[ContactOut]
    may_reveal: bool = Field(..., description="调用者能否查看完整证件号和手机号")


class ResidentFiltersIn(Schema):
    q: str = Field("", max_length=50, description="姓名、称呼,或完整的手机号、身份证号")
    grid: int | None = Field(None, description="网格编号")
    building: int | None = Field(None, description="楼栋编号")
    tag: int | None = Field(None, description="标签编号")


class RevealIn(Schema):
    field: Literal["id_number", "phone"] = Field(..., description="id_number 或 phone")


class RevealOut(Schema):
    field: str
    value: str = Field(..., description="完整值(未登记为空)")


class GuardianIn(Schema):
    name: str = Field(..., max_length=50, description="监护人姓名")
    relation: str = Field(..., max_length=20, description="与儿童的关系,如 母亲")
    method: ConsentMethod = ConsentMethod.WRITTEN
    note: str = Field("", max_length=200, description="同意的凭据,如 纸质同意书编号")


class ResidentIn(Schema):
    name: str = Field(..., max_length=50)
    alias: str = Field("", max_length=50)
    gender: Gender
    birth_date: PlausibleDate
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)
    household: int | None = Field(None, description="住户编号")
    area: int | None = Field(None, description="未登记住户时所属的社区、小区或楼栋编号")
    relation_to_head: Relation = Relation.HEAD
    notes: str = Field("", max_length=2000)
    guardian_consent: GuardianIn | None = Field(
        None, description="未满十四周岁的儿童必须同时登记监护人同意"
    )


def _resident_outs(request: HttpRequest, residents: list[Resident]) -> list[ResidentOut]:
    labels = household_label_map([r.household for r in residents if r.household])
    return [_resident_out(r, labels.get(r.household_id or 0, "")) for r in residents]


def _resident_out(resident: Resident, label: str) -> ResidentOut:
    return ResidentOut(
        id=resident.pk,
        name=resident.name,
        alias=resident.alias,
        gender=Gender(resident.gender),
        birth_date=resident.birth_date,
        age=resident.age,
        id_number=resident.id_number_masked,
        phone=resident.phone_masked,
        household_id=resident.household_id,
        household=label,
        relation_to_head=Relation(resident.relation_to_head),
        area_id=resident.area_id,
        tags=[str(link) for link in resident.tag_links.all()],
    )


def _resident_detail(request: HttpRequest, resident: Resident) -> ResidentDetailOut:
    user = request_user(request)
    may_reveal = (
        visible_residents(user, Capability.SENSITIVE_REVEAL).filter(pk=resident.pk).exists()
    )
    label = household_label(resident.household) if resident.household else ""
    return ResidentDetailOut(
        **_resident_out(resident, label).dict(),
        place=area_label(resident.area, top_kind=AreaKind.COMMUNITY)
        if resident.area and not resident.household
        else "",
        notes=resident.notes,
        emergency_contacts=[_contact_out(c) for c in resident.emergency_contacts.all()],
        may_reveal=may_reveal,
    )


@router.get(
    "/residents",
    response={200: list[ResidentOut], **ERRORS},
    summary="居民名册(本人范围内,证件号和手机号脱敏)",
    description="与名册页面相同的查找:`q` 为姓名或称呼的一部分,或完整的手机号、身份证号"
    "(按密文索引精确匹配);可按 `grid`、`building`、`tag` 筛选。",
)
@paginate(pages_of(_resident_outs), page_size=20, max_page_size=100)
def list_residents(request: HttpRequest, filters: Query[ResidentFiltersIn]) -> QuerySet[Resident]:
    require_capability(request, Capability.REGISTER_VIEW)
    user = request_user(request)
    return residents_search(
        user=user,
        filters=ResidentFilters(
            query=filters.q,
            grid=grid_get_for_user(user=user, pk=filters.grid) if filters.grid else None,
            building=area_get_for_user(user=user, pk=filters.building, kind=AreaKind.BUILDING)
            if filters.building
            else None,
            tag=get_object_or_404(tags_visible_to(user), pk=filters.tag) if filters.tag else None,
        ),
    ).order_by("name", "pk")


@router.get(
    "/residents/{resident_id}",
    response={200: ResidentDetailOut, **ERRORS},
    summary="一位居民(证件号和手机号脱敏)",
)
def get_resident(request: HttpRequest, resident_id: int) -> Any:
    resident = resident_get_for_user(user=request_user(request), pk=resident_id)
    return _resident_detail(request, resident)


@router.post(
    "/residents/{resident_id}/reveal",
    response={200: RevealOut, **ERRORS},
    summary="查看完整的身份证号或手机号(记入审计日志)",
    description="与居民页面的「查看」按钮相同:需要查看敏感信息的权限(范围外为 404),"
    "每次查看都记入审计日志;居民已撤回同意、不得处理其信息时为 403。",
)
def reveal(request: HttpRequest, resident_id: int, payload: RevealIn) -> Any:
    user = request_user(request)
    resident = resident_get_for_user(
        user=user, pk=resident_id, capability=Capability.SENSITIVE_REVEAL
    )
    try:
        value = resident_reveal(resident=resident, actor=user, field=payload.field)
    except ValidationError as exc:
        raise NotPermitted(" ".join(exc.messages)) from exc
    return RevealOut(field=payload.field, value=value)


@router.post(
    "/residents",
    response={201: ResidentDetailOut, **ERRORS},
    summary="登记一位居民",
    description="与登记页面相同的校验:身份证号校验位、出生日期、重复登记(按密文索引)。"
    "有住户时填 `household`,否则填所属的 `area`(社区、小区或楼栋)。未满十四周岁的儿童"
    "须同时提交 `guardian_consent`。",
)
def create_resident(request: HttpRequest, payload: ResidentIn) -> Any:
    require_capability(request, Capability.REGISTER_EDIT)
    user = request_user(request)
    household = (
        household_get_for_user(user=user, pk=payload.household, capability=Capability.REGISTER_EDIT)
        if payload.household is not None
        else None
    )
    area = (
        get_object_or_404(register_places(user), pk=payload.area)
        if payload.area is not None and household is None
        else None
    )
    guardian = payload.guardian_consent
    resident = resident_create(
        actor=user,
        data=ResidentData(
            name=payload.name,
            alias=payload.alias,
            gender=payload.gender,
            birth_date=payload.birth_date,
            id_number=payload.id_number,
            phone=payload.phone,
            household=household,
            relation_to_head=payload.relation_to_head,
            notes=payload.notes,
            area=area,
        ),
        guardian_consent=ConsentGiver(
            name=guardian.name,
            relation=guardian.relation,
            method=guardian.method,
            note=guardian.note,
        )
        if guardian is not None
        else None,
    )
    return Reply(201, _resident_detail(request, resident_get_for_user(user=user, pk=resident.pk)))


class ResidentUpdateIn(Schema):
    """Only the fields sent change; the rest keep their value (as the edit page keeps an
    ID or phone number left empty)."""

    name: str | None = Field(None, max_length=50)
    alias: str | None = Field(None, max_length=50)
    gender: Gender | None = None
    birth_date: PlausibleDate | None = None
    id_number: str | None = Field(None, max_length=18)
    phone: str | None = Field(None, max_length=20, description="空字符串即删除手机号")
    household: int | None = Field(None, description="改到另一户")
    area: int | None = Field(None, description="未登记住户时所属的社区、小区或楼栋")
    relation_to_head: Relation | None = None
    notes: str | None = Field(None, max_length=2000)


@router.post(
    "/residents/{resident_id}",
    response={200: ResidentDetailOut, **ERRORS},
    summary="修改一位居民的信息",
    description="只改提交的字段;校验与修改页面相同。需要编辑名册的权限(范围外为 404)。",
)
def update_resident(request: HttpRequest, resident_id: int, payload: ResidentUpdateIn) -> Any:
    user = request_user(request)
    resident = resident_get_for_user(user=user, pk=resident_id, capability=Capability.REGISTER_EDIT)
    household = resident.household
    area = resident.area
    if payload.household is not None:
        household = household_get_for_user(
            user=user, pk=payload.household, capability=Capability.REGISTER_EDIT
        )
    elif payload.area is not None:
        household, area = None, get_object_or_404(register_places(user), pk=payload.area)
    sent = payload.dict(exclude_unset=True)

    def value(name: str) -> Any:
        return sent[name] if sent.get(name) is not None else getattr(resident, name)

    resident_update(
        resident=resident,
        actor=user,
        data=ResidentData(
            name=value("name"),
            alias=value("alias"),
            gender=value("gender"),
            birth_date=value("birth_date"),
            id_number=value("id_number"),
            phone=value("phone"),
            household=household,
            relation_to_head=value("relation_to_head"),
            notes=value("notes"),
            area=area,
        ),
    )
    return _resident_detail(request, resident_get_for_user(user=user, pk=resident.pk))


# --- households ----------------------------------------------------------------------------


class HouseholdOut(Schema):
    id: int
    label: str = Field(..., description="如 幸福小区1号楼2单元502室")
    unit_id: int
    room: str
    member_count: int


class HouseholdDetailOut(HouseholdOut):
    notes: str
    members: list[ResidentOut]


class HouseholdIn(Schema):
    unit: int = Field(..., description="单元编号")
    room: str = Field(..., max_length=10, description="房号,如 502")
    notes: str = Field("", max_length=2000)


def _household_outs(request: HttpRequest, households: list[Household]) -> list[HouseholdOut]:
    labels = household_label_map(households)
    return [
        HouseholdOut(
            id=h.pk,
            label=labels[h.pk],
            unit_id=h.unit_id,
            room=h.room,
            member_count=getattr(h, "member_count", 0),
        )
        for h in households
    ]


def _household_detail(household: Household) -> HouseholdDetailOut:
    label = household_label(household)
    members = list(household.members.all())
    return HouseholdDetailOut(
        id=household.pk,
        label=label,
        unit_id=household.unit_id,
        room=household.room,
        member_count=len(members),
        notes=household.notes,
        members=[_resident_out(m, label) for m in members],
    )


@router.get(
    "/households",
    response={200: list[HouseholdOut], **ERRORS},
    summary="住户(本人范围内)",
    description="可按楼栋 `building` 筛选。",
)
@paginate(pages_of(_household_outs), page_size=20, max_page_size=100)
def list_households(request: HttpRequest, building: int | None = None) -> QuerySet[Household]:
    require_capability(request, Capability.REGISTER_VIEW)
    user = request_user(request)
    households = visible_households(user).select_related("unit")
    if building is not None:
        place = area_get_for_user(user=user, pk=building, kind=AreaKind.BUILDING)
        households = households.filter(unit__path__startswith=place.path)
    return households.annotate(member_count=Count("members")).order_by("unit__path", "room")


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, **ERRORS},
    summary="一户及其成员",
)
def get_household(request: HttpRequest, household_id: int) -> Any:
    return _household_detail(household_get_for_user(user=request_user(request), pk=household_id))


@router.post(
    "/households",
    response={201: HouseholdDetailOut, **ERRORS},
    summary="登记一户",
    description="单元须在本人可编辑的范围内;房号须与单元的层数、每层户数相符。",
)
def create_household(request: HttpRequest, payload: HouseholdIn) -> Any:
    require_capability(request, Capability.REGISTER_EDIT)
    user = request_user(request)
    unit = get_object_or_404(editable_units(user), pk=payload.unit)
    household = household_create(actor=user, unit=unit, room=payload.room, notes=payload.notes)
    return Reply(201, _household_detail(household_get_for_user(user=user, pk=household.pk)))


class HouseholdUpdateIn(Schema):
    """Only the fields sent change, as in ``POST /register/residents/{id}``."""

    unit: int | None = Field(None, description="改到另一个单元(须在本人可编辑的范围内)")
    room: str | None = Field(None, max_length=10, description="房号")
    notes: str | None = Field(None, max_length=2000)


@router.post(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, **ERRORS},
    summary="修改一户的地址、房号或备注",
    description="与修改住户页面相同:需要编辑名册的权限(范围外为 404),房号须与单元的层数、"
    "每层户数相符、不能与另一户重复(422)。改到另一个单元时,成员随户迁移。",
)
def update_household(request: HttpRequest, household_id: int, payload: HouseholdUpdateIn) -> Any:
    user = request_user(request)
    household = household_get_for_user(
        user=user, pk=household_id, capability=Capability.REGISTER_EDIT
    )
    unit = (
        get_object_or_404(editable_units(user), pk=payload.unit)
        if payload.unit is not None
        else household.unit
    )
    household_update(
        household=household,
        actor=user,
        unit=unit,
        room=payload.room if payload.room is not None else household.room,
        notes=payload.notes if payload.notes is not None else household.notes,
    )
    return _household_detail(household_get_for_user(user=user, pk=household.pk))


# --- a person's data: export (right of access) and anonymisation --------------------------------


class PersonalDataOut(Schema):
    sources: list[str] = Field(..., description="保存该居民信息的各模块")
    refusals: list[str] = Field(
        ..., description="现在不能匿名化的原因(如有未办结的诉求、留存期未满);为空即可匿名化"
    )


class PersonalDataIn(Schema):
    format: Literal["json", "xlsx"] = Field("json", description="json 或 xlsx(Excel)")


class AnonymiseIn(Schema):
    confirm: bool = Field(
        ..., description="须为 true:已核实本人(或监护人)的匿名化请求,知道此操作不可撤销"
    )


def _personal_data_subject(request: HttpRequest, resident_id: int) -> Resident:
    return resident_get_for_user(
        user=request_user(request), pk=resident_id, capability=Capability.PERSONAL_DATA
    )


@router.get(
    "/residents/{resident_id}/personal-data",
    response={200: PersonalDataOut, **ERRORS},
    summary="个人信息导出与匿名化:哪些模块保存了该居民的信息,能否匿名化",
    description="需要个人信息管理的权限(员工、管理员;范围外为 404)。",
)
def personal_data(request: HttpRequest, resident_id: int) -> Any:
    resident = _personal_data_subject(request, resident_id)
    return PersonalDataOut(
        sources=[s.app for s in registered_sources()],
        refusals=anonymisation_refusals(resident),
    )


@router.post(
    "/residents/{resident_id}/personal-data",
    response=ERRORS,
    summary="导出一位居民的全部个人信息(查阅复制权)",
    description="与居民页面「个人信息导出与匿名化」的下载相同:各模块保存的该居民信息"
    "(名册字段解密、诉求、走访与健康读数、志愿服务等),`format` 为 `json`(默认)或 "
    "`xlsx`。需要个人信息管理的权限(范围外为 404);每次导出记入审计日志。",
    openapi_extra={
        "responses": {
            "200": {
                "description": "JSON 文档或 Excel 工作簿(附件)",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def export_personal_data(
    request: HttpRequest, resident_id: int, payload: PersonalDataIn
) -> HttpResponse:
    resident = _personal_data_subject(request, resident_id)
    export = personal_data_export(
        actor=request_user(request), resident=resident, file_format=payload.format
    )
    content, content_type, filename = export.as_file(payload.format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/residents/{resident_id}/anonymise",
    response={204: None, **WRITE_ERRORS},
    summary="应本人或监护人请求匿名化一位居民(不可撤销)",
    description='与页面的「匿名化」相同:须 `{"confirm": true}`(否则 422);还有未办结的诉求、'
    "留存期未满或已匿名化时为 409,`detail` 说明原因。需要个人信息管理的权限(范围外为 404);"
    "记入审计日志。之后该居民不再出现在名册和接口中。",
)
def anonymise(request: HttpRequest, resident_id: int, payload: AnonymiseIn) -> Any:
    resident = _personal_data_subject(request, resident_id)
    resident_anonymise(actor=request_user(request), resident=resident, confirmed=payload.confirm)
    return Reply(204, None)


# --- grids ---------------------------------------------------------------------------------


class GridBuildingOut(Schema):
    id: int
    label: str
    households: int
    residents: int


class GridOut(Schema):
    id: int
    code: str = Field(..., description="15 位网格编码(GB/T 30428.1)")
    name: str
    community_id: int
    community: str
    workers: list[str] = Field(..., description="网格员")
    households: int
    residents: int


class GridDetailOut(GridOut):
    description: str
    buildings: list[GridBuildingOut]


def _grid_out(summary: GridSummary) -> GridOut:
    grid = summary.grid
    return GridOut(
        id=grid.pk,
        code=grid.code,
        name=grid.name,
        community_id=grid.community_id,
        community=grid.community.name,
        workers=summary.workers,
        households=summary.households,
        residents=summary.residents,
    )


def _grid_outs(request: HttpRequest, grids: list[Grid]) -> list[GridOut]:
    summaries = grid_summaries(
        user=request_user(request), grids=Grid.objects.filter(pk__in=[g.pk for g in grids])
    )
    return [_grid_out(s) for s in summaries]


@grids_router.get(
    "",
    response={200: list[GridOut], **ERRORS},
    summary="网格(本人范围内)及其户数、人数",
    description="可按社区 `community` 筛选。",
)
@paginate(pages_of(_grid_outs), page_size=20, max_page_size=100)
def list_grids(request: HttpRequest, community: int | None = None) -> QuerySet[Grid]:
    require_capability(request, Capability.AREAS_VIEW)
    grids = visible_grids(request_user(request))
    if community is not None:
        grids = grids.filter(community_id=community)
    return grids.order_by("code")


@grids_router.get(
    "/{grid_id}",
    response={200: GridDetailOut, **ERRORS},
    summary="一个网格:网格员、楼栋及各楼户数、人数",
)
def get_grid(request: HttpRequest, grid_id: int) -> Any:
    user = request_user(request)
    grid = grid_get_for_user(user=user, pk=grid_id)
    (summary,) = grid_summaries(user=user, grids=Grid.objects.filter(pk=grid.pk))
    return GridDetailOut(
        **_grid_out(summary).dict(),
        description=grid.description,
        buildings=[
            GridBuildingOut(
                id=row.building.pk,
                label=row.label,
                households=row.households,
                residents=row.residents,
            )
            for row in summary.buildings
        ],
    )


# --- emergency contacts (the resident page's 紧急联系人) -------------------------------------


def _contact_out(contact: EmergencyContact) -> ContactOut:
    return ContactOut(
        id=contact.pk,
        name=contact.name,
        relation=contact.relation,
        phone=contact.phone_masked,
        note=contact.note,
    )


class ContactIn(Schema):
    name: str = Field(..., max_length=50, description="联系人姓名")
    relation: str = Field(..., max_length=20, description="与居民的关系,如 儿子")
    phone: str = Field(..., max_length=20, description="手机号或固定电话")
    note: str = Field("", max_length=100)


@router.post(
    "/residents/{resident_id}/contacts",
    response={201: ContactOut, **ERRORS},
    summary="添加紧急联系人",
    description="需要编辑名册的权限(范围外为 404);校验与居民页面相同。居民已撤回同意、"
    "不得再处理其信息时为 422。返回的电话已脱敏。",
)
def add_contact(request: HttpRequest, resident_id: int, payload: ContactIn) -> Any:
    user = request_user(request)
    resident = resident_get_for_user(user=user, pk=resident_id, capability=Capability.REGISTER_EDIT)
    contact = emergency_contact_add(
        resident=resident,
        actor=user,
        name=payload.name,
        relation=payload.relation,
        phone=payload.phone,
        note=payload.note,
    )
    return Reply(201, _contact_out(contact))


@router.post(
    "/contacts/{contact_id}/delete",
    response={204: None, **ERRORS},
    summary="删除紧急联系人",
    description="需要编辑名册的权限(范围外为 404);删除记入审计日志。",
)
def delete_contact(request: HttpRequest, contact_id: int) -> Any:
    user = request_user(request)
    contact = emergency_contact_get_for_user(user=user, pk=contact_id)
    emergency_contact_remove(contact=contact, actor=user)
    return Reply(204, None)


# --- consents (授权同意) ----------------------------------------------------------------------


class ConsentOut(Schema):
    id: int
    purpose: ConsentPurpose = Field(
        ..., description="health 健康信息 / minor 未满十四周岁未成年人信息"
    )
    given_by_name: str = Field(..., description="同意人")
    given_by_relation: str = Field(..., description="同意人与本人的关系")
    guardian_id: int | None = Field(None, description="登记在册的监护人(居民编号)")
    method: ConsentMethod
    note: str
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None
    withdrawal_note: str
    active: bool = Field(..., description="有效(未撤回)")


class ConsentIn(Schema):
    purpose: ConsentPurpose
    given_by_name: str = Field("", max_length=50, description="同意人;本人同意可不填")
    given_by_relation: str = Field("", max_length=20, description="同意人与本人的关系")
    guardian: int | None = Field(None, description="本户成年人中的监护人(居民编号)")
    method: ConsentMethod = ConsentMethod.WRITTEN
    note: str = Field("", max_length=200, description="凭据,如 纸质同意书编号")


class WithdrawIn(Schema):
    note: str = Field(..., max_length=200, description="撤回原因")


def _consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut(
        id=consent.pk,
        purpose=ConsentPurpose(consent.purpose),
        given_by_name=consent.given_by_name,
        given_by_relation=consent.given_by_relation,
        guardian_id=consent.guardian_id,
        method=ConsentMethod(consent.method),
        note=consent.note,
        recorded_at=consent.recorded_at,
        withdrawn_at=consent.withdrawn_at,
        withdrawal_note=consent.withdrawal_note,
        active=consent.withdrawn_at is None,
    )


def _consent_outs(request: HttpRequest, consents: list[Consent]) -> list[ConsentOut]:
    return [_consent_out(c) for c in consents]


@router.get(
    "/residents/{resident_id}/consents",
    response={200: list[ConsentOut], **ERRORS},
    summary="一位居民的授权记录(含已撤回的)",
    description="需要记录授权的权限(范围外为 404)。",
)
@paginate(pages_of(_consent_outs), page_size=20, max_page_size=100)
def list_consents(request: HttpRequest, resident_id: int) -> QuerySet[Consent]:
    resident = resident_get_for_user(
        user=request_user(request), pk=resident_id, capability=Capability.CONSENT_RECORD
    )
    return consent_history(resident)


def _renamed(error: ValidationError) -> ValidationError:
    """The service names the register form's guardian fields; here they are ``given_by_*``."""
    if isinstance(error, Conflict) or not hasattr(error, "error_dict"):
        return error
    renamed = {"guardian_name": "given_by_name", "guardian_relation": "given_by_relation"}
    return ValidationError(
        {renamed.get(field, field): errors for field, errors in error.error_dict.items()}
    )


@router.post(
    "/residents/{resident_id}/consents",
    response={201: ConsentOut, **WRITE_ERRORS},
    summary="记录授权同意",
    description="与居民页面相同:未满十四周岁的儿童须由监护人同意(`given_by_name`、"
    "`given_by_relation`,或本户成年人 `guardian`);同一用途已有有效授权时为 409。",
)
def record_consent(request: HttpRequest, resident_id: int, payload: ConsentIn) -> Any:
    user = request_user(request)
    resident = resident_get_for_user(
        user=user, pk=resident_id, capability=Capability.CONSENT_RECORD
    )
    guardian = None
    if payload.guardian is not None:
        guardian = next(
            (g for g in guardian_candidates(resident) if g.pk == payload.guardian), None
        )
        if guardian is None:
            raise ValidationError({"guardian": [_("监护人须是本户的成年人。")]})
    try:
        consent = consent_record(
            actor=user,
            resident=resident,
            purpose=payload.purpose,
            given_by_name=payload.given_by_name,
            given_by_relation=payload.given_by_relation,
            guardian=guardian,
            method=payload.method,
            note=payload.note,
        )
    except ValidationError as error:
        raise _renamed(error) from error
    return Reply(201, _consent_out(consent))


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **WRITE_ERRORS},
    summary="撤回授权",
    description="须填写原因;记录保留作为凭据,相关信息停止处理并隐藏。已撤回的再撤回为 409。",
)
def withdraw_consent(request: HttpRequest, consent_id: int, payload: WithdrawIn) -> Any:
    user = request_user(request)
    consent = consent_get_for_user(user=user, pk=consent_id)
    return _consent_out(consent_withdraw(actor=user, consent=consent, note=payload.note))
