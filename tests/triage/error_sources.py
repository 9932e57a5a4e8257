"""Where the urgency errors come from, by kind, never by message (not collected by pytest;
issue 12, seventh pass).

.venv/bin/python tests/triage/error_sources.py FILE.jsonl ...

For every false alarm it counts which part raised it (the rule cue pattern by its index in
``reader._ALL_CUES``, the scam or lure rule, the model overruling dead cues, the model at the
ordinary or the standing threshold); for every missed urgent message which part let it go
(a cue read dead, a settled message, the gates that keep the model from being asked, or the
model below its threshold). Only counts are printed, so it can be run on a held-out set
without showing any of its messages.
"""

from __future__ import annotations

import sys
from collections import Counter

from linli.triage import reader as r
from linli.triage.evaluate import CORPUS_COMPOUNDS, load_examples
from linli.triage.model import default_urgency_model, features


def source(text: str, category: str | None = None) -> tuple[bool, str]:
    """(read urgent, the part that decided); ``category``: the reader's category (eighth
    pass: messages read as one of ``CALM_CATEGORIES`` need the standing threshold)."""
    model = default_urgency_model()
    if r._settled(text):
        return False, "settled (retraction, policy question or supposition)"
    evidence, _ = r.urgency_cue(text)
    if evidence == r.LIVE:
        for index, pattern in enumerate(r._ALL_CUES):
            for match in pattern.finditer(text):
                if r._cue_is_live(text, match.start(), match.end()):
                    return True, f"rule cue #{index}"
        return True, "rule: scam or lure"
    grams = features(text, normalised=True)
    p = model.probability(text, grams=grams)
    if evidence == r.DEAD:
        if p >= r.DEAD_OVERRULE:
            return True, "model overruled dead cues"
        return False, "cue read dead"
    if not r._PERSON_IN_TROUBLE.search(text):
        if r._NO_HURRY.search(text):
            return False, "gate: no hurry"
        if r._NUISANCE.search(text):
            return False, "gate: nuisance"
        if r._CHORE.search(text):
            return False, "gate: chore"
    quiet = not r._CALL_FOR_HELP.search(text) and not r._PERSON_NOW.search(text)
    standing = quiet and (r._STANDING.search(text) or r._EASED.search(text))
    calm = category in r.CALM_CATEGORIES
    threshold = r.STANDING_THRESHOLD if standing or calm else r.URGENT_THRESHOLD
    kind = "calm category" if calm else "standing" if standing else "ordinary"
    if p >= threshold:
        return True, f"model, {kind} threshold"
    return False, f"model below {kind} threshold ({'P<0.5' if p < 0.5 else 'P>=0.5'})"


def main() -> None:
    for path in sys.argv[1:]:
        examples = load_examples(path)
        false_alarms: Counter[str] = Counter()
        missed: Counter[str] = Counter()
        for example in examples:
            text = r._mask_compounds(r.normalise(example.text), CORPUS_COMPOUNDS)[0]
            category = r.read_message(example.text, compounds=CORPUS_COMPOUNDS).category
            urgent, why = source(text, category)
            if urgent and not example.urgent:
                false_alarms[why] += 1
            elif example.urgent and not urgent:
                missed[why] += 1
        print(f"== {path}")
        print("  false alarms:", dict(false_alarms.most_common()))
        print("  missed:      ", dict(missed.most_common()))


if __name__ == "__main__":
    main()
