"""What the demo world's checks share: the one world they read.

Building the demo world takes a quarter of a minute, so it is built once: each
``checks_*`` module holds a plain class of checks about one part of the world, and
``test_world.DemoWorldTests`` is the one test case that builds the world in
``setUpTestData`` and runs them all (each check still in its own rolled-back transaction).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from linli.demo.world import World

if TYPE_CHECKING:
    from django.test import TestCase

    _Base = TestCase
else:
    _Base = object


class DemoWorldCase(_Base):
    world: World
    built_at: dt.datetime
