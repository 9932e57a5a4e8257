"""Every list page exports its filtered rows to Excel through one helper: masked unless the
user may reveal and asked, audited, with the page's filters."""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts.list_export import XLSX
from linli.core.models import AuditEvent
from tests.cast import Cast
from tests.requests.support import file_request

LISTS = [
    ("requests:queue", "requests.request", "编号"),
    ("care:due_list", "care.careplan", "姓名"),
    ("care:gap_list", "people.resident", "姓名"),
    ("care:alert_list", "care.alert", "时间"),
    ("volunteers:list", "volunteers.volunteer", "姓名"),
    ("activities:list", "activities.activity", "活动名称"),
    ("party:members", "party.partymember", "姓名"),
    ("surveys:list", "surveys.survey", "标题"),
    ("earlywarning:list", "earlywarning.earlywarning", "预警时间"),
]


def _sheet(response: Any) -> list[tuple[object, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_every_list_page_links_its_export_and_exports(cast: Cast, client_for: Any) -> None:
    client = client_for("staff")
    for name, object_type, first_header in LISTS:
        page = client.get(reverse(name) + "?status=all")
        assert page.status_code == 200, name
        links = re.findall(r'href="([^"]*export=xlsx[^"]*)"', page.content.decode())
        assert links, name
        assert "status=all" in unescape(links[0]), name  # the page's filter is kept
        rows = _sheet(client.get(reverse(name) + unescape(links[0])))
        assert rows[0][0] == first_header, name
        event = AuditEvent.objects.filter(action="export", object_type=object_type).latest("pk")
        assert event.note.startswith("已脱敏"), name
        assert "status=all" in event.note, name


def test_requests_export_keeps_filters_and_masks_unless_revealed(
    cast: Cast, client_for: Any
) -> None:
    file_request(cast, text="楼道灯坏了,晚上看不见")
    file_request(cast, text="水管漏水,楼下也湿了")
    url = reverse("requests:queue") + "?q=水管&export=xlsx"
    client = client_for("staff")
    rows = _sheet(client.get(url))
    assert len(rows) == 2  # the header and the one request the search finds
    header, row = rows
    assert row[header.index("内容")] == "水管漏水,楼下也湿了"
    assert row[header.index("反映人")] == "王**"
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert "含搜索" in event.note
    assert "水管" not in event.note
    assert event.fields == []

    header, row = _sheet(client.get(url + "&reveal=1"))
    assert row[header.index("反映人")] == "王秀兰"
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.note.startswith("含完整信息")
    assert event.fields == ["reporter_name"]

    # A leader may read the queue but not reveal: asking changes nothing.
    header, row = _sheet(client_for("leader").get(url + "&reveal=1"))
    assert row[header.index("反映人")] == "王**"
