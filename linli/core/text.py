"""The one normaliser for text from outside (DESIGN rule 9, "One boundary").

Every text that reaches Linli from a person or another system — form fields, query
strings, API bodies, Open311, a pasted group chat — passes ``normalise_text`` once, at
the edge (``core.middleware.InputNormalisationMiddleware``), so nothing behind it stores
a character that breaks the Open311 XML, that PostgreSQL refuses (NUL), or that makes
two equal-looking names differ (NFC).

Pure Python, no Django: the rules are easy to test on their own.
"""

from __future__ import annotations

import re
import unicodedata

# Removed: C0 controls except tab and newline, DEL, C1 controls, lone surrogates (which
# cannot be encoded as UTF-8) and the Unicode noncharacters (U+FDD0–U+FDEF and the last
# two code points of every plane; U+FFFE and U+FFFF are not allowed in XML either).
_NONCHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_DROPPED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]"
)
_LINE_BREAK = re.compile("\r\n?")


def normalise_text(value: str) -> str:
    """``value`` in NFC, line breaks as ``\\n``, without control characters except
    newline and tab.

    Leading and trailing spaces are kept: forms strip them where a field wants that.
    """
    value = _LINE_BREAK.sub("\n", value)
    value = _DROPPED.sub("", value)
    # After removing controls: "e\x00\u0301" composes to "é" as well.
    return unicodedata.normalize("NFC", value)


_SECRET_DROPPED = re.compile("[\x00\ud800-\udfff]")


def normalise_secret(value: str) -> str:
    """A password as typed, except NUL and lone surrogates.

    NFC or dropping characters would change a password (one set before this normaliser
    existed, or typed on a keyboard that sends decomposed characters) and lock its owner
    out; a password is hashed, never stored or shown, so only what no password can hold
    is removed: NUL (Django's validator refuses it) and lone surrogates, which no form
    can send (they are not UTF-8) and which cannot be encoded again — a JSON body that
    carried one in a ``password`` field broke the boundary itself with a 500.
    """
    return _SECRET_DROPPED.sub("", value)


def is_secret_name(name: str) -> bool:
    """Whether a field called ``name`` holds a password (``password``, ``new_password1`` …)."""
    return "password" in name.lower()


def normalise_field(name: str, value: str) -> str:
    return normalise_secret(value) if is_secret_name(name) else normalise_text(value)


def normalise_data(data: object, name: str = "") -> object:
    """A parsed JSON document with every key and string normalised (passwords as secrets)."""
    if isinstance(data, str):
        return normalise_field(name, data)
    if isinstance(data, list):
        return [normalise_data(item, name) for item in data]
    if isinstance(data, dict):
        return {
            normalise_text(str(key)): normalise_data(value, str(key)) for key, value in data.items()
        }
    return data
