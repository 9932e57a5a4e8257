"""Schemas every ``/api/v1`` router shares. One class per name: the OpenAPI document has
one namespace of component schemas, so two routers defining their own ``ErrorOut`` would
silently replace each other's (``tests/core/test_api_schema_names.py`` guards this)."""

from typing import Annotated

from ninja import Field, Schema

from linli.core.numbers import MAX_ID

# A record's number as a client sends it in a body: a database key is a positive 64-bit
# integer, and a larger number would overflow the lookup (a 500) instead of finding nothing.
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorOut(Schema):
    """The one shape of every error (:mod:`linli.core.api_errors`)."""

    code: str = Field(..., description="稳定的错误代码,如 not_found、invalid、invalid_transition")
    detail: str = Field(..., description="给人看的说明(中文,或用户所选的语言)")
    errors: dict[str, list[str]] | None = Field(None, description="输入错误:字段 → 说明")
