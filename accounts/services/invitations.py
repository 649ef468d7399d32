"""Invitations: a vetted member vouches for someone by email; the link expires.

Only a SHA-256 of the code is stored; the code itself travels once, in the
invitation email, and comes back as the link or the application's referral code.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.links import absolute_url
from community.mail import email_send_on_commit

from .. import emails
from ..models import Invitation, Membership, User
from ..selectors import invitation_find, invitations_used_this_month
from .audit import audit_record


@transaction.atomic
def invitation_create(*, inviter: User, email: str, language: str = "") -> tuple[Invitation, str]:
    """Invite `email` on behalf of `inviter`; returns the invitation and its one-time code."""
    if not inviter.is_vetted_contributor:
        raise PermissionDenied(_("Only active members may invite."))
    email = User.objects.normalize_email(email).strip().lower()
    language = language or inviter.language
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose English or Japanese.")})
    if Membership.objects.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    now = timezone.now()
    if Invitation.objects.filter(
        email__iexact=email, used_by__isnull=True, expires_at__gt=now
    ).exists():
        raise ValidationError({"email": _("This person already has an invitation waiting.")})
    # Lock the inviter's membership so two invitations sent at once cannot both
    # slip under the monthly limit.
    Membership.objects.select_for_update().filter(user=inviter).first()
    if invitations_used_this_month(inviter=inviter) >= settings.INVITATIONS_PER_MONTH:
        raise ValidationError(
            _("You have used all %(count)s invitations for the last 30 days.")
            % {"count": settings.INVITATIONS_PER_MONTH}
        )
    code = secrets.token_urlsafe(16)
    invitation = Invitation.objects.create(
        inviter=inviter,
        email=email,
        language=language,
        token=Invitation.token_for(code),
        expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    audit_record(actor=inviter, action="invitation.create", target=invitation)
    link = absolute_url(reverse("accounts:invitation", kwargs={"code": code}))
    email_send_on_commit(
        message=emails.invitation_email(invitation=invitation, code=code, link=link)
    )
    return invitation, code


def invitation_check(*, code: str, email: str) -> Invitation:
    """The usable invitation behind `code` for `email`, else ValidationError on `referral_code`.

    Refused when the code is unknown, was issued to a different email address,
    has been used, or has expired.
    """
    invitation = invitation_find(code=code)
    if invitation is None:
        raise ValidationError({"referral_code": _("This referral code is not valid.")})
    if invitation.email.lower() != email.lower():
        raise ValidationError(
            {"referral_code": _("This referral code was issued for a different email address.")}
        )
    if invitation.is_used:
        raise ValidationError({"referral_code": _("This referral code has already been used.")})
    if invitation.is_expired:
        raise ValidationError(
            {"referral_code": _("This referral code has expired. Ask your contact for a new one.")}
        )
    return invitation


def invitation_accept(*, code: str, user: User) -> Invitation:
    """Mark the invitation behind `code` as used by `user`, inside the application's
    transaction, so a refused application leaves the invitation unused."""
    invitation = invitation_check(code=code, email=user.email)
    now = timezone.now()
    taken = Invitation.objects.filter(
        pk=invitation.pk, used_by__isnull=True, expires_at__gt=now
    ).update(used_by=user, used_at=now)
    if taken != 1:
        raise ValidationError({"referral_code": _("This referral code has already been used.")})
    invitation.refresh_from_db()
    audit_record(actor=user, action="invitation.accept", target=invitation)
    return invitation
