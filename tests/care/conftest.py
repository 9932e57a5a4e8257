from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from linli.care.models import CarePlan, CareService
from linli.care.services import care_plan_save, plans_due_refresh
from linli.people.models import ConsentPurpose
from linli.people.services import consent_record
from linli.volunteers.models import Volunteer
from linli.volunteers.services import volunteer_create
from tests.cast import Cast


@dataclass
class CareCast:
    cast: Cast
    volunteer: Volunteer
    plan: CarePlan


def plans_made(plans: QuerySet[CarePlan], at: dt.datetime) -> None:
    """Backdate the plans' making to ``at``, and their due moment with it (a plan not yet
    visited is due from the day it was made)."""
    plans.update(created_at=at)
    plans_due_refresh(plans)


def plans_made_days_ago(plans: QuerySet[CarePlan], days: float) -> None:
    plans_made(plans, timezone.now() - dt.timedelta(days=days))


def build_care(cast: Cast) -> CareCast:
    """The cast's volunteer looks after 王大娘 (grid 1), who consented to health readings."""
    volunteer = volunteer_create(
        actor=None, community=cast.community, user=cast.volunteer_user, grid=cast.grid2
    )
    plan = care_plan_save(
        actor=None,
        resident=cast.elder,
        visits_per_week=2,
        services=[CareService.GROCERIES, CareService.BLOOD_PRESSURE],
        primary_volunteer=volunteer,
        notes="高血压,按时吃药",
    )
    consent_record(
        actor=None, resident=cast.elder, purpose=ConsentPurpose.HEALTH, given_by_name="王秀兰"
    )
    return CareCast(cast=cast, volunteer=volunteer, plan=plan)


@pytest.fixture
def care(cast: Cast) -> CareCast:
    return build_care(cast)
