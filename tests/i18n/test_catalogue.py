"""The English catalogue is complete, consistent and compiled.

Chinese is the source language: every ``gettext`` msgid is Chinese. A new string must get its
English in ``linli/locale/en/LC_MESSAGES/django.po`` (``django-admin makemessages -l en``,
translate, then ``linli catalogue compile``); these tests fail until it has.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.utils import translation

from linli.core.catalogue import catalogue_path, catalogue_problems, placeholders


def test_every_msgid_has_an_english_translation_with_the_same_placeholders() -> None:
    problems = catalogue_problems(catalogue_path())
    assert problems == []


def test_the_catalogue_finds_an_untranslated_or_broken_entry(tmp_path: Path) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="新字符串", msgstr=""))
    po.append(polib.POEntry(msgid="已签到 %(n)s 人", msgstr="Checked in"))
    po.append(polib.POEntry(msgid="好", msgstr="Good"))
    path = tmp_path / "django.po"
    po.save(str(path))
    assert catalogue_problems(path) == [
        "untranslated: '新字符串'",
        "placeholders differ: '已签到 %(n)s 人' -> 'Checked in'",
    ]
    assert placeholders("%(n)d 天,%(usual).1f 件,100%%") == ["%(n)d", "%(usual).1f"]


def test_the_committed_mo_is_compiled_from_the_po() -> None:
    """CI has no gettext: the committed ``django.mo`` is what Django reads, so it must match."""
    po_file = catalogue_path()
    source = {
        (e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.pofile(str(po_file))
        if e.msgid
    }
    compiled = {
        (e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.mofile(str(po_file.with_suffix(".mo")))
        if e.msgid
    }
    assert source == compiled, "run `linli catalogue compile` and commit django.mo"


def test_django_reads_the_catalogue_with_english_plurals() -> None:
    with translation.override("en"):
        assert translation.gettext("网格员") == "Grid worker"
        assert translation.ngettext("共 %(n)s 条", "共 %(n)s 条", 1) % {"n": 1} == "1 record"
        assert translation.ngettext("共 %(n)s 条", "共 %(n)s 条", 3) % {"n": 3} == "3 records"
    with translation.override("zh-hans"):
        assert translation.gettext("网格员") == "网格员"
