"""What the requests app holds about a person: the requests they reported (诉求)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.notifications.services import notifications_scrub
from linli.people.models import Resident
from linli.privacy.registry import ANONYMOUS_NAME, Row, Sections, format_time
from linli.requests.models import Feedback, Request
from linli.requests.workflow import Status

# Closed requests stay as reported for half a year: follow-up calls, re-opening and the
# monthly 12345-style figures all look back at them (and security logs are kept as long).
REQUEST_RETENTION_DAYS = 180

_FINAL = (Status.CLOSED, Status.REJECTED)


def export_requests(resident: Resident) -> Sections:
    requests = (
        Request.objects.filter(reporter=resident)
        .select_related("category")
        .order_by("submitted_at", "pk")
    )
    rows: list[Row] = [
        {
            _("编号"): r.number,
            _("提交时间"): format_time(r.submitted_at),
            _("类别"): r.category.name,
            _("内容"): r.text,
            _("反映人姓名"): r.reporter_name,
            _("来源渠道"): r.get_channel_display(),
            _("状态"): r.get_status_display(),
            _("办理结果"): r.resolution_note,
            _("关闭时间"): format_time(r.closed_at),
        }
        for r in requests
    ]
    feedback: list[Row] = [
        {
            _("诉求编号"): f.request.number,
            _("时间"): format_time(f.created_at),
            _("问题是否解决"): _("是") if f.resolved else _("否"),
            _("满意度"): f.get_satisfaction_display(),
            _("意见"): f.comment,
        }
        for f in Feedback.objects.filter(request__reporter=resident)
        .select_related("request")
        .order_by("created_at", "pk")
    ]
    return {_("反映的诉求"): rows, _("诉求评价"): feedback}


def request_retention(resident: Resident) -> list[str]:
    reasons: list[str] = []
    requests = Request.objects.filter(reporter=resident).order_by("submitted_at", "pk")
    open_numbers = [r.number for r in requests if r.status not in _FINAL]
    if open_numbers:
        reasons.append(
            _("该居民反映的诉求尚未办结关闭:%(numbers)s。请办结后再匿名化。")
            % {"numbers": "、".join(open_numbers)}
        )
    cutoff = timezone.now() - dt.timedelta(days=REQUEST_RETENTION_DAYS)
    recent = [r for r in requests if r.status in _FINAL and r.closed_at and r.closed_at > cutoff]
    for request in recent:
        assert request.closed_at is not None
        until = timezone.localtime(request.closed_at + dt.timedelta(days=REQUEST_RETENTION_DAYS))
        reasons.append(
            _("诉求%(number)s关闭未满%(days)s天的留存期,%(date)s之后才能匿名化。")
            % {
                "number": request.number,
                "days": REQUEST_RETENTION_DAYS,
                "date": f"{until:%Y-%m-%d}",
            }
        )
    return reasons


def anonymise_requests(resident: Resident, actor: User | None) -> None:
    """Keep the requests (they are the community's statistics) without who reported them."""
    requests = Request.objects.filter(reporter=resident)
    for request in requests:
        text = request.text
        for identifying in (resident.name, resident.alias, resident.phone, resident.id_number):
            if identifying:
                text = text.replace(identifying, "***")
        request.text = text
        request.reporter_name = ANONYMOUS_NAME
        request.save(update_fields=["text", "reporter_name"])
    Feedback.objects.filter(request__reporter=resident).update(comment="")
    notifications_scrub(
        links=[
            reverse("requests:detail", args=[pk]) for pk in requests.values_list("pk", flat=True)
        ],
        names=[resident.name, resident.alias],
        replacement=ANONYMOUS_NAME,
    )
