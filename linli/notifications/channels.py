"""Pluggable delivery channels beyond the in-app list (SMS, WeChat work, …).

A channel is a callable taking a Notification; ``LINLI_NOTIFICATION_CHANNELS`` lists
dotted paths. The default logs, so a deployment sees what would be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from linli.notifications.models import Notification

logger = logging.getLogger("linli.notifications")

Channel = Callable[[Notification], None]


def log_channel(notification: Notification) -> None:
    logger.info("notify %s: %s", notification.user_id, notification.text)


@cache
def configured_channels() -> tuple[Channel, ...]:
    paths: list[str] = getattr(
        settings, "LINLI_NOTIFICATION_CHANNELS", ["linli.notifications.channels.log_channel"]
    )
    return tuple(import_string(path) for path in paths)
