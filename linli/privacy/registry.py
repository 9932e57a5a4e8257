"""The one privacy mechanism's registry: what every app holds about a person.

Each app that keeps data about a person registers it once, from its
``AppConfig.ready``, with :func:`register_personal_data`:

* ``subjects`` — every model that holds something about a resident, with the lookup
  from that model to the :class:`~linli.people.models.Resident` it is about
  (``""`` for the resident itself). :mod:`linli.privacy.gate` narrows any queryset of a
  registered model through this lookup, so anonymised people and children without a
  guardian's consent drop out of every app the same way;
* ``accounts`` — models about a *user* rather than a resident (a volunteer without a
  register entry, a user's notifications), with the lookup to that user;
* ``export(resident)`` — the person's own copy: sections of ``{column: value}`` rows,
  sensitive fields decrypted (right of access, PIPL 45);
* ``retention(resident)`` — reasons (in Chinese) why the data must still be kept as
  it is; anonymisation is refused while any source gives one;
* ``anonymise(resident, actor)`` — replace what identifies the person, inside the
  anonymisation transaction (PIPL 47).

A model that points at a person only to say *who did something* (the staff member who
recorded a visit) declares so with :func:`declare_not_personal`. The test suite walks
every model and fails when one with a relation to a resident, a volunteer or a user is
in neither list, so a new app cannot forget to register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Model
from django.utils import timezone

if TYPE_CHECKING:
    from linli.accounts.models import User
    from linli.people.models import Resident

Cell = str | int | float | bool | None
Row = dict[str, Cell]
Sections = dict[str, list[Row]]

Export = Callable[["Resident"], Sections]
Retention = Callable[["Resident"], list[str]]
Anonymise = Callable[["Resident", "User | None"], None]


@dataclass(frozen=True)
class PersonalDataSource:
    app: str
    subjects: Mapping[type[Model], str] = field(default_factory=dict)
    accounts: Mapping[type[Model], str] = field(default_factory=dict)
    kept: frozenset[type[Model]] = frozenset()
    export: Export | None = None
    retention: Retention | None = None
    anonymise: Anonymise | None = None


_sources: dict[str, PersonalDataSource] = {}
_not_personal: dict[type[Model], str] = {}


def register_personal_data(
    app: str,
    *,
    subjects: Mapping[type[Model], str] | None = None,
    accounts: Mapping[type[Model], str] | None = None,
    kept: Iterable[type[Model]] = (),
    export: Export | None = None,
    retention: Retention | None = None,
    anonymise: Anonymise | None = None,
) -> None:
    """Register (or replace) what ``app`` holds about people. Idempotent per app.

    ``kept`` names subject models whose rows stay after anonymisation because the
    app's hook de-identifies them (a request is the community's record of a problem):
    the gate keeps showing those rows, without the person.
    """
    _sources[app] = PersonalDataSource(
        app=app,
        subjects=dict(subjects or {}),
        accounts=dict(accounts or {}),
        kept=frozenset(kept),
        export=export,
        retention=retention,
        anonymise=anonymise,
    )


def declare_not_personal(model: type[Model], *, reason: str) -> None:
    """Say why ``model``'s relations to people are not data about them (e.g. an actor)."""
    _not_personal[model] = reason


def registered_sources() -> list[PersonalDataSource]:
    # ``people`` first in exports (who the person is), the others in registration order.
    return sorted(_sources.values(), key=lambda s: s.app != "people")


def subject_lookup(model: type[Model]) -> str:
    """The lookup from ``model`` to the resident it is about; LookupError if unregistered."""
    for source in _sources.values():
        if model in source.subjects:
            return source.subjects[model]
    raise LookupError(f"{model._meta.label} is not registered with linli.privacy")


def is_kept(model: type[Model]) -> bool:
    """Whether rows of ``model`` stay visible, de-identified, after anonymisation."""
    return any(model in source.kept for source in _sources.values())


def registered_models() -> dict[type[Model], str]:
    """Every registered model, with ``resident:<lookup>`` or ``user:<lookup>``."""
    models: dict[type[Model], str] = {}
    for source in _sources.values():
        models.update({m: f"resident:{lookup}" for m, lookup in source.subjects.items()})
        models.update({m: f"user:{lookup}" for m, lookup in source.accounts.items()})
    return models


def not_personal_models() -> dict[type[Model], str]:
    return dict(_not_personal)


def format_time(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def format_date(value: dt.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


ANONYMOUS_NAME = "已匿名"
