"""Category ablation: rules alone, naive Bayes alone, both (not collected by pytest).

.venv/bin/python tests/triage/ablation_category.py linli/triage/corpus/urgency_heldout.jsonl ...

Also prints the most frequent confusion pairs (true → read) of the shipped reader: counts
only, never the messages, so it can be run on a held-out file without tuning on it.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable

from linli.triage.evaluate import CORPUS_COMPOUNDS, load_examples
from linli.triage.model import default_model
from linli.triage.reader import _mask_compounds, classify, normalise, rule_scores


def main() -> None:
    model = default_model()

    def rules_alone(text: str) -> str:
        scores = rule_scores(text)
        return max(scores, key=lambda k: scores[k])

    readers: dict[str, Callable[[str], str]] = {
        "rules alone": rules_alone,
        "naive Bayes alone": model.predict,
        "both (shipped)": lambda text: classify(text, model)[0],
    }
    for path in sys.argv[1:]:
        examples = load_examples(path)
        texts = [_mask_compounds(normalise(e.text), CORPUS_COMPOUNDS)[0] for e in examples]
        print(f"== {path} ({len(examples)} messages)")
        for name, read in readers.items():
            confusions: Counter[tuple[str, str]] = Counter()
            right = 0
            for example, text in zip(examples, texts, strict=True):
                got = read(text)
                right += got == example.category
                if got != example.category:
                    confusions[(example.category, got)] += 1
            print(f"  {name:20s} category {right / len(examples):.3f}")
            if name == "both (shipped)":
                pairs = ", ".join(f"{a}→{b} {n}" for (a, b), n in confusions.most_common(6))
                print(f"  confusions: {pairs}")


if __name__ == "__main__":
    main()
