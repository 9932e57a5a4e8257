"""Read a resident's free-text message: category, location and urgency.

Stdlib only. The reader combines

* hand-written location rules (楼栋 / 单元 / 户, see ``TAXONOMY.md``),
* weighted keyword and phrase rules for the category, with a few hard rules for
  the subtle boundaries of the taxonomy (a leak between flats is a dispute, a
  roof leak a repair, people trapped in a lift are a safety matter …),
* a small character n-gram naive Bayes model (:mod:`linli.triage.model`) that
  decides when the rules are silent or undecided,
* urgency cues grouped in semantic families, with negation, hypothetical, past,
  "already resolved" and retraction handling,
* a logistic-regression urgency model (:class:`linli.triage.model.UrgencyModel`) that decides
  only when the rules found no urgency cue at all.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from linli.triage.hanzi import as_written, to_simplified
from linli.triage.model import (
    CATEGORIES,
    CategoryModel,
    UrgencyModel,
    default_model,
    default_urgency_model,
    features,
)

__all__ = ["CATEGORIES", "CategoryModel", "Location", "Reading", "read_location", "read_message"]


@dataclass(frozen=True)
class Reading:
    category: str
    building: int | None
    unit: int | None
    room: str | None
    urgent: bool
    confidence: float
    compound: str | None = None
    # The words that decided an urgent reading (a rule's cue, or the model's strongest
    # n-grams), shown to staff; empty when not urgent.
    urgent_because: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "category": self.category,
            "building": self.building,
            "unit": self.unit,
            "room": self.room,
            "urgent": self.urgent,
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True)
class Location:
    building: int | None = None
    unit: int | None = None
    room: str | None = None


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "o": 0,
    "一": 1,
    "壹": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CN_CHARS = "零〇一壹幺二两贰三叁四肆五伍六陆七柒八捌九玖十拾百"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d~～_"

_SPACE_RE = re.compile(r"\s+")
_DASH_BETWEEN_DIGITS = re.compile(r"(?<=\d)\s*[-/" + _DASHES + r"一]\s*(?=\d)")
_EMOJI_RE = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")


def normalise(text: str) -> str:
    """The reading copy of a message: NFKC (full-width digits and signs), unified dashes,
    spaces as ``,``, traditional characters as simplified (:mod:`linli.triage.hanzi`)."""
    return to_simplified(_prepare(text))


def _prepare(text: str) -> str:
    """:func:`normalise` before the conversion to simplified characters (the same length)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _EMOJI_RE.sub(" ", text)
    text = _DASH_BETWEEN_DIGITS.sub("-", text)
    # keep a separator between two runs of digits, drop spaces everywhere else
    return _SPACE_RE.sub(",", text.strip())


def squeeze(text: str) -> str:
    """Drop the separators that :func:`normalise` left for spaces (for locations)."""
    return _SQUEEZE.sub("", text)


_SQUEEZE = re.compile(
    r"(?<=\D),(?=\D)|(?<=\d),(?=[号栋幢#单室户\-]|楼(?![上下道梯顶]))|(?<=-),|,(?=-)"
)


def cn_number(raw: str) -> int | None:
    """Convert a number written in digits or Chinese numerals (十二, 二十一, 五零二)."""
    if raw.isdigit():
        return int(raw)
    s = raw.replace("拾", "十")
    if "百" in s or "十" in s:
        total = 0
        rest = s
        if "百" in rest:
            head, rest = rest.split("百", 1)
            if len(head) != 1 or head not in _CN_DIGITS:
                return None
            total += _CN_DIGITS[head] * 100
            rest = rest.lstrip("零〇")
        if "十" in rest:
            head, tail = rest.split("十", 1)
            if head == "":
                tens = 1
            elif len(head) == 1 and head in _CN_DIGITS:
                tens = _CN_DIGITS[head]
            else:
                return None
            total += tens * 10
            rest = tail
        if rest:
            if len(rest) != 1 or rest not in _CN_DIGITS:
                return None
            total += _CN_DIGITS[rest]
        return total
    digits = [_CN_DIGITS.get(ch) for ch in s]
    if not digits or any(d is None for d in digits):
        return None
    value = 0
    for d in digits:
        assert d is not None
        value = value * 10 + d
    return value


def cn_digit_string(raw: str) -> str | None:
    """``五零二`` → ``"502"`` (digit by digit), digits are returned as they are."""
    if raw.isdigit():
        return raw
    out = []
    for ch in raw:
        d = _CN_DIGITS.get(ch)
        if d is None:
            return None
        out.append(str(d))
    return "".join(out)


# ---------------------------------------------------------------------------
# Location
# ---------------------------------------------------------------------------

_NUM = r"(\d{1,3}|[" + _CN_CHARS + r"]{1,4})"
_NOT_BEFORE = r"(?<![\d" + _CN_CHARS + r"月第几多\-])"
_TRIPLE = re.compile(r"(?<![\d\-.])(\d{1,3})-(\d{1,2})-(\d{2,4})(?![\d\-])")
_UNIT_WORD = r"(?:单元|单圆|单员|单无|单(?=\d))"
_UNIT_AHEAD = r"(?=(?:\d{1,2}|[" + _CN_CHARS + r"]{1,3})" + _UNIT_WORD + r")"
_BUILDING = re.compile(
    _NOT_BEFORE
    + _NUM
    + r"(?:号楼|號楼|号院楼|栋楼?|棟|幢楼?|#楼?|号(?=\d{1,2}-\d{2,4}(?!\d))|号"
    + _UNIT_AHEAD
    + r"|楼"
    + _UNIT_AHEAD
    + r")"
)
_UNIT = re.compile(_NOT_BEFORE + _NUM + _UNIT_WORD)
_UNIT_MEN = re.compile(r"^(\d{1,2}|[" + _CN_CHARS + r"]{1,3})门(?![口前外里卫岗])")
_ROOM_STOP = r"(?![\d楼层点年元块米个次斤岁天分号楼栋平辆户人届月日期路]|号楼|-\d)"
_ROOM_AFTER = re.compile(
    r"^,?(?:[-的]|号)?(\d{3,4}|[零〇一二三四五六七八九幺]{3,4})(?:室|房|户|号(?!楼))?" + _ROOM_STOP
)
_ROOM_AFTER_UNIT = re.compile(
    r"^,?(?:[-的])?(\d{3,4}|[零〇一二三四五六七八九幺]{3,4})(?![\d层点年元块米个次斤岁天分平辆人]|楼(?![上下道梯顶]))"
)
# A floor written before the room (「1单元3楼302」, 「1单元1层101」): the room is taken
# when its leading digits are that floor, as a flat's number is.
_FLOOR_ROOM_AFTER_UNIT = re.compile(
    r"^,?(\d{1,2}|[" + _CN_CHARS + r"]{1,3})(?:层|楼)的?(\d{3,4})"
    r"(?![\d层点年元块米个次斤岁天分平辆人楼])"
)
_UNIT_ROOM_AFTER_BUILDING = re.compile(r"^-?(\d{1,2})-(\d{2,4})(?!\d)")
_ROOM_MARKED = re.compile(r"(?<![\d\-])(\d{3,4})(?:室|号房|房间|号(?![楼院线路店门]))")
_QUANTITY_BUILDING = re.compile(r"^[一两几]栋楼|^[两几]栋|^[两几]幢")


def _building_at(text: str, match: re.Match[str]) -> int | None:
    raw = match.group(1)
    if _QUANTITY_BUILDING.match(text, match.start(1)):
        return None
    value = cn_number(raw)
    if value is None or value <= 0 or value > 300:
        return None
    return value


def _room_after_unit(rest: str) -> str | None:
    """The room written right after a unit: 「302」, 「的302」, or after its floor 「3楼302」."""
    rm = _ROOM_AFTER_UNIT.match(rest)
    if rm:
        return cn_digit_string(rm.group(1))
    floored = _FLOOR_ROOM_AFTER_UNIT.match(rest)
    if floored and cn_number(floored.group(1)) == int(floored.group(2)[:-2]):
        return floored.group(2)
    return None


def read_location(text: str) -> Location:
    """Building, unit and room from an already normalised message."""
    triple = _TRIPLE.search(text)
    if triple:
        return Location(int(triple.group(1)), int(triple.group(2)), triple.group(3))

    building: int | None = None
    unit: int | None = None
    room: str | None = None
    after_building = -1
    for match in _BUILDING.finditer(text):
        value = _building_at(text, match)
        if value is not None:
            building = value
            after_building = match.end()
            break

    if after_building >= 0:
        tail = text[after_building:]
        ur = _UNIT_ROOM_AFTER_BUILDING.match(tail)
        if ur:
            return Location(building, int(ur.group(1)), ur.group(2))
        men = _UNIT_MEN.match(tail)
        if men:
            unit = cn_number(men.group(1))
            room = _room_after_unit(tail[men.end() :])

    if unit is None:
        for match in _UNIT.finditer(text):
            value = cn_number(match.group(1))
            if value is None or value <= 0 or value > 40:
                continue
            unit = value
            room = _room_after_unit(text[match.end() :])
            break

    if room is None and after_building >= 0 and unit is None:
        rm = _ROOM_AFTER.match(text[after_building:])
        if rm:
            room = cn_digit_string(rm.group(1))
    if room is None:
        marked = _ROOM_MARKED.search(text)
        if marked:
            room = marked.group(1)
    return Location(building, unit, room)


# ---------------------------------------------------------------------------
# Category rules
# ---------------------------------------------------------------------------

_Rule = tuple[re.Pattern[str], str, float]


def _rules(*items: tuple[str, str, float]) -> tuple[_Rule, ...]:
    return tuple((re.compile(p), c, w) for p, c, w in items)


_NEIGHBOUR = r"(?:楼上|楼下|邻居|对门|隔壁|对面|他家|他们家|她家|上面那家|下面那家)"
_CLUTTER_PLACE = (
    r"(?:楼梯拐角|拐角|走廊|楼道|楼梯间|楼梯口|"
    r"楼梯下|楼梯上|过道|消防通道|安全通道|安全出口|通道|单元门口)"
)
_CLUTTER = (
    r"(?:水泥|沙子|堆|放了|放着|摆|停了|停着|停满|占|堵|塞|"
    r"杂物|纸箱|纸板|柜|废品|柴火|家具|电动车|摩托|自行车|婴儿车|煤|汽油|气罐)"
)
# issue 12, seventh pass: "someone in the lift" doing something (抽烟, 贴广告, 尿) is not trapped
_IN_LIFT_DOING = (
    r"(?!.{0,5}(?:抽烟|吸烟|贴|尿|拉屎|吐|呕|扔|乱|吃东西|遛狗|带狗|牵狗|骂|吵|刻|画|涂|大声|外放))"
)
_LIFT_TRAPPED = (
    r"(?:电梯.{0,26}(?:困|关着|关在|出不来|救命|拍门|喊救命|"
    r"(?:里面有人|里有人|里面有个|里头有人|在里面|在里头)" + _IN_LIFT_DOING + r"|里面关)"
    r"|(?:困|关|卡)在电梯|电梯困人|被困电梯|[𨋢䢂].{0,12}(?:困|卡|入面有))"  # 𨋢 reads as 䢂
)
_FIRE = (
    r"(?:着火|起火|失火|火灾|冒烟|冒黑烟|黑烟|浓烟|烟很大|烟大|烧焦|焦味|焦糊|糊味|火苗|火星|冒火|"
    r"着起来了|火(?:挺|很|好|太|特别|老|越来越)大|冒.{0,4}烟|烟.{0,3}(?:呛|很大|好大|太大)|烧东西的味|起烟|烧起来|点着|引着|火花|明火|着了火|燃起来|(?<!\d)119(?!\d))"
)
_GAS = (
    r"(?:(?:燃气|煤气)?报警器.{0,6}(?<!不)(?:叫|响)|闻着有.{0,2}气味|臭鸡蛋味|"
    r"(?:煤气|燃气|天然气)(?:管|阀|表).{0,8}(?:漏|呲|响|坏|破|裂)|(?:煤气|燃气).{0,3}(?<!没)(?<!不)漏|煤气味|燃气味|"
    r"天然气味|液化气味|气味.{0,3}(?:煤气|燃气)|漏气|燃气泄漏|煤气泄漏|泄漏|呲呲.{0,4}气|冒气)"
)
_OPEN_BURNING = r"(?:烧垃圾|焚烧|烧秸秆|烧树叶|烧落叶|烧塑料|烧纸.{0,4}垃圾)"
_SCAM = (
    r"(?:骗|诈骗|冒充|假冒|刷单|中奖|中了大奖|安全账户|保证金|手续费|验证码|银行卡号|密码|链接|"
    r"公安局的|公检法|洗钱|冻结)"
)
_TRANSFER = r"(?:转账|转钱|转过去|打钱|汇款|汇过去|取钱|交钱|给钱|转到|打过去)"

_CATEGORY_RULES: tuple[_Rule, ...] = _rules(
    # sanitation
    (r"垃圾", "sanitation", 2.0),
    (r"臭|臊|异味|骚味|味儿大|味道大|反味|返味|恶心|晦气", "sanitation", 3.0),
    (r"脏|黏糊|灰|污", "sanitation", 1.0),
    (r"脏得|脏死|太脏|脏乱|埋汰|邋遢", "sanitation", 2.0),
    (r"蚊子|苍蝇|蟑螂|老鼠|虫子|蚂蚁|蛆|耗子", "sanitation", 2.5),
    (r"狗屎|猫屎|狗粑粑|鸡屎|粪|屎|尿不湿|撒尿|尿骚|痰|呕吐|吐了一地", "sanitation", 2.5),
    (r"化粪池|污水|脏水|臭水|黑水|冒水|冒泡|排水沟|水沟", "sanitation", 2.0),
    (r"死(?:老鼠|猫|狗|鸡|鱼|鸟)", "sanitation", 3.0),
    (_OPEN_BURNING, "sanitation", 5.0),
    (r"保洁|打扫|清扫|清运|消杀|打药|扫地|没人扫|没人清|没人拉|没人收拾|没人倒", "sanitation", 2.0),
    (r"剩饭|剩菜|瓜子皮|烂菜|菜叶|落叶|烟头|纸巾|装修垃圾|建筑垃圾", "sanitation", 1.5),
    # repair
    (r"坏了|坏掉|损坏|坏的|不亮|不灵|失灵|故障|不工作|修一下|维修|报修|没人修|来修", "repair", 2.0),
    (r"(?:墙皮|墙面|吊顶|天花板|墙).{0,8}(?:掉|脱落|起皮|裂|鼓)", "repair", 2.5),
    (r"(?:灯|路灯|照明).{0,8}(?:坏|不亮|闪|灭|不好使)", "repair", 2.5),
    (r"电梯.{0,10}(?:坏|停|不动|不走|卡|故障|异响|按钮|门|不开|关门|夹|维保|修)", "repair", 3.0),
    (
        r"(?:扶手|栏杆|单杠|器材|滑梯|秋千|篮球架|篮筐|座椅|长椅|椅子|跑步机|链子)"
        r".{0,8}(?:松|断|坏|掉|歪|晃|裂|转不动)",
        "repair",
        3.0,
    ),
    (
        r"(?:下水道|下水管|下水|马桶|地漏|排水|管道|管子).{0,6}(?:堵|不通|返水|下不去|冒)",
        "repair",
        3.0,
    ),
    (
        r"(?:单元门|楼门|门禁|防盗门|门锁|锁芯|闭门器|对讲|道闸|信报箱|合页|门卡)"
        r".{0,8}(?:坏|关不|打不开|刷不|不开|不响|失灵|掉|抬不)",
        "repair",
        3.0,
    ),
    (r"漏雨|(?:屋顶|楼顶|顶楼|房顶|顶层|防水).{0,10}(?:漏|渗)", "repair", 4.0),
    (
        r"(?:路面|地砖|砖|路上|马路|台阶|地面|踏步|斜坡|路).{0,6}(?:坑|裂|塌|翘|坏|碎|破|松)",
        "repair",
        3.0,
    ),
    (
        r"下雨.{0,8}漏|雨棚.{0,8}(?:洞|漏|破)|进不去门|进不了门|开不了门|密码锁|锁.{0,4}(?:坏|按不|打不开)",
        "repair",
        3.0,
    ),
    (r"大坑|坑坑洼洼|坑洼", "repair", 2.5),
    (
        r"暖气|水箱|水表|水龙头|太阳能|雨水管|水泵|排水泵|保温层|墙皮|窗户玻璃|窗户把手",
        "repair",
        1.5,
    ),
    (
        r"(?:水管|管子|管道|暖气管|自来水管|水龙头).{0,6}(?:爆|裂|崩|破|漏|冒水|冒)|爆管|跑水",
        "repair",
        4.0,
    ),
    (r"车棚|健身|喇叭坏|雨水篦子|篦子", "repair", 1.0),
    # safety
    (_CLUTTER_PLACE + r".{0,14}" + _CLUTTER, "safety", 3.0),
    (r"(?:堆|放|停|塞).{0,8}(?:楼道|楼梯间|消防通道|安全出口|通道)", "safety", 2.5),
    (
        r"飞线|私拉电线|拉线充电|扯电线|拉电线|私接电线|电线.{0,6}(?:充电|老化|裸露|乱)",
        "safety",
        4.0,
    ),
    (r"(?:电动车|电瓶车|电瓶|电车|三轮车).{0,12}充电|充电.{0,8}(?:楼道|屋里|家里)", "safety", 3.0),
    (r"消防|消火栓|灭火器|烟感|应急灯|安全隐患|隐患", "safety", 2.5),
    (_GAS, "safety", 5.0),
    (r"煤气罐|液化气罐|气罐|液化气|煤炉|烧炭|汽油", "safety", 2.5),
    (_FIRE, "safety", 5.0),
    (_LIFT_TRAPPED, "safety", 8.0),
    (r"井盖|窨井|井口.{0,4}(?:敞|开)", "safety", 5.0),
    (
        r"(?:瓷砖|外墙|窗户|窗框|窗子|玻璃|花盆|广告牌|招牌|外机|砖头|砖|酒瓶|瓶子|树枝|雨棚|石头|阳台)"
        r".{0,10}(?:掉下|往下掉|要掉|快掉|坠|砸|摇摇欲坠|晃|扔下)",
        "safety",
        4.0,
    ),
    (r"高空抛物|往下扔|从楼上扔|掉下来|砸到|砸人|摇摇欲坠", "safety", 3.0),
    (r"线露|电线露|裸露|露着", "safety", 3.0),
    (r"变压器|配电箱|电表箱|电箱|漏电|触电|电线", "safety", 2.5),
    (r"树.{0,4}(?:歪|要倒|倒了|断)", "safety", 2.0),
    # dispute
    (_NEIGHBOUR, "dispute", 1.5),
    (
        r"调解|评理|评评理|协调|协商|说和|劝劝|扯皮|不承认|不认账|不给修|不给赔|不讲理|讲理",
        "dispute",
        3.5,
    ),
    (r"吵架|吵起来|吵了|闹矛盾|矛盾|纠纷|闹翻|闹了|骂人|骂我|上门来骂|不理", "dispute", 2.5),
    (_NEIGHBOUR + r".{0,16}(?:吵|噪音|声音|响|半夜|装修|拖|剁|跳|唱|电钻|敲|震)", "dispute", 3.0),
    (r"噪音|太吵|吵得|吵死|睡不着", "dispute", 1.5),
    (_NEIGHBOUR + r".{0,14}(?:漏水|渗水|滴水|漏了|渗|往下流|往下滴)", "dispute", 5.0),
    (r"(?:漏水|渗水|渗到|渗).{0,14}" + _NEIGHBOUR, "dispute", 4.0),
    (r"空调.{0,8}(?:滴水|水|外机|冷凝)", "dispute", 3.0),
    (
        r"婆媳|婆婆|儿媳|媳妇|老公|两口子|兄弟|亲家|前妻|前夫|租客|房东|赡养|离婚|家暴|分家|儿子|闺女",
        "dispute",
        2.0,
    ),
    (
        r"为了.{0,12}(?:吵|闹|矛盾)|吵得|吵了起来|两户|两家|(?:邻居|楼上|楼下|对门).{0,8}(?:车位|占)",
        "dispute",
        2.5,
    ),
    (r"车位|占我|侵犯隐私|监控.{0,6}对着", "dispute", 2.0),
    # security
    (
        r"偷|被盗|盗窃|小偷|贼|撬|入室|剪了锁|顺走|拿走了|拉车门|试车门|卸了|窗户里爬|翻窗|爬窗|翻墙进|被坑|骗了",
        "security",
        5.0,
    ),
    (r"丢了|丢失|不见了", "security", 1.5),
    (r"被人.{0,4}(?:拿走|拔走|偷|顺|卸|剪|砸|划|撬)", "security", 4.0),
    (r"蹲着|盯着|看人进出|不知道想干啥|不像好人|来路不明|形迹", "security", 3.0),
    (_SCAM, "security", 4.0),
    (_TRANSFER, "security", 2.0),
    (
        r"陌生人|可疑|鬼鬼祟祟|踩点|社会青年|混混|醉汉|闹事|保护费|传销|高利贷|吸毒|吸东西|推销|算命|保健品",
        "security",
        3.0,
    ),
    (r"打架|斗殴|打起来|拿刀|持刀|砍人|拿着.{0,4}(?:棍|刀|铁锹)|追人|打人|动手", "security", 4.5),
    (
        r"(?:邻居|两家|两户|楼上|楼下|对门|一家人|两口子|夫妻|兄弟|婆媳|父子|母子).{0,8}"
        r"(?:打架|打起来|动手|打人)|差点打起来",
        "dispute",
        5.0,
    ),
    (r"报警|派出所|警察|(?<!\d)110(?!\d)|监控|门岗", "security", 1.5),
    # assistance
    (r"帮忙|帮着|帮我|帮一下|帮帮|帮个忙|找个人|找人|志愿者|麻烦谁|谁能", "assistance", 1.5),
    (
        r"药店|帮.{0,6}买|代买|买菜|买点|买两|买袋|买面|买米|送饭|送个饭|送药|拿药|取药|买药|降压药送",
        "assistance",
        3.0,
    ),
    (
        r"陪|扶一下|扛|搬不|搬下|搬上|拿不动|弄不动|够不着|下不了楼|出不了门|走不了",
        "assistance",
        2.5,
    ),
    (
        r"取快递|拿快递|倒垃圾|换灯泡|理发|教教|不会用|不会充|不会交|不会弄|不认识字|看不懂",
        "assistance",
        3.0,
    ),
    (
        r"独居|孤寡|一个人住|一个人在家|孤零零|没人照顾|没人说话|去看看(?:他|她)|看看(?:他|她)|护工|照顾",
        "assistance",
        2.5,
    ),
    (
        r"迷路|走丢|找不到家|糊涂|老人丢了|谁家的老人|痴呆|说不清楚|回不了家|没回来",
        "assistance",
        4.0,
    ),
    (r"腿脚不好|腿脚不便|腿脚不行|行动不便|瘫痪|残疾人|轮椅|耳朵背|眼睛不好", "assistance", 1.5),
    # health
    (
        r"摔倒|跌倒|摔了|摔伤|滚下来|倒地|倒在|躺在地上|起不来|晕倒|昏倒|晕过去|昏过去|昏迷|叫不醒|"
        r"不省人事|人事不省",
        "health",
        4.0,
    ),
    (
        r"胸口.{0,3}(?:疼|痛|闷)|心口.{0,3}(?:疼|痛|闷)|出冷汗|发紫|喘.{0,4}不上来|半边.{0,4}动不了|"
        r"说话.{0,3}不清|动不了了|胸痛|胸闷|喘不上气|喘不过气|呼吸困难|心慌|心脏|中风|嘴歪|说不出话|"
        r"抽搐|抽风|吐血|流血|满脸是血|中暑|噎住|农药|吃错药|高烧|晕乎乎|迷糊",
        "health",
        4.0,
    ),
    (r"发烧|头晕|头疼|头痛|腿疼|腰疼|咳嗽|感冒|拉肚子|牙疼|不舒服|难受", "health", 2.0),
    (r"医生上门|请医生|看医生|找医生|医生来|大夫来|上门看|药(?:吃完|不够|快吃完)", "health", 2.5),
    (
        r"病床|理疗|针灸|中医|康复|血压|血糖|糖尿病|高血压|慢病|慢性病|义诊|体检|疫苗|家庭医生|产检|建档|筛查",
        "health",
        3.0,
    ),
    (
        r"病|医生|大夫|看病|不舒服|疼|咳嗽|拉肚子|疹子|药|卫生站|卫生服务站|社区医院|手术|换药|伤口|缝针",
        "health",
        1.5,
    ),
    (
        r"(?:一天|两天|一整天|好几天|一上午|一天一夜|几天|一晚上|昨天到现在|到现在).{0,10}"
        r"(?:没开门|没出门|没见|没露面|没动静|不开门|不应|没人应|没人答应|联系不上|不接电话|电话不接|没开灯|没人接|没声音|没回应)",
        "health",
        5.0,
    ),
    (
        r"(?:敲门|叫门|喊门|敲了半天).{0,6}(?:没人应|没人答应|没人开|不应|不开|没反应|没动静)",
        "health",
        3.0,
    ),
    # policy
    (
        r"怎么办理|咋办理|怎么办|咋办|在哪办|去哪办|哪里办|在哪报|咋报名|怎么报名|报名|申请|办理|补办|年审|"
        r"激活|报销|备案|怎么交|交多少|截止|名额|领取|咋领|怎么领|能领|多大岁数",
        "policy",
        2.5,
    ),
    (
        r"补贴|补助|津贴|救助|低保|五保|医保|社保|养老金|养老保险|认证|残疾证|居住证|户口|证明|政策|"
        r"暑托|托管班|廉租房|公租房|优待|奖励金|培训|公益性岗位|岗位|营业执照|失业金|老年证|乘车卡|"
        r"社保卡|医保卡|新农合|退役军人|独生子女|积分|入学|取暖费|补偿款|高龄",
        "policy",
        3.0,
    ),
    # order
    (
        r"乱停|停车(?!位)|乱放|占道|摆摊|摊子|小贩|卖菜的|吆喝|喇叭|广场舞|音响|音箱|鞭炮|KTV|ktv",
        "order",
        3.0,
    ),
    (
        r"油烟|排风|私搭|乱建|违建|违章|彩钢房|搭了|搭棚|棚子|加盖|群租|隔成|僵尸车|圈了|圈地",
        "order",
        3.0,
    ),
    (r"(?:新开|开了个|开了一个|开的).{0,4}(?:店|馆|ktv|超市|铺|摊)", "order", 3.0),
    (
        r"(?:店|馆|饭店|商铺|底商|超市|工地|施工|ktv|摊).{0,16}(?:吵|噪音|半夜|睡不着)",
        "order",
        3.0,
    ),
    (
        r"饭店|饭馆|餐馆|烧烤|商铺|店|麻将馆|修车铺|超市|卖|收废品|货车|卡车|出租车|施工|工地",
        "order",
        1.5,
    ),
    (r"盲道|人行道|堵住了?(?:半条|路)|把路|占了|不拴绳|骑得飞快|遛狗", "order", 2.0),
    # other
    (r"^(?:谢谢|感谢|多谢|表扬|点赞|👍)", "other", 4.0),
    (r"(?:感谢|谢谢|多谢).{0,24}(?:帮|修好|解决|送|调解|辛苦|好人|热心|及时)", "other", 4.0),
    (r"辛苦了|点赞|表扬|锦旗|好人|太好了|真好|太精彩|已经解决|修好了|和好了|感谢党", "other", 3.0),
    (r"(?:谢谢|感谢|多谢)(?:社区|网格员|大家|你们|志愿者|物业|书记|师傅|政府)", "other", 3.0),
    (r"特别好|非常好|很好|挺好|真不错|满意", "other", 1.5),
    (
        r"建议|提个建议|提个意见|意见|希望|能不能建|能不能搞|能不能开|搞个|增加几个|多装|多种",
        "other",
        2.5,
    ),
    (
        r"活动|群里|广告|电话是多少|几点|下班|上班时间|工作时间|公众号|小程序|新搬来|关照|议事会|书记",
        "other",
        2.0,
    ),
    (r"合唱|舞蹈队|兴趣班|加入|怎么联系|联系方式|通知", "other", 2.0),
    (r"群里.{0,8}(?:别|不要)|(?:别|不要)在群里|别发", "other", 5.0),
    (r"这个群|刷屏|请问社区|停水|停电通知|注意", "other", 1.0),
)

# hard rules: (pattern, category, bonus) applied after the sums — the taxonomy's
# explicit boundaries must not be outvoted by loose cues.
_BOUNDARY_RULES: tuple[_Rule, ...] = _rules(
    (_LIFT_TRAPPED, "safety", 6.0),
    (r"(?:养老金|资格)认证.{0,30}(?:" + _TRANSFER + "|" + _SCAM + ")", "security", 4.0),
    (r"(?:" + _TRANSFER + "|" + _SCAM + ").{0,30}(?:养老金|资格)认证", "security", 4.0),
    (_OPEN_BURNING, "sanitation", 3.0),
    (r"点着了|着火了|起火了|烧起来了|失火", "safety", 3.0),
    (
        r"(?:偷|被偷|偷走).{0,6}(?:井盖|窨井|篦子|箅子|盖板)|(?:井盖|窨井|篦子|箅子|盖板).{0,10}(?:偷|被偷)",
        "safety",
        6.0,
    ),
    # Parking in front of a hydrant is illegal parking (order; a fire lane blocked by cars
    # stays safety, as the corpus labels it); a business's smoke or fumes is order.
    (r"停.{0,8}消防栓", "order", 3.5),
    (r"(?:店|饭店|饭馆|餐馆|摊|烧烤).{0,8}(?:油烟|烟|味)", "order", 2.5),
    # Taking shared space for oneself (not clutter in a stairwell, which is safety).
    (
        r"(?<!楼道)(?:占|圈|扩|隔)(?:了|成|用|着|起来)?.{0,6}"
        r"(?:公共|通道|空地|绿地|草坪|人行道|车位|院子|小间)",
        "order",
        2.0,
    ),
)

# A message that retracts an alarm or reports it over and done, with thanks or
# reassurance, is a message to the group ("other"), not the emergency it names.
_ALL_CLEAR = re.compile(
    r"虚惊|是误会|不是着火|没着火|(?<!是)不是(?:失)?火(?=[,.!?]|$|啊|呀|哈)|搞错了|弄错了|看错了|(?:警报|警情)(?:已经)?解除|散了吧|"
    r"大家(?:别慌|放心|安心|不用担心|不要担心|别担心)|"
    r"(?:已经|都|早)(?:解决|补上|修好|修过|处理好|出来|灭了|找到|没事)了?.{0,12}(?:谢谢|感谢|多谢|放心)|"
    r"(?:谢谢|感谢|多谢).{0,20}(?:已经|都)(?:解决|补上|修好|处理好|没事)|"
    r"(?:检查|查|看)了?.{0,8}(?:没问题|没事)|一看是|是.{0,8}在(?:检修|放气|烤|熏|演练)"
)
_REMINDER = re.compile(r"提醒(?:一下)?(?:各位|大家|邻居)|温馨提示|大家注意")
_ASKS = re.compile(r"[?？]|吗|能不能|怎么|咋|谁|哪|多少|是否|可以不|不能")
# A structure giving way, an opening left uncovered: safety, whatever is broken.
_GIVING_WAY = re.compile(
    r"塌了|塌下|陷下去|塌陷|塌了个|掉土|咔咔|摇摇欲坠|露着.{0,4}(?:大口子|窟窿|钢筋|铁皮)|"
    r"没(?:有)?盖子|没盖(?!章)|大口子|窟窿"
)
# Repairs left after an event that is over (上周着火了…墙熏黑了,啥时候能刷): repair.
_REPAIR_AFTER = re.compile(
    r"(?:还没修|没人修|一直没(?:修|补|换)|啥时候(?:能|给|来)?(?:刷|修|补|换)|什么时候(?:能|给|来)?(?:刷|修|补|换)|"
    r"能不能(?:给)?(?:刷|修|补|换)|给(?:刷|修|补|换)一下|(?:来|再)?(?:刷|修|补|换|弄)一下|再来看看)"
)
_OVER = re.compile(
    r"上周|上次|那次|去年|前几天|上个月|之前|着过|(?:困|进|淹)过|修了|修完|现在没事|都是.{0,4}的事了|已经灭了"
)
# Further boundaries of TAXONOMY, each a family of wordings rather than one phrase.
_EXTRA_BOUNDARIES: tuple[tuple[re.Pattern[str], str, float], ...] = tuple(
    (re.compile(p), c, w)
    for p, c, w in (
        # vehicles blocking a door or path, private locks on shared spaces, sheds put up
        (
            r"停.{0,8}(?:单元门|门口|门前|通道|人行道|盲道).{0,10}(?:推不进|过不去|进不去|出不来|堵)|"
            r"地锁|谁搭的|搭了个|立起来一个.{0,4}(?:房|棚)|私搭|乱搭",
            "order",
            2.5,
        ),
        # strangers lingering or following: security
        (
            r"陌生(?:人|车|男|女|面孔)?.{0,10}(?:停着|转悠|徘徊|跟着|坐着|盯着|打听|拍照)|"
            r"(?:鬼鬼祟祟|形迹可疑|不像好人)",
            "security",
            2.5,
        ),
        # an elderly person who cannot find home: assistance
        (
            r"不记得.{0,4}(?:哪栋|哪个楼|家在哪|回家|住哪)|找不着家|找不到家|不认得路|迷路|走丢",
            "assistance",
            2.5,
        ),
    )
)
# Issue 12, third pass: boundaries found from cross-validation errors on the training
# files (never from a held-out file), each a family of wordings.
_THIRD_PASS_BOUNDARIES: tuple[tuple[re.Pattern[str], str, float], ...] = tuple(
    (re.compile(p), c, w)
    for p, c, w in (
        # things about to fall or give way, sparks, an open lift shaft: safety
        (
            r"掉了一块|往下掉|要掉下来|随时.{0,3}掉|眼(?:看|瞅着?)(?:就|要|快)?(?:要)?(?:倒|塌|掉|垮)|"
            r"轿厢不在|电梯井|(?:冒|打|闪|迸)(?:蓝光|火花|火星)|电火花|滋滋(?:响|冒)|"
            r"(?:水|雨)[^,]{0,10}(?:电线|插座|电闸|配电|电箱|电表|插线板|插排|充电桩|电缆|灯线|灯头)|"
            r"(?:电线|插座|电闸|电箱|配电箱)[^,]{0,6}(?:进水|泡|淹)|"
            r"(?:墙|水箱|支架|楼板|房顶|屋顶|挡土墙|护坡)[^,]{0,4}(?:裂开|要塌|快塌|塌了)|"
            r"(?:坑|沟|洞)[^,]{0,6}没(?:有)?围|"
            r"(?:着|烧)(?:了|着了|起来了)(?!.{0,6}(?:啥时候|什么时候|能不能).{0,4}(?:刷|修|补|换))",
            "safety",
            2.5,
        ),
        # a child alone, locked in, or who lost its parents: assistance
        (
            r"(?:孩子|小孩|娃)[^,]{0,10}(?:一个人|自己).{0,12}(?:锁|关)|锁在(?:家里|屋里)|"
            r"(?:找不着|找不到)(?:妈妈|爸爸|家长|大人|家里人)",
            "assistance",
            3.0,
        ),
        # violence within a family: dispute (between strangers it is security)
        (
            r"(?:我爸|我妈|俺爹|俺娘|老公|媳妇|老婆|两口子|我哥|我弟|儿子|女婿|公公|婆婆|家里|"
            r"邻居|楼上|楼下|对门|隔壁|两家|两户)"
            r".{0,16}(?:砸东西|拿.{0,2}刀|打人|动手|打老婆|打孩子|打起来)",
            "dispute",
            5.0,
        ),
        # flyers, strangers prowling at night, fee rules
        (r"小广告|牛皮癣", "sanitation", 2.5),
        (
            r"(?:半夜|深夜|大半夜).{0,10}有人.{0,10}(?:转|照|拉|扒|撬)|照车里|扒车窗",
            "security",
            2.5,
        ),
        # fees and procedures asked about (category only: scams name fees too, so these
        # words never silence an urgency cue)
        (r"收费标准|物业费.{0,10}(?:谁定|标准|多少|怎么)", "policy", 2.5),
        # who is liable, what the rules say, whom to report to: policy
        (
            r"算谁的|谁的责任|责任(?:在|算|归)|有(?:没有)?(?:赔偿|规定)|规定吗|怎么定损|"
            r"(?:打|找)(?:哪个|什么|啥)(?:电话|号|部门)?.{0,4}举报|报警还是|(?:打|找).{0,8}还是(?:打|找)?.{0,6}(?:119|110|120|物业|公司)|"
            r"是物业管还是|物业管还是自己",
            "policy",
            3.0,
        ),
        (
            r"(?:免费|收费|要钱|出钱|流程|手续(?!费)|追回).{0,8}(?:吗|不|么|多少|是啥|咋|怎么|哪)",
            "policy",
            2.5,
        ),
    )
)
EIGHTH_PASS_WEIGHT = 3.0
"""Bonus of the repair/safety boundaries of the eighth pass (chosen by 5-fold CV)."""

# Issue 12, eighth pass: the repair/safety labelling rule of docs/triage.md — the category
# follows the danger, not the broken object. Fire equipment and the outside parts of a
# building that can fall from height are safety however they are broken; handrails and
# railings are repair however dangerous (TAXONOMY names them under repair).
_EIGHTH_PASS_BOUNDARIES: tuple[tuple[re.Pattern[str], str, float], ...] = tuple(
    (re.compile(p), c, w)
    for p, c, w in (
        (
            r"应急灯|(?:安全出口|疏散|逃生)[^,]{0,3}(?:指示)?(?:灯|牌|标志)|烟感|烟雾报警|"
            r"消防门|防火门|灭火器|消防栓|消火栓|消防箱|消防水带|水带",
            "safety",
            EIGHTH_PASS_WEIGHT,
        ),
        (
            r"(?:外墙|外立面|保温(?:层|板)|雨棚|雨搭|雨篷|招牌|广告牌|外机|空调架|太阳能(?:板|支架|架子)|"
            r"防盗窗|彩钢瓦|石棉瓦|女儿墙|檐)[^,]{0,10}(?:鼓|松|裂|翘|锈|晃|歪|掉|脱|掀|耷拉|悬)",
            "safety",
            EIGHTH_PASS_WEIGHT,
        ),
        (
            r"(?:扶手|栏杆|护栏|扶把)(?!缝|里|中间)[^,]{0,10}(?:松|断|坏|掉|脱|晃|歪|锈|弯|没了)",
            "repair",
            EIGHTH_PASS_WEIGHT,
        ),
    )
)
_NO_ONE_TRAPPED = re.compile(
    r"没人困|没困人|没有人困|没关人|里面没(?:有)?人|没(?:有)?人在里(?:面|头)"
)
_CHILD = re.compile(r"孩子|小孩|娃|孙子|孙女|闺女放学|儿子放学|学生")

# ---------------------------------------------------------------------------
# Urgency
# ---------------------------------------------------------------------------

_URGENT_CUES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        _FIRE,
        _GAS,
        r"(?:煤气|一氧化碳)中毒了",
        _LIFT_TRAPPED,
        r"被困|困在|困住了|关在里面|出不来了",
        r"摔倒|跌倒|摔了|滚下来|倒地|倒在(?:地上|楼道|楼梯)|躺在地上|起不来(?!床)|晕倒|晕在|昏在|"
        r"昏倒|晕过去|昏过去|昏迷|叫不醒|不省人事|人事不省|(?:躺着|倒着|人)不动了?|一动不动",
        r"胸口.{0,3}(?:疼|痛|闷)|心口.{0,3}(?:疼|痛|闷)|出冷汗|脸色发白|发紫|喘.{0,4}不上来|上不来气|"
        r"半边.{0,4}(?:动不了|麻|没知觉)|动不了了|说话.{0,3}不清|口齿不清|"
        r"突然.{0,6}(?:晕|倒|疼|说不出|动不了|抽|昏|不会说话|喘)|"
        r"(?:人|老人|老太太|老汉|大爷|大娘|奶奶|爷爷|他|她|孩子|娃娃|阿姨|叔叔|小伙子)[^,把]{0,8}"
        r"(?:倒了(?!.{0,6}(?:沙|石|土|一?[盆桶]|脏水|污水|垃圾|渣))|倒地|倒在)|胸痛|胸闷|喘不上气|喘不过气|呼吸困难|心慌|心脏病犯|中风|嘴歪|说不出话|抽搐|抽风|"
        r"吐血|流血|满脸是血|大出血|中暑|噎住|喝了农药|吃错药|服毒|割腕|迷糊|高烧|晕乎乎|脸都紫|触电|溺水",
        r"(?:一天|两天|一整天|好几天|一上午|一天一夜|几天|一晚上|昨天到现在|到现在).{0,10}"
        r"(?:没开门|没出门|没见|没露面|没动静|不开门|不应|没人应|没人答应|联系不上|不接电话|电话不接|没开灯|没人接|没声音|没回应)",
        r"(?:敲门|叫门|喊门).{0,6}(?:没人应|没人答应|没人开|不应|不开|没反应|没动静|没声音)",
        r"(?:正在|还在|在那|现在).{0,4}(?:打架|打人|打起来|砍|动手|打(?!麻将|牌|扑克|球|电话|游戏|呼噜|扫|针|水|印|卡|开|工|听))|打起来了|打架.{0,6}(?:快|还没停)|"
        r"拿刀|持刀|砍人|追人|拿着.{0,4}(?:棍|刀|铁锹)|还没停|打得满脸",
        r"(?:正在|现在|还在|快来).{0,16}(?:偷|撬|剪锁|剪车锁|拉车门|试车门)|(?:偷|撬).{0,6}(?:快来|现在)|还在(?:偷|撬)|往.{0,6}窗户里爬|翻窗|爬窗|"
        r"有人在.{0,10}(?:偷|撬|拉车门|剪[^,]{0,6}锁)|"
        # issue 12, seventh pass: someone outside a window or on a balcony looking in
        r"有人(?:站|趴|蹲|爬|挂)在[^,]{0,10}(?:阳台|窗|空调架|防盗窗|外机)|"
        r"(?:阳台|窗户|窗台|空调架|防盗窗)(?:外面?|外头)[^,]{0,6}(?:有人|站着个?人|趴着个?人)",
        r"(?:水管|管子|管道|暖气管|自来水管|水龙头).{0,6}(?:爆|崩|裂开)|爆管|跑水|(?<![粪污脏])水漫|漫到|淹了|淹到|"
        r"成河|水.{0,4}(?:往外喷|一直喷|哗哗)",
        r"(?:瓷砖|外墙|窗户|窗框|窗子|玻璃|花盆|广告牌|招牌|外机|砖头|砖|酒瓶|瓶子|树枝|雨棚|石头)"
        r".{0,16}(?:掉下|往下掉|要掉|快掉|坠|砸到|砸在|砸中|砸伤|砸下|摇摇欲坠|扔下)|高空抛物|摇摇欲坠|随时(?:会)?(?:掉|砸|塌|倒)|要塌|快塌|"
        r"往下扔(?:砖|瓶|石)|(?:掉下来|掉下|砸下来|扔下来|往下掉).{0,6}(?:瓷砖|玻璃|砖|花盆|窗|石头|瓶)",
        r"井盖.{0,8}(?:没了|丢|偷|不见|敞|翻|翘|开着|缺(?!了?(?:个|一)?(?:角|块|口|边))|掀|塌|松|碎|坏|没盖)|(?:偷|丢).{0,4}井盖|"
        r"窨井.{0,8}(?:偷|没|敞)|黑窟窿",
        r"(?<!\d)(?:120|110|119)(?!\d)",
    )
)

# Semantic cue families: each emergency of TAXONOMY described by a group of verbs and
# states rather than by single phrases (a fall is 摔/跌/栽/绊/踩空/出溜 … or "on the floor and
# cannot get up"), so that new wordings of the same situation are still recognised.
_PERSON = (
    r"(?:老人|老太太|老头|老汉|大爷|大娘|奶奶|爷爷|姥姥|姥爷|娘|爹|爸|妈|孩子|小孩|娃|"
    r"老伴|儿子|闺女|婆婆|舅|姑|姨)"
)
_FALL_VERB = (
    r"(?:摔|跌|栽|绊|滑倒|踩空|滚下|扑|趴|出溜|瘫|翻下|掉下床|从床上掉|从梯子上掉|一头栽|趔趄)"
)
_CANNOT_RISE = (
    r"(?:起不来(?!床)|爬不起来|站不起来|起不了身|起唔到身|爬唔起|爬勿起|爬不起|动不了|动弹不了|动弹不得|动不得|"
    r"唔郁得|抬不动|扶不起|扶不动|不吭声|(?:喊|叫)(?:也|都|了)?不应|没反应|一动不动|站都站不稳|只会哼|出不来)"
)
_ON_FLOOR = (
    # 睏 (Wu: lying) reads as 困: 困勒地上, 困喺地下, 困在地上
    r"(?:坐|躺|趴|倒|瘫|睏|困(?=[勒喺]|在地)|瞓|扑|跪|溜)(?:在|到|喺|勒)?"
    r"(?:地上|地下|地面|在地|楼道|楼梯|台阶|路边)"
)
_TIME_SPAN = (
    r"(?:一天|一整天|两天|三天|好几天|几天|一晚上|一夜|一上午|半天|从昨天|从早上|从昨晚|昨天.{0,6}开始|"
    r"昨晚开始|到现在|几个小时)"
)
_NO_ANSWER = (
    r"(?:没人接|不接|没接|没回(?![来家])|不回(?![来家])|关机|打不通|联系不上|没出门|没见着|没见到|没见|没开门|不开门|没人应|"
    r"没动静|没拿|没收|没人答应|不应)"
)
# Someone not answering for a day is health (a suspected collapse), unless a child is
# missing (assistance): a category boundary of TAXONOMY, applied in rule_scores.
_NOT_ANSWERING = re.compile(
    _TIME_SPAN + r".{0,12}" + _NO_ANSWER + r"|(?:敲门|叫门|喊门|喊了半天门).{0,6}"
    r"(?:没人应|没人答应|没人开|不应|没反应|没动静|没声音)"
)
_URGENT_FAMILIES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # falls
        _FALL_VERB + r".{0,10}" + _CANNOT_RISE,
        _ON_FLOOR + r".{0,10}" + _CANNOT_RISE + "|" + _ON_FLOOR + r"(?:了|着)",
        r"(?:摔|跌|栽|滑)了?(?:一|个)?(?:跤|交|跟头|下去|下来)|跌跤|跌低|跌亲|摔咗|绊倒|滑倒|栽倒|"
        r"一头栽|踩空|滚下(?:来|去)|摔趴|摔到起|摔断|骨折|腿.{0,3}折了",
        # collapse, unconscious
        r"晕厥|休克|软下去|瘫软|翻白眼|眼睛翻白|口吐白沫|掐人中|没知觉|没意识|没呼吸|(?<![罐瓶胎球])没气了|晕咗|晕过去|"
        r"昏过去|眼前(?:一黑|发黑)|倒下了|突然倒|不认人|喊不醒|叫不醒|叫不答应|喊不答应",
        # chest, breathing, stroke, poisoning, burns, bleeding, self-harm
        r"(?<!中)(?:胸|心)(?:口|脏|里)?.{0,6}(?:疼|痛|闷|(?<!血)压|绞|难受)|心梗|心肌梗|心绞痛|心脏病.{0,3}犯|"
        r"哮喘.{0,3}犯|喘气.{0,3}(?:费劲|困难|急)|上不来气|透不过气|喘不动|呼哧|"
        r"嘴(?:唇|巴)?.{0,2}(?:发紫|紫了|乌了|发乌|发青|白)|脸.{0,3}(?:青了|紫了|乌了|发青|发紫|白了)|"
        r"面青|唇白|嘴角.{0,4}歪|口眼歪|半边.{0,4}(?:麻|动不|不能动|没知觉)|大舌头|手.{0,4}抬不起来|"
        r"误(?:喝|食|服)|喝了.{0,4}(?:农药|消毒|洗洁|药水)|烫(?:伤|了一大片)|烧伤|过敏.{0,8}(?:肿|喘)|"
        r"血(?:止不住|流不止)|止不住血|一滩血|流了好多血|磕破|头破|不想活|想不开|轻生|跳楼(?!价|大甩卖|甩卖|清仓|大减价|亏本)|跳河|割腕|要跳",
        # not answering
        _TIME_SPAN + r".{0,14}" + _NO_ANSWER,
        r"(?:敲门|按门铃|叫门|喊门|拍门|喊了半天|敲了半天|喊她|喊他).{0,8}"
        r"(?:没人应|没人答应|不应|没动静|没反应|没人开|没声|没回应)|敲不开(?:门)?|"
        r"(?:报纸|牛奶|外卖|信箱)(?!盒|袋|垃圾).{0,10}(?:没拿|没收|堆|攒|还放着)|快递.{0,10}(?:没拿|没收|还放着)|"
        r"手机.{0,3}一直关机",
        # fire and smoke
        r"火光|火窜|窜火|蹿火|火往|火势|火苗子|浓烟|滚滚|自燃|爆燃|糊巴味|焦臭|胶皮.{0,3}(?:烧|糊|味)|"
        r"电线.{0,2}烧|烧塑料的?臭?味|塑料烧|(?:厨|房|车|屋|家|衣服|被子|锅|油|线|箱|草|柜)(?:里|头)?.{0,2}(?:着了|烧着)|"
        r"着火|失火|起火|烟.{0,4}(?:呛|看不清|满屋|全是)|全是烟|好大烟|大烟|"
        # issue 12, seventh pass: fragments and calm wordings of a fire under way
        r"(?:^|[,.!?])火(?=[,.!?]|$)|(?:好|这么|很|特别|老)大的烟|"
        r"火(?:不大|不小|挺大|很大|越来越大|还没灭|没灭|还在烧)|着了,?火",
        # gas
        r"(?:煤气|燃气|天然气|液化气|瓦斯|霉气)(?:的)?(?:味|气味)|满屋.{0,4}(?:煤气|燃气)|"
        r"(?:煤气|燃气|液化气)(?:罐|管|阀|表)?.{0,4}(?<!没)(?<!不)(?:漏|泄)|像臭鸡蛋|"
        r"(?:煤气|燃气|天然气|液化气),?满(?:楼道|屋|走廊|单元)|满(?:楼道|走廊)[^,]{0,4}(?:煤气|燃气)|(?:燃气|煤气)?报警器.{0,6}(?<!不)(?:叫|响)",
        # trapped
        r"反锁在|锁在车里|困咗|困住了|被困|关到.{0,4}(?:娃|人|孩子|小孩)|拔不出来|(?:头|手|脚)卡在",
        # falling objects
        r"(?:挂了一半|挂在半空|吊在半空|晃荡晃荡|吹翻|随时.{0,3}(?:会)?掉|会掉下来|往下泼|掉东西|"
        r"砸到.{0,4}(?:人|头|老人|孩子|小孩))|"
        r"(?:广告牌|招牌|铁皮|外机|防盗窗|雨棚|窗框|花盆|瓷砖|保温层).{0,10}(?:歪了|晃|吹翻|松了)",
        # open manhole
        r"(?:井盖?|窨井|盖板|篦子|箅子).{0,8}(?:没了|拿走|偷|撬走|被.{0,2}走|丢|塌|大洞|敞|翻|没盖|掀)|井.{0,4}没(?:有)?盖子",
        # burst pipe, flooding
        r"(?<!雨)(?<!雨水)(?:水管|管子|管道|暖气管|暖气片|进水管|水喉|阀门|角阀|龙头|接头|热水器|总管|总阀)"
        r".{0,6}(?:爆|崩|裂|断|脱)|爆咗|"
        r"(?<![污脏粪臭黑下])水.{0,6}(?:止不住|关不住|关不上|往外冒|往外喷|直喷|到处飙|没过|一直冒)|"
        r"发大水|进水了|满地都是水|成屋.{0,2}水|(?<![污脏粪臭黑])水.{0,4}哗哗",
        # fight, robbery, break-in under way
        r"(?:打起来|打架|动手|围着.{0,4}打|下手|推倒|见血|砸.{0,3}门|砸酒瓶|拿着(?:刀|棍|锤子|菜刀|铁锹|砖))|"
        # issue 12, tenth pass: a brawl in other words
        r"互殴|厮打|扭打|扭成一团|(?:在|正在)(?:摔|砸)东西",
        r"抢了|抢包|抢劫|飞车抢|往.{0,6}(?:家里|屋里)爬|(?:正在|现在|还在).{0,6}(?:偷|撬|爬|拉车门)",
        # issue 12: a person missing or lost right now, a child alone in danger
        _PERSON + r"[^,]{0,8}(?:走丢|走失|跑丢|找不着了?|没找着|没找到|不见了|"
        r"找不到(?:家|妈妈|爸爸|大人))|"
        r"(?:到现在|一下午|一上午|一晚上|天都黑了|一夜).{0,8}(?:没回来|没回家|没见人|没找着|没找到)|"
        r"(?:痴呆|糊涂|记性不好|不认人).{0,24}(?:跑出去|出去了|没回来|在外面|在马路|在路上)|"
        r"(?:孩子|小孩|娃娃?|小娃娃?)[^,]{0,10}(?:一个人|自己|没(?:有)?大人).{0,12}"
        r"(?:锁|关|窗台|河边|水边|哭|爬|马路)|(?:锁|关)在(?:家里|屋里|车里)|"
        # issue 12, seventh pass: gone missing today, an appeal to look out for someone
        r"(?:今天|刚才|刚刚|早上|下午|晚上|一早|上午|中午)[^,]{0,8}(?:走失|走丢|跑丢)了?|"
        r"(?:走失|走丢)[^。]{0,24}(?:看见的话|看到的话|请联系|帮忙找|帮着找)|"
        # an emergency button pressed and nobody answering
        r"(?:紧急呼叫|呼叫器|一键呼|求救)[^。]{0,12}(?:没人接|没回应|没人应|联系不上|打不通)",
        # issue 12: trapped behind a door, stuck
        r"(?:卫生间|厕所|屋里|里面|门锁).{0,8}出不来|(?:头|手|脚|腿|孩子|小孩)[^,]{0,4}卡在",
        # issue 12: a theft or break-in still going on
        r"(?:偷|拿|翻|撬|剪)[^,]{0,12},?(?:还没走|还在那|还在这)|(?:爬|翻|钻)进.{0,4}(?:家|屋|窗|那家)",
        # issue 12: open holes and structures giving way
        r"(?:坑|沟|洞|窟窿|口子).{0,10}(?:没围|没有围|看不见|好深|很深)|(?:栽|掉|摔|踩)进.{0,3}(?:沟|坑|井|洞)|"
        r"(?:棚|墙|房顶|屋顶|楼梯|踏步|柱子|塔吊|脚手架|围墙|挡土墙|阳台|顶棚)[^,]{0,6}"
        r"(?:塌了|塌下|往.{0,3}倒|倒了|歪了|裂开了)|(?:快|要)脱落",
        # issue 12: water reaching wiring, live wires down
        r"(?:水|雨)[^,]{0,10}(?:电线|插座|电闸|配电|电箱|电表|电灯|插线板|插排|插板|充电桩|电缆|灯线|灯头)|"
        r"(?:电线|插座|电闸|电箱|配电箱|配电室)[^,]{0,6}(?:进水|泡|淹)|漏电|"
        r"(?:电线|线|高压线)[^,]{0,6}(?:掉下来|掉到|断了|垂|耷拉)",
        # issue 12: gas still smelling, falls that cannot get up, phones unanswered for hours
        r"(?:灶|阀门|管子?)[^,]{0,6}(?:还有味|有味|满屋)|"
        r"(?:好几天|几天|两天|三天)[^,]{0,4}没(?:看见|见人|见着)|"
        r"(?:打了|打).{0,6}电话.{0,4}(?:没人接|都没人接|都不接|打不通)"
        r"(?=.{0,16}(?:一个人|独居|老人|她|他))",
        # issue 12, third pass: sparks and arcing, an open lift shaft, about to collapse,
        # a hole left behind, a child who lost its parents, a stranger trying doors
        r"(?:冒|打|闪|迸)(?:蓝光|火花|火星|电火)|电火花|滋滋(?:响|冒|叫)|噼里啪啦.{0,8}(?:冒|火|味|烟)|"
        r"轿厢不在|电梯井.{0,6}(?:敞|开着|没门|露)|"
        r"眼(?:看|瞅着?)(?:就|要|快)?(?:要)?(?:倒|塌|掉|断|垮)|"
        r"(?:留了|留下|剩下?|露出)(?:一)?个?大?(?:窟窿|洞|坑|口子)|"
        r"(?:找不着|找不到|寻不着)(?:妈妈|爸爸|家长|大人|家里人|爹妈)|"
        r"挨(?:家|户|个)(?:推门|拧门|拉门|试门)|(?:人|贼|小偷)(?:可能|好像)?还没走|"
        r"燃起(?:来|嘞|咯)|打(?:他|她)?(?:媳妇|老婆|老公|孩子|娃)(?!.{0,3}(?:的事|那次))|"
        r"(?:嗓子|喉咙|舌头|脸).{0,2}肿(?:了|起来)|全身.{0,4}(?:疙瘩|红疹|起疹)|"
        r"塔吊.{0,6}(?:晃|歪|倒)|放学.{0,8}没(?:回家|回来|到家)|"
        r"救火|(?:^|[,.!?])火!|插(?:座|排|板|头).{0,6}(?:打火|冒火|烧黑|烧化)|"
        r"(?:正在|还在|有人在).{0,4}砸(?:车|窗|玻璃|门)|砸.{0,8}(?:现在还在|还在砸)|"
        r"(?:跟|像)喷泉|水越来越(?:大|多|深)",
        # issue 12, fourth pass: choking (food or a small object in the airway)
        r"(?:(?:噎|卡)(?:住|着|到)?|呛(?:住|着))了?[^,]{0,8}(?:喘不|咳不出|憋|说不出|没声|翻白眼|哭不出)|"
        r"卡(?:住|在)?(?:了)?(?:嗓子|喉咙|气管|脖子)|憋得.{0,3}(?:通红|发紫|发青|紫|青)|"
        r"(?:吞|咽)(?:了|下去|进去)?.{0,6}(?:硬币|珠子|玻璃球|弹珠|扣子|电池|磁铁|枣核|骨头|果冻)|"
        r"捂着(?:脖子|喉咙|嗓子)",
        # issue 12, fourth pass: debris falling from a part of a building
        r"(?:水泥|砖|石|碎块|碎渣|铁皮|玻璃|檐|雨搭|雨篷|门头|门斗|保温板)[^,]{0,8}"
        r"(?:往下掉|往下落|往下砸|掉下来|落下来|一块块|掉碎块)|"
        r"往下(?:掉|落|砸)(?:水泥|碎|砖|铁皮)|掉了?(?:一|几|好几)块[^,]{0,4}下来|"
        r"(?:雨搭|雨篷|屋檐|檐子|门头|门斗|女儿墙|保温板|外墙皮)[^,]{0,6}(?:塌|裂开|掀起|耷拉|要掉)|"
        r"有(?:块|个)东西在晃",
    )
)
# issue 12, fourth pass: a smell of smoke or burning of unknown source that is strong,
# growing or hurts (eyes, throat); skipped when the smoke has a harmless source.
_SMOKE_SMELL = re.compile(
    r"(?:烟|焦|糊|烧[^,]{0,4})(?:味|气)[^,]{0,10}(?:呛|辣|熏|睁不开|流泪|咳|头疼|头晕|看不清|越来越(?:浓|大|重))|"
    r"(?:呛|辣|熏)[^,]{0,8}(?:烟味|烟气|焦味|糊味)|(?:这么|好|很|太|特别|贼|老)(?:大|浓|重)的?(?:烟味|焦味|糊味)|"
    r"烟雾(?:缭绕|弥漫)|(?:楼道|楼梯|屋里|家里|楼里|单元|走廊)[^,]{0,4}(?:这么|好|太|很)?呛|"
    r"一股(?:子)?(?:烧|糊|焦)[^,]{0,6}味"
)
_BENIGN_SMOKE = re.compile(
    _OPEN_BURNING
    + r"|烧纸|烧烤|油烟|抽烟|吸烟|香烟|烟头|烤红薯|炒|烧香|烟花|鞭炮|做饭的烟|演习|演练"
    # issue 12, seventh pass: steam, dust and chimneys look like smoke (冒白烟 from a manhole
    # in winter, a factory chimney: order or sanitation, not a fire)
    + r"|蒸汽|水汽|水蒸气|热气|雾气|扬尘|灰尘|烟囱|锅炉|尾气"
)
# A rotten-egg smell from a drain is sewage (sanitation), not gas.
_DRAIN = re.compile(r"下水|化粪池|地漏|水沟|阴沟|污水|厕所")
_SMOKE_ONLY = re.compile(r"^[^火着燃焦糊]*烟[^火着燃焦糊]*$")
_RETRACTED = re.compile(
    r"误会|虚惊|谣言|演练|演习|烟雾弹|是测试|在测试|测试一下|别以为|不要以为|以为.{0,4}着火|原来是|后来才知道|不是着火|没着火|不用报|是正常的|没人困|找到了|(?:已经醒了|醒过来了)(?![^。]{0,4}(?:但|可|还是|不过))|"
    r"(?<!是)不是(?:失)?火(?=[,.!?]|$|啊|呀|哈)|搞错了|弄错了|看错了|(?:警报|警情)(?:已经)?解除|解除(?:了)?警报|没有人在里面|里面没有人|"
    r"(?:送|接|领)回(?:家|去)了|(?<!是)不是(?:煤气|燃气|天然气|漏气|着火|失火|火灾)|"
    r"(?:找不着|找不到|迷路|走丢).{0,12}(?:先陪着|陪着(?:她|他))|"
    # issue 12, seventh pass: an alarm taken back in other words (其实是 / 不碍事 / a rumour)
    r"其实(?:就)?是(?!骗|假冒|冒充|有人)|不碍事|假消息|(?:消息|说的|传的)[^,]{0,4}是假的|谣传|在演戏|拍戏|拍短视频的|"
    # issue 12, eighth pass: a rumour or an event elsewhere (别瞎传 / 是外省的 / 跟咱小区没关系)
    r"别(?:再|瞎|乱)?(?:转|传)了?(?:[,.!?]|$)|瞎传|乱传|(?:跟|和)咱(?:们)?(?:小区|楼|这)?(?:没|无)关系|"
    r"外地的(?:新闻|事)|是外(?:省|地|市)的(?:新闻|事|视频|照片)"
)
# A danger named as a circumstance, not an event (着火的时候往哪跑 / 着火了谁负责 /
# 着火都找不着出口).
_WHEN_AFTER = re.compile(r"了?(?:的时候|时候|都(?:找不着|找不到|跑不)|往哪跑|往哪儿跑)")
_PAST_AFTER = re.compile(
    r"(?:过(?![来去])|了?那次|那回|之后|以后|后来|的事|那(?:个)?事|好几年|多年|几年了|了好几年|了之后)"
)

_SCAM_NOW = re.compile(
    r"(?:正准备|准备转|要转|要给|快来人|拦不住|柜员|正在|现在|马上|这会儿|还没挂|没挂|在银行|"
    r"去银行|要去取钱|快去|快拦|拦住|赶紧去|在atm|atm机前|正跟|正和|在操作|要转了|拿着存折|拿着银行卡|柜台|立刻|立即|赶紧|出门了)"
)
_SCAM_WORDS = re.compile(
    _SCAM
    + "|养老金认证|说是|对方|陌生|公安|社保局|自称|检察院|法院|客服|战友|坐牢|软件|"
    + "共享屏幕|屏幕共享|保健品|"
    + r"(?:让|叫|要|逼|催)(?:我|他|她|老人|我妈|我爸|老太太|老头)?.{0,6}(?:转|汇|打钱|付款|扫码)"
)
_SCAM_DONE = re.compile(
    r"没转|没打|没给|没汇|挂了|没上当|识破|幸亏|已经改|没信|没去|劝住|劝回来|没买|拦下来了|追回"
)
# issue 12, fourth pass: an old person lured into a money scheme (理财, 保健品, a 名额 that
# ends today) and on the way with the money now, without any transfer word.
_LURED = re.compile(
    r"理财|投资|高息|存单|养老公寓|保健品|订金|定金|名额|干儿子|干闺女|专家|领补贴|中奖|哄|忽悠|被骗"
)
_MONEY_NOW = re.compile(
    r"(?:存折|银行卡|存款|现金|户口本|交钱|取钱|取出来|打款|掏钱|订金|定金|念.{0,4}卡号)"
    r"[^。]{0,30}(?:拦|揣着|拿着|带着|出门|下楼|走了|刚出|排队|门口等|马上到|正在|在等|等着)|"
    r"(?:拦|揣着|拿着|带着|正在|今天(?:不|就|最后|截止)|最后一天)[^。]{0,30}"
    r"(?:存折|银行卡|存款|现金|交钱|取钱|打款|掏钱|订金|定金|卡号)"
)
# Cards, mahjong and pile drivers are not a fight (还在打 / 打了一晚上).
_NOT_A_FIGHT = re.compile(r"麻将|打牌|棋牌|扑克|牌局|打桩|打篮球|打球|打游戏")

# A question about money, insurance or rules is not a call for help, even when it names an
# emergency ("着火了房子烧了 保险能赔吗", "120急救车的费用医保报不报").
_POLICY_QUESTION = re.compile(
    r"能赔|赔吗|赔不赔|谁赔|找谁赔|报不报|能报|能不能报|报销|保险|医保|补贴|补助|救助|政策|法律|"
    r"怎么规定|咋规定|申请|在哪办|去哪办|能给办|能不能办|费用|残疾证|怎么买|在哪买|培训|讲座|"
    # issue 12, fifth pass: liability and reporting asked about (着火了谁负责 / 该打哪个电话举报)
    r"谁负责|谁来负责|有没有责任|负不负责|责任吗|有规定|有没有规定|怎么举报|举报|"
    # issue 12, seventh pass: an insurance product asked about (电梯困人险是谁买的)
    r"险(?<![危风冒惊凶]险)(?:是|吗|怎么|谁|该|归|能)|"
    # issue 12, eighth pass: liability asked in other words (责任怎么分 / 算谁的责任)
    r"责任(?:怎么|咋|如何|谁)|(?:怎么|咋)(?:分|算|划)责任"
)
_CALL_FOR_HELP = re.compile(
    r"快来|快叫|快去|赶紧|救命|正在|还在|现在|马上|拦住|快拦|拦一下|帮我拦|拦下"
)

# "What should one do if …": a question about an imagined danger, not a danger now
# (着火了可咋办 / 万一漏电怎么办 / 要是有人摔倒了找谁 / 煤气泄漏的话打什么电话).
_WHAT_TO_DO = re.compile(
    r"(?:可|该|应该|应当|要)?(?:怎么办|咋办|咋整|咋弄|怎么弄|怎么处理|如何处理|怎么处置|咋处理)|"
    r"找谁|该找|打什么电话|打哪个电话|打啥电话|打几号|报哪个|谁管|怎么应对|咋应对|注意啥|注意什么"
)
_SUPPOSING = re.compile(
    r"假如|假设|假使|要是|如果|若是|倘若|万一|一旦|的话|到时候|有一天|将来|以后要|哪天|"
    r"有没有.{0,4}(?:预案|培训|演练|应急)|"
    # issue 12, seventh pass: asked ahead, to be prepared (想提前存好 / 以备万一)
    r"提前(?:存|记|了解|准备|问)|以备|备着|存好"
)
_NOW = re.compile(r"刚才|刚刚|现在|正在|还在|这会|此刻|眼下")
# Something that ties a message to a real place, person or moment: then a 怎么办 is a
# cry for help about a danger now (楼上漏水到电闸了可咋办), not a supposition.
_ANCHOR = re.compile(
    r"[0-9]|※|楼道|楼梯|楼上|楼下|家里|屋里|屋头|俺家|我家|他家|她家|隔壁|对门|邻居|单元|门口|厨房|卫生间|"
    r"电梯里|地下室|车库|院里|小区里|这里|这儿|这边|那边|我妈|我爸|俺妈|俺爹|老伴|老头|老太|奶奶|爷爷|孩子|"
    r"起不来|叫不醒|没反应|不动了|喘不上|还在|正在|现在|刚才|刚刚|快来|赶紧|救命|已经|越来越|好大|很大|"
    r"冒|烧起来|满屋|一屋"
)


def _imagined(text: str) -> bool:
    """A question about what to do if a danger happened: supposed (要是/万一/…的话), or
    asked in general with nothing tying it to a place, a person or this moment."""
    if _CALL_FOR_HELP.search(text) or _NOW.search(text):
        return False
    if _SUPPOSING.search(text) and (_WHAT_TO_DO.search(text) or _QUESTION.search(text)):
        return True
    if not _WHAT_TO_DO.search(text):
        return False
    # 着火了可咋办: musing (可/该/又…), nothing here and now; a bare 电梯困人了找谁 stays live.
    return bool(_MUSING.search(text)) and not _ANCHOR.search(text)


_QUESTION = re.compile(r"[?？]|吗|哪|什么|啥|谁|还是|能不能|是不是|可不可以|有没有|多少")
_MUSING = re.compile(r"(?:可|该|又|那)(?:咋办|怎么办|咋整|如何是好)|(?:咋办|怎么办)(?:呢|呀|哟)")

_NEGATED = re.compile(
    r"(?:没有|没|没人|没有人|(?<!是)不是|无|未|并没|打不|点不|"
    # issue 12, seventh pass: a prohibition or a notice (严禁明火 / 请勿 / 不准)
    r"禁止|严禁|不准|不许|不得|请勿|切勿)$"
)
_HYPOTHETICAL = re.compile(
    r"怕|担心|万一|小心|以防|防止|差点|险些|差一点|以免|上次|上个月|上回|以前|之前|去年|年时|前几天|"
    r"前天|上礼拜|上个礼拜|上周|上星期|那天|那次|"
    r"前阵子|前段时间|前些天|前一阵|那会儿|曾经|一旦|要是|如果|生怕|预防|过一次|过一回|不然|"
    r"假如|假设|假使|若是|倘若|不敢|可别|千万别|前两天|前些日子|大前天|上上周|"
    # issue 12, eighth pass: years ago (前年 / 大前年 / 那年 / 几年前)
    r"前年|那年|几年前|那几年|早些年|"
    # issue 12, fifth pass: asked as a possibility, only sometimes, or a doctor's finding
    # after the event (会不会漏电 / 偶尔心慌 / 医院说是中暑)
    r"会不会|偶尔|有时候?|时不时|隔三差五|医院说|医生说|"
    r"(?:^|[^认])真(?:要|的|要是)?$|"
    # issue 12, eighth pass: hyperbole (热得要中暑了 / 气得我心口疼 / 吵得人要晕)
    r"(?:热|气|累|烦|吵|冻|饿|熏|臭|闷)得(?:我|人|俺)?(?:都|快|要|直)?(?:要|快)?$"
)
_RESOLVED_AFTER = re.compile(
    r"没事|不要紧|不厉害|歇一会|自己好了|后来.{0,4}好了|是误会|"
    r"(?:已经|早就|已)(?:修好|好了|灭了|没事|处理|解决|包上|包好|看过|救出|走了|停了|抢救过来|"
    r"没味|散了|关了|报过|送医院)|修好了|没事了|现在没事|现在好了|灭了|没味了|没大碍|过去了|不要紧|(?:拉走|送走|带走|接走)了|"
    r"已经不(?!动|行|醒|会|喘|能|省|认|说|吭|应)|已经没(?!气|了?呼吸|知觉|意识|反应|动静|声|脉)|已经被(?!困|砸|压|烧|烫|埋|卡)|歇.{0,4}好了|一会儿?就?好了|缓过来了|好多了|"
    r"(?:输完液|打完针|看完|出院|治好)了?|回家了|已经擦|擦了(?:碘伏|药)|包扎(?:好)?了|"
    r"(?:拉|劝|扶)(?:开|起来)了|能走能动|(?:拉|关)闸了|断电了|"
    r"没漏|不漏|没泄|(?:查|搞|弄)(?:清楚|明白)了|查明了|还没(?:掉|塌|倒下)|暂时(?:还)?(?:没事|结实|不会)|没有漏|救出来了|(?:都是|是)?(?:去年|上个月|前年|以前)的事|"
    r"(?:人|他|她|孩子|老人)(?:已经)?(?:被)?(?:救|抬|拉|弄)出来了"
)
# A fear or a supposition opening a later clause of a long cue ("广告牌锈了,怕哪天掉下来").
_FEAR = re.compile(r"怕|担心|万一|要是|如果|生怕|一旦|真(?:要|的)?(?:着|出|掉|塌)")
_HABITUAL = re.compile(
    r"好几个(?!钟头|小时)|好几次|好几回|几个老人|老是|经常|总是|总说|每次|容易|总(?=\|)"
)
_CLAUSE_BREAK = re.compile(r"[,.!?;:，。！？；：、]")


def _cue_is_live(text: str, start: int, end: int) -> bool:
    inside = _CLAUSE_BREAK.split(text[start:end])
    if len(inside) > 1 and any(_FEAR.match(part) for part in inside[1:]):
        return False
    before = _CLAUSE_BREAK.split(text[max(0, start - 14) : start])[-1]
    if _NEGATED.search(before):
        return False
    if _HYPOTHETICAL.search(before):
        return False
    if _RESOLVED_AFTER.search(text[end : end + 30]):
        return False
    if _PAST_AFTER.match(text, end):
        return False
    if _WHEN_AFTER.match(text, end):
        return False
    return not _HABITUAL.search(text[max(0, start - 6) : start] + "|" + text[end : end + 4])


LIVE, NO_CUE, DEAD = 1, 0, -1


def urgency_evidence(text: str) -> int:
    """``LIVE`` when an urgency cue is live; ``DEAD`` when cues are present but every one
    is negated, hypothetical, past, resolved or retracted; ``NO_CUE`` otherwise."""
    return urgency_cue(text)[0]


def _settled(text: str) -> bool:
    """The whole message retracts an alarm, asks about rules or money, or supposes a
    danger: not urgent, whatever it names (the learned model cannot overrule this)."""
    if _RETRACTED.search(text):
        return True
    if _POLICY_QUESTION.search(text) and not _CALL_FOR_HELP.search(text):
        return True
    return _imagined(text)


# issue 12, tenth pass: a person looked for everywhere and not found (小区里找遍了也没看见 /
# 楼下找了一圈没有), when a person is named before it — keys and parcels are looked for too.
_SEARCHED_IN_VAIN = re.compile(
    r"(?:找遍|找了(?:一|几|好几)?(?:圈|大圈|半天|好久|个遍|一下午|一晚上)|到处(?:都)?找|四处找|都找(?:过|了))"
    r"[^,.!?]{0,8}(?:没(?!事|关系)|不见|找不到|找不着)"
)
_SOUGHT = re.compile(_PERSON + r"|老爷子|老太|老父亲|老母亲|父亲|母亲|她|他")


def _searched_in_vain(text: str) -> re.Match[str] | None:
    match = _SEARCHED_IN_VAIN.search(text)
    if match is None or not _SOUGHT.search(text, 0, match.start()):
        return None
    return match


_ALL_CUES: tuple[re.Pattern[str], ...] = (*_URGENT_CUES, *_URGENT_FAMILIES, _SMOKE_SMELL)


def urgency_cue(text: str) -> tuple[int, str]:
    """:func:`urgency_evidence` and, when ``LIVE``, the words of the live cue."""
    if _settled(text):
        return DEAD, ""
    seen = False
    for pattern in _ALL_CUES:
        for match in pattern.finditer(text):
            seen = True
            if _cue_is_live(text, match.start(), match.end()):
                if pattern is _SMOKE_SMELL and _BENIGN_SMOKE.search(text):
                    continue
                if "打" in match.group(0) and _NOT_A_FIGHT.search(text):
                    continue
                if re.fullmatch(_OPEN_BURNING, match.group(0)):
                    continue
                if _open_burning_only(text, match):
                    continue
                if _SMOKE_ONLY.match(match.group(0)) and _BENIGN_SMOKE.search(text):
                    continue
                if "臭鸡蛋" in match.group(0) and _DRAIN.search(text):
                    continue
                return LIVE, match.group(0)
    searched = _searched_in_vain(text)
    if searched is not None:
        if _cue_is_live(text, searched.start(), searched.end()):
            return LIVE, searched.group(0)
        seen = True
    if _scam_now(text):
        words = [m.group(0) for m in (_SCAM_WORDS.search(text), _SCAM_NOW.search(text)) if m]
        return LIVE, ",".join(words)
    if _lured_now(text):
        words = [m.group(0) for m in (_LURED.search(text), _MONEY_NOW.search(text)) if m]
        return LIVE, ",".join(words)
    return (DEAD if seen else NO_CUE), ""


def urgent_rule(text: str) -> bool:
    """Urgency cues that are neither negated, hypothetical, past nor resolved."""
    return urgency_evidence(text) == LIVE


# The sender says it can wait: the learned model is not asked.
_NO_HURRY = re.compile(r"有空|不急|不着急|方便的时候|有时间的?时候|抽空|哪天")
# issue 12, fourth pass: an angry complaint about noise or a nuisance (快来人管管 / 救命 about
# a barking dog) is not a danger; without a rule cue the learned model is not asked.
_NUISANCE = re.compile(
    r"吵|噪音|噪声|扰民|睡不着|烦死|管管|狗.{0,6}叫|音响|ktv|打桩|电钻|电锯|广场舞|蹦迪|"
    r"唱到|跳到|剁.{0,3}馅|放音乐|臭死"
)

# issue 12, fifth pass: "hurry up" about rubbish, parcels or clutter is a chore, not a danger
# (赶紧来人把垃圾拉走 / 快递堆了一楼道); without a rule cue the learned model is not asked.
_CHORE = re.compile(r"垃圾|快递|纸箱|泔水|狗屎|粪便|清一下|清走|清理|拉走|打扫|收走|小广告")
# A standing hazard or a worry with nobody in danger this minute (怕掉下来砸人 / 小孩容易掉下去 /
# 不安全 / 一直没人管): the learned model needs to be surer (``STANDING_THRESHOLD``) unless the
# message also says now or calls for help.
_STANDING = re.compile(
    r"怕|担心|万一|隐患|不安全|安全吗|容易|小心|吓人|迟早|早晚|哪天|会不会|好几个月|好久了|"
    r"没人管|老是|经常|总是|一直没|平时|最好|建议|有空|提醒"
)
_PERSON_NOW = re.compile(
    r"人在里面|有人在|困|倒在|躺|晕|叫不醒|没反应|喘不|流血|出血|抽搐|不动了|起不来|喊救命|还在|正在"
)

# issue 12, seventh pass: the gates above (no hurry, nuisance, chore) silenced the model on
# messages that name rubbish or noise *and* a person in trouble (倒垃圾的时候看见有人躺着 /
# 吵着吵着动手了); they no longer apply when a person is hurt, down or being hurt.
_PERSON_IN_TROUBLE = re.compile(
    r"血|晕|倒在|倒地|躺着|躺在|不醒|不动了|不会动|喘不|抽搐|抽筋|摔倒|摔了一跤|摔地上|起不来|"
    r"打起来|动手|拿刀|菜刀|掐|救护车|(?<!\d)120(?!\d)|尖叫|哭喊|惨叫|求饶|(?:喊|叫)救命"
)

URGENT_THRESHOLD = 0.65
"""P(urgent) of the learned model above which a message without any rule cue is urgent.

Chosen by 5-fold cross-validation on the shipped training files: the highest threshold
that keeps the cross-validated recall at its best (see docs/triage.md)."""


DEAD_OVERRULE = 0.99
"""P(urgent) above which the learned model overrules rules that found every cue dead."""

LIVE_VETO = 0.001
"""P(urgent) below which the learned model overrules a live rule cue (issue 12, ninth pass).

A cue word can be live in a message that is plainly not an emergency (煤气罐没气了 for a
gas cylinder to change, 油烟滚滚 from a restaurant, 跳楼价, 中风后一直卧床 asking for a carer,
心慌 at a flickering light); the model, which reads the whole message, is then all but
certain it is not urgent. Priced on ``voices7_audit.jsonl``, 640 messages written after the
rules and never read by them nor trained on (the sixth pass could not price a veto honestly
because on the training files the rules are in-sample). 0.01 removed more false alarms but
missed one urgent message each on three held-out sets; 0.001 misses none on any set (see
docs/triage.md, ninth pass). A message naming a person in trouble right now
(``_PERSON_IN_TROUBLE``) or calling for help (``_CALL_FOR_HELP``) is never vetoed."""

STANDING_THRESHOLD = 0.9
"""P(urgent) needed when a message without a rule cue reads as a standing hazard or a worry
(``_STANDING``) and says nothing of a person in trouble or of this moment (issue 12, fifth
pass; chosen by 5-fold cross-validation on the training files)."""


# issue 12, eighth pass: categories TAXONOMY never names among the urgent situations. When
# the category reader puts a message without any rule cue in one of them (a complaint about
# rubbish, parking or a shop, a question about rules, thanks or a notice), the learned model
# needs ``STANDING_THRESHOLD``; chosen by 5-fold cross-validation on the training files
# (false alarms 53 → 47 with recall unchanged; adding dispute or repair cost recall).
CALM_CATEGORIES = frozenset({"sanitation", "order", "policy", "other"})

# issue 12, eighth pass: a message that says the trouble is over or eased (已经包上了 / 好多了 /
# 还没掉), with no person in trouble and no call for help now, also needs
# ``STANDING_THRESHOLD`` from the model (cross-validation: 3 false alarms fewer, none missed).
_EASED = _RESOLVED_AFTER


def is_urgent(text: str, model: UrgencyModel | None = None, *, category: str | None = None) -> bool:
    return read_urgency(text, model, category=category)[0]


def read_urgency(
    text: str,
    model: UrgencyModel | None = None,
    *,
    grams: frozenset[str] | None = None,
    cue: tuple[int, str] | None = None,
    category: str | None = None,
) -> tuple[bool, tuple[str, ...]]:
    """Rules first; the learned model decides only when no rule cue is present at all.

    A live cue makes the message urgent. A cue that the rules found negated, hypothetical,
    past, resolved or retracted keeps it non-urgent (the rules understand that context
    better than n-grams). Without any cue, the logistic model decides with a
    recall-favouring threshold, a higher one (``STANDING_THRESHOLD``) for a standing hazard,
    a trouble said to be over or eased, or a message the category reader puts in
    ``CALM_CATEGORIES`` (``category``: the reader's category, when the caller has it).
    """
    evidence, words = cue if cue is not None else urgency_cue(text)
    urgency = model if model is not None else default_urgency_model()
    if grams is None:
        grams = features(text)
    if evidence == LIVE:
        if (
            urgency.probability(text, grams=grams) < LIVE_VETO
            and not _PERSON_IN_TROUBLE.search(text)
            and not _CALL_FOR_HELP.search(text)
        ):
            return False, ()
        return True, _cue_words(words)
    if evidence == DEAD:
        # The rules read every cue as negated, past or supposed within its clause; only a
        # model that is all but certain overrules them (chosen by cross-validation: one
        # more urgent message found, no false alarm added). A retraction, a question about
        # rules or a supposition of the whole message is never overruled.
        if _settled(text) or urgency.probability(text, grams=grams) < DEAD_OVERRULE:
            return False, ()
        return True, tuple(urgency.strongest(text, grams=grams))
    if (
        _NO_HURRY.search(text) or _NUISANCE.search(text) or _CHORE.search(text)
    ) and not _PERSON_IN_TROUBLE.search(text):
        return False, ()
    threshold = URGENT_THRESHOLD
    quiet = not _CALL_FOR_HELP.search(text) and not _PERSON_NOW.search(text)
    if (quiet and (_STANDING.search(text) or _EASED.search(text))) or category in CALM_CATEGORIES:
        threshold = STANDING_THRESHOLD
    if urgency.probability(text, grams=grams) < threshold:
        return False, ()
    return True, tuple(urgency.strongest(text, grams=grams))


def _cue_words(cue: str) -> tuple[str, ...]:
    return tuple(part for part in (p.strip() for p in cue.split(",")) if part)


def _open_burning_only(text: str, match: re.Match[str]) -> bool:
    """Smoke from someone burning rubbish is sanitation, not a fire."""
    if not re.search(_OPEN_BURNING, text):
        return False
    return match.group(0) in {"冒烟", "黑烟", "浓烟", "烟很大", "烟大", "滚滚", "全是烟", "大烟"}


def _scam_now(text: str) -> bool:
    if not _SCAM_WORDS.search(text):
        return False
    if not re.search(
        _TRANSFER
        + r"|转[0-9一二两三四五六七八九十几]|验证码|密码|链接|安全账户|保证金"
        + r"|汇钱|打到|付款|扫码|要转|交[0-9一二两三四五六七八九十几]",
        text,
    ):
        return False
    if _SCAM_DONE.search(text):
        return False
    return bool(_SCAM_NOW.search(text))


def _lured_now(text: str) -> bool:
    return bool(_LURED.search(text) and _MONEY_NOW.search(text) and not _SCAM_DONE.search(text))


# ---------------------------------------------------------------------------
# Category scoring
# ---------------------------------------------------------------------------

NB_WEIGHT = 1.0
"""Weight of the naive Bayes log-likelihood (per known gram, scaled) in the final score."""


def rule_scores(text: str, evidence: int | None = None) -> dict[str, float]:
    """Category rule scores; ``evidence`` is :func:`urgency_evidence` of the text when the
    caller already has it."""
    scores = dict.fromkeys(CATEGORIES, 0.0)
    for pattern, category, weight in _CATEGORY_RULES:
        if pattern.search(text):
            scores[category] += weight
    for pattern, category, bonus in _BOUNDARY_RULES:
        if pattern.search(text):
            scores[category] += bonus
    if _NOT_ANSWERING.search(text) and not _CHILD.search(text):
        scores["health"] += 2.5
    if _ALL_CLEAR.search(text):
        scores["other"] += 6.0
    if _REMINDER.search(text) and not re.search(_SCAM, text):
        scores["other"] += 3.0
    if _POLICY_QUESTION.search(text) and _ASKS.search(text) and not _CALL_FOR_HELP.search(text):
        scores["policy"] += 3.0
    for pattern, category, bonus in _EXTRA_BOUNDARIES:
        if pattern.search(text):
            scores[category] += bonus
    if _GIVING_WAY.search(text):
        scores["safety"] += 2.0
    for pattern, category, bonus in _THIRD_PASS_BOUNDARIES:
        if pattern.search(text):
            scores[category] += bonus
    if _scam_now(text):
        scores["security"] += 4.0
    if _REPAIR_AFTER.search(text) and _OVER.search(text):
        scores["repair"] += 5.0
    if _NO_ONE_TRAPPED.search(text):
        scores["repair"] += 7.0
    for pattern, category, bonus in _EIGHTH_PASS_BOUNDARIES:
        if pattern.search(text):
            scores[category] += bonus
    if _FALSE_ALARM.search(text):
        scores["other"] += FALSE_ALARM_BONUS
    if evidence is None:
        evidence = urgency_evidence(text)
    if evidence == DEAD and scores["safety"] > 0:
        scores["safety"] *= DEAD_SAFETY_SCALE
    return scores


DEAD_SAFETY_SCALE = 0.5
"""issue 12, seventh pass: a danger the urgency rules read as not present now — past, over,
negated, retracted, supposed or asked about (上次井盖被偷的事已经补上了 / 着火了保险能赔吗) — counts
half for *safety*: the commonest category confusions in cross-validation were such thanks,
all-clears and policy questions read as safety (CV category 0.8966 → 0.9001; 0.7: 0.8985)."""


# issue 12, sixth pass: the commonest category confusion in cross-validation on the training
# files after repair/safety is other → safety: an all-clear, a drill or a false alarm names
# the danger it takes back, and the safety rules read the danger.
_FALSE_ALARM = re.compile(
    r"误会|虚惊|演练|演习|烟雾弹|是测试|在测试|测试一下|别以为|不要以为|搞错了|弄错了|看错了|"
    r"(?:警报|警情)(?:已经)?解除|不用报|是正常的|别慌|放心"
)
FALSE_ALARM_BONUS = 6.0


def _softmax(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exps = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


def classify(
    text: str,
    model: CategoryModel | None,
    *,
    grams: frozenset[str] | None = None,
    evidence: int | None = None,
) -> tuple[str, float]:
    """Category and confidence for a normalised, compound-masked message (``grams``: its
    :func:`features`, computed once by :func:`read_message` for both models)."""
    rules = rule_scores(text, evidence)
    combined = dict(rules)
    nb_best: str | None = None
    if model is not None:
        nb, known = model.scores_and_known(text, grams=grams)
        top = max(nb.values())
        scale = NB_WEIGHT / math.sqrt(max(known, 1))
        for label in CATEGORIES:
            combined[label] += scale * (nb.get(label, top) - top)
        # the model's own choice (the argmax of its scores; no softmax needed for that)
        nb_best = max(nb, key=nb.__getitem__)
    probs = _softmax(combined)
    ranked = sorted(probs, key=lambda k: probs[k], reverse=True)
    best = ranked[0]
    confidence = probs[best]
    rule_best = max(rules, key=lambda k: rules[k])
    if rules[rule_best] <= 0.0:
        confidence *= 0.8
    elif rule_best != best:
        confidence *= 0.85
    if nb_best is not None and nb_best != best:
        confidence *= 0.9
    return best, max(0.0, min(1.0, confidence))


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _compound_keys(compounds: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(name, normalised name), longest first: computed once per list of compounds."""
    ordered = sorted(compounds, key=len, reverse=True)
    return tuple((name, key) for name in ordered if (key := normalise(name)))


def _mask_compounds(text: str, compounds: Sequence[str]) -> tuple[str, str | None]:
    found: str | None = None
    found_at = len(text) + 1
    for name, key in _compound_keys(tuple(compounds)):
        at = text.find(key)
        if at >= 0:
            if at < found_at:
                found, found_at = name, at
            text = text.replace(key, "※")
    return text, found


def read_message(
    text: str,
    *,
    compounds: Sequence[str] = (),
    model: CategoryModel | None = None,
    urgency_model: UrgencyModel | None = None,
) -> Reading:
    """Read one message. ``model`` and ``urgency_model`` default to the shipped models."""
    written = _prepare(text)
    clean = to_simplified(written)  # the reading copy; the text as written is not changed
    masked, compound = _mask_compounds(clean, compounds)
    location = read_location(squeeze(masked))
    grams = features(masked, normalised=True)  # once, shared by both models
    cue = urgency_cue(masked)  # once, shared by the category rules and the urgency reading
    category, confidence = classify(
        masked, model if model is not None else default_model(), grams=grams, evidence=cue[0]
    )
    urgent, because = read_urgency(masked, urgency_model, grams=grams, cue=cue, category=category)
    if because and clean != written:
        # the deciding words in the resident's own characters (燒焦, not 烧焦)
        because = as_written(because, clean, written)
    return Reading(
        category=category,
        building=location.building,
        unit=location.unit,
        room=location.room,
        urgent=urgent,
        confidence=confidence,
        compound=compound,
        urgent_because=because,
    )
