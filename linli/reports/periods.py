"""Report periods: a month (``2026-11``), a quarter (``2026-Q4``) or a year (``2026``).

``start`` is the first day and ``end`` the first day after (exclusive), local dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)
# The quarter's number as a word of the language: 四 in Chinese, 4 in English.
QUARTER_NAMES = {
    1: pgettext_lazy("quarter number", "一"),
    2: pgettext_lazy("quarter number", "二"),
    3: pgettext_lazy("quarter number", "三"),
    4: pgettext_lazy("quarter number", "四"),
}


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int  # month 1–12, quarter 1–4, or 1 for a year

    @property
    def start(self) -> dt.date:
        if self.kind == MONTH:
            return dt.date(self.year, self.number, 1)
        if self.kind == QUARTER:
            return dt.date(self.year, 3 * self.number - 2, 1)
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return self.next().start

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def key(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}"

    @property
    def label(self) -> str:
        """「2026年11月」, 「2026年第四季度」, 「2026年」."""
        if self.kind == MONTH:
            return _("%(year)s年%(month)s月") % {"year": self.year, "month": self.number}
        if self.kind == QUARTER:
            return _("%(year)s年第%(q)s季度") % {"year": self.year, "q": QUARTER_NAMES[self.number]}
        return _("%(year)s年") % {"year": self.year}

    def label_after(self, other: Period) -> str:
        """How this period is named in a sentence about ``other``: 「10月」 in the same
        year, else the full label."""
        if self.kind == MONTH and self.year == other.year:
            return _("%(month)s月") % {"month": self.number}
        if self.kind == QUARTER and self.year == other.year:
            return _("第%(q)s季度") % {"q": QUARTER_NAMES[self.number]}
        return self.label

    @property
    def short_label(self) -> str:
        return self.label_after(self)

    def previous(self) -> Period:
        if self.kind == MONTH:
            if self.number == 1:
                return Period(MONTH, self.year - 1, 12)
            return Period(MONTH, self.year, self.number - 1)
        if self.kind == QUARTER:
            if self.number == 1:
                return Period(QUARTER, self.year - 1, 4)
            return Period(QUARTER, self.year, self.number - 1)
        return Period(YEAR, self.year - 1, 1)

    def next(self) -> Period:
        if self.kind == MONTH:
            if self.number == 12:
                return Period(MONTH, self.year + 1, 1)
            return Period(MONTH, self.year, self.number + 1)
        if self.kind == QUARTER:
            if self.number == 4:
                return Period(QUARTER, self.year + 1, 1)
            return Period(QUARTER, self.year, self.number + 1)
        return Period(YEAR, self.year + 1, 1)


_PATTERNS = {
    MONTH: re.compile(r"^(\d{4})-(\d{1,2})$"),
    QUARTER: re.compile(r"^(\d{4})-[Qq]([1-4])$"),
    YEAR: re.compile(r"^(\d{4})$"),
}


def parse_period(value: str) -> Period:
    """``2026-11``, ``2026-Q4`` or ``2026``; a ValidationError in Chinese otherwise."""
    value = value.strip()
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(value)
        if match is None:
            continue
        year = int(match.group(1))
        number = int(match.group(2)) if kind != YEAR else 1
        if not 2000 <= year <= 2100 or (kind == MONTH and not 1 <= number <= 12):
            break
        return Period(kind, year, number)
    raise ValidationError(_("报告期格式应为 2026-11(月)、2026-Q4(季度)或 2026(年)"), code="period")


def month_of(day: dt.date) -> Period:
    return Period(MONTH, day.year, day.month)
