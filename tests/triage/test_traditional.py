"""The reader reads traditional characters (and mixed text) as it reads simplified ones.

The general case: every message of the labelled sets, converted to traditional characters
by OpenCC (``s2t``, a converter independent of the reader's own ``tw2s``), must be read as
well as the simplified original — category, location, urgent recall and precision. No
word list of any test set is involved: the sets are converted whole.

The focused cases: mixed traditional and simplified text, full-width digits in addresses,
Taiwan's 著 for 着, compound names, the words shown as the reason of an urgent reading (in
the resident's own characters), the request keeping the text as written, and training on a
correction written in traditional characters.
"""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from linli.requests.models import Channel
from linli.requests.services import request_submit
from linli.triage.chat import is_chatter, similarity
from linli.triage.evaluate import CORPUS_COMPOUNDS, Example, Figures, evaluate, load_examples
from linli.triage.hanzi import as_written, to_simplified
from linli.triage.model import (
    CORPUS_DIR,
    CategoryModel,
    TrainingExample,
    default_urgency_model,
    features,
)
from linli.triage.models import Suggestion
from linli.triage.reader import normalise, read_message
from tests.cast import Cast

DEV = Path(__file__).resolve().parent / "data" / "dev.jsonl"

# Every labelled evaluation set (and the dev messages). Figures only: a failure prints
# the two summaries, never a message.
LABELLED_SETS = (
    "heldout.jsonl",
    "blind.jsonl",
    "fresh_heldout.jsonl",
    "fresh2_heldout.jsonl",
    "fresh3_heldout.jsonl",
    "fresh4_heldout.jsonl",
    "fresh5_heldout.jsonl",
    "urgency_heldout.jsonl",
    "voices5b_audit.jsonl",
    "fresh6a_heldout.jsonl",
    "fresh6b_heldout.jsonl",
    "voices7_audit.jsonl",
)
# At most this much lower on the traditional copy (about one message in a hundred).
MARGIN = 0.01

_S2T = opencc.OpenCC("s2t")


def _traditional(examples: list[Example]) -> list[Example]:
    return [
        Example(_S2T.convert(e.text), e.category, e.building, e.unit, e.room, e.urgent)
        for e in examples
    ]


def _figures(f: Figures) -> tuple[float, float, float, float]:
    return (f.category_accuracy, f.location_accuracy, f.urgent_recall, f.urgent_precision)


@pytest.mark.parametrize("name", ["dev.jsonl", *LABELLED_SETS])
def test_every_labelled_set_reads_as_well_in_traditional_characters(name: str) -> None:
    path = DEV if name == "dev.jsonl" else CORPUS_DIR / name
    compounds = () if name == "dev.jsonl" else CORPUS_COMPOUNDS
    simplified = load_examples(path)
    traditional = _traditional(simplified)
    # the copy is really in traditional characters: nearly every message changed
    changed = sum(t.text != s.text for t, s in zip(traditional, simplified, strict=True))
    assert changed >= 0.9 * len(simplified), (changed, len(simplified))

    before = evaluate(simplified, compounds=compounds)
    after = evaluate(traditional, compounds=compounds)
    summary = f"simplified:\n{before.format()}\n\ntraditional:\n{after.format()}"
    for label, s, t in zip(
        ("category", "location", "urgent recall", "urgent precision"),
        _figures(before),
        _figures(after),
        strict=True,
    ):
        assert t >= s - MARGIN, (label, summary)
    # and the counts behind recall and precision are the same within a message or so
    assert abs(after.urgent_true_positive - before.urgent_true_positive) <= max(
        1, MARGIN * before.count
    ), summary


def test_the_address_of_the_issue_in_traditional_characters() -> None:
    reading = read_message("3號樓2單元501 樓道裡有燒焦的味道")
    assert (reading.building, reading.unit, reading.room) == (3, 2, "501")
    assert reading.category == "safety"
    assert reading.urgent
    # the reason is shown in the resident's own characters
    assert reading.urgent_because == ("燒焦",)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("３號樓２單元５０１", (3, 2, "501")),  # full-width digits, traditional
        ("３号楼２单元５０１", (3, 2, "501")),  # full-width digits, simplified
        ("３号樓２單元５０１室", (3, 2, "501")),  # full-width and mixed
        ("十二號樓三單元六零二", (12, 3, "602")),  # Chinese numerals
        ("５－２－６０２", (5, 2, "602")),
        ("住在7棟1單元 三樓", (7, 1, None)),  # a floor is not a building, 棟 is
    ],
)
def test_addresses_in_traditional_mixed_and_full_width_characters(
    text: str, where: tuple[int, int, str | None]
) -> None:
    reading = read_message(text + " 樓道燈壞了")
    assert (reading.building, reading.unit, reading.room) == where


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("5號樓電梯裡有人被困住了 一直在拍門", "safety"),  # all traditional
        ("5号楼电梯裡有人被困住了 一直在拍門", "safety"),  # mixed in one message
        ("廚房裡一股很濃的煤氣味 我媽一個人在家", "safety"),
        ("樓道配電箱漏電 冒火花了", "safety"),
        ("我媽在浴室摔倒了 爬不起來 快來人", "health"),
        ("樓道裡著火了 好多煙", "safety"),  # Taiwan's 著 for 着
        ("有人打電話讓我爸馬上轉賬 說是公安局的 他正在銀行", "security"),
    ],
)
def test_urgent_messages_in_traditional_or_mixed_characters(text: str, category: str) -> None:
    reading = read_message(text)
    assert reading.urgent, text
    assert reading.category == category, text
    assert reading.urgent_because


@pytest.mark.parametrize(
    "text",
    [
        "上週樓道著火了 現在已經沒事了",  # past and resolved
        "萬一漏電了應該打什麼電話",  # a question about a danger that is not there
        "垃圾三天沒人清了 趕緊來收",  # a hurry-up about rubbish
    ],
)
def test_look_alikes_in_traditional_characters_stay_calm(text: str) -> None:
    assert not read_message(text).urgent, text


def test_the_reading_copy_is_simplified_and_keeps_its_length() -> None:
    assert normalise("3號樓 2單元") == "3号楼,2单元"
    # 著 as 着 (著火, 燒著了), 著 kept in 著名: Taiwan variants before t2s
    assert to_simplified("著火了 燒著了 著名") == "着火了 烧着了 著名"
    text = "我媽住在５號樓😀，樓道裡好多煙\ud800"
    assert len(to_simplified(text)) == len(text)  # even with a lone surrogate
    assert to_simplified("楼道里冒烟了") == "楼道里冒烟了"  # simplified stays as it is


def test_the_reason_words_are_mapped_back_to_the_characters_as_written() -> None:
    written = "5號樓,樓道裡冒煙"
    reading = to_simplified(written)
    assert as_written(("冒烟", "0号楼", "不在"), reading, written) == ("冒煙", "5號樓", "不在")


def test_a_compound_name_is_found_in_traditional_characters() -> None:
    reading = read_message("凱奇花園3號樓2單元 路燈壞了", compounds=["凯奇花园"])
    assert reading.compound == "凯奇花园"
    assert (reading.building, reading.unit) == (3, 2)


def test_both_models_read_the_traditional_copy_as_the_simplified_one() -> None:
    assert features("樓道裡冒煙了") == features("楼道里冒烟了")
    model = default_urgency_model()
    assert model.probability("樓道裡冒煙了") == model.probability("楼道里冒烟了")


def test_a_correction_in_traditional_characters_trains_on_its_simplified_reading() -> None:
    model = CategoryModel.train([TrainingExample("樓道著火", "safety")])
    assert "楼道" in model.counts
    assert "着火" in model.counts
    assert "樓道" not in model.counts


def test_group_chat_thanks_and_reposts_in_traditional_characters() -> None:
    assert is_chatter("謝謝王書記 收到")
    assert similarity("3號樓樓道燈壞了", "3号楼楼道灯坏了") == 1.0


def test_the_request_keeps_the_words_as_written_and_is_read_urgent(cast: Cast) -> None:
    text = "樓道裡有股燒焦的味道,不知道哪家的,1號樓1單元"
    request = request_submit(
        submitted_by=cast.resident_user,
        reporter=cast.elder,
        text=text,
        channel=Channel.RESIDENT_PAGE,
        location=cast.community,
    )
    request.refresh_from_db()
    assert request.text == text  # stored as the resident wrote it
    assert request.urgent
    assert request.location == cast.unit1
    suggestion = Suggestion.objects.get(request=request)
    assert (suggestion.building, suggestion.unit) == (1, 1)
    assert suggestion.urgent_reason == "燒焦"
