"""The Django admin reading record numbers from outside: one guard for every admin.

Django's admin turns a foreign key, a many-to-many field, a filter or the records an
action is applied to into a database query with whatever the request holds. It checks
that such a value has the key's type, not that it fits: a 20-digit number reached the
database and overflowed it (SQLite's OverflowError, PostgreSQL's out-of-range error), and
several places do not catch a value that is not a number at all (``²`` passes
``str.isdigit`` but not ``int``) — a 500 where the page should say the value is not a
valid choice or the filter is wrong.

:class:`RecordNumbersAdmin` reads each such value through
:func:`linli.core.numbers.whole_number` (or the same bounds for a signed number) first:

- form fields: a foreign key is a :class:`RecordChoiceField`, a many-to-many field a
  :class:`~linli.core.forms.RecordChoicesField`; an inline row's own number too. A value
  that is no record number is the field's "not a valid choice" error, on the page again;
- widgets that look the value up to show it again (raw id, autocomplete) show nothing for
  such a value instead;
- the list's filters and date drill-down with such a value: the admin's own answer to a
  bad filter (it drops the query, ``?e=1``); an action on such records: nothing selected.

Every Linli admin and inline is built on it (:class:`LinliModelAdmin`,
:class:`LinliTabularInline`, or the mixin beside another base), and
:func:`guard_every_admin` puts it under the third-party admins (auth, axes, django-otp)
when the apps are ready (``core.admin_apps``). ``tests/security/test_admin_fuzz.py`` walks
every admin, and also its change, history, delete and 「在网站上查看」 addresses with such
numbers, which Django itself answers as "no such record" (since 5.0 an out-of-range number
in an ``exact`` lookup matches nothing; ``in`` lookups still overflowed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import BaseModelAdmin, IncorrectLookupParameters, InlineModelAdmin
from django.contrib.admin.views.main import (
    ERROR_FLAG,
    ORDER_VAR,
    PAGE_VAR,
    SEARCH_VAR,
    ChangeList,
)
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
)
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from linli.core.forms import RecordChoiceField, RecordChoicesField, is_record_number
from linli.core.numbers import MAX_ID

_ModelT = TypeVar("_ModelT", bound=models.Model)
_ParentT = TypeVar("_ParentT", bound=models.Model)

_SIGNED = re.compile(r"-?[0-9]{1,19}")
# Lookups that read a part of a date: a year the date types can hold, a month, a day …
_DATE_PARTS = frozenset(
    {"year", "iso_year", "month", "day", "week", "week_day", "iso_week_day", "quarter"}
    | {"hour", "minute", "second"}
)
_DATE_PART = re.compile(r"[0-9]{1,4}")
# The list's own parameters (besides those starting with "_": popup, facets, to_field …).
_CHANGELIST_PARAMS = frozenset({ERROR_FLAG, ORDER_VAR, PAGE_VAR, SEARCH_VAR})
_NO_VALUE_LOOKUPS = frozenset({"isnull"})


def _is_integer(field: models.Field[Any, Any] | models.ForeignObjectRel | None) -> bool:
    return isinstance(field, models.IntegerField)


def _key_field(model: type[models.Model], to_field: str | None) -> models.Field[Any, Any]:
    if not to_field or to_field == "pk":
        return model._meta.pk
    return model._meta.get_field(to_field)  # type: ignore[return-value]


def _fits_integer_column(raw: str) -> bool:
    if not _SIGNED.fullmatch(raw):
        return False
    return -MAX_ID - 1 <= int(raw) <= MAX_ID


def _record_numbers_only(remote_field: Any, values: Iterable[Any]) -> list[Any]:
    """``values`` less those that cannot be numbers of the related records."""
    target = remote_field.model
    key = _key_field(target, getattr(remote_field, "field_name", None))
    if not _is_integer(key):
        return list(values)
    return [v for v in values if is_record_number(v)]


class RawIdWidget(ForeignKeyRawIdWidget):
    """The raw id box, naming the record beside it only for a record number."""

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        if not _record_numbers_only(self.rel, [value]):
            return "", ""
        return super().label_and_url_for_value(value)


class GuardedAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name: str, value: Any, attrs: Any = None) -> Any:
        return super().optgroups(name, _record_numbers_only(self.field.remote_field, value), attrs)


class GuardedAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name: str, value: Any, attrs: Any = None) -> Any:
        return super().optgroups(name, _record_numbers_only(self.field.remote_field, value), attrs)


def _lookup_fits(model: type[models.Model], key: str, values: list[str]) -> bool:
    """Whether the list filter ``key`` (``parent__id__exact``, ``created_at__year``, …)
    with ``values`` can reach the database without overflowing it. Unknown names are left
    to the admin, which refuses them itself."""
    opts = model._meta
    field: Any = None
    parts = key.split(LOOKUP_SEP)
    lookups: list[str] = []
    for index, part in enumerate(parts):
        try:
            field = opts.get_field(opts.pk.name if part == "pk" else part)
        except FieldDoesNotExist:
            lookups = parts[index:]
            break
        if field.is_relation and field.related_model is not None:
            opts = field.related_model._meta
    if field is None:
        return True
    lookup = lookups[-1] if lookups else "exact"
    if lookup in _NO_VALUE_LOOKUPS:
        return True
    if lookup in _DATE_PARTS:
        return all(_DATE_PART.fullmatch(v) for v in values)
    if field.is_relation and field.related_model is not None and not lookups:
        field = _key_field(field.related_model, None)
    elif getattr(field, "target_field", None) is not None and field.many_to_one:
        field = field.target_field
    if not _is_integer(field):
        return True
    raws = [part for v in values for part in (v.split(",") if lookup == "in" else [v])]
    return all(_fits_integer_column(raw) for raw in raws)


class GuardedChangeList(ChangeList):
    """The admin list, treating a filter value that would overflow the database as any
    other bad filter (mixed in before the list class an admin uses)."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> Any:
        for key, values in self.filter_params.items():
            if key in _CHANGELIST_PARAMS or key.startswith("_"):
                continue
            if not _lookup_fits(self.model, key, list(values)):
                raise IncorrectLookupParameters(key)
        return super().get_queryset(request, exclude_parameters)


_GUARDED_LISTS: dict[type[ChangeList], type[ChangeList]] = {}


def guarded_changelist(base: type[ChangeList]) -> type[ChangeList]:
    """``base`` (Django's list, or another's such as treebeard's tree) with the guard."""
    if issubclass(base, GuardedChangeList):
        return base
    if base not in _GUARDED_LISTS:
        _GUARDED_LISTS[base] = type(f"Guarded{base.__name__}", (GuardedChangeList, base), {})
    return _GUARDED_LISTS[base]


# Tables that grow with the register: a select of all their rows was a page of 0.6–1.2 MB
# at 300,000 residents (the patrol's compound, a survey's area), ten times that for a
# prefecture. A key to one of them is a record number with the admin's look-up instead
# (RecordNumbersAdmin adds it to raw_id_fields), unless the admin chose another widget.
LARGE_TARGETS = frozenset(
    {
        "accounts.user",
        "areas.area",
        "areas.grid",
        "people.household",
        "people.resident",
        "requests.request",
    }
)


class RecordNumbersAdmin(BaseModelAdmin[_ModelT]):
    """The guard of an admin's forms, for a ModelAdmin or an inline (mixed in before
    Django's class or another base)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keys to LARGE_TARGETS become raw id fields, as if named there, so the admin
        # also leaves out the edit, delete and view buttons it only works for a select;
        # unless the admin chose another widget for them.
        chosen = {
            *self.raw_id_fields,
            *self.autocomplete_fields,
            *self.radio_fields,
            *self.filter_horizontal,
            *self.filter_vertical,
        }
        large = [
            f.name
            for f in self.model._meta.get_fields()
            if f.concrete
            and (f.many_to_one or f.many_to_many)
            and f.related_model is not None
            and f.related_model._meta.label_lower in LARGE_TARGETS
            and f.name not in chosen
        ]
        if large:
            self.raw_id_fields = (*self.raw_id_fields, *large)  # type: ignore[misc]  # per admin

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        db = kwargs.get("using")
        if "widget" not in kwargs:
            if db_field.name in self.get_autocomplete_fields(request):
                kwargs["widget"] = GuardedAutocompleteSelect(db_field, self.admin_site, using=db)
            elif db_field.name in self.raw_id_fields:
                kwargs["widget"] = RawIdWidget(db_field.remote_field, self.admin_site, using=db)
        kwargs.setdefault("form_class", RecordChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        db = kwargs.get("using")
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = GuardedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=db
            )
        kwargs.setdefault("form_class", RecordChoicesField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class GuardedInlineFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """An inline's rows, each naming its own record by a guarded number."""

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        name = self.model._meta.pk.name if self.model is not None else "id"
        field = form.fields.get(name)
        if type(field) is forms.ModelChoiceField:
            form.fields[name] = RecordChoiceField(
                field.queryset,
                initial=field.initial,
                required=False,
                widget=field.widget,
            )


class LinliModelAdmin(RecordNumbersAdmin[_ModelT], admin.ModelAdmin[_ModelT]):
    """Every Linli ModelAdmin's base: the guarded forms, and the record numbers of the
    list's filters and of its actions read through the same bounds.

    Its lists are counted once, not a second time without the filters (Django's admin
    counted every visit of the register twice on each view); the count stays exact, as an
    administrator reads it."""

    show_full_result_count = False

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return guarded_changelist(super().get_changelist(request, **kwargs))

    def response_action(
        self, request: HttpRequest, queryset: QuerySet[Any, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if _is_integer(self.model._meta.pk) and not all(is_record_number(s) for s in selected):
            self.message_user(request, _("所选记录编号无效,未执行任何操作。"), messages.WARNING)
            return None
        return super().response_action(request, queryset, *args, **kwargs)


class LinliTabularInline(RecordNumbersAdmin[_ModelT], admin.TabularInline[_ModelT, _ParentT]):
    formset = GuardedInlineFormSet


class LinliStackedInline(RecordNumbersAdmin[_ModelT], admin.StackedInline[_ModelT, _ParentT]):
    formset = GuardedInlineFormSet


def _guarded(cls: type[Any], **attrs: Any) -> type[Any]:
    """``cls`` built on the guard (itself if it is and nothing is to change)."""
    if issubclass(cls, RecordNumbersAdmin) and not attrs:
        return cls
    formset = getattr(cls, "formset", None)
    if (
        issubclass(cls, InlineModelAdmin)
        and isinstance(formset, type)
        and issubclass(formset, forms.BaseInlineFormSet)
        and not issubclass(formset, GuardedInlineFormSet)
    ):
        attrs["formset"] = type(formset.__name__, (GuardedInlineFormSet, formset), {})
    if issubclass(cls, RecordNumbersAdmin):
        bases: tuple[type[Any], ...] = (cls,)
    elif issubclass(cls, admin.ModelAdmin):
        bases = (LinliModelAdmin, cls)
    else:
        bases = (RecordNumbersAdmin, cls)
    return type(cls.__name__, bases, {"__module__": cls.__module__, **attrs})


def guard_every_admin(site: admin.AdminSite) -> None:
    """Register again, guarded, every admin of ``site`` not built on the guard (the
    third-party ones) or with an inline that is not."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        inlines = [_guarded(inline) for inline in cls.inlines]
        changed = inlines != list(cls.inlines)
        if issubclass(cls, LinliModelAdmin) and not changed:
            continue
        guarded = _guarded(cls, inlines=inlines) if changed else _guarded(cls)
        site.unregister(model)
        site.register(model, guarded)
