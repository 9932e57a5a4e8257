"""Charts as PNG images, drawn on the server with matplotlib (Agg backend).

The lead chose server-side images over ECharts: no package ships ECharts cleanly, and the
Content-Security-Policy forbids inline scripts and styles. Every chart is a PNG at 2×
resolution (1280×720 px for a 640×360 CSS-pixel slot), with Chinese drawn in Debian's Noto
Sans CJK (face 2 of the TrueType collection is Simplified Chinese), found by
``linli.core.fonts.cjk_font`` as every PDF finds it. Pages show each image with a Chinese
``alt`` and its data table behind a ``<details>``; the reports put the same bytes into .docx
files.

The API is small and stable on purpose (other modules depend on it)::

    bar_chart(title, labels, series, stacked=False) -> bytes
    line_chart(title, labels, series) -> bytes

``series`` maps a legend label to one value per label on the x axis.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import MaxNLocator

from linli.core.fonts import cjk_font

WIDTH_INCHES = 6.4
HEIGHT_INCHES = 3.6
MAX_TICK_LABELS = 12
DPI = 200  # 1280×720 px: 2× a 640×360 CSS-pixel slot

# A palette readable in print and by people with red-green colour blindness (Okabe-Ito).
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
    "#000000",
]


class ChartDataError(ValueError):
    """A series does not have one value per label."""


@lru_cache(maxsize=4)
def _family_for(path: Path, face: int) -> str:
    font_manager.fontManager.addfont(str(path))
    return str(FT2Font(str(path), face_index=face).family_name)


def chart_family() -> str:
    """The font family name matplotlib knows the Simplified Chinese face by."""
    path, face = cjk_font()
    return _family_for(path, face)


def _check(labels: Sequence[str], series: Mapping[str, Sequence[float]]) -> None:
    for name, values in series.items():
        if len(values) != len(labels):
            raise ChartDataError(
                f"series {name!r} has {len(values)} values for {len(labels)} labels"
            )


def _figure(title: str) -> tuple[Figure, object]:
    family = chart_family()
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title, fontfamily=family, fontsize=12)
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    return figure, axes


def _finish(figure: Figure, axes: object, labels: Sequence[str], has_series: bool) -> bytes:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    family = chart_family()
    for text in axes.get_xticklabels() + axes.get_yticklabels():
        text.set_fontfamily(family)
    if len(labels) > MAX_TICK_LABELS:
        # Daily trends: label every n-th day so the labels stay readable.
        step = -(-len(labels) // MAX_TICK_LABELS)
        for index, text in enumerate(axes.get_xticklabels()):
            text.set_visible(index % step == 0)
    if len(labels) > 6:
        for text in axes.get_xticklabels():
            text.set_rotation(35)
            text.set_horizontalalignment("right")
    if has_series:
        axes.legend(prop={"family": family, "size": 8}, frameon=False, loc="best")
    if not labels:
        axes.text(
            0.5,
            0.5,
            "暂无数据",
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontfamily=family,
            fontsize=14,
            color="#666666",
        )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    stacked: bool = False,
) -> bytes:
    """A (grouped or stacked) bar chart as PNG bytes."""
    _check(labels, series)
    figure, axes = _figure(title)
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    positions = list(range(len(labels)))
    count = max(len(series), 1)
    width = 0.8 if stacked else 0.8 / count
    bottoms = [0.0] * len(labels)
    for index, (name, values) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        numbers = [float(v) for v in values]
        if stacked:
            axes.bar(positions, numbers, width, bottom=bottoms, label=name, color=colour)
            bottoms = [b + v for b, v in zip(bottoms, numbers, strict=True)]
        else:
            offset = (index - (count - 1) / 2) * width
            axes.bar([p + offset for p in positions], numbers, width, label=name, color=colour)
    axes.set_xticks(positions, list(labels))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.5 of a request
    return _finish(figure, axes, labels, bool(series) and len(series) > 1 and bool(labels))


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
) -> bytes:
    """A line chart (one line per series) as PNG bytes."""
    _check(labels, series)
    figure, axes = _figure(title)
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    positions = list(range(len(labels)))
    for index, (name, values) in enumerate(series.items()):
        axes.plot(
            positions,
            [float(v) for v in values],
            marker="o",
            markersize=3,
            label=name,
            color=PALETTE[index % len(PALETTE)],
        )
    axes.set_xticks(positions, list(labels))
    return _finish(figure, axes, labels, bool(series) and bool(labels))
