"""What party work holds about a person, for :mod:`linli.privacy`: their membership,
vanguard posts and the party days they attended."""

from __future__ import annotations

from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.party.models import PartyMember, VanguardPost
from linli.people.models import Resident
from linli.privacy.registry import ANONYMOUS_NAME, Row, Sections, format_date


def _member_of(resident: Resident) -> PartyMember | None:
    return PartyMember.objects.filter(resident=resident).select_related("organisation").first()


def export_party(resident: Resident) -> Sections:
    member = _member_of(resident)
    if member is None:
        return {}
    profile: Row = {
        _("姓名"): member.name,
        _("党员类型"): member.get_kind_display(),
        _("所在党组织"): str(member.organisation),
        _("职务"): member.get_position_display(),
        _("原单位党组织"): member.home_organisation,
        _("报到日期"): format_date(member.reported_on),
    }
    posts: list[Row] = [
        {
            _("岗位"): post.get_kind_display(),
            _("负责楼栋"): "、".join(b.name for b in post.buildings.all()),
            _("说明"): post.note,
        }
        for post in VanguardPost.objects.filter(member=member).prefetch_related("buildings")
    ]
    days: list[Row] = [
        {_("日期"): format_date(day.planned_for), _("主题"): day.topic, _("地点"): day.place}
        for day in member.party_days_attended.order_by("planned_for", "pk")
    ]
    return {_("党员信息"): [profile], _("党员先锋岗"): posts, _("参加主题党日"): days}


def anonymise_party(resident: Resident, actor: User | None) -> None:
    """The member leaves the roll under 「已匿名」: posts dropped, the link to the person
    and their login cut; party day headcounts keep adding up."""
    member = _member_of(resident)
    if member is None:
        return
    VanguardPost.objects.filter(member=member).delete()
    member.name = ANONYMOUS_NAME
    member.active = False
    member.user = None
    member.home_organisation = ""
    member.save(update_fields=["name", "active", "user", "home_organisation", "updated_at"])
