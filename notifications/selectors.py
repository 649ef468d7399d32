"""Reads of notifications: a person's list and unread count, and everyone's choices."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from notifications.models import AnalystSectors, Kind, Notification, Preference


def notifications_of(*, user: User) -> QuerySet[Notification]:
    """What `user` is shown in the site, newest first (one query per page)."""
    return Notification.objects.filter(recipient=user, in_site=True).order_by("-created_at", "-pk")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, in_site=True, read_at__isnull=True).count()


def preferences_of_users(*, user_ids: list[int], kind: str) -> dict[int, tuple[bool, bool]]:
    """(email, site) per user who chose for `kind`; users missing chose nothing (both on)."""
    rows = Preference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
        "user_id", "email", "site"
    )
    return {user_id: (email, site) for user_id, email, site in rows}


def preferences_of(*, user: User) -> dict[str, tuple[bool, bool]]:
    """`user`'s (email, site) for every kind, defaults filled in."""
    chosen = {
        kind: (email, site)
        for kind, email, site in Preference.objects.filter(user=user).values_list(
            "kind", "email", "site"
        )
    }
    return {kind: chosen.get(kind, (True, True)) for kind in Kind.values}


def followed_sectors(*, user_ids: list[int]) -> dict[int, list[str]]:
    """The sectors each analyst follows; an analyst missing here follows all of them."""
    return {
        user_id: sectors
        for user_id, sectors in AnalystSectors.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "sectors"
        )
        if sectors
    }


def kinds_for(user: User) -> list[str]:
    """The kinds that can reach `user`, for their settings page."""
    kinds = [Kind.APPLICATION_RECEIVED, Kind.APPLICATION_DECIDED]
    if user.is_vetted_contributor:
        kinds = [
            Kind.REPORT_DECISION,
            Kind.REPORT_COMMENT,
            Kind.REPORT_THANKS,
            Kind.REQUIREMENT_NEW,
            Kind.IMPACT_MONTHLY,
        ]
    if user.is_analyst:
        kinds = [
            Kind.APPLICATION_NEW,
            Kind.SUBMISSION_NEW,
            Kind.SECOND_APPROVAL,
            Kind.REQUIREMENT_ANSWER,
            *(kinds if user.is_vetted_contributor else []),
        ]
    return [str(kind) for kind in kinds]
