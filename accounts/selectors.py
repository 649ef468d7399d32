"""Reads on accounts: the vetting queue, members, the audit trail, a member's own data.

List selectors return querysets with everything a list page shows joined in,
so a page costs the same number of queries whatever its size.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from knox.models import AuthToken

from .models import (
    Application,
    AuditEvent,
    GradeChange,
    Invitation,
    Membership,
    ReaderInvitation,
    User,
)

INVITATION_QUOTA_WINDOW = timedelta(days=30)

# --- Applications ----------------------------------------------------------------


def application_queue() -> QuerySet[Application]:
    """Every application, oldest submission first, with applicant and voucher joined."""
    return Application.objects.select_related(
        "user", "invitation", "invitation__inviter", "decided_by"
    ).order_by("submitted_at", "pk")


def application_get(*, pk: int) -> Application:
    """One application for an analyst (404 if unknown)."""
    return get_object_or_404(application_queue(), pk=pk)


def application_of(*, user: User) -> Application | None:
    return (
        Application.objects.select_related("invitation__inviter", "decided_by")
        .filter(user=user)
        .first()
    )


def filter_by_sector(queryset: QuerySet, sector: str, field: str = "sectors") -> QuerySet:
    """Rows whose JSON list `field` holds `sector`.

    PostgreSQL answers `@>` from the GIN index (migration 0005); SQLite has no
    JSON containment, so there we match the quoted slug in the stored JSON
    text, which is exact because slugs never contain quotes.
    """
    if connection.features.supports_json_field_contains:
        return queryset.filter(**{f"{field}__contains": [sector]})
    return queryset.filter(**{f"{field}__icontains": f'"{sector}"'})


def filter_by_min_age(queryset: QuerySet, days: int) -> QuerySet:
    return queryset.filter(submitted_at__lte=timezone.now() - timedelta(days=days))


# --- Members ---------------------------------------------------------------------


def membership_list() -> QuerySet[Membership]:
    return Membership.objects.select_related("user").order_by("user__email")


def membership_get(*, pk: int) -> Membership:
    history = GradeChange.objects.select_related("changed_by").order_by("-created_at", "-pk")
    return get_object_or_404(
        Membership.objects.select_related(
            "user", "user__application", "user__application__invitation__inviter"
        ).prefetch_related(Prefetch("grade_history", queryset=history)),
        pk=pk,
    )


def member_track_record(*, user: User, include_anonymous: bool = False) -> dict[str, Any]:
    """The contributor's record that should inform their source grade.

    Submitted, accepted, rejected, corroborated and later contradicted, as
    counted by `intel.impact.selectors.track_record`: analysts read this
    record, so by default it leaves out the member's anonymous contributions;
    only the member's own views pass `include_anonymous=True`.
    """
    # Imported here: intel builds on accounts, so accounts loads first.
    from intel.impact.selectors import track_record

    return track_record(user=user, include_anonymous=include_anonymous)


# --- Invitations -----------------------------------------------------------------


def invitation_find(*, code: str) -> Invitation | None:
    """The invitation for `code`, used or not, expired or not (None if unknown)."""
    if not code or not code.strip():
        return None
    return (
        Invitation.objects.select_related("inviter", "inviter__membership")
        .filter(token=Invitation.token_for(code))
        .first()
    )


def invitations_of(*, inviter: User) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(inviter=inviter)
        .select_related("used_by")
        .order_by("-created_at", "-pk")
    )


def readers_of(*, member: User) -> QuerySet[ReaderInvitation]:
    """`member`'s readers and pending reader invitations not removed, newest first."""
    return (
        ReaderInvitation.objects.filter(member=member, removed_at__isnull=True)
        .select_related("reader")
        .order_by("-created_at", "-pk")
    )


def invitations_used_this_month(*, inviter: User) -> int:
    since = timezone.now() - INVITATION_QUOTA_WINDOW
    return Invitation.objects.filter(inviter=inviter, created_at__gte=since).count()


def invitations_remaining(*, inviter: User) -> int:
    return max(0, settings.INVITATIONS_PER_MONTH - invitations_used_this_month(inviter=inviter))


# --- Audit trail -----------------------------------------------------------------


def audit_events() -> QuerySet[AuditEvent]:
    # actor_repr and target_repr are stored text: no join needed to list events.
    return AuditEvent.objects.order_by("-created_at", "-pk")


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


# --- Privacy ---------------------------------------------------------------------


def member_data_export(*, user: User) -> dict[str, Any]:
    """Everything we hold about `user` that they gave us or that was decided about them."""
    from intel.briefings.selectors import subscriptions_export

    application = application_of(user=user)
    membership = Membership.objects.filter(user=user).first()
    history = (
        GradeChange.objects.filter(membership__user=user).order_by("created_at", "pk")
        if membership
        else GradeChange.objects.none()
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "roles": sorted(user.role_names),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
        "application": _application_export(application) if application else None,
        "membership": {
            "status": membership.status,
            "source_grade": membership.source_grade,
            "affiliation": membership.affiliation,
            "organisation": membership.organisation,
            "country": membership.country,
            "sectors": membership.sectors,
            "since": membership.created_at.isoformat(),
            "grade_history": [
                {
                    "from": change.previous_grade or None,
                    "to": change.grade,
                    "reason": change.reason,
                    "at": change.created_at.isoformat(),
                }
                for change in history
            ],
        }
        if membership
        else None,
        "invitations_sent": [
            {
                "email": invitation.email,
                "created_at": invitation.created_at.isoformat(),
                "expires_at": invitation.expires_at.isoformat(),
                "used": invitation.is_used,
            }
            for invitation in invitations_of(inviter=user)
        ],
        "readers_invited": [
            {
                "email": invitation.email,
                "created_at": invitation.created_at.isoformat(),
                "accepted": invitation.reader_id is not None,
            }
            for invitation in readers_of(member=user)
        ],
        "reader_of": [
            grant.member.email
            for grant in ReaderInvitation.objects.filter(
                reader=user, removed_at__isnull=True
            ).select_related("member")
        ],
        "track_record": member_track_record(user=user, include_anonymous=True),
        "briefing_subscriptions": subscriptions_export(user=user),
    }


def _application_export(application: Application) -> dict[str, Any]:
    invitation = application.invitation
    return {
        "status": application.status,
        "affiliation": application.affiliation,
        "organisation": application.organisation,
        "position": application.position,
        "country": application.country,
        "sectors": application.sectors,
        "statement": application.statement,
        "conflict_of_interest": application.conflict_of_interest,
        "response": application.response,
        "vouched_for_by": invitation.inviter.email if invitation else None,
        "submitted_at": application.submitted_at.isoformat(),
        "decision_reason": application.decision_reason,
        "decided_at": application.decided_at.isoformat() if application.decided_at else None,
    }


# --- API tokens ----------------------------------------------------------------------


def api_tokens_of(*, user: User) -> QuerySet[AuthToken]:
    """The person's API tokens that still work, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")
