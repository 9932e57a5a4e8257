"""The first journeys through the demo world, in Chromium, on a desktop and on a phone.

Every demo role logs in and finds its own part of 阳泉曲社区 on the home page; a grid
worker looks up 王大娘 on a phone and reveals her phone number; staff see the
community's eight grids; a wrong password is answered in Chinese. Each page is saved
as a screenshot under ``var/screenshots/`` and, on the phone, must not scroll sideways.

The journeys only read the world (a login, a look at a phone number), so the module
builds the (small) demo world once and serves it with a live server of its own
(``serve_once`` in ``tests/browser/conftest.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from linli.areas.models import Area
from linli.core.models import AuditEvent
from linli.demo.world import DEMO_PASSWORD, World, build_world
from linli.people.models import Household, Resident
from tests.browser.conftest import serve_once
from tests.browser.support import Shot, assert_fits

pytestmark = [pytest.mark.browser]

ALL_GRIDS = [f"第{n}网格" for n in range(1, 9)]


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest) -> Iterator[tuple[World, LiveServer]]:
    yield from serve_once(request, lambda: build_world(scale=0.3))


@pytest.fixture
def world(served: tuple[World, LiveServer]) -> World:
    return served[0]


@pytest.fixture
def server(served: tuple[World, LiveServer]) -> LiveServer:
    return served[1]


def log_in(page: Page, server: LiveServer, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def counts_under(building: Area) -> tuple[int, int]:
    households = Household.objects.filter(unit__path__startswith=building.path).count()
    residents = Resident.objects.filter(household__unit__path__startswith=building.path).count()
    return households, residents


# --- a. every demo role lands on its own home page -----------------------------------------


@dataclass(frozen=True)
class HomeExpectation:
    sees: list[str]
    not_sees: list[str] = field(default_factory=list)
    # (compound, building number) whose household and resident counts the page must show
    buildings: list[tuple[str, int]] = field(default_factory=list)
    grid_rows: list[str] = field(default_factory=list)


HOMES: dict[str, HomeExpectation] = {
    "chenzhongping": HomeExpectation(
        sees=["陈中平,您好", "网格员", "我的网格", "第1网格", "覆盖楼栋"],
        not_sees=["向阳花园4号楼", "我负责的区域", "管理后台"],
        buildings=[("向阳花园", 1), ("向阳花园", 2), ("向阳花园", 3)],
    ),
    "gridworker2": HomeExpectation(
        sees=["李晓燕,您好", "我的网格", "第2网格"],
        not_sees=["第1网格", "向阳花园1号楼", "向阳花园2号楼", "向阳花园3号楼", "管理后台"],
        buildings=[("向阳花园", 4), ("向阳花园", 5), ("向阳花园", 6)],
    ),
    "resident": HomeExpectation(
        sees=["郭玉梅,您好", "我的家", "向阳花园3号楼2单元502室", "任国华", "任梓萱", "配偶"],
        not_sees=["我的网格", "我负责的区域", "管理后台"],
    ),
    "staff": HomeExpectation(
        sees=["刘晓红,您好", "社区工作者", "我负责的区域", "登记居民"],
        not_sees=["我的网格", "管理后台"],
        grid_rows=ALL_GRIDS,
    ),
    # The grids of the compound in 霍建平's charge: see test_cadre_sees_the_grids_of_her_compound.
    "cadre": HomeExpectation(
        sees=["霍建平,您好", "包片领导", "向阳花园", "我负责的区域", "登记居民"],
        not_sees=["我的网格", "管理后台"],
    ),
    "leader": HomeExpectation(
        sees=["阎志刚,您好", "镇党委副书记", "我负责的区域"],
        not_sees=["我的网格", "管理后台"],
        grid_rows=ALL_GRIDS,
    ),
    # The superuser sees every community, 文水县's too.
    "admin": HomeExpectation(
        sees=["系统管理员,您好", "我负责的区域", "管理后台", "韩村社区", "堡子社区"],
        grid_rows=ALL_GRIDS,
    ),
    "volunteer": HomeExpectation(
        # The care history assigns 王大娘 to the demo volunteer, due for a visit now.
        sees=["白晓东,您好", "志愿服务", "我的关爱走访", "王大娘", "记录走访"],
        not_sees=["我的网格", "我负责的区域", "管理后台"],
    ),
}


def check_home(page: Page, world: World, username: str, expected: HomeExpectation) -> None:
    main = page.locator("main")
    for text in expected.sees:
        expect(page.get_by_text(text, exact=False).first, username).to_be_visible()
    for text in expected.not_sees:
        expect(main.get_by_text(text, exact=False), username).to_have_count(0)
    for compound, number in expected.buildings:
        building = world.buildings[(compound, number)]
        households, residents = counts_under(building)
        assert households > 0, building
        item = main.locator(".building-list li", has_text=f"{compound}{number}号楼")
        expect(item, username).to_have_count(1)
        expect(item, username).to_contain_text(f"{households} 户 · {residents} 人")
    if expected.grid_rows:
        rows = main.locator("table.list tbody tr", has_text="阳泉曲社区")
        for name in expected.grid_rows:
            expect(rows.filter(has_text=name), f"{username}: {name}").to_have_count(1)
        expect(rows, username).to_have_count(len(expected.grid_rows))


def test_each_role_lands_on_its_own_home(
    world: World,
    server: LiveServer,
    desktop: Page,
    phone: Page,
    screenshot: Shot,
) -> None:
    for username, expected in HOMES.items():
        for page, device in ((desktop, "desktop"), (phone, "phone")):
            page.context.clear_cookies()
            log_in(page, server, username)
            expect(page, username).to_have_url(f"{server.url}/")
            screenshot(page, f"home-{username}-{device}")
            check_home(page, world, username, expected)
            if device == "phone":
                assert_fits(page)

    # The resident's household lists exactly her family, head first.
    phone.context.clear_cookies()
    log_in(phone, server, "resident")
    members = phone.locator("main section", has_text="我的家").locator("table.list tbody tr")
    names = [text.split()[0] for text in members.locator("td.primary").all_inner_texts()]
    assert names == ["郭玉梅", "任国华", "任梓萱"]


def test_cadre_sees_the_grids_of_her_compound(
    world: World, server: LiveServer, desktop: Page
) -> None:
    log_in(desktop, server, "cadre")
    rows = desktop.locator("main table.list tbody tr")
    for name in ("第1网格", "第2网格", "第3网格"):
        expect(rows.filter(has_text=name), name).to_have_count(1, timeout=1000)
    expect(rows).to_have_count(3, timeout=1000)


# --- b. a grid worker finds 王大娘 on a phone and reveals her phone number -----------------


def test_grid_worker_reveals_a_phone_number_on_a_phone(
    world: World, server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    wang = world.residents["wang"]
    log_in(phone, server, "chenzhongping")

    phone.get_by_role("link", name="居民", exact=True).click()
    expect(phone.get_by_role("heading", name="居民")).to_be_visible()
    assert_fits(phone)
    screenshot(phone, "residents-chenzhongping-phone")

    phone.get_by_label("搜索").fill("王大娘")
    phone.get_by_role("button", name="查询").click()
    results = phone.locator("#results table.list tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("王秀兰")
    expect(results.first).to_contain_text("向阳花园2号楼1单元101室")
    assert "q=" in phone.url  # hx-push-url keeps the search in the address bar
    assert_fits(phone)
    screenshot(phone, "residents-search-wang-phone")

    results.first.get_by_role("link", name="王秀兰").click()
    expect(phone.get_by_role("heading", name=re.compile("王秀兰"))).to_be_visible()
    phone_number = phone.locator("#phone")
    masked = wang.phone[:3] + "****" + wang.phone[-4:]
    expect(phone_number).to_contain_text(masked)
    expect(phone_number).not_to_contain_text(wang.phone)
    assert_fits(phone)
    screenshot(phone, "resident-wang-masked-phone")

    phone_number.get_by_role("button", name="查看").tap()
    expect(phone_number).to_have_text(wang.phone)
    # The look is on the record, and only the phone number was revealed.
    reveals = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL, object_id=str(wang.pk))
    assert [e.actor_id for e in reveals] == [world.users["chenzhongping"].pk]
    expect(phone.locator("#id-number")).not_to_contain_text(wang.id_number)
    assert_fits(phone)
    screenshot(phone, "resident-wang-revealed-phone")


# --- c. staff see the community's eight grids ----------------------------------------------


def test_staff_see_the_eight_grids_of_the_community(
    world: World,
    server: LiveServer,
    desktop: Page,
    phone: Page,
    screenshot: Shot,
) -> None:
    for page, device in ((desktop, "desktop"), (phone, "phone")):
        log_in(page, server, "staff")
        page.get_by_role("navigation", name="主导航").get_by_role(
            "link", name="网格", exact=True
        ).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("阳泉曲社区")
        cards = page.locator(".grid-cards > .card")
        expect(cards).to_have_count(8)
        for grid in world.grids.values():
            card = cards.filter(has=page.get_by_role("heading", name=re.compile(grid.name)))
            expect(card).to_have_count(1)
            expect(card).to_contain_text(grid.code)
            for (compound, b), building in world.buildings.items():
                if building.grid_id == grid.pk:
                    expect(card.locator(".building-list")).to_contain_text(f"{compound}{b}号楼")
        expect(cards.filter(has_text="第1网格")).to_contain_text("陈中平")
        if device == "phone":
            assert_fits(page)
        screenshot(page, f"grids-staff-{device}")


# --- d. a wrong password is answered in Chinese -------------------------------------------


def test_wrong_password_shows_a_chinese_error(
    server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    log_in(phone, server, "chenzhongping", password="wrong-password")
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    expect(phone.get_by_text("用户名或密码不正确,请重新输入。注意密码区分大小写。")).to_be_visible()
    expect(phone.get_by_label("用户名")).to_have_value("chenzhongping")
    expect(phone.get_by_role("link", name="首页")).to_have_count(0)
    assert_fits(phone)
    screenshot(phone, "login-wrong-password-phone")

    # The right password then gets in.
    phone.get_by_label("密码").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="登录").click()
    expect(phone).to_have_url(f"{server.url}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("陈中平,您好")


def test_login_page_on_a_phone_before_anyone_logs_in(
    server: LiveServer, phone: Page, screenshot: Shot
) -> None:
    phone.goto(f"{server.url}/")
    expect(phone).to_have_url(re.compile(r"/accounts/login/\?next=/"))
    expect(phone.get_by_role("heading", name="登录")).to_be_visible()
    assert_fits(phone)
    screenshot(phone, "login-phone")
