"""Throughput of the triage reader (not collected by pytest; run it directly).

.venv/bin/python tests/triage/bench_reader.py

Two figures: messages per second inside one warm process, and messages per second for a
whole fresh CLI process (interpreter start, imports, loading both shipped models, reading
every corpus message once), which is what a command-line batch run costs.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

from linli.triage.evaluate import CORPUS_COMPOUNDS, load_examples
from linli.triage.model import CORPUS_DIR, default_model, default_urgency_model
from linli.triage.reader import read_message

CORPUS_FILES = (
    "train.jsonl",
    "heldout.jsonl",
    "blind.jsonl",
    "urgency_train.jsonl",
    "urgency_heldout.jsonl",
)

_CHILD = """
import sys
from linli.triage.evaluate import CORPUS_COMPOUNDS, load_examples
from linli.triage.model import CORPUS_DIR
from linli.triage.reader import read_message
n = 0
for name in sys.argv[1:]:
    for example in load_examples(CORPUS_DIR / name):
        read_message(example.text, compounds=CORPUS_COMPOUNDS)
        n += 1
print(n)
"""


def main() -> None:
    started = time.perf_counter()
    default_model()
    default_urgency_model()
    load_seconds = time.perf_counter() - started
    texts = [e.text for name in CORPUS_FILES for e in load_examples(CORPUS_DIR / name)]
    rounds = 3
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            read_message(text, compounds=CORPUS_COMPOUNDS)
    seconds = time.perf_counter() - started
    count = rounds * len(texts)
    print(f"model load (category + urgency): {load_seconds * 1000:.1f} ms")
    print(f"in process: {count} messages in {seconds:.2f} s: {count / seconds:.0f} messages/second")

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *CORPUS_FILES],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    count = int(done.stdout.strip())
    print(
        f"whole CLI process: {count} messages in {seconds:.2f} s: "
        f"{count / seconds:.0f} messages/second (start-up and model loads included)"
    )

    # The real command: `linli triage`, JSON lines in and out.
    lines = "".join(
        json.dumps({"text": text, "compounds": list(CORPUS_COMPOUNDS)}, ensure_ascii=False) + "\n"
        for text in texts
    )
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "linli.cli", "triage"],
        input=lines,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    count = len(done.stdout.splitlines())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"`linli triage`: {count} JSON lines in {seconds:.2f} s: "
        f"{count / seconds:.0f} messages/second (whole process)"
    )
    # Wall time depends on what else the machine runs; CPU time of the process does not.
    print(
        f"`linli triage` CPU time: {cpu:.2f} s: {count / cpu:.0f} messages per CPU-second "
        "(what a quiet core achieves, start-up included)"
    )


if __name__ == "__main__":
    main()
