"""Writes on accounts. Every change of identity or role goes through here."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from .models import User


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    display_name: str = "",
    role_names: Iterable[str] = (),
    email_verified: bool = False,
    is_superuser: bool = False,
    language: str = "en",
) -> User:
    """Create a user with a primary email address and the given roles."""
    manager = User.objects
    create = manager.create_superuser if is_superuser else manager.create_user
    user = create(email=email, password=password, display_name=display_name, language=language)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    wanted = set(role_names)
    if wanted:
        groups = list(Group.objects.filter(name__in=wanted))
        if len(groups) != len(wanted):
            missing = wanted - {group.name for group in groups}
            raise ValueError(f"Unknown role(s): {sorted(missing)}; have migrations run?")
        user.groups.add(*groups)
    return user
