from __future__ import annotations

import re

import pypdfium2
import pytest
from django.core.exceptions import ValidationError

from linli.core.models import AuditEvent
from linli.volunteers.certificates import certificate_pdf
from linli.volunteers.models import ServiceCertificate
from linli.volunteers.selectors import certificate_verify
from linli.volunteers.services import certificate_issue
from tests.cast import Cast
from tests.volunteers.support import neighbour_volunteer, serve

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    # PDFium (Chromium's PDF engine) reads the text back through the embedded ToUnicode map.
    document = pypdfium2.PdfDocument(data)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    return re.sub(r"\s+", "", text)


def test_certificate_records_hours_content_and_a_unique_number(cast: Cast) -> None:
    volunteer = neighbour_volunteer(cast)
    serve(volunteer, 60, "上门走访:买菜、量血压", days_ago=20)
    serve(volunteer, 45, "上门走访:量血压", days_ago=3)
    serve(volunteer, 15, "电话问候", days_ago=1)

    first = certificate_issue(actor=cast.staff, volunteer=volunteer)
    second = certificate_issue(actor=cast.staff, volunteer=volunteer)

    assert first.minutes == 120
    assert first.record_count == 3
    assert first.content_summary.startswith("上门走访、量血压")
    assert "买菜" in first.content_summary
    assert "电话问候" in first.content_summary
    assert first.issuer == cast.community
    assert first.number != second.number
    assert re.fullmatch(r"ZYFW-\d{4}-\d{6}-[0-9A-F]{8}", first.number)
    assert certificate_verify(first.number.lower()) == first
    assert AuditEvent.objects.filter(
        object_type="volunteers.servicecertificate", object_id=str(first.pk)
    ).exists()


def test_certificate_pdf_is_in_chinese_with_identity_hours_issuer_and_number(
    cast: Cast,
) -> None:
    volunteer = neighbour_volunteer(cast)
    serve(volunteer, 90, "上门走访:送药、陪聊")
    certificate = certificate_issue(actor=cast.staff, volunteer=volunteer)

    data = certificate_pdf(ServiceCertificate.objects.get(pk=certificate.pk))
    text = pdf_text(data)

    assert data.startswith(b"%PDF")
    assert "志愿服务证明" in text
    assert "李建军" in text
    # The ID number is masked: birth date digits hidden, ends shown.
    id_number = cast.neighbour.id_number
    assert id_number not in text
    assert id_number[:4] in text
    assert id_number[-2:] in text
    assert "1.5小时" in text
    assert "送药、陪聊" in text
    assert "出具单位:和平社区" in text
    assert certificate.number in text
    assert f"{certificate.issued_on:%Y年%m月%d日}" in text


def test_no_certificate_without_service(cast: Cast) -> None:
    volunteer = neighbour_volunteer(cast)
    with pytest.raises(ValidationError) as error:
        certificate_issue(actor=cast.staff, volunteer=volunteer)
    assert "还没有已确认的服务时长" in str(error.value)
    assert not ServiceCertificate.objects.exists()


def test_certificate_names_the_services_of_visits_but_not_the_people_visited(cast: Cast) -> None:
    from django.utils import timezone

    from linli.volunteers.models import ServiceSource
    from linli.volunteers.services import content_parts, service_record_add

    volunteer = neighbour_volunteer(cast)
    for n, content in enumerate(
        ["上门走访:王秀兰(买菜、送药)", "电话问候:王秀兰", "上门走访:张福贵"]
    ):
        service_record_add(
            actor=None,
            volunteer=volunteer,
            started_at=timezone.now(),
            minutes=30,
            content=content,
            source=ServiceSource.VISIT,
            source_id=str(n),
        )

    certificate = certificate_issue(actor=None, volunteer=volunteer)

    assert certificate.content_summary == "上门走访、买菜、电话问候、送药"
    assert "王秀兰" not in pdf_text(certificate_pdf(certificate))
    assert content_parts("平安巡逻", ServiceSource.OTHER) == ["平安巡逻"]
    assert content_parts("义诊协助:量血压、测血糖", ServiceSource.OTHER) == [
        "义诊协助",
        "量血压",
        "测血糖",
    ]
