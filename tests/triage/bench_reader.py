"""Throughput of the triage reader (not collected by pytest; run it directly).

.venv/bin/python tests/triage/bench_reader.py
"""

from __future__ import annotations

import time

from linli.triage.evaluate import CORPUS_COMPOUNDS, load_examples
from linli.triage.model import CORPUS_DIR, default_model
from linli.triage.reader import read_message


def main() -> None:
    started = time.perf_counter()
    default_model()
    load_seconds = time.perf_counter() - started
    texts = [e.text for e in load_examples(CORPUS_DIR / "heldout.jsonl")]
    texts += [e.text for e in load_examples(CORPUS_DIR / "train.jsonl")]
    rounds = 3
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            read_message(text, compounds=CORPUS_COMPOUNDS)
    seconds = time.perf_counter() - started
    count = rounds * len(texts)
    print(f"model load: {load_seconds * 1000:.1f} ms")
    print(f"{count} messages in {seconds:.2f} s: {count / seconds:.0f} messages/second")


if __name__ == "__main__":
    main()
