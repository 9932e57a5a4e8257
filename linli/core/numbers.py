"""Whole numbers read from outside — record numbers in a query string or a form field,
a timestamp in a cookie — through one parser.

``str.isdigit`` is the wrong test for them: it accepts ``²`` and other digits that ``int``
refuses (a ValueError, a 500), and it says nothing of size, so a 20-digit number reached
the database and overflowed it (SQLite: OverflowError; PostgreSQL: out of range).
"""

from __future__ import annotations

import re

# A database key is a 64-bit integer (the API's ``RecordId`` has the same bound).
MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def whole_number(raw: object) -> int | None:
    """``raw`` as a number from 0 to ``MAX_ID`` written in ASCII digits, or None.

    Anything else — empty, signs, spaces, other scripts' digits, a longer number — is
    None: the caller treats it as "no such record", as it does for one that is not there.
    """
    if not isinstance(raw, str) or not _ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None
