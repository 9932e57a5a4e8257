"""Staff and leaders arrange who goes down where (包片/联点) on a page, not only in the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from linli.core.models import AuditEvent
from linli.fieldwork.models import Posting, PostingKind
from tests.cast import Cast
from tests.fieldwork.support import make_cadre

pytestmark = pytest.mark.django_db


def test_staff_post_a_cadre_to_a_grid_and_the_month_list_shows_them(
    cast: Cast, client_for: Any
) -> None:
    cadre = make_cadre(cast)
    client = client_for("staff")
    form = client.get(reverse("fieldwork:posting_new")).content.decode()
    assert "贾联点" in form
    done = client.post(
        reverse("fieldwork:posting_new"),
        {"cadre": cadre.pk, "kind": PostingKind.LIANDIAN, "grid": cast.grid2.pk},
    )
    assert done.status_code == 302
    posting = Posting.objects.get(cadre=cadre, grid=cast.grid2)
    assert posting.community == cast.community
    assert AuditEvent.objects.filter(action="create", object_id=str(posting.pk)).exists()
    month = client.get(reverse("fieldwork:not_down")).content.decode()
    assert "贾联点" in month
    assert "第2网格" in month


def test_one_place_only_and_the_reason_in_chinese(cast: Cast, client_for: Any) -> None:
    cadre = make_cadre(cast)
    client = client_for("staff")
    both = client.post(
        reverse("fieldwork:posting_new"),
        {
            "cadre": cadre.pk,
            "kind": PostingKind.BAOPIAN,
            "grid": cast.grid1.pk,
            "compound": cast.compound.pk,
        },
    ).content.decode()
    assert "二者选其一" in both
    assert not Posting.objects.filter(cadre=cadre).exists()


def test_a_grid_worker_cannot_arrange_postings(cast: Cast, client_for: Any) -> None:
    assert client_for("worker1").get(reverse("fieldwork:posting_new")).status_code == 403
