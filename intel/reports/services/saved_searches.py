"""Saved searches: save (or replace) one under a name, delete one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from intel.models import SavedSearch

MAX_SAVED_SEARCHES = 50


@transaction.atomic
def saved_search_save(*, user: User, name: str, query_string: str) -> SavedSearch:
    """Save `query_string` (already validated by the search form) as `name`.

    Saving under a name the analyst already uses replaces that search's query.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the search a name.")})
    existing = SavedSearch.objects.select_for_update().filter(user=user, name=name).first()
    if existing is not None:
        existing.query_string = query_string
        existing.save(update_fields=["query_string", "updated_at"])
        return existing
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise ValidationError(
            {"name": _("You have %(count)s saved searches; delete one first.")
             % {"count": MAX_SAVED_SEARCHES}}
        )  # fmt: skip
    return SavedSearch.objects.create(user=user, name=name, query_string=query_string)


@transaction.atomic
def saved_search_delete(*, saved_search: SavedSearch) -> None:
    # A second click (or a second tab) finds nothing left to delete: not an error.
    SavedSearch.objects.filter(pk=saved_search.pk).delete()
