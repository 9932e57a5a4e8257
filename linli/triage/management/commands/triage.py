"""``linli triage``: read messages (JSON lines on stdin) and print what they are about.

echo '{"text": "3号楼二单元的垃圾挡道了"}' | linli triage
linli triage train              # rebuild the model from the corpus + corrections
linli triage eval FILE.jsonl    # figures for a labelled file
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from linli.triage import engine
from linli.triage.evaluate import CORPUS_COMPOUNDS, evaluate, load_examples
from linli.triage.services import models_train
from linli.triage.stream import run


def _known_compounds() -> list[str]:
    try:
        return engine.compound_names()
    except DatabaseError:  # not migrated yet: read without compound names
        return []


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a batch tool: start fast
    help = (
        "分诊:从标准输入逐行读取 JSON(text,可选 compound),每行输出 category、building、"
        "unit、room、urgent、confidence;train 用内置语料和更正重新训练;eval FILE 输出指标。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", default="read", choices=["read", "train", "eval"])
        parser.add_argument("file", nargs="?", help="eval: 标注好的 JSON lines 文件")
        parser.add_argument("--errors", action="store_true", help="eval: 列出每个错误")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "train":
            self._train()
        elif action == "eval":
            self._eval(options["file"], errors=options["errors"])
        else:
            self._read()

    def _read(self) -> None:
        # ``linli triage`` itself takes the Django-free path in linli/cli.py; this is the
        # same reader for ``call_command("triage")`` and ``python -m django``.
        run(sys.stdin, self.stdout, directory=Path(settings.DATA_DIR))

    def _train(self) -> None:
        result = models_train()
        self.stdout.write(
            f"已训练:内置语料 {result.shipped} 条 + 更正 {result.corrections} 条\n"
            f"  {result.category_path}\n  {result.urgency_path}\n"
            "之后的分诊会使用这个模型;删除这两个文件即恢复内置模型。"
        )

    def _eval(self, file: str | None, *, errors: bool) -> None:
        if not file:
            raise CommandError("用法:linli triage eval FILE.jsonl")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        try:
            examples = load_examples(path)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"{path} 不是标注好的 JSON lines 文件:{exc}") from exc
        model, urgency = engine.current_models()
        compounds = sorted({*CORPUS_COMPOUNDS, *_known_compounds()})
        figures = evaluate(examples, model=model, urgency_model=urgency, compounds=compounds)
        which = "本部署训练的模型" if engine.uses_deployed_models() else "内置模型"
        self.stdout.write(f"== {path}({which})")
        self.stdout.write(figures.format())
        if errors:
            for miss in figures.misses:
                r, e = miss.reading, miss.example
                self.stdout.write(
                    f"  [{'/'.join(miss.kinds)}] {e.text}\n"
                    f"      want {e.category} {e.building}/{e.unit}/{e.room} urgent={e.urgent}"
                    f" got {r.category} {r.building}/{r.unit}/{r.room} urgent={r.urgent}"
                    f" conf={r.confidence:.2f}"
                )
