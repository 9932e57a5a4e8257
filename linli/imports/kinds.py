"""What a sheet can import: one :class:`ImportKind` per register, one pipeline for all.

The pipeline (``linli.imports.services``: upload → dry run → all-or-nothing import, with
the job, its progress, its file lifecycle and its audit) knows nothing of residents,
volunteers or party members. A kind brings its columns, template, dry run (``check``)
and writes (``write``). The residents and volunteers kinds live in this app; the party
members kind lives in ``linli.party.imports`` and registers itself from the party app's
``ready`` — party is a top-tier app, so it may read this app, and this app never reads
it (``tests/core/test_top_tier_layering.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from linli.areas.models import Area, Grid
from linli.core import crypto
from linli.core.roles import Capability
from linli.core.validators import mask_id_number, mask_phone, validate_id_number
from linli.imports.reading import Row
from linli.people.models import Resident

if TYPE_CHECKING:
    from linli.accounts.models import User
    from linli.imports.models import ImportJob


def masked_value(column: str, value: str) -> str:
    """What an error list may keep of a cell: never a whole name, ID or phone."""
    if not value:
        return ""
    if column == "身份证号":
        return mask_id_number(value) if len(value) > 8 else "*" * len(value)
    if column == "手机号":
        return mask_phone(value)
    if column == "姓名":
        return value[:1] + "*" * (len(value) - 1)
    if column in ("备注", "出生日期"):
        return ""
    return value[:40]


@dataclass
class CheckResult:
    """The dry run's outcome: the rows ready to write (whatever the kind plans) and every
    problem as ``{row, column, message, value}`` with a masked value."""

    rows: list[Any] = field(default_factory=list)
    errors: list[dict[str, object]] = field(default_factory=list)
    total: int = 0

    def add(self, line: int, column: str, message: str, value: str = "") -> None:
        self.errors.append(
            {
                "row": line,
                "column": column,
                "message": message,
                "value": masked_value(column, value),
            }
        )


def parse_date(raw: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


class Checker(Protocol):
    def __call__(
        self,
        *,
        community: Area,
        rows: Iterable[tuple[int, Row]],
        update_existing: bool,
        progress: Callable[[int], None] | None = None,
    ) -> CheckResult: ...


class Writer(Protocol):
    def __call__(
        self, rows: list[Any], *, actor: User | None, job: ImportJob
    ) -> tuple[int, int, int]:
        """Write the planned rows; (created, updated, households created)."""
        ...


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str | Promise  # 居民, 志愿者, 党员
    capability: Capability
    columns: tuple[str, ...]
    required: tuple[str, ...]
    example_row: tuple[str, ...]
    notes: tuple[tuple[str, str | Promise], ...]
    check: Checker
    write: Writer
    list_url: str  # the register the imported rows appear in
    can_update: bool = False  # 更新已登记 is offered (residents only)
    footnote: str | Promise = ""


_KINDS: dict[str, ImportKind] = {}


def register_import_kind(kind: ImportKind) -> None:
    _KINDS[kind.key] = kind


def import_kind(key: str) -> ImportKind:
    """The registered kind ``key``; unknown is a ``KeyError`` (a 404 for the pages)."""
    return _KINDS[key]


def import_kinds() -> list[ImportKind]:
    return list(_KINDS.values())


# --- shared by the kinds that attach a role to a registered resident -------------------
#
# Such a kind (volunteers, party members) checks its rows through :func:`resident_rows`:
# it finds the resident each row names and refuses one who already holds the role, so
# every such kind matches residents and reports problems the same way.


def residents_of_rows(
    *, community: Area, rows: Sequence[tuple[int, Row]], result: CheckResult
) -> dict[int, Resident]:
    """For each row (by line), the resident its 身份证号 names — matched by the keyed hash
    of the ID number, registered in ``community`` and not anonymised; problems (no ID, a
    bad ID, nobody registered, a name that is not the resident's, a duplicate within the
    file) go to ``result``."""
    numbers: dict[int, str] = {}
    for line, row in rows:
        raw = row.get("身份证号", "")
        if not raw:
            result.add(line, "身份证号", _("请填写身份证号(用来找到已登记的居民)。"))
            continue
        try:
            numbers[line] = validate_id_number(raw)
        except ValidationError as exc:
            result.add(line, "身份证号", " ".join(exc.messages), raw)
    hashes = {line: crypto.blind_index("id", number) for line, number in numbers.items()}
    found: dict[str, Resident] = {}
    digests = list(set(hashes.values()))
    for start in range(0, len(digests), 500):
        for resident in Resident.objects.filter(
            id_number_hash__in=digests[start : start + 500],
            anonymised_at__isnull=True,
            area__path__startswith=community.path,
        ):
            found[resident.id_number_hash] = resident
    matched: dict[int, Resident] = {}
    seen: dict[str, int] = {}
    by_line = dict(rows)
    for line, digest in hashes.items():
        row = by_line[line]
        if digest in seen:
            result.add(
                line,
                "身份证号",
                _("与第%(line)s行的身份证号重复。") % {"line": seen[digest]},
                row["身份证号"],
            )
            continue
        seen[digest] = line
        match = found.get(digest)
        if match is None:
            result.add(
                line,
                "身份证号",
                _("本社区没有登记这个身份证号的居民,请先导入或登记居民。"),
                row["身份证号"],
            )
            continue
        name = row.get("姓名", "")
        if name and name != match.name:
            result.add(line, "姓名", _("姓名与该身份证号登记的居民不一致。"), name)
            continue
        matched[line] = match
    return matched


@dataclass(frozen=True)
class ResidentRow:
    """A row of a kind that gives a registered resident a role, with the resident it names
    (None when it names nobody: the problem is already in the result)."""

    line: int
    row: Row
    resident: Resident | None
    errors_before: int

    def ready(self, result: CheckResult) -> Resident | None:
        """The row's resident, if checking the row added no problem to ``result``."""
        return self.resident if len(result.errors) == self.errors_before else None


def resident_rows(
    *,
    community: Area,
    rows: Sequence[tuple[int, Row]],
    result: CheckResult,
    holders: QuerySet[Any],
    already: str,
) -> Iterator[ResidentRow]:
    """Each row with its resident (:func:`residents_of_rows`); a resident who is already
    among ``holders`` (rows with a ``resident``: volunteers, party members) is refused with
    ``already``. The kind checks its own columns in the loop and asks ``ready``."""
    residents = residents_of_rows(community=community, rows=rows, result=result)
    taken = set(
        holders.filter(resident__in=list(residents.values())).values_list("resident_id", flat=True)
    )
    for line, row in rows:
        found = ResidentRow(
            line=line, row=row, resident=residents.get(line), errors_before=len(result.errors)
        )
        if found.resident is not None and found.resident.pk in taken:
            result.add(line, "身份证号", already, row["身份证号"])
        yield found


def grids_by_name(community: Area) -> dict[str, Grid]:
    """The community's grids by code and by name, as a sheet may write either."""
    grids: dict[str, Grid] = {}
    for grid in Grid.objects.filter(community=community):
        grids.setdefault(grid.code, grid)
        grids.setdefault(grid.name, grid)
    return grids


def check_date(result: CheckResult, line: int, column: str, raw: str) -> dt.date | None:
    """A date cell: empty is None; a bad or future date is a problem (and None)."""
    if not raw:
        return None
    found = parse_date(raw)
    if found is None:
        result.add(line, column, _("日期格式不对,请写成 2024-03-05。"), raw)
    elif found > timezone.localdate():
        result.add(line, column, _("日期不能晚于今天。"), raw)
        return None
    return found


def check_choice(
    result: CheckResult,
    line: int,
    row: Row,
    column: str,
    choices: Iterable[tuple[str, Any]],
    default: str,
) -> str | None:
    """The value of a choice cell written by its Chinese label (empty → ``default``); an
    unknown label is a problem naming the labels allowed (and None)."""
    by_label = {str(label): value for value, label in choices}
    raw = row.get(column, "")
    if not raw:
        return default
    value = by_label.get(raw)
    if value is None:
        result.add(
            line, column, _("请填以下之一:%(choices)s。") % {"choices": "、".join(by_label)}, raw
        )
    return value
