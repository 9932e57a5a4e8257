"""``linli triage``: JSON lines in and out, ``train`` from corrections, ``eval`` figures."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings

from linli.requests.models import Channel
from linli.requests.services import request_reclassify, request_submit
from linli.triage import engine
from linli.triage.model import CategoryModel, default_model
from linli.triage.stream import run
from tests.cast import Cast
from tests.requests.support import category


def _cli(args: list[str], data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LINLI_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)  # a fresh install: SQLite in its own data directory
    return subprocess.run(
        [sys.executable, "-m", "linli.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_the_command_answers_every_line_in_order_on_a_fresh_install(tmp_path: Path) -> None:
    migrate = _cli(["migrate", "-v", "0"], tmp_path)
    assert migrate.returncode == 0, migrate.stderr
    stdin = "\n".join(
        [
            json.dumps(
                {"text": "我们小区3号楼二单元的垃圾挡道了,得赶紧派人处理!"}, ensure_ascii=False
            ),
            json.dumps(
                {"text": "凯奇花园3-2-502煤气味很重,快来人", "compound": "凯奇花园"},
                ensure_ascii=False,
            ),
            "not json",
            json.dumps({"text": "谢谢网格员"}, ensure_ascii=False),
        ]
    )

    result = _cli(["triage"], tmp_path, stdin + "\n\n")

    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 4
    assert answers[0] == {
        "category": "sanitation",
        "building": 3,
        "unit": 2,
        "room": None,
        "urgent": answers[0]["urgent"],
        "confidence": answers[0]["confidence"],
    }
    assert set(answers[0]) == {"category", "building", "unit", "room", "urgent", "confidence"}
    assert (answers[1]["category"], answers[1]["building"], answers[1]["unit"]) == ("safety", 3, 2)
    assert (answers[1]["room"], answers[1]["urgent"]) == ("502", True)
    assert "error" in answers[2]
    assert answers[3]["category"] == "other"
    assert 0 <= answers[3]["confidence"] <= 1


def test_the_command_named_compound_is_not_read_as_a_number() -> None:
    out = io.StringIO()
    run(['{"text": "幸福2区3号楼漏水了", "compounds": ["幸福2区"]}\n'], out)
    answer = json.loads(out.getvalue())
    assert (answer["building"], answer["unit"]) == (3, None)


@pytest.fixture
def data_dir(settings: Settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_train_uses_the_corrections_and_the_deployed_model_is_preferred(
    cast: Cast, data_dir: Path
) -> None:
    assert engine.current_models()[0] is default_model()
    text = "小区里的喷泉池子绿得发黑"
    request = request_submit(
        submitted_by=cast.staff,
        text=text,
        channel=Channel.PHONE,
        location=cast.unit1,
        category=category("repair"),
    )
    for _ in range(10):  # one deployment's habit, taught many times
        request_reclassify(
            request=request, actor=cast.staff, category=category("order"), location=cast.unit1
        )
        request_reclassify(
            request=request, actor=cast.staff, category=category("repair"), location=cast.unit1
        )
    request_reclassify(
        request=request, actor=cast.staff, category=category("order"), location=cast.unit1
    )
    out = io.StringIO()

    call_command("triage", "train", stdout=out)

    assert "更正 21 条" in out.getvalue()
    category_path, urgency_path = engine.deployed_paths()
    assert category_path.parent == data_dir / "triage"
    assert category_path.is_file()
    assert urgency_path.is_file()
    deployed, _urgency = engine.current_models()
    assert deployed is not default_model()
    assert isinstance(deployed, CategoryModel)
    assert sum(deployed.totals) > sum(default_model().totals)
    # The batch reader finds the same files.
    answer = io.StringIO()
    run([json.dumps({"text": text}, ensure_ascii=False)], answer, directory=data_dir)
    assert json.loads(answer.getvalue())["category"] == engine.read(text).category


def test_eval_prints_the_figures_of_a_labelled_file(data_dir: Path, db: None) -> None:
    labelled = data_dir / "mine.jsonl"
    rows = [
        {
            "text": "3号楼2单元502家里煤气味特别大",
            "category": "safety",
            "building": 3,
            "unit": 2,
            "room": "502",
            "urgent": True,
        },
        {
            "text": "小区门口垃圾桶满了",
            "category": "sanitation",
            "building": None,
            "unit": None,
            "room": None,
            "urgent": False,
        },
    ]
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    out = io.StringIO()

    call_command("triage", "eval", str(labelled), stdout=out)

    text = out.getvalue()
    assert "内置模型" in text
    assert "样本数 messages        2" in text
    assert "类别准确率 category    1.000" in text
    assert "位置准确率 location    1.000" in text
    assert "紧急召回率 urgent rec. 1.000" in text


def test_eval_explains_a_missing_file(data_dir: Path, db: None) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("triage", "eval", str(data_dir / "missing.jsonl"))
    with pytest.raises(CommandError, match="用法"):
        call_command("triage", "eval")


def test_a_program_that_waits_for_each_answer_gets_it_at_once(tmp_path: Path) -> None:
    """Answers are written in batches for speed, but never held back while the sender
    waits: one line in, one answer out, with stdin still open."""
    env = {**os.environ, "LINLI_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "linli.cli", "triage"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        for text, expected in (("3号楼着火了", True), ("谢谢网格员", False)):
            process.stdin.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
            process.stdin.flush()
            answer = json.loads(process.stdout.readline())
            assert answer["urgent"] is expected
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    assert process.returncode == 0


def test_run_answers_a_long_batch_in_order() -> None:
    texts = [f"{n % 30 + 1}号楼{n % 3 + 1}单元楼道灯坏了,第{n}次说了" for n in range(1200)]
    lines = [json.dumps({"text": t}, ensure_ascii=False) for t in texts]
    out = io.StringIO()
    assert run(lines, out) == len(lines)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(a["building"], a["unit"]) for a in answers] == [
        (n % 30 + 1, n % 3 + 1) for n in range(1200)
    ]
