"""Templates hold no inline script, inline style or inline event handler, so the strict
Content-Security-Policy (``script-src 'self'; style-src 'self'``) never blocks Linli's own pages."""

from __future__ import annotations

import re
from pathlib import Path

from linli.settings import BASE_DIR

TEMPLATES = sorted(BASE_DIR.rglob("templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
# hx-on and hx-vars run attribute text as code (htmx's allowEval is off in base.html too).
HTMX_EVAL = re.compile(r"\shx-(on|vars)\b", re.I)


def offending(pattern: re.Pattern[str]) -> list[str]:
    found = []
    for path in TEMPLATES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    return found


def test_there_are_templates_to_check() -> None:
    assert len(TEMPLATES) > 10
    assert any(p.name == "base.html" for p in TEMPLATES)


def test_no_inline_scripts() -> None:
    assert offending(INLINE_SCRIPT) == [], "move the script into a static .js file"


def test_no_inline_styles() -> None:
    found = offending(STYLE_ATTRIBUTE) + offending(STYLE_ELEMENT)
    assert found == [], "use a class from linli/static/linli/app.css instead"


def test_no_inline_event_handlers_or_evaluated_htmx() -> None:
    found = offending(EVENT_HANDLER) + offending(HTMX_EVAL)
    assert found == [], "bind events in a static .js file"


def test_inline_script_pattern_catches_what_it_should() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert STYLE_ATTRIBUTE.search('<div style="color:red">')
    assert EVENT_HANDLER.search('<button onclick="go()">')
    assert not EVENT_HANDLER.search('<button class="btn">')


def test_base_template_turns_off_htmx_inline_styles_and_eval() -> None:
    base = Path(BASE_DIR / "templates" / "base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base
