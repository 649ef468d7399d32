"""Subscriptions to the weekly briefing: request, confirm, change, unsubscribe, grant clearance.

Every function is keyword-only, runs in one transaction and changes state with
a conditional update, so a double click or a replayed link changes nothing
the second time. Emails are rendered here and sent by a worker after commit
(`community.mail.email_send_on_commit`).

Requests from the public form never reveal whether an address is subscribed:
the page always says "check your inbox"; an unknown or pending address gets a
confirmation link, an active one a link to its preferences.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from community.mail import email_send_on_commit, render_email
from intel.briefings import selectors
from intel.models import BriefingContent, Subscription, SubscriptionStatus
from intel.vocabulary import TLP_ORDER, Tlp, sector_labels

# A confirmation or preferences email is not sent again to the same address
# sooner than this, whatever the form receives (the form cannot flood an inbox).
RESEND_AFTER_SECONDS = 300
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def _clean(
    *, sectors: Iterable[str], language: str, email: str | None = None
) -> tuple[list[str], str, str]:
    errors: dict[str, str] = {}
    chosen = selectors.ordered_sectors(sectors)
    if not chosen or len(chosen) != len(set(sectors)):
        errors["sectors"] = _("Choose at least one sector from the list.")
    if language not in LANGUAGE_CODES:
        errors["language"] = _("Choose English or Japanese.")
    address = ""
    if email is not None:
        address = User.objects.normalize_email((email or "").strip()).lower()
        if "@" not in address or len(address) > 254:
            errors["email"] = _("Enter a valid email address.")
    if errors:
        raise ValidationError(errors)
    return chosen, language, address


def _content_change(content: str | None) -> dict[str, str]:
    """The `content` column to write: nothing when not asked, else a checked choice."""
    if content is None:
        return {}
    if content not in BriefingContent.values:
        raise ValidationError({"content": _("Choose the full briefing or the board summary.")})
    return {"content": content}


def _send_confirmation(subscription: Subscription) -> None:
    email_send_on_commit(
        message=render_email(
            template="briefing_confirm",
            to=subscription.email,
            language=subscription.language,
            context={
                "confirm_url": selectors.confirm_url(subscription),
                "sectors": sector_labels(subscription.sectors, subscription.language),
                "max_age_days": max(1, settings.BRIEFING_CONFIRM_MAX_AGE // 86400),
            },
        )
    )


def _send_manage_link(subscription: Subscription) -> None:
    email_send_on_commit(
        message=render_email(
            template="briefing_manage",
            to=subscription.email,
            language=subscription.language,
            context={
                "preferences_url": selectors.preferences_url(subscription),
                "sectors": sector_labels(subscription.sectors, subscription.language),
            },
        )
    )


def _may_email_again(subscription: Subscription) -> bool:
    sent = subscription.confirmation_sent_at
    return sent is None or (timezone.now() - sent).total_seconds() >= RESEND_AFTER_SECONDS


@transaction.atomic
def subscription_request(*, email: str, sectors: Iterable[str], language: str) -> Subscription:
    """The public form: start (or restart) a subscription awaiting confirmation.

    An active subscription is left as it is (a stranger must not change it)
    and its owner is mailed a link to the preferences page instead.
    """
    sectors = list(sectors)
    chosen, language, address = _clean(sectors=sectors, language=language, email=email)
    now = timezone.now()
    subscription = Subscription.objects.select_for_update().filter(email__iexact=address).first()
    if subscription is None:
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    email=address, sectors=chosen, language=language, confirmation_sent_at=now
                )
        except IntegrityError:
            # The same address submitted twice at once: the other request created it.
            subscription = Subscription.objects.select_for_update().get(email__iexact=address)
        else:
            _send_confirmation(subscription)
            return subscription
    if not _may_email_again(subscription):
        return subscription
    if subscription.status == SubscriptionStatus.ACTIVE:
        Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=now)
        _send_manage_link(subscription)
        return subscription
    # Pending, paused or unsubscribed: the new choice waits for a fresh confirmation.
    Subscription.objects.filter(pk=subscription.pk).update(
        sectors=chosen,
        language=language,
        status=SubscriptionStatus.PENDING,
        confirmation_sent_at=now,
        updated_at=now,
    )
    subscription.refresh_from_db()
    _send_confirmation(subscription)
    return subscription


@transaction.atomic
def subscription_confirm(*, subscription: Subscription) -> bool:
    """Double opt-in: pending → active. True when the subscription is active afterwards."""
    now = timezone.now()
    confirmed = Subscription.objects.filter(
        pk=subscription.pk, status=SubscriptionStatus.PENDING
    ).update(
        status=SubscriptionStatus.ACTIVE,
        confirmed_at=now,
        unsubscribed_at=None,
        paused_at=None,
        consecutive_failures=0,
        updated_at=now,
    )
    subscription.refresh_from_db()
    return confirmed == 1 or subscription.status == SubscriptionStatus.ACTIVE


@transaction.atomic
def subscription_member_save(
    *, user: User, sectors: Iterable[str], language: str, content: str | None = None
) -> Subscription:
    """A signed-in member subscribes (or changes sectors) with no email round trip.

    The account's address is verified at sign-up, so there is nothing to
    confirm. An earlier public subscription of the same address is taken over
    and linked to the account (which lifts its clearance to TLP:GREEN).
    """
    if not selectors.may_subscribe_from_account(user):
        raise PermissionDenied(_("Only vetted members subscribe from their account."))
    chosen, language, _address = _clean(sectors=sectors, language=language)
    chosen_content = _content_change(content)
    now = timezone.now()
    subscription = selectors.subscription_of_user(user)
    if subscription is None:
        try:
            with transaction.atomic():
                return Subscription.objects.create(
                    email=user.email.lower(),
                    user=user,
                    sectors=chosen,
                    language=language,
                    status=SubscriptionStatus.ACTIVE,
                    confirmed_at=now,
                    **chosen_content,
                )
        except IntegrityError:
            subscription = selectors.subscription_of_user(user)
            if subscription is None:  # pragma: no cover - vanished between two reads
                raise
    address = user.email.lower()
    if Subscription.objects.filter(email__iexact=address).exclude(pk=subscription.pk).exists():
        # The account's new address has a public subscription of its own: keep both apart.
        address = subscription.email
    Subscription.objects.filter(pk=subscription.pk).update(
        email=address,
        user=user,
        sectors=chosen,
        language=language,
        status=SubscriptionStatus.ACTIVE,
        confirmed_at=subscription.confirmed_at or now,
        unsubscribed_at=None,
        paused_at=None,
        consecutive_failures=0,
        updated_at=now,
        **chosen_content,
    )
    subscription.refresh_from_db()
    return subscription


@transaction.atomic
def subscription_update(
    *, subscription: Subscription, sectors: Iterable[str], language: str, content: str | None = None
) -> Subscription:
    """The preferences page: change sectors, language and content (the status stays as it is)."""
    chosen, language, _address = _clean(sectors=sectors, language=language)
    Subscription.objects.filter(pk=subscription.pk).update(
        sectors=chosen, language=language, updated_at=timezone.now(), **_content_change(content)
    )
    subscription.refresh_from_db()
    return subscription


@transaction.atomic
def subscription_unsubscribe(*, subscription: Subscription) -> bool:
    """Stop the briefing. Idempotent: True only for the call that changed something."""
    now = timezone.now()
    changed = (
        Subscription.objects.filter(pk=subscription.pk)
        .exclude(status=SubscriptionStatus.UNSUBSCRIBED)
        .update(status=SubscriptionStatus.UNSUBSCRIBED, unsubscribed_at=now, updated_at=now)
    )
    subscription.refresh_from_db()
    return changed == 1


@transaction.atomic
def subscription_resume(*, subscription: Subscription) -> bool:
    """From the preferences page (a link mailed to the address): unsubscribed or paused → active.

    Only a subscription that was confirmed once can be resumed this way; a
    pending one still needs its confirmation link.
    """
    now = timezone.now()
    resumed = Subscription.objects.filter(
        pk=subscription.pk,
        status__in=[SubscriptionStatus.UNSUBSCRIBED, SubscriptionStatus.PAUSED],
        confirmed_at__isnull=False,
    ).update(
        status=SubscriptionStatus.ACTIVE,
        unsubscribed_at=None,
        paused_at=None,
        consecutive_failures=0,
        updated_at=now,
    )
    subscription.refresh_from_db()
    return resumed == 1


@transaction.atomic
def subscription_grant_clearance(
    *, subscription: Subscription, clearance: str, actor: User, reason: str
) -> Subscription:
    """An administrator sets (or with "" removes) a clearance above the default; audited."""
    if not actor.is_site_admin:
        raise PermissionDenied(_("Only administrators grant clearance."))
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if clearance and clearance not in Tlp.values:
        errors["granted_clearance"] = _("Choose a handling level.")
    elif clearance and subscription.user_id is None:
        errors["granted_clearance"] = _(
            "Only a subscription linked to an account can hold a higher clearance."
        )
    if not reason:
        errors["reason"] = _("Give a reason for this decision.")
    if errors:
        raise ValidationError(errors)
    previous = subscription.granted_clearance
    if previous == clearance:
        return subscription
    now = timezone.now()
    Subscription.objects.filter(pk=subscription.pk).update(
        granted_clearance=clearance,
        granted_by=actor if clearance else None,
        granted_at=now if clearance else None,
        updated_at=now,
    )
    subscription.refresh_from_db()
    audit_record(
        actor=actor,
        action="briefing.clearance",
        target=subscription,
        reason=reason,
        data={
            "from": previous or "default",
            "to": clearance or "default",
            "raised": bool(clearance)
            and TLP_ORDER[clearance] > TLP_ORDER[previous or Tlp.CLEAR.value],
        },
    )
    return subscription


def subscriptions_erase(*, user: User, email: str) -> None:
    """Erase a person's subscriptions, with their delivery log: they hold the address itself.

    Called by `accounts.services.account_delete` inside its transaction.
    """
    selectors.subscriptions_of_person(user=user, email=email).delete()
