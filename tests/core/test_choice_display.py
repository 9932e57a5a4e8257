"""``choice_display``: a model's ``get_<field>_display`` reading one label, the same as
Django's own in every language."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import translation

from linli.requests.models import Channel, Request
from linli.requests.workflow import Status


def _django_display(request: Request, field: str) -> object:
    """Django's own ``get_<field>_display`` (the oracle)."""
    return models.Model._get_FIELD_display(request, Request._meta.get_field(field))  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_status_and_channel_reads_as_django_reads_it(language: str) -> None:
    with translation.override(language):
        for status in Status:
            request = Request(status=status.value)
            assert request.get_status_display() == _django_display(request, "status")
        for channel in Channel:
            request = Request(channel=channel.value)
            assert request.get_channel_display() == _django_display(request, "channel")


def test_the_label_follows_the_language_of_the_moment() -> None:
    request = Request(status=Status.SUBMITTED, channel=Channel.PHONE)
    with translation.override("zh-hans"):
        assert (request.get_status_display(), request.get_channel_display()) == ("待受理", "电话")
    with translation.override("en"):
        chinese = {"待受理", "电话"}
        assert request.get_status_display() not in chinese
        assert request.get_channel_display() not in chinese


def test_a_value_that_is_not_a_choice_comes_back_as_it_is() -> None:
    request = Request(status="no-such-status", channel="")
    assert request.get_status_display() == "no-such-status" == _django_display(request, "status")
    assert request.get_channel_display() == "" == _django_display(request, "channel")
