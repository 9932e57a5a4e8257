from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast


def test_grid_worker_sees_only_residents_of_their_grid(cast: Cast, client_for: object) -> None:
    client: Client = client_for("worker1")  # type: ignore[operator]
    response = client.get(reverse("people:resident_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "王秀兰" in content
    assert "李建军" not in content


@pytest.mark.parametrize("url_name", ["people:resident_detail", "people:resident_edit"])
def test_other_grids_worker_gets_404_for_a_resident(
    cast: Cast, client_for: object, url_name: str
) -> None:
    client: Client = client_for("worker2")  # type: ignore[operator]
    response = client.get(reverse(url_name, args=[cast.elder.pk]))
    assert response.status_code == 404
