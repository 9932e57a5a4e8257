"""Splitting a block copied from a WeChat group into messages, and telling chatter apart.

Copying from WeChat (PC, Mac, phone "multi-select → copy", exported logs) gives the
sender and time in a few shapes; all are recognised, and may be mixed:

    张三 10:32                     (name and time on a line, the message below)
    张三 2026/11/28 10:32
    [2026-11-28 10:32] 张三: 3号楼…  (time, name, colon, message on one line)
    2026-11-28 10:32 张三           (time then name, the message below)
    张三：3号楼…                    (name, colon, message)

Lines that are only a time or date ("10:32", "昨天 10:32", "2026年11月28日 上午10:32")
are the separators WeChat shows between messages and are dropped. Lines after a header
belong to its message until the next header. Stdlib only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linli.triage.hanzi import to_simplified

_DATE = r"(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/.月]\d{1,2}日?)"
_DAY = r"(?:昨天|前天|今天|星期[一二三四五六日天]|周[一二三四五六日天])"
_PART = r"(?:上午|下午|晚上|早上|凌晨|中午|傍晚)"
_CLOCK = r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"
TIME = rf"(?:(?:{_DATE}|{_DAY})\s*)?(?:{_PART}\s*)?{_CLOCK}"
_NAME_CHARS = r"[^\s:：\[\]【】，,。.!！?？、]"

_TIME_ONLY = re.compile(rf"^[\[【(（]?\s*(?:{TIME}|{_DATE}|{_DAY})\s*[\]】)）]?$")
# 张三 10:32  /  张三 (3号楼) 2026/11/28 10:32
_NAME_TIME = re.compile(rf"^(?P<name>\S[^:：\[\]【】]{{0,29}}?)\s+(?P<time>{TIME})$")
# [2026-11-28 10:32] 张三: message   /   10:32 张三：message
_TIME_NAME_TEXT = re.compile(
    rf"^[\[【(（]?\s*(?P<time>{TIME})\s*[\]】)）]?\s*(?P<name>{_NAME_CHARS}{{1,20}})\s*[:：]\s*(?P<text>.*)$"
)
# [2026-11-28 10:32] 张三   (message on the next lines)
_TIME_NAME = re.compile(
    rf"^[\[【(（]?\s*(?P<time>{TIME})\s*[\]】)）]?\s+(?P<name>{_NAME_CHARS}{{1,20}})$"
)
# 张三：message  (a short name without digits)
_NAME_TEXT = re.compile(
    r"^(?P<name>[^\s\d:：\[\]【】，,。.!！?？、]{1,12})\s*[:：]\s*(?P<text>.+)$"
)
# Words that open a sentence with a colon but are no sender.
_NOT_A_NAME = re.compile(
    r"^(?:注意|通知|地址|时间|电话|备注|问题|情况|位置|内容|原因|提醒|温馨提示)$"
)


@dataclass(frozen=True)
class ChatMessage:
    sender: str
    time: str
    text: str


def _header(line: str) -> tuple[str, str, str] | None:
    """(sender, time, text on the same line) when ``line`` starts a message."""
    for pattern in (_TIME_NAME_TEXT, _TIME_NAME, _NAME_TIME):
        found = pattern.match(line)
        if found:
            groups = found.groupdict()
            return groups["name"].strip(), groups["time"].strip(), groups.get("text") or ""
    found = _NAME_TEXT.match(line)
    if found and not _NOT_A_NAME.match(found["name"]):
        return found["name"].strip(), "", found["text"]
    return None


def split_chat(block: str) -> list[ChatMessage]:
    """The messages of a pasted group-chat block, in order (empty ones dropped)."""
    messages: list[ChatMessage] = []
    # The message being collected.
    sender, time = "", ""
    lines: list[str] = []

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            messages.append(ChatMessage(sender=sender, time=time, text=text))

    for raw in block.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip().replace("\u200b", "").replace("\ufeff", "")
        if not line:
            continue
        if _TIME_ONLY.match(line):
            flush()
            sender, lines = "", []
            time = line.strip("[]【】()（） ")
            continue
        header = _header(line)
        if header is not None:
            flush()
            sender, new_time, first = header
            time = new_time or time
            lines = [first] if first.strip() else []
            continue
        lines.append(line)
    flush()
    return messages


# --- chatter -----------------------------------------------------------------------------

_STICKER = re.compile(r"\[[^\[\]]{1,6}\]|【[^【】]{1,6}】")  # [表情] [图片] [捂脸] [动画表情]
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d\u2b50\u2b06\u2194-\u21aa\u3030\u303d]"
)
_CHATTER_WORDS = re.compile(
    r"谢谢|谢啦|谢了|多谢|感谢|辛苦了|辛苦|麻烦了|好的|好嘞|好滴|好哒|好吧|好|嗯+|哦+|噢+|收到|"
    r"了解|明白|知道了|知道|没问题|可以|行|对的|是的|对|ok|okay|👌|早上好|早安|早|中午好|下午好|"
    r"晚上好|晚安|大家好|你好|您好|各位好|哈+|呵+|嘿+|赞|点赞|\+1|棒|厉害|给力|同意|支持|"
    r"已阅|拍了拍.*|撤回了一条消息"
)
_PARTICLES = re.compile(r"[啊呀哈啦了的哦喔呢吧嘛哇呐噢~～]")
_PUNCT = re.compile(r"[\s,.!?;:，。！？；：、…·\-—_'\"“”‘’()（）]+")


def is_chatter(text: str) -> bool:
    """True for thanks, greetings, acknowledgements (收到/好的), stickers, emoji and other
    messages with nothing to act on; False when anything substantial is left."""
    rest = _STICKER.sub("", to_simplified(text))  # 謝謝 / 收到 in traditional characters
    rest = _EMOJI.sub("", rest)
    rest = _PUNCT.sub("", rest).lower()
    if not rest:
        return True
    if "撤回了一条消息" in rest or "拍了拍" in rest:
        return True
    stripped = _CHATTER_WORDS.sub("", rest)
    if stripped == rest:
        return False  # no chatter word at all: whatever it says, it is not small talk
    stripped = _PARTICLES.sub("", stripped)
    # What is left is at most a short address (王书记, 大家, 网格员) and no number.
    return len(stripped) <= 4 and not re.search(r"\d", stripped)


# --- near-identical messages -----------------------------------------------------------

_NOT_TEXT = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
SIMILAR = 0.6
"""Character-bigram Jaccard above which two messages say the same thing (a repeat)."""


def _bigrams(text: str) -> set[str]:
    # a repost in traditional characters is the same message
    core = _NOT_TEXT.sub("", _STICKER.sub("", to_simplified(text)).lower())
    if len(core) < 2:
        return {core} if core else set()
    return {core[i : i + 2] for i in range(len(core) - 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character bigrams of two messages (punctuation, spaces,
    stickers and emoji ignored): 1.0 for the same words, ≈0 for unrelated ones."""
    left, right = _bigrams(a), _bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def similar_texts(a: str, b: str) -> bool:
    return similarity(a, b) >= SIMILAR
