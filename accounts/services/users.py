"""Users: creation with roles, recorded role changes, and account deletion."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intel.errors import WorkflowError

from ..models import Application, Invitation, Membership, User
from .audit import audit_record
from .tokens import api_tokens_revoke_all

DELETED_EMAIL_DOMAIN = "deleted.invalid"  # RFC 2606: can never receive mail


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


def user_roles_changed(
    *, actor: User, user: User, added: Iterable[str], removed: Iterable[str]
) -> None:
    """Record a role change made outside the membership services (the admin's group field)."""
    added, removed = sorted(added), sorted(removed)
    if added or removed:
        audit_record(
            actor=actor,
            action="user.roles_change",
            target=user,
            data={"added": added, "removed": removed},
        )


@transaction.atomic
def account_delete(*, user: User, actor: User) -> User:
    """Erase a person's personal data; keep what the community's record needs.

    The row stays, so foreign keys from the audit trail, grade history and
    contributions still resolve, but it no longer describes anyone: the email
    becomes `deleted-<id>@deleted.invalid`, names and the password are erased,
    the account is deactivated (no sign-in, no API token, no authenticator),
    the application and membership lose their free-text personal fields and
    the membership is revoked. Audit events written before keep their text
    (`actor_repr`, `target_repr`): the audit trail is append-only by design.
    Contributions are anonymised, not deleted, and briefing subscriptions
    erased, by the intel services that own them.
    """
    # Imported here: intel builds on accounts, so accounts loads first.
    from intel.briefings.services import subscriptions_erase
    from intel.reports.services import contributions_anonymise

    if actor.pk != user.pk and not actor.is_site_admin:
        raise PermissionDenied(_("Only the account holder or an administrator may do this."))
    if user.is_superuser:
        raise PermissionDenied(_("Administrator accounts are removed by another administrator."))
    now = timezone.now()
    former_email = user.email
    placeholder = f"deleted-{user.pk}@{DELETED_EMAIL_DOMAIN}"
    erased = User.objects.filter(pk=user.pk, deleted_at__isnull=True).update(
        email=placeholder,
        display_name="",
        password=make_password(None),  # unusable; also ends every other session
        is_active=False,
        is_staff=False,
        deleted_at=now,
        updated_at=now,
    )
    if erased != 1:
        raise WorkflowError(_("This account has already been deleted."))
    user.groups.clear()
    user.user_permissions.clear()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    api_tokens_revoke_all(user=user)
    Application.objects.filter(user=user).update(
        organisation="",
        position="",
        statement="",
        conflict_of_interest="",
        response="",
        decision_reason="",
        updated_at=now,
    )
    Membership.objects.filter(user=user).update(
        organisation="", status=Membership.Status.REVOKED, updated_at=now
    )
    # Invitations name third parties: unused ones are withdrawn, a used one
    # keeps only the link between inviter and invitee.
    Invitation.objects.filter(inviter=user, used_by__isnull=True).delete()
    Invitation.objects.filter(used_by=user).update(email=placeholder)
    anonymised = contributions_anonymise(author=user)
    subscriptions_erase(user=user, email=former_email)
    user.refresh_from_db()
    audit_record(
        # The holder is named by the placeholder: the deletion record holds no personal data.
        actor=user if actor.pk == user.pk else actor,
        action="account.delete",
        target=user,
        data={"contributions_anonymised": anonymised},
    )
    return user
