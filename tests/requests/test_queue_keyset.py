"""Keyset navigation of the dispatch queue page (下一页 / 上一页 links carrying a signed
cursor) and cursors that remember their filters (the page's and ``/api/v1/requests``'s):
every row once across pages, ties in the sort key, rows filed between page loads, the
previous page, a deep page read without OFFSET, and tampered, expired or mismatched
cursors answered in Chinese (a first page on the page, 422 from the API), never a 500."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.services import api_token_create
from linli.core.keyset import Cursor, CursorFiltersMismatch, InvalidCursor, cursor_loads
from linli.requests.models import Request
from linli.requests.selectors import OverdueFirst, QueueFilters, request_queue
from linli.requests.workflow import Status
from tests.cast import Cast
from tests.requests.support import category, file_request

ROWS = 60
PAGE = 7
ROW_LINK = re.compile(r'<td class="primary"><a href="/requests/(\d+)/">')
NEXT = re.compile(r'rel="next" href="\?([^"]+)"')
PREVIOUS = re.compile(r'rel="prev" href="\?([^"]+)"')


def _world(cast: Cast, rows: int = ROWS) -> list[Request]:
    """``rows`` requests in all four runs of the queue (overdue or not × urgent or not),
    most of them sharing a deadline with others (the id breaks the tie), plus one closed
    request past its deadline (not overdue) and a repair among sanitation."""
    now = timezone.now()
    filed = [
        file_request(cast, cast.unit1 if n % 2 else cast.unit2, category_code="sanitation")
        for n in range(rows)
    ]
    ties = [now - dt.timedelta(hours=3), now + dt.timedelta(days=1), now + dt.timedelta(days=3)]
    for n, request in enumerate(filed):
        Request.objects.filter(pk=request.pk).update(
            urgent=n % 5 == 0, due_at=ties[n % 3] if n % 4 else now - dt.timedelta(hours=n)
        )
    Request.objects.filter(pk=filed[-1].pk).update(status=Status.CLOSED)
    return filed


def _ids(page: str) -> list[int]:
    return [int(pk) for pk in ROW_LINK.findall(page)]


def _link(pattern: re.Pattern[str], page: str) -> str | None:
    found = pattern.search(page)
    return html.unescape(found.group(1)) if found else None


def _nav(page: str) -> str:
    found = re.search(r'<nav class="pagination".*?</nav>', page, re.S)
    return found.group(0) if found else ""


def _expected(cast: Cast, filters: QueueFilters) -> list[int]:
    now = timezone.now()
    return [
        r.pk for r in OverdueFirst(request_queue(user=cast.staff, filters=filters, now=now), now)
    ]


def test_the_queue_page_walks_forwards_and_back_by_links_keeping_the_filters(
    cast: Cast, client_for: Any, settings: Any
) -> None:
    settings.LINLI_PAGE_SIZE = PAGE
    _world(cast)
    file_request(cast, text="这件不是环境卫生", category_code="repair")
    sanitation = category("sanitation")
    filters = {"category": str(sanitation.pk)}
    expected = _expected(cast, QueueFilters(category=sanitation))
    assert len(expected) == ROWS
    now = timezone.now()
    queue = OverdueFirst(request_queue(user=cast.staff, filters=QueueFilters(), now=now), now)
    runs = {(queue.key_of(r).overdue, r.urgent) for r in queue}
    assert runs == {(True, True), (True, False), (False, True), (False, False)}
    client = client_for("staff")

    page = client.get("/requests/", filters).content.decode()
    pages = [page]
    while (following := _link(NEXT, page)) is not None:
        assert following.startswith(f"category={sanitation.pk}&cursor=")  # the filter kept
        page = client.get(f"/requests/?{following}").content.decode()
        pages.append(page)
    walked = [pk for p in pages for pk in _ids(p)]
    assert walked == expected  # every row once, in the queue's order
    assert len(pages) == -(-ROWS // PAGE) == 9
    assert "第 1 / 9 页,共 60 条" in pages[0]
    assert "第 9 / 9 页,共 60 条" in pages[-1]
    assert all(len(_ids(p)) == PAGE for p in pages[:-1])
    assert "这件不是环境卫生" not in "".join(pages)
    assert _link(PREVIOUS, pages[0]) is None
    assert '<nav class="pagination" aria-label="分页">' in pages[0]
    assert "首页" in _nav(pages[2])
    assert "首页" not in _nav(pages[1])

    # Back from the last page by 上一页: the same pages, in reverse.
    back = [page]
    while (preceding := _link(PREVIOUS, page)) is not None:
        assert preceding.startswith(f"category={sanitation.pk}&cursor=")
        page = client.get(f"/requests/?{preceding}").content.decode()
        back.append(page)
    assert [_ids(p) for p in back] == [_ids(p) for p in reversed(pages)]
    assert f"第 {len(pages) - 1} / 9 页" in back[1]
    assert _link(PREVIOUS, back[-1]) is None


def test_a_deep_page_is_read_as_the_first_is_without_offset(
    cast: Cast, client_for: Any, settings: Any
) -> None:
    settings.LINLI_PAGE_SIZE = PAGE
    _world(cast)
    client = client_for("staff")
    page = client.get("/requests/").content.decode()
    with CaptureQueriesContext(connection) as first:
        client.get("/requests/")
    for _ in range(6):
        following = _link(NEXT, page)
        assert following is not None
        with CaptureQueriesContext(connection) as deep:
            page = client.get(f"/requests/?{following}").content.decode()
    queue_reads = [q["sql"] for q in deep.captured_queries if 'FROM "requests_request"' in q["sql"]]
    assert queue_reads
    assert not [sql for sql in queue_reads if "OFFSET" in sql]
    assert len(deep.captured_queries) <= len(first.captured_queries) + 3
    assert "第 7 / 9 页" in page


def test_rows_filed_between_page_loads_neither_repeat_nor_hide_the_others(
    cast: Cast, client: Client
) -> None:
    """Walking by cursor while new requests arrive (some sorting before the walk's place,
    some after): every row that was there at the start is read exactly once, and no row
    twice."""
    _world(cast, rows=30)
    _token, secret = api_token_create(user=cast.staff)
    bearer = f"Bearer {secret}"
    at_start = set(Request.objects.values_list("pk", flat=True))
    answer = client.get("/api/v1/requests", {"page_size": 4}, HTTP_AUTHORIZATION=bearer).json()
    seen = [item["id"] for item in answer["items"]]
    added: list[int] = []
    while answer["next"]:
        # One that sorts first (urgent and overdue), one that sorts last.
        early = file_request(cast, urgent=True)
        Request.objects.filter(pk=early.pk).update(due_at=timezone.now() - dt.timedelta(days=9))
        added += [early.pk, file_request(cast).pk]
        answer = client.get(
            "/api/v1/requests",
            {"page_size": 4, "cursor": answer["next"]},
            HTTP_AUTHORIZATION=bearer,
        ).json()
        seen += [item["id"] for item in answer["items"]]
    assert len(seen) == len(set(seen))
    assert at_start <= set(seen)
    assert set(seen) - at_start <= set(added)


@pytest.mark.parametrize(
    "value",
    ["x", "", "a\x00b", "99999999999999999999", "W10:1abc:xyz", "<script>alert(1)</script>"],
)
def test_a_broken_page_link_gives_the_first_page_not_an_error(
    cast: Cast, client_for: Any, settings: Any, value: str
) -> None:
    settings.LINLI_PAGE_SIZE = PAGE
    filed = _world(cast, rows=10)
    response = client_for("staff").get("/requests/", {"cursor": value, "page": 25000})
    page = response.content.decode()
    assert response.status_code == 200
    assert "翻页链接已失效" in page
    assert len(_ids(page)) == PAGE
    assert set(_ids(page)) <= {r.pk for r in filed}
    assert _link(PREVIOUS, page) is None


def test_a_page_link_used_with_other_filters_or_after_an_hour_starts_again(
    cast: Cast, client_for: Any, settings: Any
) -> None:
    settings.LINLI_PAGE_SIZE = PAGE
    _world(cast, rows=20)
    client = client_for("staff")
    following = _link(NEXT, client.get("/requests/", {"status": "open"}).content.decode())
    assert following is not None
    cursor = unquote(following.split("cursor=", 1)[1])
    second = client.get("/requests/", {"status": "open", "cursor": cursor}).content.decode()
    assert "第 2 / 3 页" in second
    assert "翻页链接已失效" not in second
    mismatched = client.get("/requests/", {"status": "submitted", "cursor": cursor})
    assert mismatched.status_code == 200
    assert "翻页链接已失效" in mismatched.content.decode()
    assert _link(PREVIOUS, mismatched.content.decode()) is None
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, minutes=5)):
        client = client_for("staff")  # the session has timed out too
        expired = client.get("/requests/", {"status": "open", "cursor": cursor})
    assert "翻页链接已失效" in expired.content.decode()
    # The API's own cursors are not page links, and a page link is not an API cursor.
    _token, secret = api_token_create(user=cast.staff)
    answer = client.get(
        "/api/v1/requests", {"cursor": cursor}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert answer.status_code == 422


def test_an_api_cursor_remembers_its_filters(cast: Cast, client: Client) -> None:
    _world(cast, rows=12)
    _token, secret = api_token_create(user=cast.staff)
    bearer = f"Bearer {secret}"
    first = client.get(
        "/api/v1/requests", {"status": "open", "page_size": "3"}, HTTP_AUTHORIZATION=bearer
    ).json()
    assert first["next"]
    # The same filters (page_size may change): the next page.
    same = client.get(
        "/api/v1/requests",
        {"status": "open", "page_size": 5, "cursor": first["next"]},
        HTTP_AUTHORIZATION=bearer,
    )
    assert same.status_code == 200
    assert len(same.json()["items"]) == 5
    for other in [{}, {"status": "closed"}, {"status": "open", "overdue": "true"}]:
        response = client.get(
            "/api/v1/requests", {**other, "cursor": first["next"]}, HTTP_AUTHORIZATION=bearer
        )
        assert response.status_code == 422, other
        assert "另一组筛选条件" in response.json()["errors"]["cursor"][0]


def test_a_cursor_is_checked_before_it_is_used() -> None:
    began = timezone.now()
    made = Cursor(began, [True, False, began.isoformat(), 7], "f1", page=3).dumps(salt="s")
    assert cursor_loads(made, salt="s", filters="f1").page == 3
    with pytest.raises(CursorFiltersMismatch):
        cursor_loads(made, salt="s", filters="f2")
    for broken in [made[:-3], made.replace(":", ";"), "", "abc"]:
        with pytest.raises(InvalidCursor):
            cursor_loads(broken, salt="s", filters="f1")
    with pytest.raises(InvalidCursor):
        cursor_loads(made, salt="another list", filters="f1")
    naive = Cursor(began.replace(tzinfo=None), [], "f1").dumps(salt="s")
    with pytest.raises(InvalidCursor):
        cursor_loads(naive, salt="s", filters="f1")
    bad_page = Cursor(began, [], "f1", page=0).dumps(salt="s")
    with pytest.raises(InvalidCursor):
        cursor_loads(bad_page, salt="s", filters="f1")


def test_the_queue_reads_backwards_what_it_reads_forwards(cast: Cast) -> None:
    _world(cast, rows=25)
    now = timezone.now()
    queue = OverdueFirst(request_queue(user=cast.staff, filters=QueueFilters(), now=now), now)
    order = [r.pk for r in queue]
    rows = list(queue)
    for at in (1, 5, 12, len(rows) - 1):
        key = queue.key_of(rows[at])
        assert [r.pk for r in queue.before(key, 4)] == order[max(0, at - 4) : at]
        assert [r.pk for r in queue.after(key, 4)] == order[at + 1 : at + 5]
    assert OverdueFirst.load_key(OverdueFirst.dump_key(queue.key_of(rows[3]))) == queue.key_of(
        rows[3]
    )


def test_a_next_link_past_rows_that_went_away_shows_the_last_page(
    cast: Cast, client_for: Any, settings: Any
) -> None:
    settings.LINLI_PAGE_SIZE = PAGE
    _world(cast, rows=20)  # 19 open: pages of 7, 7 and 5
    client = client_for("staff")
    first = client.get("/requests/", {"status": "open"}).content.decode()
    to_second = _link(NEXT, first)
    assert to_second is not None
    second = client.get(f"/requests/?{to_second}").content.decode()
    to_third = _link(NEXT, second)
    assert to_third is not None
    third_rows = _ids(client.get(f"/requests/?{to_third}").content.decode())
    assert len(third_rows) == 5
    Request.objects.filter(pk__in=third_rows).update(status=Status.CLOSED)
    # The third page is gone: the link gives the rows before its place, and no 下一页.
    page = client.get(f"/requests/?{to_third}").content.decode()
    assert len(_ids(page)) == PAGE
    assert set(_ids(page)) <= set(_ids(first)) | set(_ids(second))
    assert _link(NEXT, page) is None
    assert _link(PREVIOUS, page) is not None
    assert "翻页链接已失效" not in page
