"""Real users' journeys against a running Linli (issue 19): `bench/load_test.py` drives it.

- A resident opens 我要反映, files a request whose text carries a unique marker, follows
  the redirect to it and opens 我的诉求.
- A grid worker opens the task list, starts the first assigned task (开始处理) or resolves
  one in progress (办结), and opens a task.
- A community's staff member opens the dispatch queue and a request in it.
- A leader opens the dashboard and its trend chart.

Every filing attempt is written to ``LINLI_LOAD_LEDGER`` (one JSON line: marker, outcome), so
the runner can check afterwards that each filed request exists exactly once.

Accounts: on the demo world the demo's (password ``Linli@2026``, ``linli demo``); on a
generated world the file ``LINLI_LOAD_ACCOUNTS`` (``linli scale accounts``: usernames by
journey, people of 40 grids spread over the world) with the password
``LINLI_LOAD_PASSWORD``. Each simulated person takes the next account of its journey in
turn, so 16 people are 16 different accounts in different grids, communities and towns.
A login that is refused counts as a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LINLI_LOAD_PASSWORD", "Linli@2026")
LEDGER = os.environ.get("LINLI_LOAD_LEDGER", "/tmp/linli-load-ledger.jsonl")
# The demo world's accounts that can log in (gridworker3 and 4 cannot: linli/demo/world.py).
DEMO_ACCOUNTS = {
    "residents": ["resident"],
    "grid_workers": ["chenzhongping", "gridworker2"],
    "staff": ["staff"],
    "leaders": ["leader"],
}
_accounts_file = os.environ.get("LINLI_LOAD_ACCOUNTS")
ACCOUNTS: dict[str, list[str]] = (
    json.loads(Path(_accounts_file).read_text(encoding="utf-8"))
    if _accounts_file
    else DEMO_ACCOUNTS
)
_turns = {journey: itertools.count() for journey in ACCOUNTS}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
START = re.compile(
    r'action="(/requests/(\d+)/transition/)"[^>]*>\s*'
    r'<input[^>]*name="csrfmiddlewaretoken" value="([^"]+)">\s*'
    r'<input type="hidden" name="to" value="in_progress">'
)
RESOLVE = re.compile(r'action="(/requests/(\d+)/transition/)" enctype="multipart/form-data"')
TASK_LINK = re.compile(r'href="(/requests/\d+/)"')
CHART = re.compile(r'src="(/dashboard/[^"]+/chart/[^"]+\.png[^"]*)"')
_ledger_lock = threading.Lock()


def record(marker: str, outcome: str) -> None:
    with _ledger_lock, open(LEDGER, "a", encoding="utf-8") as ledger:
        ledger.write(json.dumps({"marker": marker, "outcome": outcome}) + "\n")


class Journey(HttpUser):
    abstract = True
    journey = ""  # a key of ACCOUNTS
    username = ""

    def on_start(self) -> None:
        usernames = ACCOUNTS[self.journey]
        self.username = usernames[next(_turns[self.journey]) % len(usernames)]
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = CSRF.search(page.text)
        with self.client.post(
            "/accounts/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="/accounts/login/ (post)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 302 and "/accounts/login/" not in location:
                response.success()
            else:
                response.failure(f"login of {self.username} refused ({response.status_code})")

    def post(self, url: str, data: dict[str, Any], name: str, **kw: Any) -> Any:
        return self.client.post(
            url, data, headers={"Referer": f"{self.host}{url}"}, name=name, **kw
        )


class Resident(Journey):
    weight = 3
    wait_time = between(1, 3)
    journey = "residents"

    @task(2)
    def file_a_request(self) -> None:
        form = self.client.get("/requests/report/", name="/requests/report/")
        token = CSRF.search(form.text)
        if token is None:
            return
        marker = f"LT-{uuid.uuid4().hex[:12]}"
        outcome = "error"
        try:
            with self.client.post(
                "/requests/report/",
                {
                    "text": f"压力测试 {marker}:楼道灯不亮,晚上看不见路",
                    "place": "home",
                    "csrfmiddlewaretoken": token.group(1),
                },
                headers={"Referer": f"{self.host}/requests/report/"},
                name="/requests/report/ (file)",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code == 302 and "/requests/" in response.headers.get(
                    "Location", ""
                ):
                    outcome = "filed"
                    response.success()
                    self.client.get(response.headers["Location"], name="/requests/[id]/")
                else:
                    outcome = f"http-{response.status_code}"
                    response.failure(f"filing answered {response.status_code}")
        finally:
            record(marker, outcome)

    @task(3)
    def my_requests(self) -> None:
        self.client.get("/requests/mine/", name="/requests/mine/")


class GridWorker(Journey):
    weight = 2
    wait_time = between(1, 3)
    journey = "grid_workers"

    @task
    def work_the_task_list(self) -> None:
        tasks = self.client.get("/requests/tasks/", name="/requests/tasks/")
        if tasks.status_code != 200:
            return
        start = START.search(tasks.text)
        if start:
            with self.post(
                start.group(1),
                {"to": "in_progress", "next": "tasks", "csrfmiddlewaretoken": start.group(3)},
                name="/requests/[id]/transition/ (start)",
                catch_response=True,
            ) as response:
                # Two workers of one grid may reach for the same task: the second is refused.
                if response.status_code in {403, 409}:
                    response.success()
        else:
            resolve = RESOLVE.search(tasks.text)
            token = CSRF.search(tasks.text)
            if resolve and token:
                with self.post(
                    resolve.group(1),
                    {
                        "to": "resolved",
                        "next": "tasks",
                        "note": "已更换灯泡,楼道恢复照明。",
                        "csrfmiddlewaretoken": token.group(1),
                    },
                    name="/requests/[id]/transition/ (resolve)",
                    catch_response=True,
                ) as response:
                    if response.status_code in {403, 409}:
                        response.success()
        link = TASK_LINK.search(tasks.text)
        if link:
            self.client.get(link.group(1), name="/requests/[id]/")


class Staff(Journey):
    weight = 1
    wait_time = between(2, 5)
    journey = "staff"

    @task
    def open_the_queue(self) -> None:
        queue = self.client.get("/requests/", name="/requests/ (dispatch queue)")
        link = TASK_LINK.search(queue.text)
        if link:
            self.client.get(link.group(1), name="/requests/[id]/")


class Leader(Journey):
    weight = 1
    wait_time = between(2, 5)
    journey = "leaders"

    @task
    def open_the_dashboard(self) -> None:
        page = self.client.get("/dashboard/", name="/dashboard/ (→ place)")
        chart = CHART.search(page.text)
        if chart:
            self.client.get(chart.group(1).replace("&amp;", "&"), name="/dashboard/[place]/chart")
