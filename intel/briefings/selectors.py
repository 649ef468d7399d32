"""Reads for briefings: clearances, signed links, the week's digests as a reader sees them.

Redaction is not done here: every digest is turned into a reader's view by
`intel.digests.selectors.digest_view` (the single place that applies TLP),
and `intel.briefings.compose` only arranges those views.

Clearance of a subscription (the email channel): TLP:CLEAR for the public;
TLP:GREEN while the linked account belongs to a vetted member, an analyst or a
reader whose inviting member is still an active member;
more only through `Subscription.granted_clearance`, set by an administrator,
and only while the linked account is active. On the site the archive uses the
reader's own clearance (`intel.digests.selectors.reader_clearance`).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from accounts import roles
from accounts.models import Membership, User
from community.links import absolute_url
from intel.briefings import compose
from intel.digests.selectors import DIGEST_ITEM_FIELDS, digest_view, digests_for_briefing
from intel.models import (
    BriefingWeek,
    Delivery,
    DeliveryStatus,
    Digest,
    DigestItem,
    DigestStatus,
    Subscription,
    SubscriptionStatus,
)
from intel.vocabulary import TLP_ORDER, Sector, Tlp

CONFIRM_SALT = "intel.briefings.confirm"
PREFERENCES_SALT = "intel.briefings.preferences"


class Subscriber(Protocol):
    """What clearances and links read of a subscription: the model, or a row of it."""

    @property
    def pk(self) -> Any: ...
    @property
    def user_id(self) -> int | None: ...
    @property
    def granted_clearance(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def unsubscribe_token(self) -> str: ...
    @property
    def content(self) -> str: ...


# --- Clearance ---------------------------------------------------------------------------


def _higher(first: str, second: str) -> str:
    return first if TLP_ORDER[first] >= TLP_ORDER[second] else second


def clearance_for(*, subscription: Subscriber, account_active: bool, reads_green: bool) -> str:
    """The rule, on facts already loaded (see the module docstring)."""
    if subscription.user_id is None or not account_active:
        return Tlp.CLEAR.value
    base = Tlp.GREEN.value if reads_green else Tlp.CLEAR.value
    if subscription.granted_clearance:
        return _higher(base, subscription.granted_clearance)
    return base


def subscription_clearances(subscriptions: Sequence[Subscriber]) -> dict[int, str]:
    """Clearance of each subscription, in two queries whatever their number."""
    user_ids = [sub.user_id for sub in subscriptions if sub.user_id is not None]
    active: set[int] = set()
    entitled: set[int] = set()
    if user_ids:
        active = set(
            User.objects.filter(
                pk__in=user_ids, is_active=True, deleted_at__isnull=True
            ).values_list("pk", flat=True)
        )
        entitled = set(
            User.objects.filter(pk__in=active)
            .filter(
                Q(membership__status=Membership.Status.ACTIVE)
                | Q(groups__name=roles.ANALYSTS)
                | Q(is_superuser=True)
                # A reader reads at GREEN only while the member who invited them is one.
                | Q(
                    groups__name=roles.READERS,
                    reader_grants__removed_at__isnull=True,
                    reader_grants__member__is_active=True,
                    reader_grants__member__membership__status=Membership.Status.ACTIVE,
                )
            )
            .values_list("pk", flat=True)
        )
    return {
        sub.pk: clearance_for(
            subscription=sub,
            account_active=sub.user_id in active,
            reads_green=sub.user_id in entitled,
        )
        for sub in subscriptions
    }


def subscription_clearance(subscription: Subscription) -> str:
    return subscription_clearances([subscription])[subscription.pk]


def may_subscribe_from_account(user: Any) -> bool:
    """Signed-in vetted members, readers and analysts subscribe without confirming by email."""
    return bool(
        user.is_authenticated and (user.is_vetted_contributor or user.is_reader or user.is_analyst)
    )


# --- Lookups -------------------------------------------------------------------------------


def subscription_by_unsubscribe_token(token: str) -> Subscription:
    subscription = Subscription.objects.filter(unsubscribe_token=token).first() if token else None
    if subscription is None:
        raise Http404
    return subscription


def confirmation_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk, "e": subscription.email}, salt=CONFIRM_SALT)


def _link_payload(token: str, *, salt: str, max_age: int, shape: dict[str, type]) -> dict:
    """The payload of a signed link, which must hold exactly the keys and types of `shape`.

    `signing.BadSignature` also when a validly signed payload has another
    shape (an older format, or anything else signed with this key and salt).
    """
    data = signing.loads(token, salt=salt, max_age=max_age)
    if not isinstance(data, dict) or data.keys() != shape.keys():
        raise signing.BadSignature("malformed payload")
    if any(type(data[key]) is not kind for key, kind in shape.items()) or any(
        isinstance(value, str) and "\x00" in value for value in data.values()
    ):
        raise signing.BadSignature("malformed payload")
    return data


def subscription_from_confirmation(token: str) -> Subscription:
    """The subscription a confirmation link names; `signing.BadSignature` (or its
    `SignatureExpired` subclass) when the link is forged, malformed or older than
    BRIEFING_CONFIRM_MAX_AGE."""
    data = _link_payload(
        token,
        salt=CONFIRM_SALT,
        max_age=settings.BRIEFING_CONFIRM_MAX_AGE,
        shape={"s": int, "e": str},
    )
    subscription = Subscription.objects.filter(pk=data["s"], email=data["e"]).first()
    if subscription is None:
        raise signing.BadSignature("no such subscription")
    return subscription


def preferences_token(subscription: Subscriber) -> str:
    return signing.dumps({"s": subscription.pk}, salt=PREFERENCES_SALT)


def subscription_from_preferences(token: str) -> Subscription:
    """As `subscription_from_confirmation`, for the preferences link in every briefing."""
    data = _link_payload(
        token,
        salt=PREFERENCES_SALT,
        max_age=settings.BRIEFING_PREFERENCES_MAX_AGE,
        shape={"s": int},
    )
    subscription = Subscription.objects.filter(pk=data["s"]).first()
    if subscription is None:
        raise signing.BadSignature("no such subscription")
    return subscription


def subscriptions_of_person(*, user: User, email: str) -> QuerySet[Subscription]:
    """Every subscription that is this person's: linked to the account, or made with `email`."""
    return Subscription.objects.filter(Q(user=user) | Q(email__iexact=email)).order_by("pk")


def subscriptions_export(*, user: User) -> list[dict[str, Any]]:
    """The person's subscriptions, for their data export (`accounts.selectors`)."""
    return [
        {
            "email": subscription.email,
            "sectors": subscription.sectors,
            "language": subscription.language,
            "content": subscription.content,
            "status": subscription.status,
            "created_at": subscription.created_at.isoformat(),
        }
        for subscription in subscriptions_of_person(user=user, email=user.email)
    ]


def subscription_of_user(user: User) -> Subscription | None:
    """The member's subscription: linked to the account, or made earlier with its address."""
    linked = Subscription.objects.filter(user=user).first()
    return linked or Subscription.objects.filter(email__iexact=user.email).first()


# --- Links -----------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return absolute_url(path)


def unsubscribe_url(subscription: Subscriber) -> str:
    return absolute(reverse("briefings:unsubscribe", args=[subscription.unsubscribe_token]))


def preferences_url(subscription: Subscriber) -> str:
    return absolute(reverse("briefings:preferences", args=[preferences_token(subscription)]))


# What a signed token and an unsubscribe token are made of: characters `reverse` leaves as
# they are in a path (anything else goes through `reverse` itself).
_PATH_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_:-]+")
_LINK_MARK = "briefing-link-mark"


class SubscriberLinks:
    """The two personal links of a briefing for many subscribers at once.

    Exactly what `preferences_url` and `unsubscribe_url` return, without a
    `reverse` and a key derivation per subscriber: the URLs around the token
    are resolved once, and the preferences token is signed as `signing.dumps`
    signs it (JSON, base64, timestamp, HMAC-SHA256 under the derived key)
    with the key derived once. Made for one run of sends (the base URL is read
    when it is made).
    """

    def __init__(self) -> None:
        self._preferences = _around_token("briefings:preferences")
        self._unsubscribe = _around_token("briefings:unsubscribe")
        # `salted_hmac(salt + "signer", value, SECRET_KEY)`, as a `TimestampSigner` signs.
        key = hashlib.sha256(f"{PREFERENCES_SALT}signer{settings.SECRET_KEY}".encode())
        self._mac = hmac.new(key.digest(), digestmod=hashlib.sha256)
        self._second = -1
        self._timestamp = ""

    def preferences_url(self, subscription: Subscriber) -> str:
        now = int(time.time())
        if now != self._second:
            self._second, self._timestamp = now, signing.b62_encode(now)
        # `signing.dumps({"s": pk})`: the compact JSON of a one-key dict of an integer.
        payload = signing.b64_encode(f'{{"s":{int(subscription.pk)}}}'.encode()).decode()
        value = f"{payload}:{self._timestamp}"
        mac = self._mac.copy()
        mac.update(value.encode())
        token = f"{value}:{signing.b64_encode(mac.digest()).decode()}"
        prefix, suffix = self._preferences
        return f"{prefix}{token}{suffix}"

    def unsubscribe_url(self, subscription: Subscriber) -> str:
        token = subscription.unsubscribe_token
        if not _PATH_SAFE_TOKEN.fullmatch(token):
            return unsubscribe_url(subscription)
        prefix, suffix = self._unsubscribe
        return f"{prefix}{token}{suffix}"


def _around_token(name: str) -> tuple[str, str]:
    """The absolute URL of `name` before and after its one token argument."""
    prefix, suffix = absolute(reverse(name, args=[_LINK_MARK])).split(_LINK_MARK)
    return prefix, suffix


def confirm_url(subscription: Subscription) -> str:
    return absolute(reverse("briefings:confirm", args=[confirmation_token(subscription)]))


def week_url(week_start: datetime.date) -> str:
    return absolute(reverse("briefings:week", args=[week_start.isoformat()]))


def archive_url() -> str:
    return absolute(reverse("briefings:archive"))


# `Sector.values` builds its list on every read; this is read for every email.
_SECTOR_ORDER = tuple(Sector.values)


def ordered_sectors(sectors: Iterable[str]) -> list[str]:
    """The subscriber's sectors in the fixed order of the vocabulary (a stable cache key)."""
    chosen = set(sectors)
    return [sector for sector in _SECTOR_ORDER if sector in chosen]


# --- The week as readers see it ----------------------------------------------------------


@dataclass
class WeekDigests:
    """One week's published digests, turned into reader views on demand and cached.

    A chunk of subscribers shares a handful of (sector, clearance, language)
    combinations, so each digest is redacted once per combination, not once
    per subscriber.
    """

    week_start: datetime.date
    digests: dict[str, Digest | None]
    _views: dict[tuple[str, str, str], dict[str, Any] | None] = field(default_factory=dict)
    _urls: dict[str, str] = field(default_factory=dict)
    _links: dict[str, str] = field(default_factory=dict)
    _items: dict[int, list[dict[str, Any]]] | None = None
    _corrections: dict[int, Digest] = field(default_factory=dict)

    @classmethod
    def load(cls, week_start: datetime.date) -> WeekDigests:
        return cls(week_start, digests_for_briefing(week_start=week_start, sectors=Sector.values))

    @property
    def published_sectors(self) -> list[str]:
        return [sector for sector, digest in self.digests.items() if digest is not None]

    @property
    def identity(self) -> tuple[int | None, ...]:
        """Which digest versions these are: published ones never change, corrections get new ids."""
        return tuple(digest.pk if digest else None for digest in self.digests.values())

    def digest_url(self, sector: str) -> str:
        if sector not in self._urls:
            digest = self.digests.get(sector)
            self._urls[sector] = (
                absolute(reverse("intel:digest_detail", args=[digest.pk])) if digest else ""
            )
        return self._urls[sector]

    def view(self, sector: str, clearance: str, language: str) -> dict[str, Any] | None:
        key = (sector, clearance, language)
        if key not in self._views:
            digest = self.digests.get(sector)
            if digest is None:
                self._views[key] = None
            else:
                items, corrections = self._rows()
                self._views[key] = digest_view(
                    digest=digest,
                    clearance=clearance,
                    language=language,
                    items=items[digest.pk],
                    correction=corrections.get(digest.pk),
                )
        return self._views[key]

    def _rows(self) -> tuple[dict[int, list[dict[str, Any]]], dict[int, Digest]]:
        """Every digest's items and published correction, read once for all the week's views
        (what `digest_view` would otherwise read per digest, clearance and language)."""
        if self._items is None:
            pks = [digest.pk for digest in self.digests.values() if digest is not None]
            items: dict[int, list[dict[str, Any]]] = {pk: [] for pk in pks}
            # DigestItem's own ordering (digest, position), as `digest.items` reads them.
            for row in DigestItem.objects.filter(digest_id__in=pks).values(
                "digest_id", *DIGEST_ITEM_FIELDS
            ):
                items[row.pop("digest_id")].append(row)
            self._items = items
            self._corrections = {
                correction.previous_id: correction
                # At most one per digest (`previous` is one-to-one).
                for correction in Digest.objects.filter(
                    previous_id__in=pks, status=DigestStatus.PUBLISHED
                )
                if correction.previous_id is not None
            }
        return self._items, self._corrections

    def briefing(
        self,
        *,
        sectors: Sequence[str],
        clearance: str,
        language: str,
        corrections: Sequence[compose.Correction] = (),
        page_url: str | None = None,
    ) -> compose.Briefing:
        """The compose input for a reader of `sectors` at `clearance`, in `language`."""
        if not self._links:
            self._links = {"week": week_url(self.week_start), "archive": archive_url()}
        if page_url is None:
            page_url = self._links["week"]
        sections = []
        with translation.override(language):
            clearance_label = str(Tlp(clearance).label)
            for sector in ordered_sectors(sectors):
                sections.append(
                    compose.Section(
                        sector=sector,
                        label=str(Sector(sector).label),
                        url=page_url,
                        digest_url=self.digest_url(sector),
                        view=self.view(sector, clearance, language),
                    )
                )
        return compose.Briefing(
            week_start=self.week_start,
            language=language,
            clearance_label=clearance_label,
            sections=sections,
            corrections=corrections,
            archive_url=self._links["archive"],
            subject_prefix=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX,
        )


def corrections_by_id(digest_ids: Iterable[int], language: str) -> dict[int, compose.Correction]:
    """The corrections a week carries, as compose input in `language`."""
    found = {}
    with translation.override(language):
        for digest in Digest.objects.filter(pk__in=list(digest_ids)).order_by("published_at"):
            found[digest.pk] = compose.Correction(
                sector_label=str(Sector(digest.sector).label),
                week_start=digest.week_start,
                version=digest.version,
                note=digest.correction_note,
                url=absolute(reverse("intel:digest_detail", args=[digest.pk])),
            )
    return found


def correction_digests(digest_ids: Iterable[int]) -> list[Digest]:
    return list(Digest.objects.filter(pk__in=list(digest_ids)).order_by("published_at", "pk"))


def received_weeks(
    *, subscription_ids: Iterable[int], weeks: Iterable[datetime.date]
) -> dict[tuple[int, datetime.date], set[str]]:
    """Which sectors each subscriber was sent for each of `weeks` (one query)."""
    weeks = list(weeks)
    if not weeks:
        return {}
    rows = Delivery.objects.filter(
        subscription_id__in=list(subscription_ids), week_start__in=weeks, status=DeliveryStatus.SENT
    ).values_list("subscription_id", "week_start", "sectors")
    return {(sub_id, week): set(sectors or []) for sub_id, week, sectors in rows}


# --- Fan-out and the log -----------------------------------------------------------------------


def active_subscription_ids() -> QuerySet[Subscription, int]:
    return (
        Subscription.objects.filter(status=SubscriptionStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def deliveries_to_send(*, week_start: datetime.date) -> list[int]:
    """Deliveries of the week that no task has finished: pending, or claimed (maybe stale).

    Ordered so that deliveries likely to share a rendering are next to each
    other — by format, language, kind of clearance and set of sectors (in
    whatever order they were chosen), then id — so a chunk needs few
    renderings and the next chunk mostly the same ones: a worker assembles
    each about once, rather than once per chunk in which a random order would
    scatter it. PostgreSQL sorts them itself (100,000 rows through Python
    take seconds); elsewhere `_rendering_order` does, to the same order.
    """
    unfinished = Delivery.objects.filter(
        week_start=week_start, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    )
    if connection.vendor != "postgresql":
        return _rendering_order(unfinished)
    delivery, subscription = Delivery._meta.db_table, Subscription._meta.db_table
    sql, params = unfinished.values_list("pk", flat=True).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # The same keys as `_rendering_order`, compared byte by byte as Python compares.
            f"""
            SELECT d.id FROM {delivery} AS d JOIN {subscription} AS s ON s.id = d.subscription_id
            WHERE d.id IN ({sql})
            ORDER BY s.content COLLATE "C", s.language COLLATE "C", s.user_id IS NOT NULL,
                s.granted_clearance COLLATE "C",
                COALESCE((SELECT array_agg(DISTINCT sector COLLATE "C" ORDER BY sector COLLATE "C")
                    FROM jsonb_array_elements_text(s.sectors) AS sector), '{{}}'),
                d.id
            """,  # noqa: S608 - the table names are ours, every value a parameter
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def _rendering_order(unfinished: QuerySet[Delivery]) -> list[int]:
    rows = unfinished.values_list(
        "pk",
        "subscription__content",
        "subscription__language",
        "subscription__user_id",
        "subscription__granted_clearance",
        "subscription__sectors",
    )
    keyed = [
        (content, language, user_id is not None, granted, tuple(sorted(set(sectors or []))), pk)
        for pk, content, language, user_id, granted, sectors in rows
    ]
    keyed.sort()
    return [key[-1] for key in keyed]


# --- Archive ------------------------------------------------------------------------------------


def briefing_weeks() -> QuerySet[BriefingWeek]:
    """Weeks whose briefing went out, newest first (the archive)."""
    return BriefingWeek.objects.order_by("-week_start")


def briefing_week(*, week_start: str) -> BriefingWeek:
    try:
        day = datetime.date.fromisoformat(week_start)
    except ValueError:
        raise Http404 from None
    week = BriefingWeek.objects.filter(week_start=day).first()
    if week is None:
        raise Http404
    return week


# --- Preview -----------------------------------------------------------------------------

# What each kind of subscriber is cleared for (see `clearance_for`): the public reads
# TLP:CLEAR, a member or analyst TLP:GREEN, a subscriber an administrator cleared higher
# reads up to TLP:AMBER.
PREVIEW_READERS = {
    "public": Tlp.CLEAR.value,
    "member": Tlp.GREEN.value,
    "cleared": Tlp.AMBER.value,
}


def latest_published_week() -> datetime.date | None:
    """The newest week with a published digest: what "send a week now" most likely means."""
    return (
        Digest.objects.filter(status=DigestStatus.PUBLISHED)
        .order_by("-week_start")
        .values_list("week_start", flat=True)
        .first()
    )


def briefing_preview(
    *, week_start: datetime.date, reader: str, language: str, sectors: Sequence[str] = ()
) -> compose.ComposedBriefing:
    """The week's briefing exactly as a `reader` ("public", "member", "cleared") receives it.

    All sectors with a published digest unless `sectors` narrows them; the
    subscriber's own links are left as harmless placeholders.
    """
    week = WeekDigests.load(week_start)
    briefing = week.briefing(
        sectors=list(sectors) or week.published_sectors,
        clearance=PREVIEW_READERS[reader],
        language=language,
    )
    return compose.compose(briefing, preferences_url="#", unsubscribe_url="#")
