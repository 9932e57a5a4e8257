from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from linli.accounts.current import request_user
from tests.cast import Cast


@pytest.mark.django_db
def test_request_user_is_the_signed_in_user(cast: Cast) -> None:
    request = RequestFactory().get("/")
    request.user = cast.staff
    assert request_user(request) == cast.staff


def test_request_user_refuses_an_anonymous_request_even_without_asserts() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(TypeError):
        request_user(request)
