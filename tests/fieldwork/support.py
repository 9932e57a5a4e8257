"""A small field-work world on top of the cast: a 联点 cadre of grid 1 with one visit (a
concern filed as a request, the elder listened to) and worker1's patrol of grid 1 with
one finding solved on the spot (with a photo) and one filed."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from linli.accounts.models import User
from linli.accounts.services import role_assign
from linli.core.roles import Role
from linli.fieldwork.models import Patrol, PatrolFinding, Posting, PostingKind, SinkDownVisit
from linli.fieldwork.services import (
    patrol_check,
    patrol_finding_add,
    patrol_start,
    posting_create,
    sink_down_visit_record,
)
from tests.cast import Cast, make_user
from tests.requests.support import category, jpeg_bytes, upload


@dataclass
class Fieldwork:
    cadre: User
    posting: Posting
    visit: SinkDownVisit
    patrol: Patrol
    finding: PatrolFinding
    filed: PatrolFinding


def make_cadre(cast: Cast, username: str = "liandian", full_name: str = "贾联点") -> User:
    cadre = make_user(username, full_name)
    role_assign(actor=None, user=cadre, role=Role.CADRE, grid=cast.grid1, title="联点干部")
    return cadre


def build_fieldwork(cast: Cast) -> Fieldwork:
    cadre = make_cadre(cast)
    posting = posting_create(actor=None, cadre=cadre, kind=PostingKind.LIANDIAN, grid=cast.grid1)
    visit = sink_down_visit_record(
        actor=cadre,
        posting=posting,
        visited_on=timezone.localdate(),
        households_count=3,
        households=f"1号楼 {cast.elder.name}家",
        listened_to=f"{cast.elder.name}、楼栋长",
        notes="老人反映楼道灯不亮",
        concerns=["1号楼楼道灯坏了,晚上看不见"],
        residents=[cast.elder],
        building=cast.building1,
    )
    patrol = patrol_start(actor=cast.worker1, grid=cast.grid1)
    patrol_check(actor=cast.worker1, patrol=patrol, buildings=[cast.building1], places="健身广场")
    finding = patrol_finding_add(
        actor=cast.worker1,
        patrol=patrol,
        category=category("sanitation"),
        text="1号楼门口垃圾散落,已清理",
        solved=True,
        building=cast.building1,
        photo=upload(jpeg_bytes()),
    )
    filed = patrol_finding_add(
        actor=cast.worker1,
        patrol=patrol,
        category=category("repair"),
        text="1号楼单元门闭门器坏了",
        solved=False,
        building=cast.building1,
    )
    return Fieldwork(
        cadre=cadre, posting=posting, visit=visit, patrol=patrol, finding=finding, filed=filed
    )
