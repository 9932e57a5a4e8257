"""The rate limiter: fixed windows in the cache, per identity, with the wait to report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from linli.core.throttling import Rate, over_any_limit, over_limit, parse_rate

START = dt.datetime(2030, 1, 1, 8, 0, 10, tzinfo=dt.UTC)  # 10 s into a minute


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("120/m", Rate(120, 60)),
        ("10/s", Rate(10, 1)),
        ("5/h", Rate(5, 3600)),
        ("1/d", Rate(1, 86400)),
    ],
)
def test_rates_are_read_as_count_per_period(text: str, rate: Rate) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "120", "0/m", "-1/m", "ten/m", "10/week", "10/min"])
def test_a_malformed_rate_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="120/m"):
        parse_rate(text)


def test_the_limit_counts_per_identity_and_says_how_long_to_wait(settings: Any) -> None:
    settings.LINLI_RATE_LIMITS = {**settings.LINLI_RATE_LIMITS, "filing_user": "3/m"}
    with time_machine.travel(START, tick=False) as clock:
        assert [over_limit("filing_user", "7") for _ in range(3)] == [None, None, None]
        assert over_limit("filing_user", "7") == 50  # the minute ends in 50 s
        assert over_limit("filing_user", "8") is None  # someone else
        clock.shift(49)
        assert over_limit("filing_user", "7") == 1
        clock.shift(2)  # a new minute
        assert over_limit("filing_user", "7") is None


def test_without_an_identity_nothing_is_counted(settings: Any) -> None:
    settings.LINLI_RATE_LIMITS = {**settings.LINLI_RATE_LIMITS, "filing_address": "1/m"}
    assert [over_limit("filing_address", None) for _ in range(3)] == [None, None, None]


def test_every_limit_counts_and_the_longest_wait_wins(settings: Any) -> None:
    settings.LINLI_RATE_LIMITS = {
        **settings.LINLI_RATE_LIMITS,
        "filing_user": "1/m",
        "filing_address": "1/h",
    }
    limits = [("filing_user", "7"), ("filing_address", "10.0.0.1")]
    with time_machine.travel(START, tick=False):
        assert over_any_limit(limits) is None
        assert over_any_limit(limits) == 3600 - 10
