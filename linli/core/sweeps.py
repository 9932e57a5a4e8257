"""Periodic sweeps: one short transaction per item, never one over the whole sweep.

A sweep (escalating overdue requests, raising warnings and care alerts) may touch
thousands of rows. Each change it makes is audited, and appending to the audit chain
locks the chain's head until the transaction commits (:mod:`linli.core.audit`). One
transaction around the whole sweep therefore held that lock from the first item to the
last, and every login, filing and transition in the meantime waited behind it: at 3 M
residents they waited a minute and were answered 504 (docs/scaling.md). Here each item
commits on its own, so the head is held for one item's few milliseconds.

The handler re-reads and locks its row inside the item's transaction — through the same
privacy filter (``processable``) as the list — and checks that the item still needs
doing: the list was read before, without locks, and someone may have acted on it since
(visited the person, closed the warning, anonymised the resident). A failing item is
logged, by its ``key`` only (never its text: logs are not anonymised), and does not stop
the others; the first error is raised again at the end, so the task shows as failed (the
next periodic run tries the item again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def sweep(
    items: Iterable[T],
    handle: Callable[[T], R],
    *,
    name: str,
    key: Callable[[T], object] | None = None,
) -> list[R]:
    """Call ``handle`` on each item in a transaction of its own; the results, in order, of
    the items that did not fail. ``key`` names an item in the log (default: the item
    itself, meant for ids)."""
    results: list[R] = []
    first_error: Exception | None = None
    failed = 0
    for item in items:
        try:
            with transaction.atomic():
                results.append(handle(item))
        except Exception as error:
            failed += 1
            first_error = first_error or error
            logger.exception(
                "sweep %s: item %s failed; going on with the others",
                name,
                key(item) if key is not None else item,
            )
    if first_error is not None:
        logger.error("sweep %s: %d item(s) failed, %d done", name, failed, len(results))
        raise first_error
    return results
