"""The English message catalogue: check and compile it without GNU gettext.

Chinese is the source language, so every msgid is Chinese and ``locale/en`` holds the English.
The compiled ``django.mo`` is committed next to the ``.po`` so that neither CI nor a server
needs gettext's ``msgfmt``; ``linli catalogue compile`` rebuilds it in pure Python (polib, a
development dependency) and ``tests/i18n/test_catalogue.py`` fails when the two disagree or a
msgid has no translation.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdfr%]")


def catalogue_path(language: str = "en") -> Path:
    locale_dir = Path(settings.LOCALE_PATHS[0])
    return locale_dir / language / "LC_MESSAGES" / "django.po"


def placeholders(text: str) -> list[str]:
    """The sorted printf placeholders of a string (``%%`` excluded)."""
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


def catalogue_problems(po_file: Path) -> list[str]:
    """Untranslated, fuzzy or placeholder-mismatched entries, one line each."""
    import polib

    problems: list[str] = []
    for entry in polib.pofile(str(po_file)):
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
            continue
        if entry.msgid_plural:
            translations = [entry.msgstr_plural.get(i, "") for i in (0, 1)]
        else:
            translations = [entry.msgstr]
        if not all(t.strip() for t in translations):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        wanted = placeholders(entry.msgid)
        for translation in translations:
            if placeholders(translation) != wanted:
                problems.append(f"placeholders differ: {entry.msgid!r} -> {translation!r}")
    return problems


def compile_catalogue(po_file: Path) -> Path:
    """Write the ``.mo`` next to ``po_file`` and return its path."""
    import polib

    mo_file = po_file.with_suffix(".mo")
    polib.pofile(str(po_file)).save_as_mofile(str(mo_file))
    return mo_file
