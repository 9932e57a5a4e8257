"""Server-drawn charts: valid PNGs at 2× size, with Chinese drawn as glyphs, not boxes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageChops

from linli.core import charts, fonts


def _image(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def _ink(image: Image.Image) -> int:
    white = Image.new("RGB", image.size, "white")
    diff = ImageChops.difference(image, white).convert("L")
    return sum(diff.histogram()[41:])


def test_bar_chart_renders_chinese_labels(recwarn: pytest.WarningsRecorder) -> None:
    data = charts.bar_chart(
        "诉求按类别",
        ["环境卫生", "邻里纠纷", "设施维修"],
        {"已办结": [3, 1, 2], "办理中": [1, 0, 4]},
        stacked=True,
    )
    image = _image(data)
    assert image.size == (1280, 720)
    assert _ink(image) > 5000
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


def test_line_chart_renders() -> None:
    image = _image(charts.line_chart("响应率", ["9月", "10月", "11月"], {"响应率": [80, 85, 90]}))
    assert image.size == (1280, 720)
    assert _ink(image) > 2000


def test_the_chinese_face_is_simplified_chinese() -> None:
    assert charts.chart_family() == "Noto Sans CJK SC"


def test_chinese_title_is_not_drawn_as_boxes() -> None:
    """Two different Chinese titles must draw differently (tofu boxes would look alike)."""
    first = _image(charts.bar_chart("环境", [], {}))
    second = _image(charts.bar_chart("纠纷", [], {}))
    box = (0, 0, 1280, 80)
    assert ImageChops.difference(first.crop(box), second.crop(box)).getbbox() is not None


def test_empty_chart_says_no_data() -> None:
    image = _image(charts.bar_chart("空", [], {}))
    assert _ink(image) > 500


def test_series_must_match_labels() -> None:
    with pytest.raises(charts.ChartDataError):
        charts.bar_chart("错", ["甲", "乙"], {"数": [1]})


def test_missing_font_fails_clearly(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "FONT_CANDIDATES", [("/nonexistent.ttc", 2)])
    # pytest-django's own fixture restores the setting (monkeypatching it did not, and
    # left LINLI_CJK_FONT missing for every later test in the process).
    settings.LINLI_CJK_FONT = "/also-missing.ttc"
    with pytest.raises(fonts.FontMissing):
        fonts.cjk_font()
