from __future__ import annotations

import pytest

from tests.cast import Cast
from tests.fieldwork.support import Fieldwork, build_fieldwork


@pytest.fixture
def fw(cast: Cast) -> Fieldwork:
    return build_fieldwork(cast)
