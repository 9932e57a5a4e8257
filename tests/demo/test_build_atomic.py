"""The demo world is built in one transaction (``WorldBuilder.build``), its audit records
appended together (their chain: tests/demo/test_world.py)."""

from __future__ import annotations

import pytest

from linli.areas.models import Area
from linli.core.models import AuditEvent
from linli.demo.world import WorldBuilder, build_world, world_exists

pytestmark = pytest.mark.django_db


def test_a_build_that_fails_part_way_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``linli demo`` would otherwise find half a world, call it built and serve it."""

    def broken(self: WorldBuilder, *args: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(WorldBuilder, "households", broken)
    with pytest.raises(RuntimeError):
        build_world(scale=0.1)

    assert not world_exists()
    assert not Area.objects.exists()
    assert not AuditEvent.objects.exists()
