"""Measure the reader on labelled messages (JSON lines, as ``dev.jsonl``).

Usage::

    python -m linli.triage.evaluate linli/triage/corpus/heldout.jsonl [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from linli.triage.model import CATEGORIES, CategoryModel, UrgencyModel
from linli.triage.reader import Reading, read_message

# compound names that appear in the shipped corpus files
CORPUS_COMPOUNDS: tuple[str, ...] = (
    "凯奇花园",
    "学府雅苑",
    "向阳花园",
    "幸福家园",
    "移民新村",
    "和谐家园",
    "康宁小区",
    "丰泽园",
    "阳光新城",
)

CATEGORY_LABELS: dict[str, str] = {
    "sanitation": "环境卫生",
    "repair": "设施维修",
    "safety": "安全隐患",
    "dispute": "矛盾纠纷",
    "security": "治安防范",
    "assistance": "生活帮扶",
    "health": "健康医疗",
    "policy": "政策咨询",
    "order": "公共秩序",
    "other": "其他",
}


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    building: int | None
    unit: int | None
    room: str | None
    urgent: bool


@dataclass(frozen=True)
class Miss:
    example: Example
    reading: Reading
    kinds: tuple[str, ...]


@dataclass
class Figures:
    count: int = 0
    category_correct: int = 0
    location_correct: int = 0
    urgent_true_positive: int = 0
    urgent_false_positive: int = 0
    urgent_false_negative: int = 0
    # (expected, predicted) -> count, only for mistakes
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    per_category: Counter[str] = field(default_factory=Counter)
    per_category_correct: Counter[str] = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)

    @property
    def category_accuracy(self) -> float:
        return self.category_correct / self.count if self.count else 0.0

    @property
    def location_accuracy(self) -> float:
        return self.location_correct / self.count if self.count else 0.0

    @property
    def urgent_recall(self) -> float:
        positives = self.urgent_true_positive + self.urgent_false_negative
        return self.urgent_true_positive / positives if positives else 1.0

    @property
    def urgent_precision(self) -> float:
        flagged = self.urgent_true_positive + self.urgent_false_positive
        return self.urgent_true_positive / flagged if flagged else 1.0

    def format(self) -> str:
        lines = [
            f"样本数 messages        {self.count}",
            f"类别准确率 category    {self.category_accuracy:.3f}",
            f"位置准确率 location    {self.location_accuracy:.3f}",
            f"紧急召回率 urgent rec. {self.urgent_recall:.3f}",
            f"紧急精确率 urgent prec.{self.urgent_precision:.3f}",
            "",
            "类别 category            正确/总数   常见误判",
        ]
        for code in CATEGORIES:
            total = self.per_category[code]
            if not total:
                continue
            wrong = [
                (predicted, n)
                for (expected, predicted), n in self.confusion.most_common()
                if expected == code
            ]
            wrong_text = ", ".join(f"{p}×{n}" for p, n in wrong[:3])
            label = f"{CATEGORY_LABELS[code]} {code}"
            lines.append(
                f"{label:<22}{self.per_category_correct[code]:>4}/{total:<6} {wrong_text}".rstrip()
            )
        return "\n".join(lines)


def load_examples(path: str | Path) -> list[Example]:
    examples: list[Example] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        data = json.loads(line)
        examples.append(
            Example(
                text=str(data["text"]),
                category=str(data["category"]),
                building=None if data.get("building") is None else int(data["building"]),
                unit=None if data.get("unit") is None else int(data["unit"]),
                room=None if data.get("room") is None else str(data["room"]),
                urgent=bool(data.get("urgent", False)),
            )
        )
    return examples


def evaluate(
    examples: Iterable[Example],
    *,
    model: CategoryModel | None = None,
    urgency_model: UrgencyModel | None = None,
    compounds: Sequence[str] = (),
) -> Figures:
    figures = Figures()
    for example in examples:
        reading = read_message(
            example.text, compounds=compounds, model=model, urgency_model=urgency_model
        )
        figures.count += 1
        figures.per_category[example.category] += 1
        kinds: list[str] = []
        if reading.category == example.category:
            figures.category_correct += 1
            figures.per_category_correct[example.category] += 1
        else:
            figures.confusion[(example.category, reading.category)] += 1
            kinds.append("category")
        if (reading.building, reading.unit, reading.room) == (
            example.building,
            example.unit,
            example.room,
        ):
            figures.location_correct += 1
        else:
            kinds.append("location")
        if example.urgent and reading.urgent:
            figures.urgent_true_positive += 1
        elif example.urgent:
            figures.urgent_false_negative += 1
            kinds.append("urgent-missed")
        elif reading.urgent:
            figures.urgent_false_positive += 1
            kinds.append("urgent-false")
        if kinds:
            figures.misses.append(Miss(example, reading, tuple(kinds)))
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the triage reader.")
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--errors", action="store_true", help="list every mistake")
    args = parser.parse_args(argv)
    for path in args.paths:
        figures = evaluate(load_examples(path), compounds=CORPUS_COMPOUNDS)
        print(f"== {path}")
        print(figures.format())
        if args.errors:
            for miss in figures.misses:
                r = miss.reading
                e = miss.example
                print(
                    f"  [{'/'.join(miss.kinds)}] {e.text}\n"
                    f"      want {e.category} {e.building}/{e.unit}/{e.room} urgent={e.urgent}"
                    f" got {r.category} {r.building}/{r.unit}/{r.room} urgent={r.urgent}"
                    f" conf={r.confidence:.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
