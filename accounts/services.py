"""Writes on accounts. Every change of identity or role goes through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import models, transaction

from . import roles
from .models import AuditEvent, Membership, User


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


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one decision to the audit trail (call inside the deciding transaction)."""
    return AuditEvent.objects.create(
        actor=actor,
        actor_repr=actor.email if actor is not None else "system",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        reason=reason,
        data=data or {},
    )


@transaction.atomic
def membership_create(
    *,
    user: User,
    affiliation: str,
    organisation: str,
    country: str,
    sectors: list[str],
    source_grade: str = "F",
) -> Membership:
    """Make `user` an active, vetted contributor (the contributors role included)."""
    membership = Membership.objects.create(
        user=user,
        affiliation=affiliation,
        organisation=organisation,
        country=country.upper(),
        sectors=sectors,
        source_grade=source_grade,
    )
    user.groups.add(Group.objects.get(name=roles.CONTRIBUTORS))
    return membership
