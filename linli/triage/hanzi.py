"""Traditional characters read as simplified: the reading copy of a message.

Residents write in traditional characters too (people from Hong Kong or Taiwan, phones set
to traditional input, pasted messages): 「3號樓2單元501 樓道裡有燒焦的味道」. Every rule,
lexicon and model of the triage reader is in simplified characters, so the reader converts
its *reading copy* of a message with OpenCC (its official Python package, ``opencc``, which
ships its dictionaries: nothing is downloaded). What is stored is never converted: a
request keeps the resident's words as written.

The configuration is ``tw2s``: OpenCC's ``t2s`` (traditional → simplified, characters and
phrases) preceded by its table of Taiwan variant characters. Plain ``t2s`` keeps 著 as it
is, because 著 is also a simplified character (著名, 显著); but Taiwan and much other
traditional writing uses 著 for 着 — 著火了, 燒著了, 門鎖著 — and 着火 is a fire cue. ``tw2s``
reads 著火 as 着火 and keeps 著名; on every message of the corpus, simplified and converted
to traditional, it differs from ``t2s`` in nothing else.

The conversion changes characters (and a few phrases whose characters convert differently
in context, 乾隆 / 乾燥) but never the number of code points — every entry of the
dictionaries maps N characters to N characters — so a position in the reading copy is the
same position in the text as written; :func:`as_written` relies on that to show staff the
resident's own characters. Simplified text is left as it is (a traditional character that
slipped into it, 後, becomes 后).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import opencc

# Lone surrogates cannot be encoded as UTF-8 for the converter; the boundary normaliser
# removes them from what residents send, but the reader is also called on raw text (the
# CLI, tests). One replacement character for one code point keeps the lengths equal.
_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    # Imported and loaded on the first message read (≈20–40 ms once per process, the C++
    # library and its dictionaries), not when Django imports the reader; a conversion
    # then costs a few µs a message.
    import opencc

    return opencc.OpenCC("tw2s")


def to_simplified(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones, code point for
    code point (same length)."""
    if text.isascii():
        return text
    try:
        converted: str = _converter().convert(text)
    except UnicodeEncodeError:  # a lone surrogate
        converted = _converter().convert(_SURROGATE.sub("\ufffd", text))
    return converted


def as_written(words: tuple[str, ...], reading: str, written: str) -> tuple[str, ...]:
    """``words`` found in ``reading`` (the simplified copy of ``written``), given back in the
    characters of ``written``. A ``0`` in a word stands for a run of digits (the models
    fold digits to 0). A word not found, or copies of different lengths, stay as they are
    (simplified)."""
    if reading == written or len(reading) != len(written):
        return words
    shown: list[str] = []
    for word in words:
        pattern = "".join(r"\d+" if char == "0" else re.escape(char) for char in word)
        match = re.search(pattern, reading)
        shown.append(written[match.start() : match.end()] if match else word)
    return tuple(shown)
