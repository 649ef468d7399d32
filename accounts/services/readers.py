"""Readers: a vetted member invites colleagues of their own organisation to read.

A reader reads the case-study library, digests and briefings at TLP:GREEN
(`intel.digests.selectors.reader_clearance`) and never contributes (they hold
no membership, so every contributor page and endpoint refuses them). "Own
organisation" is checked by the email domain: the colleague's address must be
at the member's domain. Only a SHA-256 of the link's code is stored.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.links import absolute_url
from community.mail import email_send_on_commit, render_email

from .. import roles
from ..models import Membership, ReaderInvitation, User
from .audit import audit_record

READERS_PER_MEMBER = 25


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


@transaction.atomic
def reader_invite(*, member: User, email: str) -> tuple[ReaderInvitation, str]:
    """Invite a colleague at `member`'s email domain as a reader; returns invitation and code."""
    if not member.is_vetted_contributor:
        raise PermissionDenied(_("Only active members may invite readers."))
    email = User.objects.normalize_email(email).strip().lower()
    if _domain(email) != _domain(member.email):
        raise ValidationError(
            {
                "email": _("Invite colleagues at your own organisation's address (@%(domain)s).")
                % {"domain": _domain(member.email)}
            }
        )
    if Membership.objects.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    Membership.objects.select_for_update().filter(user=member).first()
    # Readers and invitations still waiting; an expired, unaccepted one no longer counts.
    mine = ReaderInvitation.objects.filter(member=member, removed_at__isnull=True).filter(
        Q(accepted_at__isnull=False) | Q(expires_at__gt=timezone.now())
    )
    if mine.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("This colleague is already invited or a reader.")})
    if mine.count() >= READERS_PER_MEMBER:
        raise ValidationError(
            _("You can have at most %(count)s readers.") % {"count": READERS_PER_MEMBER}
        )
    code = secrets.token_urlsafe(16)
    invitation = ReaderInvitation.objects.create(
        member=member,
        email=email,
        token=ReaderInvitation.token_for(code),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    audit_record(actor=member, action="reader.invite", target=invitation)
    link = absolute_url(reverse("accounts:reader_accept", kwargs={"code": code}))
    email_send_on_commit(
        message=render_email(
            template="reader_invitation",
            to=email,
            language=member.language,
            context={
                "member_name": member.get_full_name(),
                "link": link,
                "expires_at": invitation.expires_at,
            },
        )
    )
    return invitation, code


def reader_invitation_find(*, code: str) -> ReaderInvitation | None:
    return (
        ReaderInvitation.objects.select_related("member")
        .filter(token=ReaderInvitation.token_for(code))
        .first()
    )


@transaction.atomic
def reader_accept(*, code: str, user: User) -> ReaderInvitation:
    """`user` (signed in with the invited address) becomes a reader of the inviting member."""
    invitation = reader_invitation_find(code=code)
    if invitation is None or invitation.email.lower() != user.email.lower():
        raise ValidationError(_("This reader invitation is not valid for your account."))
    if Membership.objects.filter(user=user).exists():
        raise ValidationError(_("Members read everything a reader can already."))
    now = timezone.now()
    taken = ReaderInvitation.objects.filter(
        pk=invitation.pk, reader__isnull=True, removed_at__isnull=True, expires_at__gt=now
    ).update(reader=user, accepted_at=now)
    if taken != 1:
        raise ValidationError(_("This reader invitation was used, withdrawn or has expired."))
    user.groups.add(Group.objects.get(name=roles.READERS))
    invitation.refresh_from_db()
    audit_record(actor=user, action="reader.accept", target=invitation)
    return invitation


@transaction.atomic
def reader_remove(*, member: User, invitation: ReaderInvitation) -> ReaderInvitation:
    """The member withdraws an invitation or removes a reader; the role goes with the last grant."""
    if invitation.member_id != member.pk:
        raise PermissionDenied(_("You can only remove your own readers."))
    now = timezone.now()
    removed = ReaderInvitation.objects.filter(pk=invitation.pk, removed_at__isnull=True).update(
        removed_at=now
    )
    if removed != 1:
        raise ValidationError(_("This reader was already removed."))
    invitation.refresh_from_db()
    reader = invitation.reader
    if (
        reader is not None
        and not ReaderInvitation.objects.filter(reader=reader, removed_at__isnull=True).exists()
    ):
        reader.groups.remove(Group.objects.get(name=roles.READERS))
    audit_record(actor=member, action="reader.remove", target=invitation)
    return invitation
