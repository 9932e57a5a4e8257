"""Six months of requests (诉求) in 阳泉曲社区, so that lists, timelines and figures are alive.

The seed story's own requests come first: 陈中平's party-day notebook (楼道杂物过多,
楼梯扶手松动, 健身设施破坏) and the group-chat message about rubbish blocking 3号楼二单元,
which volunteers cleared. Around them, several hundred ordinary requests across the eight
grids: filed from every channel, routed, handled, verified, closed and followed up; a few
rejected, reworked or reopened after an unhappy follow-up; some still open in each state
and some overdue now, so the cadres' pages and escalation have something to show; and
the year's disputes, each with its mediation record.

Everything goes through the services with ``at=`` timestamps, exactly as the pages would
have written it at the time. Each request draws from its own seeded generator, so the
history is the same on every run whatever the hour it is built (only how far the most
recent requests have got depends on the clock).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import User
from linli.areas.models import Area, AreaKind
from linli.demo.world import GRID_WORKER_NAMES, World
from linli.notifications.models import Notification
from linli.notifications.services import notifications_mark_read, without_external_delivery
from linli.people.models import Resident
from linli.requests.models import Category, Channel, Feedback, Mediation, Request, Satisfaction
from linli.requests.services import (
    mediation_add_session,
    mediation_conclude,
    mediation_start,
    request_feedback,
    request_record_contact,
    request_submit,
    request_transition,
    requests_escalate_overdue,
)
from linli.requests.workflow import OPEN_STATUSES, Status

SEED = 2026
HISTORY_DAYS = 180
ORDINARY_REQUESTS = 440
RESIDENT_PAGE_REQUESTS = 6
ESCALATION_DELAY = dt.timedelta(minutes=10)
CONTACT_NOTE = "已电话联系反映人,约好上门时间"

# --- what residents say ---------------------------------------------------------------------
# Each line is "LEVEL|text": U a unit, B a building, C the compound; a "!" marks an urgent
# one and a "p" one about a person or a household (never found on a patrol). Placeholders:
# {c} compound, {b} building, {u} unit, {r} room, {f} floor, {w} the grid worker.
TEXTS: dict[str, list[str]] = {
    "sanitation": [
        "U|{b}号楼{u}单元门口的垃圾桶满了两天没人清,味道很大。",
        "U|{b}号楼{u}单元楼道里有人倒剩饭剩菜,招了很多苍蝇。",
        "B|{b}号楼后面的化粪池冒水了,污水流到路上,臭得不行。",
        "B|{b}号楼楼下草丛里有只死猫,天热了味道很重,麻烦派人处理。",
        "U|{b}号楼{u}单元地下室积水发臭,还有蚊子。",
        "B|{b}号楼前面有人遛狗不清理狗屎,小孩踩了好几回。",
        "C|{c}西门外有人焚烧垃圾和树叶,烟很大。",
        "U|{b}号楼{u}单元楼道墙上贴满了小广告,能不能清理一下。",
        "B|{b}号楼下的分类垃圾桶被翻得到处都是。",
        "U|{b}号楼{u}单元{f}楼有老鼠,晚上能听到动静,想请社区统一投放鼠药。",
        "C|{c}中心广场的公厕很久没打扫了,有异味。",
        "B|{b}号楼旁边的绿化带里堆了装修垃圾,一直没人拉走。",
        "U|{b}号楼{u}单元楼顶平台堆满了杂物垃圾,下雨天往下渗水。",
        "B|{b}号楼门口的下水井往外冒污水。",
        "C|{c}北边空地上有人偷倒建筑垃圾。",
        "U|{b}号楼{u}单元楼梯上有呕吐物,好几天没人清。",
    ],
    "repair": [
        "U|{b}号楼{u}单元楼道灯坏了好几天,晚上上下楼看不见,老人容易摔。",
        "U|{b}号楼{u}单元的单元门门禁坏了,门关不上。",
        "U|{b}号楼{u}单元楼梯扶手松动,老人扶着晃得厉害。",
        "Up|{b}号楼{u}单元{r}卫生间下水道堵了,往上返水。",
        "U|{b}号楼{u}单元楼顶漏水,{f}楼住户家里墙皮都泡掉了。",
        "B|{b}号楼前的路面塌了一个坑,电动车骑过去很危险。",
        "C|{c}健身器材的转盘坏了,螺丝掉了,孩子玩容易受伤。",
        "U|{b}号楼{u}单元的信报箱门掉了。",
        "U|{b}号楼{u}单元{f}楼楼道窗户玻璃碎了,风往里灌。",
        "B|{b}号楼外墙雨水管断了,下雨时水直接冲到单元门口。",
        "C|{c}东门的路灯不亮了,晚上黑乎乎的。",
        "Up|{b}号楼{u}单元{r}家暖气片漏水,地板都湿了。",
        "U|{b}号楼{u}单元门口的台阶破损,老人进出不方便,能不能修一下。",
        "C|{c}儿童滑梯有一块板子裂了,边缘很锋利。",
        "B|{b}号楼自来水水压太低,{f}楼以上放不出水。",
        "U|{b}号楼{u}单元的声控灯不灵敏,要使劲跺脚才亮。",
        "C|{c}的健身器材被人破坏了,单杠的横杆掉了一头。",
    ],
    "safety": [
        "U|{b}号楼{u}单元楼道里堆了很多纸箱和旧家具,堵住了消防通道。",
        "U|{b}号楼{u}单元有人从{f}楼窗户拉电线给电动车充电,线就垂在单元门口。",
        "U|{b}号楼{u}单元楼道里停了好几辆电动车在充电,怕着火。",
        "U!|{b}号楼{u}单元{f}楼楼道里有煤气味,不知道哪家漏气了!",
        "B!|{b}号楼外墙瓷砖松动,刚才掉下来一块,差点砸到人。",
        "B!|{b}号楼前的下水井盖不见了,晚上看不见很危险。",
        "C|{c}消防通道被私家车堵死了,消防车进不来。",
        "U|{b}号楼{u}单元楼道的灭火器过期了,压力表指针在红区。",
        "U|{b}号楼{u}单元楼道里放了液化气罐。",
        "B|{b}号楼配电箱门开着,里面电线裸露,小孩常在旁边玩。",
        "C|{c}南侧围墙有一段开裂倾斜,怕倒下来。",
        "U|{b}号楼{u}单元顶楼的天台门锁坏了,孩子们常上去玩,太危险。",
        "U|{b}号楼{u}单元楼梯间堆着旧床垫和木板,烟头一点就着。",
    ],
    "security": [
        "B|{b}号楼下停的电动车电瓶昨晚被偷了两块。",
        "U|有人冒充社区工作人员到{b}号楼{u}单元敲门,说要检查燃气收费。",
        "Up|{b}号楼{u}单元{r}的老人接到电话,说养老金认证要先转账,差点就转了。",
        "C|{c}最近晚上有几个陌生人在车棚附近转悠,居民有点担心。",
        "B|{b}号楼车棚里的自行车被偷了,监控能不能查一下。",
        "C|{c}门口有人发传单推销保健品,骗老人去听讲座。",
        "U|{b}号楼{u}单元好几户门上被人用粉笔做了记号。",
        "C|{c}小广场晚上有人喝酒吵架,差点打起来。",
        "Up|{b}号楼{u}单元{r}家门锁被人撬过,没进去,想请派出所来看看。",
        "C|有陌生人在{c}挨家挨户推销净水器,说是社区安排的。",
    ],
    "assistance": [
        "Up|{b}号楼{u}单元{r}的独居老人腿脚不便,想请志愿者帮忙买点菜。",
        "Up|{b}号楼{u}单元{r}的老人降压药吃完了,子女不在身边,想请人帮忙去医院开药。",
        "Up|{b}号楼{u}单元{r}的老人下周要去市医院复查,没人陪,想请志愿者陪同。",
        "Up|{b}号楼{u}单元{r}家灯泡坏了,老人自己换不了。",
        "Up|{b}号楼{u}单元{r}的老人一个人住,最近情绪低落,想请志愿者常去陪着说说话。",
        "C!p|{c}有位老人转了半天找不到家,说不清自己住哪。",
        "Up|{b}号楼{u}单元{r}老人家的液化气罐用完了,搬不动,想请人帮忙换一下。",
        "Up|{b}号楼{u}单元{r}老人想请人帮忙把阳台上的旧家具搬下楼。",
        "Up|{b}号楼{u}单元{r}的老人不会用智能手机,想请人教一下视频通话,好和孙子联系。",
        "Up|{b}号楼{u}单元{r}老人家的水龙头一直滴水,自己修不了。",
        "Up|{b}号楼{u}单元{r}的孩子放学后没人照看,爷爷奶奶问能不能参加社区的课后托管。",
        "Up|{b}号楼{u}单元{r}的老人想请志愿者帮忙去银行取养老金。",
    ],
    "health": [
        "Up|{b}号楼{u}单元{r}的老人说这两天头晕,想请人来给量量血压。",
        "U!p|{b}号楼{u}单元{r}的老人在家摔倒了,起不来,家里没人!",
        "Up|{b}号楼{u}单元{r}的糖尿病老人想定期测血糖,问社区能不能安排。",
        "U!p|{b}号楼{u}单元{r}的老人胸口疼,喘不上气,家属不在身边!",
        "Cp|{c}有居民问下次义诊是什么时候,想量量血压血糖。",
        "Up|{b}号楼{u}单元{r}的老人刚出院,想请家庭医生上门随访。",
        "Up|{b}号楼{u}单元{r}家孩子发烧,大人在外地,老人不知道去哪儿看。",
        "Up|{b}号楼{u}单元{r}的老人腿脚肿了好几天,想请医生看看。",
        "Up|{b}号楼{u}单元{r}的老人慢性病的药快吃完了,想问能不能办慢病卡报销。",
        "U!p|{b}号楼{u}单元{r}的老人一整天没开门,打电话也没人接,邻居很担心!",
    ],
    "policy": [
        "Up|想问一下养老金资格认证在手机上怎么弄,家里老人不会操作。",
        "Up|医保卡丢了,去哪里补办,需要带什么材料?",
        "Up|家里老人想申请低保,不知道需要什么条件。",
        "Up|残疾证到期了,换证要去哪里办?",
        "Up|孩子上学需要居住证明,社区能开吗?",
        "Up|暑托班什么时候开始报名,有没有年龄要求?",
        "Up|城乡居民医保今年的缴费标准是多少,在哪里交?",
        "Up|我们是搬迁户,不动产证什么时候能办下来?",
        "Up|高龄津贴怎么申请?家里老人今年刚满80岁。",
        "Up|想问一下公益性岗位怎么报名。",
        "Up|家里人在外地打工,灵活就业的社保怎么续交?",
        "Up|老人想办一张老年优待证,坐公交能免费吗?",
    ],
    "order": [
        "B|{b}号楼门口天天有车乱停,把单元门都堵了。",
        "C|{c}门口有人摆摊卖菜,占了大半个路,车进不来。",
        "C|{c}广场舞音响开得太大,晚上九点多还在跳。",
        "U|{b}号楼{u}单元{r}好像是群租房,住了十几个人,进出很乱。",
        "B|{b}号楼一楼住户在楼前私搭了一个棚子。",
        "C|{c}门口的烧烤摊油烟很大,晚上吵到十二点。",
        "B|{b}号楼旁边的绿地被人圈起来种菜了。",
        "C|{c}消防通道上长期停着一辆报废的面包车。",
        "B|{b}号楼下有人养鸡,早上打鸣,味道也大。",
        "C|{c}有商户把货物堆在人行道上。",
        "B|{b}号楼前面的健身区被人停满了电动三轮车。",
    ],
    "other": [
        "Up|感谢网格员{w}上次帮我家解决了下水道的问题,特此表扬!",
        "C|建议在{c}中心广场多装几把长椅,老人散步累了可以歇歇脚。",
        "Cp|建议社区开办老年食堂,独居老人吃饭方便些。",
        "Up|想问社区活动室晚上几点关门?",
        "C|建议在{c}加装几个快递柜。",
        "Up|感谢党员志愿者经常来看望我家老人。",
        "C|能不能在{c}增设电动车集中充电桩?",
        "Up|想给社区的书法班报名,去哪里登记?",
    ],
}

CATEGORY_WEIGHTS = {
    "sanitation": 20,
    "repair": 24,
    "safety": 11,
    "security": 6,
    "assistance": 13,
    "health": 8,
    "policy": 9,
    "order": 7,
    "other": 2,
}

CHANNEL_WEIGHTS: dict[str, dict[str, int]] = {
    "sanitation": {"chat": 35, "patrol": 30, "phone": 15, "party_day": 8, "sink_down": 7},
    "repair": {"chat": 30, "phone": 25, "patrol": 20, "party_day": 10, "sink_down": 8, "visit": 7},
    "safety": {"patrol": 35, "chat": 25, "phone": 20, "party_day": 10, "sink_down": 10},
    "security": {"phone": 40, "chat": 30, "visit": 15, "sink_down": 15},
    "assistance": {"visit": 45, "phone": 35, "chat": 10, "party_day": 10},
    "health": {"phone": 50, "visit": 40, "chat": 10},
    "policy": {"phone": 40, "visit": 20, "party_day": 15, "sink_down": 15, "chat": 10},
    "order": {"chat": 35, "patrol": 30, "phone": 20, "sink_down": 15},
    "other": {"chat": 30, "phone": 30, "party_day": 20, "sink_down": 20},
}

# How the person who files a request from a visit words it.
CHANNEL_PREFIX = {
    "patrol": "巡查发现:",
    "party_day": "主题党日居民反映:",
    "sink_down": "下沉走访时居民反映:",
    "visit": "入户走访了解到:",
}

# What was done, by what the request is about: the first rule whose keywords the text
# contains, else one of the category's general answers.
RESOLUTION_RULES: dict[str, list[tuple[str, str]]] = {
    "sanitation": [
        ("垃圾桶", "已通知保洁员清运,垃圾桶已清空并冲洗。"),
        ("化粪池|污水|下水井|积水", "已联系环卫所抽排污水,周边已消毒。"),
        ("死猫|老鼠|苍蝇|蚊子", "已请消杀人员处理,并投放了药物。"),
        ("小广告", "已组织志愿者清理了楼道小广告。"),
        ("狗屎", "已清理干净,并在楼前张贴文明养犬提示。"),
        ("焚烧", "已劝止焚烧,余烬已扑灭。"),
        ("建筑垃圾|装修垃圾", "已联系清运车拉走,并提醒住户装修垃圾按规定清运。"),
    ],
    "repair": [
        ("雨水管", "已更换断裂的雨水管。"),
        ("路面|台阶", "已协调物业修补,已恢复平整。"),
        ("灯", "已更换灯泡和声控开关,照明恢复正常。"),
        ("扶手", "已请维修人员加固焊接扶手,试用牢固。"),
        ("下水道|返水", "已请疏通师傅上门疏通,排水正常。"),
        ("漏水|暖气", "已联系维修人员上门,漏点已修补。"),
        ("健身器材|滑梯|单杠", "已联系厂家更换损坏部件,器材可以正常使用。"),
        ("窗户|玻璃", "已更换楼道窗户玻璃。"),
        ("水压", "已协调供水公司检修加压设备,现已恢复正常。"),
        ("门禁|单元门|信报箱|闭门器", "已联系物业维修,已修好。"),
    ],
    "safety": [
        ("堆|杂物|床垫|纸箱", "已督促住户清理楼道杂物,消防通道已畅通。"),
        ("瓷砖|井盖|围墙|配电箱", "已拉设警戒线并通知相关单位维修,现已修复。"),
        ("充电|电线", "已拆除飞线,引导住户到集中充电点充电,并做了安全提醒。"),
        ("煤气|液化气", "已联系燃气公司上门检查处置,隐患已排除。"),
        ("灭火器", "已联系物业更换灭火器。"),
        ("消防通道", "已联系车主挪车,并在消防通道设置禁停标识。"),
        ("天台", "已更换天台门锁。"),
    ],
    "security": [
        ("电瓶|自行车|撬", "已报告派出所,民警已到场处理,并加强夜间巡逻。"),
        ("冒充|推销|传单|转账", "已上门提醒居民防范诈骗,并在居民群中发布防诈骗提示。"),
        ("陌生人|记号", "已联系派出所加强巡逻,网格员夜间巡查未发现异常。"),
        ("喝酒|吵架", "已报警处理,民警到场劝离。"),
    ],
    "assistance": [
        ("菜", "党员志愿者已帮忙买菜送到家。"),
        ("开药", "志愿者已代为开药并送药上门。"),
        ("复查", "已安排志愿者陪同就医,顺利完成复查。"),
        ("灯泡|水龙头", "志愿者已上门帮忙修好。"),
        ("说说话", "已把老人列入志愿者定期走访名单,每周上门陪伴。"),
        ("找不到家", "已帮老人找到家,并联系了家属。"),
        ("液化气|搬", "志愿者已上门帮忙搬运。"),
        ("手机", "志愿者已上门教会老人视频通话。"),
        ("托管", "已帮孩子报名社区课后托管。"),
        ("银行", "志愿者已陪同老人到银行办理。"),
    ],
    "health": [
        ("义诊", "已告知下次义诊的时间和地点。"),
        ("摔倒|胸口疼|没开门", "网格员第一时间上门,拨打120送医,并通知了家属。"),
        ("头晕|血压", "已联系社区卫生服务站医生上门量血压,已叮嘱按时服药。"),
        ("血糖", "已帮老人与家庭医生签约,安排每月上门测血糖。"),
        ("出院|肿", "已联系家庭医生上门查看,安排定期随访。"),
        ("发烧", "已帮忙联系社区卫生服务站,陪同就诊。"),
        ("慢病卡", "已告知慢病卡办理流程,并帮忙准备材料。"),
    ],
    "policy": [
        ("认证", "网格员已上门协助老人在手机上完成认证。"),
    ],
    "order": [
        ("摆摊|商户|货物", "已联合综合执法队劝导,引导到便民市场经营。"),
        ("广场舞", "已与广场舞队协商,调低音量并在晚上八点半前结束。"),
        ("群租", "已联合派出所上门核查,督促房东整改。"),
        ("私搭|圈起来", "已上门做工作,住户同意自行拆除,绿地已恢复。"),
        ("养鸡", "已上门劝导,住户已将鸡送回老家。"),
        ("烧烤", "已联合执法队督促加装油烟净化设备,并限定营业时间。"),
        ("车", "已劝导车主挪车,并设置禁停提示。"),
    ],
    "other": [
        ("感谢", "已转达表扬,感谢居民支持。"),
        ("建议|充电桩", "建议已收悉,已提交社区两委研究,纳入为民办实事项目。"),
    ],
}
FALLBACK_RESOLUTIONS: dict[str, list[str]] = {
    "sanitation": ["已联系保洁人员清理,现场已干净。", "已组织党员志愿者清理干净。"],
    "repair": ["已联系物业维修师傅上门,已修好。"],
    "safety": ["已排除隐患,并对住户做了安全提醒。"],
    "security": ["已报告派出所处理,并加强夜间巡逻。"],
    "assistance": ["党员志愿者已上门帮忙。"],
    "health": ["已联系社区卫生服务站医生上门查看。"],
    "policy": [
        "已电话答复居民,告知办理流程和所需材料。",
        "网格员已上门解答,并帮忙准备材料。",
        "已告知居民到镇便民服务中心办理,并帮忙预约。",
    ],
    "order": ["已上门劝导,现已整改。"],
    "other": ["已电话答复居民。"],
}


def resolution_for(category: str, text: str, rng: random.Random) -> str:
    for keywords, resolution in RESOLUTION_RULES.get(category, []):
        if any(keyword in text for keyword in keywords.split("|")):
            return resolution
    return rng.choice(FALLBACK_RESOLUTIONS[category])


REWORK_NOTES = [
    "核实时居民反映还没处理到位,请再次处理。",
    "办结说明不清楚,请补充处理情况并拍照。",
]
REOPEN_COMMENTS = [
    "问题还是没解决。",
    "说好来处理,结果没人来。",
    "处理得不彻底,过两天又那样了。",
]
SATISFIED_COMMENTS = ["", "", "很满意,网格员来得很快。", "谢谢社区!", "处理得很及时。"]
BASICALLY_COMMENTS = ["基本解决了,希望以后多巡查。", "解决了,就是慢了点。", ""]
DISSATISFIED_RESOLVED_COMMENTS = ["解决是解决了,但拖得太久。", "处理的人态度不太好。"]

# Requests that are not the community's to handle: rejected (不予受理) with the reason.
REJECTED: list[tuple[str, str, str]] = [
    (
        "order",
        "小区对面商场周末搞促销,喇叭声音太大。",
        "该商场不在本社区管辖范围,已告知居民向镇综合执法队或拨打12345反映。",
    ),
    (
        "policy",
        "想问孩子转学到市里的学校需要什么手续。",
        "属教育部门业务,已告知居民咨询市教育局并提供了咨询电话。",
    ),
    (
        "repair",
        "家里宽带老断网,运营商一直不来修。",
        "属运营商服务问题,已告知居民拨打运营商客服或12345反映。",
    ),
    (
        "other",
        "有邻居在网上说我坏话,要求社区处理。",
        "属网络言论纠纷,已建议居民向公安机关反映;需要调解可再联系社区。",
    ),
    (
        "other",
        "想让社区给我家孩子安排个工作。",
        "超出社区职责范围,已向居民介绍公益性岗位和招聘会信息。",
    ),
    (
        "policy",
        "物业费太贵了,要求社区把物业费降下来。",
        "物业收费标准由价格主管部门核定,已告知居民可向业主委员会和住建部门反映。",
    ),
    ("order", "出租车司机乱收费,要求社区处理。", "属交通运输部门管理,已告知居民拨打12345反映。"),
]

# --- disputes (矛盾纠纷) and their mediation -----------------------------------------------


@dataclass(frozen=True)
class DisputeKind:
    text: str  # {b} {u} {r} the reporter's flat, {r2} and {other} the other party
    agreement: str
    sessions: tuple[str, ...]


DISPUTES = [
    DisputeKind(
        "{b}号楼{u}单元{r}住户反映:楼上{r2}卫生间漏水,把我家天花板泡坏了,找了好几次都不给修。",
        "{r2}户一周内请人重做卫生间防水;{r}户天花板修补费用800元由{r2}户承担。双方签字确认,不再追究。",
        (
            "网格员和两委成员上门查看漏水情况,分别听取双方意见,双方情绪较大,约定再调。",
            "请物业维修师傅现场检测,确认漏点在{r2}卫生间地漏处,向双方讲解《民法典》相邻关系规定。",
            "在社区调解室面对面调解,双方就维修和赔偿达成一致,签订调解协议。",
        ),
    ),
    DisputeKind(
        "{b}号楼{u}单元{r}住户反映:楼上{r2}晚上十一二点还在拖桌椅、孩子跑跳,老人睡不着,沟通过没用。",
        "{r2}户承诺晚上10点后不做大动静,在客厅铺设地垫;{r}户有意见先找网格员沟通,不再上楼争吵。",
        (
            "分别上门了解情况,{r2}户表示不知道声音影响这么大,愿意改。",
            "组织双方见面,互相道歉,约定作息时间。",
        ),
    ),
    DisputeKind(
        "{b}号楼{u}单元{r}住户反映:{r2}在装修,中午和周末也在用电钻,家里老人孩子受不了。",
        "装修户施工时间调整为工作日8:00-12:00、14:00-18:00,周末不做电钻等高噪音作业,每周提前告知邻居施工安排。",
        ("约谈装修户和施工队负责人,讲解装修管理规定,双方同意调整施工时间。",),
    ),
    DisputeKind(
        "{b}号楼{u}单元{r}住户反映:楼下的车位被{other}家长期占着放杂物和三轮车,说了还吵起来。",
        "{other}家三日内清走车位上的杂物和三轮车;车位按物业登记使用,双方互不占用,由网格员监督落实。",
        (
            "现场查看车位,调取物业登记资料,分别做双方工作。",
            "再次组织双方调解,{other}家同意清走杂物。",
        ),
    ),
    DisputeKind(
        "{b}号楼{u}单元{r}住户反映:楼上{r2}空调外机滴水,天天滴在我家窗台上,吵得睡不着,墙也泡黑了。",
        "{r2}户加装空调冷凝水管接入排水管,费用自理;{r}户外墙清理由双方共同完成。",
        ("上门查看,确认滴水情况属实,{r2}户同意加装排水管。",),
    ),
    DisputeKind(
        "{b}号楼{u}单元{r}住户反映:对门{r2}把鞋柜和杂物堆在楼道,我家门都打不开,说了还骂人。",
        "{r2}户将鞋柜移回室内,楼道杂物当日清理;双方今后共同维护楼道整洁,互相尊重。",
        (
            "上门劝说,{r2}户起初不同意,认为楼道是公共的。",
            "讲解消防安全规定,双方和解,{r2}户当场清理。",
        ),
    ),
    DisputeKind(
        "{b}号楼{u}单元{r}的老人反映:几个子女在赡养费上闹矛盾,老人没人管,想请社区帮忙调解。",
        "三名子女每人每月支付赡养费500元,轮流每周回来看望一次,医疗费用按实际发生三人平摊。",
        (
            "电话联系在外地的子女,了解各自情况和想法。",
            "组织家庭会议(一人视频参加),讲解赡养义务相关法律规定。",
            "子女三方就赡养费和探望安排达成一致,签订赡养协议。",
        ),
    ),
    DisputeKind(
        "{b}号楼{u}单元{r}住户反映:{r2}养的狗天天在楼道里叫,还在楼梯上拉屎,说了不听。",
        "{r2}户遛狗必须牵绳并及时清理粪便,夜间将狗关在室内;再发生由网格员上门督促。",
        ("上门调解,{r2}户承认有时没清理,同意改正。",),
    ),
    DisputeKind(
        "{b}号楼{u}单元{r}住户反映:楼前绿地被{other}家私自开了菜地,还围了栏杆,邻居们意见很大。",
        "{other}家在月底前收完蔬菜、拆除围栏,绿地恢复原状;社区在小区西侧划出共享菜园供居民认领。",
        (
            "现场查看,听取周边居民意见。",
            "与{other}家沟通,提出共享菜园的办法,对方同意拆除围栏。",
        ),
    ),
    DisputeKind(
        "{b}号楼{u}单元{r}住户反映:楼下说他家下水道返水是我们家扔东西堵的,让我们赔钱,我们不认。",
        "由物业疏通并查明堵塞原因为主管老化,维修费用由本单元同一立管住户按户分摊,双方不再互相指责。",
        (
            "请物业用管道检测仪查看,堵塞点在主管弯头处。",
            "向双方说明检测结果,协商费用分摊办法,达成一致。",
        ),
    ),
]

REFERRAL_COMMENTS: dict[str, str] = {
    Mediation.Outcome.REFERRED_JUDICIAL: "已经转到司法所处理了,感谢社区帮忙联系。",
    Mediation.Outcome.REFERRED_COURT: "准备去法院起诉了,谢谢社区给的法律咨询。",
}
REFERRAL_NOTES = {
    Mediation.Outcome.REFERRED_JUDICIAL: "多次调解未果,已移交阳泉曲镇司法所依法调处。",
    Mediation.Outcome.REFERRED_COURT: "双方分歧较大,调解未成,已引导当事人通过诉讼解决,"
    "社区提供法律援助咨询。",
}


# --- the plan of one request --------------------------------------------------------------


@dataclass
class Plan:
    """Everything decided about one request before it is written, from its own generator."""

    at: dt.datetime
    run: Callable[[HistoryBuilder, Plan], None]
    rng: random.Random
    category: str = ""
    text: str = ""
    level: str = "U"  # U unit, B building, C compound
    urgent: bool = False
    channel: str = ""
    grid: int = 1
    stop: str = ""  # leave the request in this state
    reject: str = ""  # the reason, for a request rejected (不予受理)
    outcome: str = ""  # of a dispute's mediation
    dispute: DisputeKind | None = None


@dataclass
class HistorySummary:
    requests: int = 0
    disputes: int = 0
    open_overdue: int = 0


class HistoryBuilder:
    def __init__(self, world: World, *, seed: int = SEED, scale: float = 1.0) -> None:
        self.world = world
        self.seed = seed
        self.scale = scale
        self.now = timezone.now()
        self.random = random.Random(seed)
        self.categories = {c.code: c for c in Category.objects.all()}
        users = {u.username: u for u in User.objects.filter(is_active=True)}
        # The same User objects throughout: each caches its scopes, which saves queries.
        self.users = {**users, **world.users}
        self.staff = self.users["staff"]
        self.committee = [self.users[f"committee{n}"] for n in range(1, 8)]
        self.dispatchers = [self.staff, *self.committee[:3]]
        self.volunteer = self.users["volunteer"]
        self.workers = {
            n: self.users[username] for n, (username, _name) in GRID_WORKER_NAMES.items()
        }
        self.grid_numbers = {grid.pk: n for n, grid in world.grids.items()}
        self._load_places()
        self.clock = self.now  # the time of the last step of the request being written

    # --- the places and the people in them ------------------------------------------------

    def _load_places(self) -> None:
        # Fresh from the database: adding areas may have moved paths under the World's copies.
        community = self.community = Area.objects.get(pk=self.world.community.pk)
        fresh = {
            b.pk: b
            for b in Area.objects.filter(kind=AreaKind.BUILDING, path__startswith=community.path)
        }
        self.buildings = {key: fresh[b.pk] for key, b in self.world.buildings.items()}
        self.compounds = {
            a.name: a
            for a in Area.objects.filter(kind=AreaKind.COMPOUND, path__startswith=community.path)
        }
        self.units_of: dict[int, list[Area]] = defaultdict(list)  # building pk → units
        buildings = {b.path: b for b in self.buildings.values()}
        units = Area.objects.filter(kind=AreaKind.UNIT, path__startswith=community.path)
        for unit in units.order_by("path"):
            self.units_of[buildings[unit.path[: -Area.steplen]].pk].append(unit)
        adult_born_before = self.now.date().replace(year=self.now.year - 18)
        residents = (
            Resident.objects.filter(
                area__path__startswith=community.path,
                household__isnull=False,
                birth_date__lte=adult_born_before,
            )
            .select_related("household")
            .only("pk", "name", "user", "birth_date", "household__room", "household__unit")
            .order_by("pk")
        )
        self.residents_of: dict[int, list[Resident]] = defaultdict(list)  # unit pk → adults
        for resident in residents:
            assert resident.household is not None
            self.residents_of[resident.household.unit_id].append(resident)
        self.building_of_unit = {
            unit.pk: building
            for building in self.buildings.values()
            for unit in self.units_of[building.pk]
        }
        self.compound_of_building = {
            building.pk: self.compounds[compound]
            for (compound, _n), building in self.buildings.items()
        }
        self.buildings_of_grid: dict[int, list[tuple[str, int, Area]]] = defaultdict(list)
        for (compound, number), building in sorted(self.buildings.items()):
            self.buildings_of_grid[self.grid_numbers[building.grid_id]].append(
                (compound, number, building)
            )
        me = Resident.objects.select_related("household__unit").get(user=self.users["resident"])
        self.me = me

    def occupied_unit(self, rng: random.Random, grid: int) -> tuple[str, int, Area, Area]:
        """A unit of the grid where somebody lives: (compound, building number, building, unit)."""
        while True:
            compound, number, building = rng.choice(self.buildings_of_grid[grid])
            units = [u for u in self.units_of[building.pk] if self.residents_of[u.pk]]
            if units:
                return compound, number, building, rng.choice(units)

    # --- time -------------------------------------------------------------------------------

    def local(self, day: dt.date, hour: float) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour)
        return timezone.make_aware(moment, timezone.get_default_timezone())

    def days_ago(self, days: float, hour: float) -> dt.datetime:
        day = timezone.localdate(self.now) - dt.timedelta(days=int(days))
        moment = self.local(day, hour)
        while moment > self.now:
            moment -= dt.timedelta(days=1)
        return moment

    def daytime(self, moment: dt.datetime, rng: random.Random) -> dt.datetime:
        """``moment``, or the next morning if it falls in the night (work is done by day)."""
        local = timezone.localtime(moment)
        if 7.5 <= local.hour + local.minute / 60 < 21:
            return moment
        day = local.date() + dt.timedelta(days=1 if local.hour >= 21 else 0)
        return self.local(day, 8 + rng.random() * 1.5)

    @staticmethod
    def hours(low: float, high: float, rng: random.Random) -> dt.timedelta:
        return dt.timedelta(hours=rng.uniform(low, high))

    # --- steps --------------------------------------------------------------------------------

    def escalate_if_overdue(self, request: Request, until: dt.datetime) -> None:
        """Escalate as the five-minute job would have, if the request went overdue while
        open before ``until``."""
        if request.status not in OPEN_STATUSES or request.escalated_at is not None:
            return
        moment = max(request.due_at, self.clock) + ESCALATION_DELAY
        if moment < min(until, self.now):
            requests_escalate_overdue(now=moment)
            request.refresh_from_db(fields=["escalated_at"])

    def step(
        self,
        request: Request,
        at: dt.datetime,
        to: str,
        actor: User,
        *,
        note: str = "",
        assignee: User | None = None,
    ) -> bool:
        """Move ``request`` at ``at``, unless that is still in the future (then it stays)."""
        self.escalate_if_overdue(request, at)
        if at > self.now:
            return False
        request_transition(request=request, to=to, actor=actor, note=note, assignee=assignee, at=at)
        self.clock = at
        return True

    def contact(self, request: Request, at: dt.datetime, actor: User) -> bool:
        """The assignee calls the reporter (已联系) at ``at``, unless that is still ahead."""
        self.escalate_if_overdue(request, at)
        if at > self.now:
            return False
        request_record_contact(request=request, actor=actor, note=CONTACT_NOTE, at=at)
        self.clock = at
        return True

    def follow_up(
        self,
        request: Request,
        at: dt.datetime,
        *,
        resolved: bool,
        satisfaction: str,
        comment: str,
        actor: User | None = None,
    ) -> bool:
        if at > self.now:
            return False
        reporter_user = request.reporter.user if request.reporter is not None else None
        if reporter_user is not None:
            request_feedback(
                request=request,
                actor=self.users.get(reporter_user.username, reporter_user),
                resolved=resolved,
                satisfaction=satisfaction,
                comment=comment,
                at=at,
            )
        else:
            request_feedback(
                request=request,
                actor=actor or self.staff,
                resolved=resolved,
                satisfaction=satisfaction,
                comment=comment,
                via=Feedback.Via.PHONE,
                at=at,
            )
        if not resolved:
            request.refresh_from_db()  # reopened: the service changed its own copy
        self.clock = at
        return True

    def submit(
        self,
        plan: Plan,
        *,
        text: str,
        category: str,
        channel: str,
        location: Area,
        room: str = "",
        urgent: bool = False,
        reporter: Resident | None = None,
        filer: User | None = None,
    ) -> Request:
        self.clock = plan.at
        return request_submit(
            submitted_by=filer,
            text=text,
            channel=channel,
            location=location,
            room=room,
            category=self.categories[category],
            urgent=urgent,
            reporter=reporter,
            at=plan.at,
        )

    # --- one ordinary request, from filing to follow-up ---------------------------------------

    def handle(
        self,
        plan: Plan,
        request: Request,
        *,
        grid: int | None,
        stop: str = "",
        reject: str = "",
    ) -> None:
        rng = plan.rng
        category = request.category.code
        t = plan.at
        if request.status == Status.SUBMITTED:
            # Not located to a building: it waits in the dispatch queue.
            if stop == Status.SUBMITTED:
                self.escalate_if_overdue(request, self.now)
                return
            dispatcher = rng.choice(self.dispatchers)
            roll = rng.random()
            t = self.daytime(
                t + self.hours(0.2, 4, rng) if roll < 0.7 else t + self.hours(4, 20, rng), rng
            )
            if roll > 0.92:
                t = plan.at + self.hours(25, 40, rng)  # answered late: the 响应率 shows it
            if reject:
                self.step(request, t, Status.REJECTED, dispatcher, note=reject)
                return
            if not self.step(request, t, Status.ACCEPTED, dispatcher) or stop == Status.ACCEPTED:
                self.escalate_if_overdue(request, self.now)
                return
            t += self.hours(0.1, 1.5, rng)
            worker = self.workers[grid or rng.randint(1, 8)]
            if not self.step(request, t, Status.ASSIGNED, dispatcher, assignee=worker):
                return
        handler = request.assignee
        assert handler is not None
        handler = self.users.get(handler.username, handler)
        if category == "assistance" and rng.random() < 0.35:
            # 党员先锋岗: the dispatcher hands it to the party-member volunteer.
            t += self.hours(0.2, 2, rng)
            if not self.step(
                request,
                t,
                Status.ASSIGNED,
                self.staff,
                note="请党员先锋岗志愿者上门帮忙",
                assignee=self.volunteer,
            ):
                return
            handler = self.volunteer
        if stop == Status.ASSIGNED:
            self.escalate_if_overdue(request, self.now)
            return
        window = request.due_at - plan.at
        assigned_at = t
        if request.urgent:
            t += self.hours(0.05, 0.4, rng)  # someone goes now, day or night
        else:
            t = self.daytime(t + min(self.hours(0.3, 6, rng), window * 0.3), rng)
        # Who answers the reporter, and when, is drawn from its own generator so that the
        # rest of the request's story stays as it was.
        answer = random.Random(f"answer-{request.number}")
        if not request.urgent and answer.random() < 0.1:
            # A busy week: nobody answered within the response time (the 响应率 shows it).
            answer_in = request.response_due_at - plan.at
            t = self.daytime(plan.at + answer_in * answer.uniform(1.1, 1.8), answer)
        if request.reporter is not None and answer.random() < 0.45:
            # The worker first calls the reporter (已联系), then goes round.
            called = assigned_at + (t - assigned_at) * answer.uniform(0.3, 0.9)
            if not self.contact(request, called, handler):
                self.escalate_if_overdue(request, self.now)
                return
        if not self.step(request, t, Status.IN_PROGRESS, handler) or stop == Status.IN_PROGRESS:
            self.escalate_if_overdue(request, self.now)
            return
        late = rng.random() < 0.04
        share = rng.uniform(1.05, 2.2) if late else rng.uniform(0.15, 0.85)
        resolve_at = plan.at + window * share
        if not request.urgent:
            resolve_at = self.daytime(resolve_at, rng)
        resolve_at = max(resolve_at, t + dt.timedelta(minutes=20))
        note = resolution_for(category, request.text, rng)
        if not self.step(request, resolve_at, Status.RESOLVED, handler, note=note):
            return
        t = resolve_at
        if stop == Status.RESOLVED:
            return
        verifier = rng.choice([self.staff, *self.committee[:4]])
        if rng.random() < 0.03:
            t = self.daytime(t + self.hours(1, 20, rng), rng)
            if not self.step(
                request, t, Status.IN_PROGRESS, verifier, note=rng.choice(REWORK_NOTES)
            ):
                return
            t = self.daytime(t + self.hours(2, 10, rng), rng)
            if not self.step(request, t, Status.RESOLVED, handler, note=note):
                return
        t = self.daytime(t + self.hours(1, 30, rng), rng)
        if not self.step(request, t, Status.CLOSED, verifier):
            return
        if rng.random() > 0.9:
            return  # not followed up (yet)
        t = self.daytime(t + self.hours(2, 72, rng), rng)
        roll = rng.random()
        if roll < 0.025:
            # Not solved after all: the follow-up reopens it, and it is done again.
            if not self.follow_up(
                request,
                t,
                resolved=False,
                satisfaction=Satisfaction.DISSATISFIED,
                comment=rng.choice(REOPEN_COMMENTS),
            ):
                return
            t = self.daytime(t + self.hours(20, 60, rng), rng)
            if not self.step(request, t, Status.RESOLVED, handler, note="已重新处理:" + note):
                return
            t = self.daytime(t + self.hours(1, 24, rng), rng)
            if not self.step(request, t, Status.CLOSED, verifier):
                return
            t = self.daytime(t + self.hours(4, 48, rng), rng)
            self.follow_up(
                request,
                t,
                resolved=True,
                satisfaction=rng.choice([Satisfaction.BASICALLY_SATISFIED, Satisfaction.SATISFIED]),
                comment="这次解决了。",
            )
            return
        if roll < 0.06:
            satisfaction, comment = (
                Satisfaction.DISSATISFIED,
                rng.choice(DISSATISFIED_RESOLVED_COMMENTS),
            )
        elif roll < 0.22:
            satisfaction, comment = (
                Satisfaction.BASICALLY_SATISFIED,
                rng.choice(BASICALLY_COMMENTS),
            )
        else:
            satisfaction, comment = Satisfaction.SATISFIED, rng.choice(SATISFIED_COMMENTS)
        self.follow_up(
            request,
            t,
            resolved=True,
            satisfaction=satisfaction,
            comment=comment,
            actor=rng.choice([self.staff, self.committee[1], self.committee[2]]),
        )

    # --- planning -------------------------------------------------------------------------

    def plan_ordinary(self, rng: random.Random, *, at: dt.datetime | None = None) -> Plan:
        category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        raw = rng.choice(TEXTS[category])
        flags, text = raw.split("|", 1)
        level, urgent, personal = flags[0], "!" in flags, "p" in flags
        weights = CHANNEL_WEIGHTS[category]
        channel = rng.choices(list(weights), weights=list(weights.values()))[0]
        if urgent and channel not in {"chat", "phone", "patrol"}:
            channel = "phone"
        if personal and channel == "patrol":
            channel = "visit"
        grid = rng.choices(range(1, 9), weights=[14, 12, 12, 12, 12, 12, 13, 13])[0]
        if at is None:
            day = rng.uniform(0, HISTORY_DAYS)
            hour = rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 19, 20]) + rng.random()
            if channel == "party_day":
                # 主题党日 is held once a month in each grid, on the grid's day.
                day, hour = self._monthly_day(day, 5 + grid), 15 + rng.random() * 2
            elif channel == "sink_down":
                # 一月一下沉: the cadres come down once a month.
                day, hour = self._monthly_day(day, 18 + grid % 4), 9.5 + rng.random() * 2
            at = self.days_ago(day, hour)
        return Plan(
            at=at,
            run=HistoryBuilder.run_ordinary,
            rng=rng,
            category=category,
            text=text,
            level=level,
            urgent=urgent,
            channel=channel,
            grid=grid,
        )

    def _monthly_day(self, days_ago: float, day_of_month: int) -> float:
        """How many days ago the monthly event of ``day_of_month`` fell, in the month that
        ``days_ago`` lies in (or the month before, if that day is still to come)."""
        today = timezone.localdate(self.now)
        day = today - dt.timedelta(days=int(days_ago))
        event = day.replace(day=day_of_month)
        if event > today - dt.timedelta(days=1):
            event = (event.replace(day=1) - dt.timedelta(days=1)).replace(day=day_of_month)
        if (today - event).days > HISTORY_DAYS:
            event = (event.replace(day=28) + dt.timedelta(days=4)).replace(day=day_of_month)
        return float((today - event).days)

    def run_ordinary(self, plan: Plan) -> None:
        rng, category, channel, grid = plan.rng, plan.category, plan.channel, plan.grid
        compound, number, building, unit = self.occupied_unit(rng, grid)
        reporter: Resident | None = rng.choice(self.residents_of[unit.pk])
        room = reporter.household.room if reporter and reporter.household else ""
        text = plan.text.format(
            c=compound,
            b=number,
            u=unit.name.removesuffix("单元"),
            r=room,
            f=rng.randint(2, 6),
            w=self.workers[grid].full_name,
        )
        level = plan.level
        location = {"U": unit, "B": building, "C": self.compounds[compound]}[level]
        filer: User | None
        if channel in {"patrol", "party_day", "visit", "chat"}:
            filer = self.workers[grid]
        elif channel == "sink_down":
            filer = self._cadre_for(compound, grid, rng)
        else:
            filer = rng.choice([self.staff, self.staff, *self.committee[:3]])
        if channel == "patrol":
            reporter = None
        text = CHANNEL_PREFIX.get(channel, "") + text
        request = self.submit(
            plan,
            text=text,
            category=category,
            channel=channel,
            location=location,
            room=room if level == "U" else "",
            urgent=plan.urgent,
            reporter=reporter,
            filer=filer,
        )
        self.handle(plan, request, grid=grid, stop=plan.stop)

    def _cadre_for(self, compound: str, grid: int, rng: random.Random) -> User:
        if rng.random() < 0.5:
            return self.users["cadre"] if compound == "向阳花园" else self.users["baopian2"]
        return self.users[f"liandian{(grid + 1) // 2}"]

    def plan_resident_page(self, rng: random.Random) -> Plan:
        plan = self.plan_ordinary(rng)
        plan.run = HistoryBuilder.run_resident_page
        return plan

    def run_resident_page(self, plan: Plan) -> None:
        """郭玉梅 (the demo resident) reports from her own page and rates the result."""
        rng = plan.rng
        unit = self.me.household.unit if self.me.household else None
        assert unit is not None
        assert self.me.household is not None
        category, text = rng.choice(
            [
                ("repair", "3号楼2单元的楼道灯又不亮了,晚上孩子上楼害怕。"),
                ("sanitation", "单元门口的垃圾桶好几天没清了,夏天味道太大。"),
                ("policy", "想问一下孩子暑托班怎么报名?"),
                ("repair", "单元门的闭门器坏了,门一直咣当咣当响。"),
                ("order", "楼下总有电动三轮车堵在单元门口,推婴儿车出不去。"),
                ("other", "建议小区里多装几个晾衣架。"),
            ]
        )
        request = self.submit(
            plan,
            text=text,
            category=category,
            channel=Channel.RESIDENT_PAGE,
            location=unit,
            room=self.me.household.room,
            reporter=self.me,
            filer=self.users["resident"],
        )
        self.handle(plan, request, grid=1)

    def plan_rejected(self, rng: random.Random) -> Plan:
        days = rng.uniform(3, HISTORY_DAYS)
        category, text, reason = rng.choice(REJECTED)
        return Plan(
            at=self.days_ago(days, rng.uniform(8, 20)),
            run=HistoryBuilder.run_rejected,
            rng=rng,
            category=category,
            text=text,
            reject=reason,
            grid=rng.randint(1, 8),
        )

    def run_rejected(self, plan: Plan) -> None:
        rng = plan.rng
        _c, _n, _b, unit = self.occupied_unit(rng, plan.grid)
        request = self.submit(
            plan,
            text=plan.text,
            category=plan.category,
            channel=rng.choice([Channel.PHONE, Channel.PHONE, Channel.CHAT]),
            location=self.community,
            reporter=rng.choice(self.residents_of[unit.pk]),
            filer=self.staff,
        )
        self.handle(plan, request, grid=None, reject=plan.reject)

    # --- the seed story -------------------------------------------------------------------

    def party_day(self, plan: Plan) -> None:
        """陈中平's 主题党日 two days ago: three concerns from his notebook."""
        chen = self.workers[1]
        day = timezone.localdate(self.now) - dt.timedelta(days=2)
        xiangyang = "向阳花园"
        named = Resident.objects.select_related("household__unit")
        wang = named.get(pk=self.world.residents["wang"].pk)
        zhang = named.get(pk=self.world.residents["zhang"].pk)
        assert wang.household is not None
        assert zhang.household is not None
        clutter = request_submit(
            submitted_by=chen,
            text="楼道杂物过多:2号楼1单元楼道里堆着纸箱、旧自行车和腌菜缸,一直堆到二楼,"
            "王大娘拄拐上下楼很不方便,也有消防隐患。",
            channel=Channel.PARTY_DAY,
            location=wang.household.unit,
            room=wang.household.room,
            category=self.categories["safety"],
            reporter=wang,
            at=self.local(day, 15.25),
        )
        self.clock = clutter.submitted_at
        self.step(clutter, self.local(day, 16.5), Status.IN_PROGRESS, chen)
        self.step(
            clutter,
            self.local(day + dt.timedelta(days=1), 10),
            Status.RESOLVED,
            chen,
            note="逐户敲门动员,和党员志愿者一起清出纸箱杂物两车,旧自行车由住户搬回家中,"
            "楼道已畅通。",
        )
        self.step(clutter, self.local(day + dt.timedelta(days=1), 14), Status.CLOSED, self.staff)
        self.follow_up(
            clutter,
            self.local(day + dt.timedelta(days=1), 17),
            resolved=True,
            satisfaction=Satisfaction.SATISFIED,
            comment="楼道干净了,走路放心多了,谢谢小陈。",
            actor=self.staff,
        )

        handrail = request_submit(
            submitted_by=chen,
            text="楼梯扶手松动:3号楼1单元二楼到三楼的楼梯扶手松动,一扶就晃,老人上下楼害怕。",
            channel=Channel.PARTY_DAY,
            location=zhang.household.unit,
            room=zhang.household.room,
            category=self.categories["repair"],
            reporter=zhang,
            at=self.local(day, 15.5),
        )
        self.clock = handrail.submitted_at
        self.step(handrail, self.local(day + dt.timedelta(days=1), 9), Status.IN_PROGRESS, chen)

        building = self.buildings[(xiangyang, 1)]
        neighbour = self.residents_of[self.units_of[building.pk][0].pk][0]
        equipment = request_submit(
            submitted_by=chen,
            text="健身设施破坏:向阳花园中心广场的健身器材被破坏,漫步机踏板断了一只,"
            "扭腰器转盘卡死,老人孩子都不敢用。",
            channel=Channel.PARTY_DAY,
            location=self.compounds[xiangyang],
            category=self.categories["repair"],
            reporter=neighbour,
            at=self.local(day, 15.75),
        )
        self.clock = equipment.submitted_at
        self.step(equipment, self.local(day, 17.5), Status.ACCEPTED, self.staff)
        self.step(
            equipment,
            self.local(day + dt.timedelta(days=1), 9.25),
            Status.ASSIGNED,
            self.staff,
            note="健身器材在第1网格,请陈中平联系厂家维修",
            assignee=chen,
        )

    def rubbish_message(self, plan: Plan) -> None:
        """The group-chat message; volunteers went and cleared it."""
        chen = self.workers[1]
        unit = self.me.household.unit if self.me.household else None
        assert unit is not None
        day = timezone.localdate(self.now) - dt.timedelta(days=3)
        request = request_submit(
            submitted_by=chen,
            text="我们小区3号楼二单元的垃圾挡道了,得赶紧派人处理!",
            channel=Channel.CHAT,
            location=unit,
            category=self.categories["sanitation"],
            urgent=True,
            reporter=self.me,
            at=self.local(day, 8 + 10 / 60),
        )
        self.clock = request.submitted_at
        self.step(
            request,
            self.local(day, 8 + 20 / 60),
            Status.ASSIGNED,
            self.staff,
            note="请党员先锋岗志愿者就近清理",
            assignee=self.volunteer,
        )
        self.step(request, self.local(day, 8 + 25 / 60), Status.IN_PROGRESS, self.volunteer)
        self.step(
            request,
            self.local(day, 9 + 5 / 60),
            Status.RESOLVED,
            self.volunteer,
            note="党员志愿者白晓东带领3名志愿者清理了3号楼二单元门口的垃圾,通道已畅通,"
            "并提醒住户按时投放。",
        )
        self.step(request, self.local(day, 10), Status.CLOSED, self.committee[0])
        self.follow_up(
            request,
            self.local(day, 12.5),
            resolved=True,
            satisfaction=Satisfaction.SATISFIED,
            comment="志愿者来得真快,谢谢!",
        )

    # --- disputes -------------------------------------------------------------------------

    def plan_dispute(self, rng: random.Random, *, outcome: str, days: float) -> Plan:
        return Plan(
            at=self.days_ago(days, rng.uniform(8.5, 19)),
            run=HistoryBuilder.run_dispute,
            rng=rng,
            outcome=outcome,
            dispute=rng.choice(DISPUTES),
            category="dispute",
        )

    def run_dispute(self, plan: Plan) -> None:
        rng = plan.rng
        kind, outcome = plan.dispute, plan.outcome
        assert kind is not None
        grid = rng.randint(1, 8)
        # Neighbours in one unit where possible; the one who complains lives lower down
        # (the leak, the noise and the dripping air-conditioner come from above).
        for _attempt in range(20):
            compound, number, building, unit = self.occupied_unit(rng, grid)
            households = {r.household_id or 0 for r in self.residents_of[unit.pk]}
            if len(households) >= 2:
                break
        pair = rng.sample(sorted(households), 2) if len(households) >= 2 else []
        if pair:
            first, second = (
                rng.choice([r for r in self.residents_of[unit.pk] if r.household_id == h])
                for h in pair
            )
            reporter, other = sorted((first, second), key=lambda r: _floor(r))
        else:
            reporter = rng.choice(self.residents_of[unit.pk])
            others = [
                r
                for u in self.units_of[building.pk]
                for r in self.residents_of[u.pk]
                if r.household_id != reporter.household_id
            ]
            other = rng.choice(others)
        room = reporter.household.room if reporter.household else ""
        other_room = other.household.room if other.household else ""
        other_name = other.name
        values = {
            "b": number,
            "u": unit.name.removesuffix("单元"),
            "r": room,
            "r2": other_room,
            "other": other_name[0] + "某",
        }
        worker = self.workers[grid]
        request = self.submit(
            plan,
            text=kind.text.format(**values),
            category="dispute",
            channel=rng.choice(
                [Channel.PHONE, Channel.PHONE, Channel.CHAT, Channel.VISIT, Channel.SINK_DOWN]
            ),
            location=unit,
            room=room,
            reporter=reporter,
            filer=rng.choice([self.staff, worker]),
        )
        t = plan.at + self.hours(0.5, 4, rng)
        if not self.step(request, t, Status.IN_PROGRESS, worker):
            return
        t = self.daytime(t + self.hours(1, 20, rng), rng)
        if t > self.now:
            return
        address = f"{compound}{number}号楼{unit.name}"
        other_address = f"{compound}{number}号楼{self._unit_name(other)}"
        mediation = mediation_start(
            request=request,
            actor=worker,
            parties=f"{reporter.name}({address}{room})\n{other_name}({other_address}{other_room})",
            at=t,
        )
        self.clock = t
        mediators = rng.sample(self.committee, 2)
        names = "、".join([*(m.full_name for m in mediators), worker.full_name])
        sessions = list(kind.sessions)
        if outcome != Mediation.Outcome.AGREEMENT:
            sessions = [*sessions[:1], "再次组织调解,双方各执一词,分歧较大,未能达成一致。"]
        day = timezone.localdate(t)
        moment = t
        for index, notes in enumerate(sessions):
            day += dt.timedelta(days=1 if index == 0 else rng.randint(2, 4))
            moment = self.local(day, rng.choice([9.5, 10, 14.5, 15, 16]))
            if moment > self.now:
                return
            mediation_add_session(
                mediation=mediation,
                actor=worker,
                held_on=day,
                mediators=names,
                notes=notes.format(**values),
                at=moment,
            )
            self.clock = moment
        if outcome == Mediation.Outcome.PENDING:
            return
        t = moment + dt.timedelta(hours=1)
        agreement = (
            kind.agreement.format(**values) if outcome == Mediation.Outcome.AGREEMENT else ""
        )
        mediation_conclude(
            mediation=mediation,
            actor=mediators[0],
            outcome=outcome,
            agreement_text=agreement,
            at=t,
        )
        self.clock = t
        note = (
            "经调解双方达成协议:" + agreement
            if outcome == Mediation.Outcome.AGREEMENT
            else REFERRAL_NOTES[Mediation.Outcome(outcome)]
        )
        t = self.daytime(t + self.hours(1, 3, rng), rng)
        if not self.step(request, t, Status.RESOLVED, worker, note=note):
            return
        t = self.daytime(t + self.hours(16, 30, rng), rng)
        if not self.step(request, t, Status.CLOSED, mediators[1]):
            return
        t = self.daytime(t + self.hours(24, 96, rng), rng)
        agreed = outcome == Mediation.Outcome.AGREEMENT
        # A referral is followed up too; the resident says whether they feel it handled.
        self.follow_up(
            request,
            t,
            resolved=True,
            satisfaction=Satisfaction.SATISFIED if agreed else Satisfaction.BASICALLY_SATISFIED,
            comment=REFERRAL_COMMENTS.get(outcome, "协议已经履行,邻里关系缓和了。"),
            actor=self.staff,
        )

    def _unit_name(self, resident: Resident) -> str:
        assert resident.household is not None
        unit_id = resident.household.unit_id
        building = self.building_of_unit[unit_id]
        return next(u.name for u in self.units_of[building.pk] if u.pk == unit_id)

    # --- the whole history ----------------------------------------------------------------

    def plans(self) -> list[Plan]:
        seeds = random.Random(self.seed)

        def rng() -> random.Random:
            return random.Random(seeds.getrandbits(64))

        count = max(40, int(ORDINARY_REQUESTS * self.scale))
        plans = [self.plan_ordinary(rng()) for _ in range(count)]
        plans += [self.plan_resident_page(rng()) for _ in range(RESIDENT_PAGE_REQUESTS)]
        plans += [self.plan_rejected(rng()) for _ in range(14)]
        # Open in each state now, and some overdue (the cadres' pages show them).
        for stop, count, low, high in [
            (Status.SUBMITTED, 2, 2 / 24, 18 / 24),
            (Status.SUBMITTED, 1, 2, 2.5),  # waiting past its response deadline
            (Status.ACCEPTED, 2, 20 / 24, 40 / 24),
            (Status.ASSIGNED, 3, 4, 20),
            (Status.IN_PROGRESS, 4, 5, 40),
            (Status.RESOLVED, 3, 1, 3),
        ]:
            for _ in range(count):
                generator = rng()
                ago = generator.uniform(low, high)
                plan = self.plan_ordinary(
                    generator, at=self.days_ago(ago, generator.uniform(8, 20))
                )
                plan.channel = generator.choice([Channel.CHAT, Channel.PHONE])
                plan.urgent = False
                if stop in {Status.SUBMITTED, Status.ACCEPTED}:
                    # Known only to the compound: it waits in the dispatch queue.
                    plan.category, plan.level = "repair", "C"
                    plan.text = generator.choice(_texts("repair", "C"))
                elif stop in {Status.ASSIGNED, Status.IN_PROGRESS}:
                    # Stuck: a repair waiting for parts, a clean-up nobody came to.
                    plan.category, plan.level = generator.choice(["repair", "sanitation"]), "U"
                    plan.text = generator.choice(_texts(plan.category, "U"))
                plan.stop = stop
                plans.append(plan)
        # The year's disputes: most settled by agreement, a few referred, two in progress.
        outcomes = (
            [Mediation.Outcome.AGREEMENT] * 23
            + [Mediation.Outcome.REFERRED_JUDICIAL] * 2
            + [Mediation.Outcome.REFERRED_COURT]
        )
        for outcome in outcomes:
            generator = rng()
            plans.append(
                self.plan_dispute(
                    generator, outcome=outcome, days=generator.uniform(25, HISTORY_DAYS - 2)
                )
            )
        for _ in range(2):
            generator = rng()
            plans.append(
                self.plan_dispute(
                    generator, outcome=Mediation.Outcome.PENDING, days=generator.uniform(4, 9)
                )
            )
        story = rng()
        plans.append(Plan(at=self.days_ago(3, 8), run=HistoryBuilder.rubbish_message, rng=story))
        plans.append(Plan(at=self.days_ago(2, 15), run=HistoryBuilder.party_day, rng=story))
        return sorted(plans, key=lambda p: p.at)

    def build(self) -> HistorySummary:
        first_notification = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        with without_external_delivery():
            for plan in self.plans():
                plan.run(self, plan)
        self._settle_notifications(first_notification)
        requests = Request.objects.filter(community=self.community)
        return HistorySummary(
            requests=requests.count(),
            disputes=Mediation.objects.filter(request__community=self.community).count(),
            open_overdue=requests.filter(
                status__in=list(OPEN_STATUSES), due_at__lt=self.now
            ).count(),
        )

    def _settle_notifications(self, after: int) -> None:
        """What happened months ago was read months ago: only the notifications about
        requests still waiting for someone stay unread."""
        waiting = Request.objects.filter(
            community=self.community,
            status__in=[*OPEN_STATUSES, Status.RESOLVED],
        ).values_list("pk", flat=True)
        keep = {reverse("requests:detail", args=[pk]) for pk in waiting}
        read: dict[int, list[int]] = defaultdict(list)
        for pk, user_id, link in Notification.objects.filter(pk__gt=after).values_list(
            "pk", "user_id", "link"
        ):
            if link not in keep:
                read[user_id].append(pk)
        users = {u.pk: u for u in self.users.values()}
        for user_id, ids in read.items():
            notifications_mark_read(user=users[user_id], ids=ids)


def _floor(resident: Resident) -> int:
    room = resident.household.room if resident.household else ""
    return int(room[:-2]) if room[:-2].isdigit() else 0


def _texts(category: str, flags: str) -> list[str]:
    return [t.split("|", 1)[1] for t in TEXTS[category] if t.split("|", 1)[0] == flags]


def build_request_history(world: World, *, seed: int = SEED, scale: float = 1.0) -> HistorySummary:
    """Write the demo's requests; called at the end of :meth:`WorldBuilder.build`."""
    return HistoryBuilder(world, seed=seed, scale=scale).build()
