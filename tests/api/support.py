"""A ``TestCase`` for ``/api/v1`` writes: the shared cast and one bearer token per user are
made once per class (``setUpTestData``); each test runs in its own transaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from django.test import TestCase, override_settings

from linli.accounts.models import User
from linli.accounts.services import api_token_create, role_assign
from linli.core.roles import Role
from tests.cast import Cast, build_cast, make_user

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


class ApiCase(TestCase):
    cast: ClassVar[Cast]
    outsider: ClassVar[User]
    secrets: ClassVar[dict[int, str]]

    @classmethod
    @override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    def setUpTestData(cls) -> None:
        # (Before the per-test fixtures, so the fast hasher is set here as well.)
        cls.cast = build_cast()
        # Staff of the other community: everything of 和平社区 is outside their scope.
        cls.outsider = make_user("outsider", "赵社工")
        role_assign(actor=None, user=cls.outsider, role=Role.STAFF, area=cls.cast.other_community)
        cast = cls.cast
        users = [
            cast.staff,
            cast.worker1,
            cast.worker2,
            cast.resident_user,
            cast.volunteer_user,
            cast.leader,
            cls.outsider,
        ]
        cls.secrets = {u.pk: api_token_create(user=u)[1] for u in users}

    def raw(self, user: User, method: str, path: str, body: Any = None) -> Response:
        """One request with ``user``'s token, its response as it came (a file, say)."""
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.secrets[user.pk]}"}
        if method == "get":
            return self.client.get(path, body or {}, **headers)  # type: ignore[arg-type]
        return self.client.post(
            path,
            json.dumps(body or {}),
            content_type="application/json",
            **headers,  # type: ignore[arg-type]
        )

    def call(self, user: User, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """``(status, JSON body or None)`` of one request with ``user``'s token."""
        response = self.raw(user, method, path, body)
        return response.status_code, (response.json() if response.content else None)

    def get(self, user: User, path: str, **params: Any) -> tuple[int, Any]:
        return self.call(user, "get", path, params)

    def post(self, user: User, path: str, body: Any = None) -> tuple[int, Any]:
        return self.call(user, "post", path, body)
