"""The one-page A4 activity summary, read back as text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pypdfium2 as pdfium
import pytest

from linli.activities.models import Status
from linli.activities.services import (
    activity_transition,
    checkin,
    followup_file,
    helper_add,
    served_record,
    signup_add,
)
from linli.organisations.models import Organisation
from tests.activities.support import clinic
from tests.cast import Cast
from tests.volunteers.support import neighbour_volunteer

pytestmark = pytest.mark.django_db


def test_summary_pdf_is_one_page_with_the_figures(cast: Cast, client_for: Any) -> None:
    activity = clinic(cast, starts_in=dt.timedelta(minutes=30), hours=2, title="中医院义诊")
    activity.partners.add(
        Organisation.objects.create(
            name="孝义市中医院", kind=Organisation.Kind.HOSPITAL, is_partner=True
        )
    )
    signup_add(actor=cast.staff, activity=activity, resident=cast.elder)
    signup_add(actor=cast.staff, activity=activity, resident=cast.neighbour)
    checkin(actor=cast.staff, activity=activity, resident=cast.elder)
    helper_add(actor=cast.staff, activity=activity, volunteer=neighbour_volunteer(cast))
    activity.starts_at -= dt.timedelta(hours=1)
    activity.ends_at = activity.starts_at + dt.timedelta(minutes=90)
    activity.save()
    activity = activity_transition(actor=cast.staff, activity=activity, to=Status.HELD)
    served_record(actor=cast.staff, activity=activity, counts={"量血压": 123, "测血糖": 87})
    followup_file(actor=cast.staff, activity=activity, text="要求上门复查血压")
    activity = activity_transition(
        actor=cast.staff, activity=activity, to=Status.SUMMARISED, summary="很受老人欢迎。" * 200
    )

    response = client_for("staff").get(f"/activities/{activity.pk}/summary.pdf")
    assert response["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(response.content)
    assert len(document) == 1
    text = "".join(document[0].get_textpage().get_text_range().split())
    for expected in (
        "活动小结",
        "中医院义诊",
        "报名人数2",
        "签到人数1",
        "量血压123",
        "测血糖87",
        "服务人数(至少)123",
        "孝义市中医院",
        "1人,1.5小时",
        "后续诉求1件",
    ):
        assert expected in text, expected
    document.close()
