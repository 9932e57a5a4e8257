"""5-fold cross-validation of the reader on the shipped training files (not collected by
pytest; issue 12, sixth pass).

.venv/bin/python tests/triage/crossval.py

Both models are retrained on four folds and read the fifth; the rules are the shipped ones
(in-sample: they were written from these files, so the rules' own precision here is
optimistic). Prints category accuracy, urgent recall / precision, the commonest category
confusions (counts), and what overruling a live rule cue would do when the fold's model
gives it P(urgent) below a threshold (the sixth pass's experiment, see docs/triage.md).
"""

from __future__ import annotations

import random
from collections import Counter

from linli.triage import reader as r
from linli.triage.evaluate import CORPUS_COMPOUNDS, load_examples
from linli.triage.model import (
    TRAINING_FILES,
    CategoryModel,
    TrainingExample,
    UrgencyExample,
    UrgencyModel,
    features,
)
from linli.triage.reader import (
    LIVE,
    _mask_compounds,
    classify,
    normalise,
    read_urgency,
    urgency_evidence,
)

FOLDS = 5
VETOES = (0.0, 0.01, 0.02, 0.03, 0.05, 0.1)
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)


def _model_gate(text: str, category: str) -> tuple[int, bool, bool, bool]:
    """(rule evidence, settled, kept from the model by a gate, standing hazard) — the parts of
    ``read_urgency`` that decide before the threshold (issue 12, seventh pass; the eighth
    pass adds an eased trouble and a calm category to "standing")."""
    evidence = urgency_evidence(text)
    gated = bool(
        (r._NO_HURRY.search(text) or r._NUISANCE.search(text) or r._CHORE.search(text))
        and not r._PERSON_IN_TROUBLE.search(text)
    )
    standing = (
        bool(
            (r._STANDING.search(text) or r._EASED.search(text))
            and not r._CALL_FOR_HELP.search(text)
            and not r._PERSON_NOW.search(text)
        )
        or category in r.CALM_CATEGORIES
    )
    return evidence, r._settled(text), gated, standing


def main() -> None:
    examples = [e for path in TRAINING_FILES for e in load_examples(path)]
    order = list(range(len(examples)))
    random.Random(12).shuffle(order)
    fold = {i: n % FOLDS for n, i in enumerate(order)}
    # per message: (urgent, read urgent, live cue, fold model's P, category, read category)
    rows: list[tuple[bool, bool, bool, float, str, str]] = []
    gates: list[tuple[int, bool, bool, bool]] = []
    for k in range(FOLDS):
        train = [e for i, e in enumerate(examples) if fold[i] != k]
        categories = CategoryModel.train(
            [TrainingExample(text=e.text, category=e.category) for e in train]
        )
        urgency = UrgencyModel.train([UrgencyExample(text=e.text, urgent=e.urgent) for e in train])
        for i, example in enumerate(examples):
            if fold[i] != k:
                continue
            text = _mask_compounds(normalise(example.text), CORPUS_COMPOUNDS)[0]
            grams = features(text, normalised=True)
            category = classify(text, categories, grams=grams)[0]
            gates.append(_model_gate(text, category))
            rows.append(
                (
                    example.urgent,
                    read_urgency(text, urgency, grams=grams, category=category)[0],
                    urgency_evidence(text) == LIVE,
                    urgency.probability(text, grams=grams),
                    example.category,
                    category,
                )
            )
    right = sum(row[4] == row[5] for row in rows)
    print(f"{len(rows)} messages, {FOLDS}-fold: category {right / len(rows):.4f}")
    for veto in VETOES:
        tp = fp = fn = 0
        for urgent, read, live, p, _, _ in rows:
            flagged = read and not (live and p < veto)
            tp += flagged and urgent
            fp += flagged and not urgent
            fn += urgent and not flagged
        print(
            f"  live cue overruled below P {veto:<4}: recall {tp / (tp + fn):.4f}"
            f"  precision {tp / (tp + fp):.4f}  (FN {fn}, FP {fp})"
        )
    # the model's threshold for messages without a rule cue (ordinary; standing at 0.9)
    for threshold in THRESHOLDS:
        tp = fp = fn = 0
        for (urgent, _, _, p, _, _), (evidence, settled, gated, standing) in zip(
            rows, gates, strict=True
        ):
            if evidence == LIVE:
                flagged = True
            elif evidence != 0:
                flagged = not settled and p >= r.DEAD_OVERRULE
            else:
                bar = max(threshold, r.STANDING_THRESHOLD) if standing else threshold
                flagged = not gated and p >= bar
            tp += flagged and urgent
            fp += flagged and not urgent
            fn += urgent and not flagged
        print(
            f"  model threshold {threshold:<4}: recall {tp / (tp + fn):.4f}"
            f"  precision {tp / (tp + fp):.4f}  (FN {fn}, FP {fp})"
        )
    # issue 12, seventh pass: a noise/chore/no-hurry gate that raises the bar instead of
    # keeping the model out
    for gate in (0.9, 0.95, 0.98):
        tp = fp = fn = 0
        for (urgent, _, _, p, _, _), (evidence, settled, gated, standing) in zip(
            rows, gates, strict=True
        ):
            if evidence == LIVE:
                flagged = True
            elif evidence != 0:
                flagged = not settled and p >= r.DEAD_OVERRULE
            else:
                bar = r.STANDING_THRESHOLD if standing else r.URGENT_THRESHOLD
                flagged = p >= (max(bar, gate) if gated else bar)
            tp += flagged and urgent
            fp += flagged and not urgent
            fn += urgent and not flagged
        print(
            f"  gated messages at P {gate:<4}: recall {tp / (tp + fn):.4f}"
            f"  precision {tp / (tp + fp):.4f}  (FN {fn}, FP {fp})"
        )
    confusions = Counter((row[4], row[5]) for row in rows if row[4] != row[5])
    print("  confusions:", ", ".join(f"{a}→{b} {n}" for (a, b), n in confusions.most_common(8)))


if __name__ == "__main__":
    main()
