"""Serving the demo: the development server and a Huey consumer beside it.

The consumer runs in its own session (process group), so that stopping the demo —
Ctrl+C, ``kill`` (SIGTERM), or closing the terminal (SIGHUP) — stops the consumer and
anything it started, instead of leaving it running and holding the queue. Python's
default SIGTERM handling would end the process without running ``finally`` blocks, so
SIGTERM and SIGHUP are turned into an orderly exit while the server runs.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType

from django.core.management import call_command

LOOPBACK = "127.0.0.1"
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
_GRACE_SECONDS = 10


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return address == "localhost"


def listen_message(address: str, port: int) -> str:
    host = f"[{address.strip('[]')}]" if ":" in address else address
    if is_loopback(address):
        return (
            f"只在本机监听 {host}:{port}:其他电脑无法访问。"
            f"请在本机浏览器打开 http://{host}:{port}/ ,按 Ctrl+C 停止。"
            "(要让局域网访问,用 --bind 0.0.0.0 并把本机地址加入 LINLI_ALLOWED_HOSTS。)"
        )
    return (
        f"正在监听 {host}:{port}:同一网络中的其他电脑也能打开演示站点,"
        "演示账号的密码是公开的,请勿放入真实数据。按 Ctrl+C 停止。"
    )


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the whole group, SIGKILL to what is left after a grace period."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@contextmanager
def _orderly_exit_on_stop_signals() -> Iterator[None]:
    previous = {sig: signal.signal(sig, _exit_on_signal) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def start_consumer() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "linli", "run_huey", "--workers", "2", "--flush-locks"],
        start_new_session=True,
    )


def serve(*, address: str, port: int, write: Callable[[str], None]) -> None:
    """Run the development server on ``address:port`` with a Huey consumer beside it,
    until the server stops or the process is told to stop; then stop the consumer."""
    with _orderly_exit_on_stop_signals():
        consumer = start_consumer()
        try:
            write(listen_message(address, port))
            host = f"[{address.strip('[]')}]" if ":" in address else address
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            stop_process_group(consumer)
