"""What the register tells the apps above it.

``residents_moved`` is sent, inside the transaction that moved them, when people's place
(``Resident.area``) changes: a household moved to another unit, a person moved to another
household or place. ``resident_ids`` is the list of those moved. Apps that keep a copy of
where a person lives (care plans keep the community, docs/architecture.md) set it again
in their receiver; the register cannot import them, so it says so this way.
"""

from __future__ import annotations

from django.dispatch import Signal

residents_moved = Signal()
