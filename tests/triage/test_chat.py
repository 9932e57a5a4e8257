"""Splitting pasted WeChat group blocks into messages, and skipping chatter."""

from __future__ import annotations

import pytest

from linli.triage.chat import ChatMessage, is_chatter, split_chat


def test_name_and_time_on_their_own_line_then_the_message() -> None:
    block = "张三 10:32\n3号楼二单元的垃圾挡道了\n得赶紧派人处理!\n李四 10:33\n[表情]\n"
    assert split_chat(block) == [
        ChatMessage("张三", "10:32", "3号楼二单元的垃圾挡道了\n得赶紧派人处理!"),
        ChatMessage("李四", "10:33", "[表情]"),
    ]


def test_bracketed_time_name_and_colon_on_one_line() -> None:
    block = (
        "[2026-11-28 10:32] 张三: 5号楼电梯停了\n"
        "[2026-11-28 10:33] 王大妈：谢谢网格员\n"
        "【10:40】李四：2号楼502漏水\n"
    )
    assert split_chat(block) == [
        ChatMessage("张三", "2026-11-28 10:32", "5号楼电梯停了"),
        ChatMessage("王大妈", "2026-11-28 10:33", "谢谢网格员"),
        ChatMessage("李四", "10:40", "2号楼502漏水"),
    ]


def test_name_colon_without_time_and_time_separator_lines() -> None:
    block = "昨天 10:40\n刘奶奶：楼道灯不亮了\n赵六:好的\n2026年11月28日 上午9:05\n陈七：收到"
    assert split_chat(block) == [
        ChatMessage("刘奶奶", "昨天 10:40", "楼道灯不亮了"),
        ChatMessage("赵六", "昨天 10:40", "好的"),
        ChatMessage("陈七", "2026年11月28日 上午9:05", "收到"),
    ]


def test_time_then_name_on_a_line_and_other_date_formats() -> None:
    block = "2026-11-28 10:50 陈七\n楼道灯不亮了\n王五 2026/11/28 11:02\n3号楼有人飞线充电"
    assert split_chat(block) == [
        ChatMessage("陈七", "2026-11-28 10:50", "楼道灯不亮了"),
        ChatMessage("王五", "2026/11/28 11:02", "3号楼有人飞线充电"),
    ]


def test_a_colon_inside_a_message_does_not_start_a_new_one() -> None:
    block = "张三 10:32\n3号楼明天停水\n注意：提前接水\n时间：上午9点"
    assert split_chat(block) == [
        ChatMessage("张三", "10:32", "3号楼明天停水\n注意：提前接水\n时间：上午9点"),
    ]


def test_text_before_any_header_is_a_message_without_sender() -> None:
    assert split_chat("小区门口路灯坏了\r\n\r\n") == [ChatMessage("", "", "小区门口路灯坏了")]
    assert split_chat("   \n\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "谢谢",
        "谢谢王书记!",
        "好的好的",
        "收到",
        "收到,马上去",
        "嗯嗯",
        "ok👌",
        "大家早上好！",
        "[表情]",
        "[捂脸][捂脸]",
        "👍👍👍",
        "哈哈哈哈",
        "+1",
        "辛苦了🌹",
        "“张三”撤回了一条消息",
    ],
)
def test_chatter_is_skipped(text: str) -> None:
    assert is_chatter(text)


@pytest.mark.parametrize(
    "text",
    [
        "谢谢,3号楼灯又坏了",
        "2号楼502漏水",
        "老人摔倒了",
        "好几天没人收垃圾了",
        "可以派人来看看电梯吗",
        "您好,我想问下养老金认证怎么弄",
        "[图片] 5号楼楼道堆满了杂物",
    ],
)
def test_messages_with_something_to_act_on_are_kept(text: str) -> None:
    assert not is_chatter(text)
