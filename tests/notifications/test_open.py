"""A message opened is a message read (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linli.notifications.models import Notification
from linli.notifications.selectors import unread_count
from linli.notifications.services import notify
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def test_opening_a_message_marks_it_read_and_goes_where_it_points(
    cast: Cast, client_for: Any
) -> None:
    first, second = (
        notify(users=[cast.worker1], text="新任务:楼道灯坏了", link="/requests/tasks/")[0],
        notify(users=[cast.worker1], text="另一条", link="/care/")[0],
    )
    assert unread_count(cast.worker1) == 2
    client: Client = client_for("worker1")
    listing = client.get(reverse("notifications:list")).content.decode()
    assert reverse("notifications:open", args=[first.pk]) in listing
    response = client.get(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/requests/tasks/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert unread_count(cast.worker1) == 1


def test_a_message_without_a_local_link_opens_the_list(cast: Cast, client_for: Any) -> None:
    outside = notify(users=[cast.worker1], text="外链", link="https://evil.example/")[0]
    bare = notify(users=[cast.worker1], text="无链接", link="")[0]
    client: Client = client_for("worker1")
    for message in (outside, bare):
        response = client.get(reverse("notifications:open", args=[message.pk]))
        assert response["Location"] == reverse("notifications:list")
    assert unread_count(cast.worker1) == 0


def test_nobody_opens_another_users_message(cast: Cast, client_for: Any) -> None:
    message = notify(users=[cast.worker1], text="新任务", link="/")[0]
    client: Client = client_for("worker2")
    assert client.get(reverse("notifications:open", args=[message.pk])).status_code == 404
    assert Notification.objects.get(pk=message.pk).read_at is None
