from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from linli.activities.models import Activity, Audience, Status
from linli.activities.selectors import (
    activities_for_resident,
    activity_figures,
    activity_get_for_user,
    people_served,
)
from linli.activities.services import (
    activity_transition,
    checkin,
    followup_file,
    helper_add,
    served_record,
    signup_add,
)
from linli.organisations.models import Organisation
from tests.activities.support import clinic
from tests.cast import Cast
from tests.volunteers.support import neighbour_volunteer

pytestmark = pytest.mark.django_db


def _hold(cast: Cast, activity: Activity) -> Activity:
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    activity.refresh_from_db()
    return activity_transition(actor=cast.staff, activity=activity, to=Status.HELD)


def test_scope_staff_leader_and_outsiders(cast: Cast) -> None:
    activity = clinic(cast)
    for user in (cast.staff, cast.leader, cast.worker1):
        assert activity_get_for_user(user=user, pk=activity.pk) == activity
    for user in (cast.resident_user, cast.volunteer_user):
        with pytest.raises(Http404):
            activity_get_for_user(user=user, pk=activity.pk)


def test_residents_see_what_is_open_to_them(cast: Cast) -> None:
    everyone = clinic(cast, title="全民义诊")
    children = clinic(cast, title="少儿书法", audience=Audience.CHILDREN)
    elderly = clinic(cast, title="老年健康讲座", audience=Audience.ELDERLY)
    titles = {a.title for a in activities_for_resident(cast.elder)}
    assert {everyone.title, elderly.title} <= titles
    assert children.title not in titles


def test_figures_are_computed_from_records(cast: Cast) -> None:
    hospital = Organisation.objects.create(
        name="孝义市中心医院", kind=Organisation.Kind.HOSPITAL, is_partner=True
    )
    activity = clinic(cast, starts_in=dt.timedelta(minutes=20), hours=2)
    activity.partners.add(hospital)
    signup_add(actor=cast.staff, activity=activity, resident=cast.elder)
    checkin(actor=cast.staff, activity=activity, resident=cast.elder)
    helper_add(actor=cast.staff, activity=activity, volunteer=neighbour_volunteer(cast))
    activity = _hold(cast, activity)
    served_record(
        actor=cast.staff, activity=activity, counts={"量血压": 120, "测血糖": 80, "健康咨询": 40}
    )
    followup_file(actor=cast.staff, activity=activity, text="王大娘家楼道灯坏了")
    clinic(cast, title="下周的义诊")
    cancelled = clinic(cast, title="取消的义诊")
    activity_transition(actor=cast.staff, activity=cancelled, to=Status.CANCELLED, reason="下雨")

    today = timezone.localdate()
    figures = activity_figures(
        user=cast.staff,
        area=cast.community,
        start=today - dt.timedelta(days=7),
        end=today + dt.timedelta(days=7),
    )
    assert (figures.total, figures.held, figures.cancelled) == (2, 1, 1)
    assert figures.by_kind == [("义诊", 2)]
    assert figures.kinds == [("义诊", 2, 1)]
    assert figures.followups == 1
    assert figures.participants == 1
    assert figures.people_served == 120 == people_served(activity)
    assert figures.served_by_service == [("量血压", 120), ("测血糖", 80), ("健康咨询", 40)]
    assert figures.partners == ["孝义市中心医院"]
    assert (figures.volunteer_minutes, figures.volunteers) == (120, 1)

    # Someone with no scope over the community sees nothing.
    nothing = activity_figures(
        user=cast.resident_user,
        area=cast.community,
        start=today - dt.timedelta(days=7),
        end=today + dt.timedelta(days=7),
    )
    assert (nothing.total, nothing.people_served) == (0, 0)


def test_volunteer_hours_in_figures_and_summary_are_approved_hours_only(cast: Cast) -> None:
    from linli.activities.summary import activity_summary
    from linli.volunteers.models import ServiceSource
    from tests.volunteers.support import unreviewed, volunteer_for_login

    activity = clinic(cast, starts_in=dt.timedelta(minutes=20), hours=2)
    helper_add(actor=cast.staff, activity=activity, volunteer=neighbour_volunteer(cast))
    activity = _hold(cast, activity)  # the helper's 120 minutes, approved as written
    unreviewed(
        volunteer_for_login(cast), 90, source=ServiceSource.ACTIVITY, source_id=str(activity.pk)
    )
    today = timezone.localdate()

    figures = activity_figures(
        user=cast.staff,
        area=cast.community,
        start=today - dt.timedelta(days=7),
        end=today + dt.timedelta(days=7),
    )
    summary = activity_summary(activity)

    assert (figures.volunteer_minutes, figures.volunteers) == (120, 1)
    assert (summary.volunteer_minutes, summary.volunteers) == (120, 1)
