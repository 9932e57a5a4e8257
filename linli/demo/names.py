"""Plausible Chinese names and numbers for the demo world, from a seeded generator."""

from __future__ import annotations

import datetime as dt
import random

from linli.core.validators import id_number_check_char

# Common surnames of central Shanxi villages, weighted by rough frequency.
SURNAMES = (
    "王王王王李李李张张张刘刘刘陈陈杨杨赵赵黄周吴徐孙马胡朱郭郭何罗高林梁郑宋谢韩唐冯"
    "于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹"
    "熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
MALE_GIVEN = "建国建军志强国华卫东振华永明海军文斌俊杰宏伟德胜长山福贵金生满仓守仁小军晓东"
MALE_GIVEN += "明亮子豪浩然宇航博文天佑家乐"
FEMALE_GIVEN = "秀英桂兰玉梅凤英淑珍翠花秀兰丽华春梅桂芳美玲晓燕丽娜婷婷欣怡雨涵梓萱佳怡静"
FEMALE_GIVEN += "红霞彩霞金凤"


def _pairs(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(0, len(text) - 1, 2)]


MALE_NAMES = _pairs(MALE_GIVEN)
FEMALE_NAMES = _pairs(FEMALE_GIVEN)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


class NameMaker:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.used_names: set[str] = set()
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()

    def surname(self) -> str:
        return self.random.choice(SURNAMES)

    def name(self, gender: str, surname: str | None = None) -> str:
        for _attempt in range(50):
            pool = MALE_NAMES if gender == "male" else FEMALE_NAMES
            given = self.random.choice(pool)
            if self.random.random() < 0.25:
                given = given[0]
            candidate = (surname or self.surname()) + given
            if candidate not in self.used_names:
                self.used_names.add(candidate)
                return candidate
        return candidate

    def birth_date(self, min_age: int, max_age: int, today: dt.date) -> dt.date:
        """A birth date on which someone is between ``min_age`` and ``max_age`` today.

        Counted in calendar years, not 365-day blocks: leap days would otherwise make a
        person asked to be 69 come out 68 now and then.
        """
        latest = _years_before(today, min_age)
        earliest = _years_before(today, max_age + 1) + dt.timedelta(days=1)
        return earliest + dt.timedelta(days=self.random.randint(0, (latest - earliest).days))

    def id_number(self, region: str, birth: dt.date, gender: str) -> str:
        while True:
            sequence = self.random.randint(0, 499) * 2 + (1 if gender == "male" else 0)
            first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            prefix = self.random.choice(
                ["138", "139", "135", "137", "150", "152", "158", "183", "187", "199"]
            )
            number = prefix + f"{self.random.randint(0, 99_999_999):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number
