"""Restart an app server under a stream of requests; what do nginx's clients see? (issue 19)

    uv run python deploy/topology.py up
    uv run python bench/restart_check.py                            # app1 as topology starts it
    LINLI_TOPOLOGY_PRELOAD=0 uv run python bench/restart_check.py   # app1 without preloading

A few clients (``--clients``, each logged in as a resident of the world) ask nginx for
我的诉求 (read from the replica), the filing form and ``/healthz`` without pause but a short
think time. After ``--kill-at`` seconds app1 is killed (SIGKILL to its process group), and
started again ``--down`` seconds later. Meanwhile its port is polled: when it first accepts
a connection and when its ``/healthz`` first answers 200. The run goes on ``--after``
seconds past that, longer than nginx's ``fail_timeout`` (10 s), so app1 is given requests
again. Then nginx's access log (format ``timed``: the servers tried, the connect time, the
wait for the answer's header) shows every request app1 got after its restart.

Passes (exit 0) when every request was answered 200, app1 served requests again after the
restart, and none of them waited longer than ``--max-wait`` seconds for its answer's
header — what a request sent to a server whose workers are still loading Django does.
Only GETs: that a POST is never sent twice is ``bench/load_test.py``'s check. Not part of CI.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "deploy"))
import topology

PAGES = ["/requests/mine/", "/requests/report/", "/healthz"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
APP1 = f"127.0.0.1:{topology.APP_PORTS['app1']}"


@dataclass
class Answer:
    started: float  # time.time()
    seconds: float
    path: str
    status: int  # 0: no answer (the exception in error)
    error: str = ""


@dataclass
class Logged:
    """One line of nginx's ``timed`` access log."""

    started: float
    status: int
    uri: str
    servers: list[str]
    statuses: list[str]
    header_seconds: float | None  # of the server that answered


def resident_username() -> str:
    if topology.world().get("world") == "scale":
        accounts = json.loads((topology.STATE / "accounts.json").read_text(encoding="utf-8"))
        return str(accounts["residents"][0])
    return "resident"


def logged_in(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=60)
    token = CSRF.search(page.text)
    answer = session.post(
        f"{base}/accounts/login/",
        {
            "username": resident_username(),
            "password": topology.load_password(),
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302 or "/accounts/login/" in answer.headers.get("Location", ""):
        raise SystemExit(f"login of {resident_username()} refused ({answer.status_code})")
    return session


def client(base: str, stop: threading.Event, answers: list[Answer], think: float) -> None:
    session = logged_in(base)
    turn = 0
    while not stop.is_set():
        path = PAGES[turn % len(PAGES)]
        turn += 1
        started = time.time()
        try:
            response = session.get(f"{base}{path}", timeout=120, allow_redirects=False)
            answers.append(Answer(started, time.time() - started, path, response.status_code))
        except requests.RequestException as exc:
            answers.append(Answer(started, time.time() - started, path, 0, repr(exc)))
        stop.wait(think)


def first_accept(port: int, since: float, stop: threading.Event, out: list[float]) -> None:
    """The seconds from ``since`` until the port first accepts a connection."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                out.append(time.time() - since)
                return
        except OSError:
            time.sleep(0.05)


def seconds_or_none(value: str) -> float | None:
    last = value.split(", ")[-1].split(" : ")[-1]
    return None if last in {"-", ""} else float(last)


def read_log(since: float) -> list[Logged]:
    lines = (topology.STATE / "nginx" / "logs" / "access.log").read_text().splitlines()
    logged = []
    for line in lines:
        fields = line.split("|")
        if len(fields) != 9:
            continue  # a line from before the `timed` format
        msec, status, _method, uri, servers, statuses, _connect, header, total = fields
        started = float(msec) - float(total)
        if started < since:
            continue
        logged.append(
            Logged(
                started=started,
                status=int(status),
                uri=uri,
                servers=servers.split(", "),
                statuses=statuses.split(", "),
                header_seconds=seconds_or_none(header),
            )
        )
    return logged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--think", type=float, default=0.1, help="seconds between requests")
    parser.add_argument("--kill-at", type=float, default=5)
    parser.add_argument("--down", type=float, default=5, help="seconds app1 stays down")
    parser.add_argument("--after", type=float, default=25, help="seconds after app1 is ready")
    parser.add_argument("--max-wait", type=float, default=2.0)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{topology.NGINX_PORT}"
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(
        f"world {topology.world()}; app servers preloaded: {topology.PRELOAD}; "
        f"{args.clients} clients; load average {load_before}",
        flush=True,
    )

    stop = threading.Event()
    answers: list[Answer] = []
    t0 = time.time()
    clients = [
        threading.Thread(target=client, args=(base, stop, answers, args.think), daemon=True)
        for _ in range(args.clients)
    ]
    for thread in clients:
        thread.start()
    time.sleep(args.kill_at)
    print(f"[{time.time() - t0:5.1f} s] kill app1", flush=True)
    topology.kill("app1")
    time.sleep(args.down)
    restarted = time.time()
    print(f"[{restarted - t0:5.1f} s] start app1", flush=True)
    accepted: list[float] = []
    watcher = threading.Thread(
        target=first_accept,
        args=(topology.APP_PORTS["app1"], restarted, stop, accepted),
        daemon=True,
    )
    watcher.start()
    topology.start("app1")
    ready = topology.wait_ready("app1")
    watcher.join(timeout=5)
    print(
        f"[{time.time() - t0:5.1f} s] app1 accepts connections {accepted[0]:.1f} s after its "
        f"start, /healthz answers 200 after {ready:.1f} s",
        flush=True,
    )
    time.sleep(args.after)
    stop.set()
    for thread in clients:
        thread.join(timeout=130)
    time.sleep(0.5)  # nginx writes its log line after the answer

    # --- what the clients saw ----------------------------------------------------------------
    statuses = Counter(a.status for a in answers)
    failed = [a for a in answers if a.status != 200]
    seconds = sorted(a.seconds for a in answers)
    after = [a for a in answers if a.started >= restarted]
    print(
        f"\n{len(answers)} requests in {time.time() - t0:.0f} s, statuses "
        f"{dict(sorted(statuses.items()))}; p50 {statistics.median(seconds) * 1000:.0f} ms, "
        f"max {seconds[-1] * 1000:.0f} ms; since app1's start: {len(after)} requests, "
        f"max {max(a.seconds for a in after) * 1000:.0f} ms"
    )
    for answer in failed[:10]:
        when = answer.started - t0
        print(f"  failed: +{when:.1f} s {answer.path} {answer.status} {answer.error}")

    # --- what nginx did with them -------------------------------------------------------------
    logged = [entry for entry in read_log(t0) if entry.uri in PAGES]
    passed_on = [entry for entry in logged if len(entry.servers) > 1]
    to_app1 = [
        entry for entry in logged if entry.started >= restarted and entry.servers[-1] == APP1
    ]
    waits = [entry.header_seconds for entry in to_app1 if entry.header_seconds is not None]
    waited = [w for w in waits if w > args.max_wait]
    print(
        f"nginx: {len(logged)} requests logged, {len(passed_on)} passed on to the other "
        f"server ({Counter(', '.join(e.statuses) for e in passed_on)})"
    )
    if to_app1:
        first = ", ".join(
            f"+{e.started - restarted:.1f} s {e.header_seconds}"
            for e in sorted(to_app1, key=lambda e: e.started)[:5]
        )
        print(
            f"app1 since its start: {len(to_app1)} requests answered, wait for the header "
            f"p50 {statistics.median(waits) * 1000:.0f} ms, max {max(waits) * 1000:.0f} ms; "
            f"{len(waited)} waited over {args.max_wait:.1f} s; the first: {first}"
        )
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"load average at the end: {load}")
    ok = not failed and bool(to_app1) and not waited
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
