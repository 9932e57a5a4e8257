"""Visits name households and the people listened to: export and anonymisation reach them."""

from __future__ import annotations

import pytest

from linli.fieldwork.models import SinkDownListener, SinkDownVisit
from linli.fieldwork.personal_data import anonymise_fieldwork, export_fieldwork
from linli.privacy.registry import ANONYMOUS_NAME
from tests.cast import Cast
from tests.fieldwork.support import Fieldwork

pytestmark = pytest.mark.django_db


def test_export_lists_the_visits_that_name_the_person(cast: Cast, fw: Fieldwork) -> None:
    sections = export_fieldwork(cast.elder)
    rows = sections["干部下沉走访"]
    assert len(rows) == 1
    assert rows[0]["下沉干部"] == "贾联点"
    assert export_fieldwork(cast.neighbour) == {}


def test_anonymise_unlinks_and_scrubs_the_name(cast: Cast, fw: Fieldwork) -> None:
    anonymise_fieldwork(cast.elder, cast.staff)
    visit = SinkDownVisit.objects.get(pk=fw.visit.pk)
    assert cast.elder.name not in visit.households + visit.listened_to
    assert ANONYMOUS_NAME in visit.households
    assert not SinkDownListener.objects.exists()
