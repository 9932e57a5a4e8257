"""Urgency ablation: rules alone, learned model alone, both (not collected by pytest).

.venv/bin/python tests/triage/ablation_urgency.py linli/triage/corpus/urgency_heldout.jsonl ...
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from linli.triage.evaluate import CORPUS_COMPOUNDS, load_examples
from linli.triage.model import default_model, default_urgency_model
from linli.triage.reader import (
    LIVE,
    _mask_compounds,
    classify,
    is_urgent,
    normalise,
    urgency_evidence,
)


def main() -> None:
    model = default_urgency_model()
    categories = default_model()
    readers: dict[str, Callable[[str], bool]] = {
        "rules alone": lambda text: urgency_evidence(text) == LIVE,
        "model alone (P >= 0.5)": lambda text: model.probability(text) >= 0.5,
        # the shipped reading: the category reader's category is handed to the urgency
        # reading (issue 12, eighth pass)
        "both (shipped)": lambda text: is_urgent(
            text, model, category=classify(text, categories)[0]
        ),
    }
    for path in sys.argv[1:]:
        examples = load_examples(path)
        texts = [_mask_compounds(normalise(e.text), CORPUS_COMPOUNDS)[0] for e in examples]
        print(f"== {path} ({len(examples)} messages, {sum(e.urgent for e in examples)} urgent)")
        for name, read in readers.items():
            tp = fp = fn = 0
            for example, text in zip(examples, texts, strict=True):
                flagged = read(text)
                tp += flagged and example.urgent
                fp += flagged and not example.urgent
                fn += example.urgent and not flagged
            recall = tp / max(tp + fn, 1)
            precision = tp / max(tp + fp, 1)
            print(f"  {name:24s} recall {recall:.3f}  precision {precision:.3f}", end="")
            print(f"  (FN {fn}, FP {fp})")


if __name__ == "__main__":
    main()
