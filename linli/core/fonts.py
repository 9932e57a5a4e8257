"""The CJK font every drawn or printed document uses: PDFs (fpdf2) and charts (matplotlib).

Debian's Noto CJK (fonts-noto-cjk) is a TrueType collection; face 2 is Simplified
Chinese. ``LINLI_CJK_FONT`` points elsewhere when a deployment keeps fonts somewhere else.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
]
SIMPLIFIED_CHINESE_FACE = 2


class FontMissing(RuntimeError):
    """No CJK font is installed: Chinese would be drawn as boxes."""


def cjk_font() -> tuple[Path, int]:
    """The CJK font file and the face in it to use."""
    configured = str(getattr(settings, "LINLI_CJK_FONT", "") or "").strip()
    if configured:
        path = Path(configured)
        face = SIMPLIFIED_CHINESE_FACE if path.suffix.lower() == ".ttc" else 0
        if path.exists():
            return path, face
    for candidate, face in FONT_CANDIDATES:
        if Path(candidate).exists():
            return Path(candidate), face
    raise FontMissing("No CJK font: install fonts-noto-cjk or set LINLI_CJK_FONT")
