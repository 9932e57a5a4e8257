"""Run test code in threads of its own, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_in_threads(*targets: Callable[[], object], timeout: float = 30) -> list[BaseException]:
    """Start every target in its own thread, wait for all, and return what they raised.

    Each thread closes its own database connection when done (Django opens one per thread;
    left open, it would keep the test database from being dropped). A thread still running
    after ``timeout`` seconds fails the test: a hung thread is a deadlock, not a pass."""
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(target: Callable[[], object]) -> None:
        try:
            target()
        except BaseException as error:  # returned to the test, which asserts on it
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return errors
