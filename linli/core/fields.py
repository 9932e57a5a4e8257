from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from linli.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column whose value is stored encrypted (see ``linli.core.crypto``).

    The Python value is the plain text; the database only ever sees the ciphertext.
    Empty strings stay empty so that "not given" needs no decryption.
    """

    description = "Text encrypted at rest"

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
