"""The read side of the API's serializers at list speed: the same JSON, less machinery.

DRF's `Serializer.to_representation` walks its fields for every object:
`get_attribute`, the `None` check and `to_representation` of each field, a
few dozen Python calls per field, and `prefetch_related` builds a queryset
per object and relation before any of that. For a page of 25 reports that
was most of a request's CPU. Here a serializer's readable fields are turned,
once per serializer instance (a list serializer's one child serves the whole
page), into a plan: per field its name, how its value is read and a plain
function that converts it exactly as the field's own `to_representation`
would. A field of a type the plan does not know keeps its own
`to_representation`, so the output is always DRF's
(tests/intel/reports/test_api_representation.py compares the two on varied
reports).

`ContributionRows` reads the lists a contribution's representation needs
(sectors, signals, countries, requirement answers, attachments) for a whole
page at once, as plain values, in one query per relation — the queries
`prefetch_related` ran, without its per-object querysets.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, cast

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from intel.models import (
    Attachment,
    ContributionCountry,
    ContributionSector,
    ContributionSignal,
    RequirementAnswer,
)

Getter = Callable[[Any], Any]
Converter = Callable[[Any], Any]
# A date-time's conversion, with the time zone to show it in.
ZonedConverter = Callable[[Any, datetime.tzinfo], Any]


_LISTED: list[tuple[type[models.Model], str, str]] = [
    (ContributionSector, "sector", "sectors"),
    (ContributionSignal, "signal", "signals"),
    (ContributionCountry, "country", "countries"),
    (RequirementAnswer, "requirement_id", "requirement_ids"),
]


@dataclass(slots=True)
class Rows:
    """One contribution's related rows, in the order its prefetched rows came."""

    sectors: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    requirement_ids: list[int] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def load_rows(pks: Iterable[int]) -> dict[int, Rows]:
    """The related rows of the contributions `pks`: two queries whatever their number.

    The four lists of plain values come in one UNION ALL of the queries
    `prefetch_related` ran (the same table, columns and filter each, so the
    same plan and row order within each), written as SQL: compiling four
    querysets cost more than running them. A fifth branch names the
    contributions with attachments; only those are read as `Attachment`
    rows, in a second query with their model's ordering, as before, and
    most pages (few reports carry files) need no second query at all.
    """
    rows = {pk: Rows() for pk in pks}
    if not rows:
        return rows
    ids = list(rows)
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    branches = []
    for index, (model, column, _name) in enumerate(_LISTED):
        owner = quote(_column(model, "contribution"))
        # Identifiers from the models' meta; every value is a parameter.
        branches.append(
            f"SELECT {index}, {quote(_column(model, 'id'))}, {owner}, "  # noqa: S608
            f"CAST({quote(_column(model, column))} AS TEXT) "
            f"FROM {quote(model._meta.db_table)} WHERE {owner} IN ({marks})"
        )
    owner = quote(_column(Attachment, "contribution"))
    branches.append(
        f"SELECT {len(_LISTED)}, NULL, {owner}, NULL "  # noqa: S608
        f"FROM {quote(Attachment._meta.db_table)} WHERE {owner} IN ({marks})"
    )
    names = [name for _model, _column, name in _LISTED]
    with_files: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), ids * len(branches))
        for index, _pk, contribution_id, value in cursor.fetchall():
            if index == len(names):
                with_files.add(contribution_id)
                continue
            name = names[index]
            getattr(rows[contribution_id], name).append(
                int(value) if name == "requirement_ids" else value
            )
    if with_files:
        for attachment in Attachment._default_manager.filter(contribution_id__in=with_files):
            rows[attachment.contribution_id].attachments.append(attachment)
    return rows


def _column(model: type[models.Model], name: str) -> str:
    # Only concrete columns are named here, never a reverse relation.
    return str(cast(models.Field, model._meta.get_field(name)).column)


# --- Converters: each gives what the field's own to_representation gives ---------------


def _choice(field: serializers.ChoiceField) -> Converter:
    mapping = field.choice_strings_to_values

    def convert(value: Any) -> Any:
        if value in ("", None):
            return value
        if isinstance(value, Enum) and str(value) != str(value.value):
            value = value.value
        return mapping.get(str(value), value)

    return convert


def _zoned_datetime(field: serializers.DateTimeField) -> ZonedConverter | None:
    """The field's conversion, given the reader's time zone (looked up once per object)."""
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if not isinstance(output_format, str) or output_format.lower() != "iso-8601":
        return None
    if hasattr(field, "timezone") or not settings.USE_TZ:
        return None
    slow = field.to_representation

    def convert(value: Any, zone: datetime.tzinfo) -> Any:
        if not isinstance(value, datetime.datetime) or value.utcoffset() is None:
            return slow(value)  # naive, a string or worse: the field knows what to do
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _datetime(field: serializers.DateTimeField) -> Converter | None:
    zoned = _zoned_datetime(field)
    if zoned is None:
        return None
    return lambda value: zoned(value, timezone.get_current_timezone())


def _date(field: serializers.DateField) -> Converter | None:
    output_format = getattr(field, "format", api_settings.DATE_FORMAT)
    if not isinstance(output_format, str) or output_format.lower() != "iso-8601":
        return None
    slow = field.to_representation

    def convert(value: Any) -> Any:
        if type(value) is datetime.date:
            return value.isoformat()
        return slow(value)

    return convert


def _list(field: serializers.ListField) -> Converter:
    child = converter(field.child)

    def convert(data: Any) -> Any:
        return [None if item is None else child(item) for item in data]

    return convert


def _nested_many(field: serializers.ListSerializer) -> Converter:
    child: Any = field.child
    plans: list[Plan] = []  # the child's plan, made on the first non-empty list

    def convert(data: Any) -> Any:
        items = data.all() if isinstance(data, models.manager.BaseManager) else data
        if not isinstance(child, serializers.Serializer):
            return [child.to_representation(item) for item in items]
        if not items:
            return []
        if not plans:
            plans.append(Plan(child))
        represent = plans[0].represent
        return [represent(item) for item in items]

    return convert


def converter(field: Any) -> Converter:
    """What turns `field`'s (non-None) value into JSON data, as the field itself would."""
    kind = type(field)
    fast: Converter | None = None
    if kind is serializers.IntegerField:
        fast = int
    elif kind is serializers.CharField:
        fast = str
    elif kind is serializers.ChoiceField:
        fast = _choice(field)
    elif kind is serializers.DateTimeField:
        fast = _datetime(field)
    elif kind is serializers.DateField:
        fast = _date(field)
    elif kind is serializers.ListField:
        fast = _list(field)
    elif kind is serializers.ListSerializer:
        fast = _nested_many(field)
    elif kind is serializers.SerializerMethodField:
        fast = getattr(field.parent, field.method_name)
    return fast if fast is not None else field.to_representation


# A step: name, getter, converter (or the name of the serializer method that
# gives the value) and whether the converter takes the reader's time zone.
_SharedStep = tuple[str, Getter, Converter | ZonedConverter | str, bool]


def _step_converter(bound: serializers.Field) -> tuple[Converter | ZonedConverter, bool]:
    if type(bound) is serializers.DateTimeField:
        zoned = _zoned_datetime(bound)
        if zoned is not None:
            return zoned, True
    return converter(bound), False


@functools.cache
def _shared_steps(serializer_class: type[serializers.Serializer]) -> tuple[_SharedStep, ...]:
    """The steps of `serializer_class`'s readable fields, from one instance made once.

    DRF deep-copies a serializer's declared fields for every instance, which
    for a page of reports cost more than reading them; a serializer whose
    fields read nothing of the request can use these instead:
    `Plan(shared=True)`. Its own method fields are named here and bound to
    the live serializer; those of the serializers it nests stay bound to
    that one instance, so they must not read the context (no hyperlinks).
    """
    steps: list[_SharedStep] = []
    for bound in serializer_class()._readable_fields:
        name = str(bound.field_name)
        if type(bound) is serializers.SerializerMethodField:
            steps.append((name, _getter(bound), str(bound.method_name), False))
        else:
            steps.append((name, _getter(bound), *_step_converter(bound)))
    return tuple(steps)


class Plan:
    """A bound serializer's readable fields as (name, getter, converter, zoned) steps.

    `getters` replaces how named fields are read (the contribution's rows);
    every other field with a one-part source is read with a plain getattr,
    falling back to the field's own `get_attribute` for anything unusual
    (a callable, a missing attribute, a related object that does not exist).
    With `shared` the fields are those of one instance of the serializer's
    class (`_shared_steps`), not the serializer's own copies. Date-times
    take the reader's time zone, looked up once per object, or once per page
    by whoever passes it to `represent` (the lookup costs more than the
    conversion).
    """

    def __init__(
        self,
        serializer: serializers.Serializer,
        getters: dict[str, Getter] | None = None,
        *,
        shared: bool = False,
    ) -> None:
        getters = getters or {}
        self.steps: list[tuple[str, Getter, Any, bool]] = []
        if shared:
            for name, getter, convert, zoned in _shared_steps(type(serializer)):
                if isinstance(convert, str):
                    convert = getattr(serializer, convert)
                self.steps.append((name, getters.get(name) or getter, convert, zoned))
        else:
            for bound in serializer._readable_fields:
                name = str(bound.field_name)
                getter = getters.get(name) or _getter(bound)
                self.steps.append((name, getter, *_step_converter(bound)))
        self.zoned = any(zoned for *_rest, zoned in self.steps)

    def represent(self, instance: Any, zone: datetime.tzinfo | None = None) -> dict[str, Any]:
        if zone is None and self.zoned:
            zone = timezone.get_current_timezone()
        data: dict[str, Any] = {}
        for name, getter, convert, zoned in self.steps:
            try:
                value = getter(instance)
            except SkipField:
                continue
            if value is None or (isinstance(value, PKOnlyObject) and value.pk is None):
                data[name] = None
            else:
                data[name] = convert(value, zone) if zoned else convert(value)
        return data


def _getter(bound: serializers.Field) -> Getter:
    slow = bound.get_attribute
    attrs = bound.source_attrs
    if not attrs:  # source="*": the object itself (SerializerMethodField)
        return slow if type(bound).get_attribute is not serializers.Field.get_attribute else _same
    if len(attrs) > 1 or type(bound).get_attribute is not serializers.Field.get_attribute:
        return slow
    (attr,) = attrs

    def get(instance: Any) -> Any:
        try:
            value = getattr(instance, attr)
        except (AttributeError, KeyError):  # a default, None or no key at all: as DRF decides
            return slow(instance)
        return slow(instance) if callable(value) else value

    return get


def _same(instance: Any) -> Any:
    return instance
