"""What the area tree tells the apps above it.

``building_regridded`` is sent, inside the transaction that changed it, when a building is
put in another grid (``Area.grid``): ``building`` is the building, ``actor`` who did it.
Requests keep the grid of their building (the grid worker's scope and routing read it,
docs/architecture.md); the tree cannot import them, so it says so this way.
"""

from __future__ import annotations

from django.dispatch import Signal

building_regridded = Signal()
