"""A summer programme in the cast's community: a site led by 刘社工, a phase running today
(in the test clock's frame), a child of the neighbour's household with her guardian."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from linli.people.models import Relation, Resident
from linli.people.services import ConsentGiver, ResidentData, resident_create
from linli.programmes.models import Duty, Enrolment, Phase, Programme, Site, Slot, SlotKind
from linli.programmes.services import (
    PickupData,
    duty_assign,
    enrol,
    phase_add,
    programme_create,
    site_create,
    slot_add,
)
from linli.volunteers.models import Volunteer, VolunteerKind
from linli.volunteers.services import volunteer_create
from tests.cast import Cast, id_number_for


@dataclass
class Summer:
    site: Site
    programme: Programme
    phase: Phase
    child: Resident
    guardian: Resident


def make_child(cast: Cast, *, name: str = "李小雨", age: int = 9) -> Resident:
    """A child of the neighbour's household, registered with his consent as her father."""
    today = timezone.localdate()
    birth = today.replace(year=today.year - age) - dt.timedelta(days=30)
    return resident_create(
        actor=None,
        data=ResidentData(
            name=name,
            gender="female",
            birth_date=birth,
            id_number=id_number_for(birth, "female", 3 + age),
            household=cast.household2,
            relation_to_head=Relation.CHILD,
        ),
        guardian_consent=ConsentGiver(
            name=cast.neighbour.name, relation="父亲", guardian=cast.neighbour, method="written"
        ),
    )


def build_summer(cast: Cast, *, capacity: int = 20) -> Summer:
    today = timezone.localdate()
    site = site_create(actor=None, area=cast.community, name="和平社区党群服务站", lead=cast.staff)
    programme = programme_create(actor=None, site=site, name="候鸟课堂", team=[cast.volunteer_user])
    phase = phase_add(
        actor=None,
        programme=programme,
        name="第一期",
        start_date=today - dt.timedelta(days=3),
        end_date=today + dt.timedelta(days=6),
        weekdays="1234567",
        opens_at=dt.time(8, 30),
        closes_at=dt.time(17, 0),
        capacity=capacity,
    )
    child = make_child(cast)
    return Summer(site=site, programme=programme, phase=phase, child=child, guardian=cast.neighbour)


GRANDMOTHER = PickupData(name="张桂兰", relation="奶奶", phone="13700002222")


def enrol_child(summer: Summer, child: Resident | None = None) -> Enrolment:
    return enrol(
        actor=None,
        phase=summer.phase,
        child=child or summer.child,
        guardian=summer.guardian,
        guardian_relation="父亲",
        pickups=[GRANDMOTHER, PickupData(name="李建军", relation="父亲", phone="13900001111")],
    )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def team_volunteer(summer: Summer) -> Volunteer:
    """The programme team's volunteer (白志愿, the cast's volunteer) as a university student."""
    user = summer.programme.team.get()
    existing = Volunteer.objects.filter(user=user).first()
    if existing is not None:
        return existing
    return volunteer_create(
        actor=None,
        community=summer.site.area,
        user=user,
        name=user.get_full_name(),
        kind=VolunteerKind.STUDENT,
    )


def summer_slot(summer: Summer) -> Slot:
    return slot_add(
        actor=None,
        phase=summer.phase,
        starts_at=dt.time(9),
        ends_at=dt.time(11),
        kind=SlotKind.HOMEWORK,
        teacher_name="王老师",
    )


def summer_duty(summer: Summer, slot: Slot | None = None) -> Duty:
    return duty_assign(
        actor=None,
        phase=summer.phase,
        day=timezone.localdate(),
        volunteer=team_volunteer(summer),
        slot=slot,
    )
