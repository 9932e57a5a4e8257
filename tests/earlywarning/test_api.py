"""``/api/v1/warnings``: the list, acknowledging and closing, scoped like the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from linli.earlywarning.models import EarlyWarning, WarningKind, WarningStatus
from tests.cast import Cast
from tests.requests.test_api import Api

pytestmark = pytest.mark.django_db


def test_list_acknowledge_close(cast: Cast, client: Client) -> None:
    warning = EarlyWarning.objects.create(
        kind=WarningKind.HOTSPOT,
        key=f"hotspot:{cast.building1.pk}:api",
        community=cast.community,
        area=cast.building1,
        grid=cast.grid1,
        title="1号楼反复反映“环境卫生”",
        reason="近 14 天反映 3 次",
        raised_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    assert Api(client, cast.worker2).get(f"/api/v1/warnings/{warning.pk}")[0] == 404
    api = Api(client, cast.staff)
    assert [w["id"] for w in api.get("/api/v1/warnings")[1]["items"]] == [warning.pk]
    status, body = api.post(f"/api/v1/warnings/{warning.pk}/acknowledge", {})
    assert (status, body["status"]) == (200, "acknowledged")
    assert api.post(f"/api/v1/warnings/{warning.pk}/acknowledge", {})[0] == 409
    status, body = api.post(f"/api/v1/warnings/{warning.pk}/close", {"note": "已清理"})
    assert (status, body["close_note"]) == (200, "已清理")
    assert EarlyWarning.objects.get().status == WarningStatus.CLOSED
    assert api.get("/api/v1/warnings")[1]["count"] == 0
    assert api.get("/api/v1/warnings", status="closed")[1]["count"] == 1
