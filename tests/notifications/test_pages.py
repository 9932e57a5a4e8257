"""The pages around channels: a user's choices per kind, and the staff groups' robots."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from linli.core.models import AuditEvent
from linli.notifications.models import Channel, Kind, StaffGroup
from linli.notifications.preferences import choices_of, quiet_hours_of
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def test_a_user_picks_channels_per_kind_and_quiet_hours(cast: Cast, client_for: Any) -> None:
    assert choices_of(cast.worker1)[Kind.URGENT_REQUEST].channels == {Channel.SMS, Channel.WECOM}
    client: Client = client_for("worker1")
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert "企业微信群" in page.content.decode()
    assert "您的账号没有手机号" in page.content.decode()

    response = client.post(
        reverse("notifications:preferences"),
        {
            f"{Kind.ASSIGNMENT}__email": "on",
            f"{Kind.REQUEST_UPDATE}__sms": "on",
            f"{Kind.REQUEST_UPDATE}__digest": "on",
            f"{Kind.CARE_ALERT}__digest": "on",  # no such box: care alerts never wait
            "quiet_enabled": "on",
            "quiet_start": "21:00",
            "quiet_end": "06:30",
        },
    )
    assert response.status_code == 302
    chosen = choices_of(cast.worker1)
    assert chosen[Kind.ASSIGNMENT].channels == {Channel.EMAIL}
    assert chosen[Kind.REQUEST_UPDATE].channels == {Channel.SMS}
    assert chosen[Kind.REQUEST_UPDATE].digest
    assert chosen[Kind.CARE_ALERT].channels == frozenset()
    assert not chosen[Kind.CARE_ALERT].digest
    quiet = quiet_hours_of(cast.worker1)
    assert (f"{quiet.start:%H:%M}", f"{quiet.end:%H:%M}") == ("21:00", "06:30")

    bad = client.post(reverse("notifications:preferences"), {"quiet_start": "25:00"})
    assert bad.status_code == 200
    assert "errorlist" in bad.content.decode()


def test_a_resident_is_not_offered_the_staff_group(cast: Cast, client_for: Any) -> None:
    client: Client = client_for("resident")
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "企业微信群" not in page
    # The register's phone counts as the resident's phone.
    assert "您的账号没有手机号" not in page
    assert client.get(reverse("notifications:groups")).status_code == 404


def test_staff_attach_a_robot_to_a_grid_and_remove_it(
    cast: Cast, client_for: Any, settings: Settings
) -> None:
    settings.LINLI_WECOM_ROBOTS = {"第1网格群": "secret-key"}
    client: Client = client_for("staff")
    page = client.get(reverse("notifications:groups")).content.decode()
    assert "还没有设置工作群" in page
    assert "secret-key" not in page
    response = client.post(
        reverse("notifications:groups"), {"where": f"grid:{cast.grid1.pk}", "robot": "第1网格群"}
    )
    assert response.status_code == 302
    group = StaffGroup.objects.get()
    assert (group.grid, group.robot) == (cast.grid1, "第1网格群")
    assert AuditEvent.objects.filter(action="create", object_type__icontains="staffgroup").exists()

    outside = client.post(
        reverse("notifications:groups"), {"where": "grid:999999", "robot": "第1网格群"}
    )
    assert outside.status_code == 200  # not a choice: a form error, nothing saved
    assert StaffGroup.objects.count() == 1

    # Grid workers do not configure groups; nobody removes another community's group.
    assert client_for("worker1").get(reverse("notifications:groups")).status_code == 404
    client = client_for("staff")
    theirs = StaffGroup.objects.create(community=cast.other_community, robot="第1网格群")
    assert client.post(reverse("notifications:groups"), {"remove": theirs.pk}).status_code == 404
    client.post(reverse("notifications:groups"), {"remove": str(group.pk)})
    assert list(StaffGroup.objects.all()) == [theirs]
