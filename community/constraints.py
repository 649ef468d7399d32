"""Database constraints the apps' models share."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q


def choices_constraint(
    field: str,
    choices: type[models.Choices] | Iterable[str],
    *,
    name: str,
    allow_blank: bool = False,
) -> models.CheckConstraint:
    """A CHECK that `field` holds one of `choices` (a Choices class or the values themselves).

    `choices=` on a field is only checked by forms and `full_clean`; this makes
    the database refuse anything else too. `allow_blank` also admits "".
    """
    if isinstance(choices, type) and issubclass(choices, models.Choices):
        values = list(choices.values)
    else:
        values = list(choices)
    condition = Q(**{f"{field}__in": values})
    if allow_blank:
        condition = Q(**{field: ""}) | condition
    return models.CheckConstraint(condition=condition, name=name)
