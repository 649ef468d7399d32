"""Writes for watchlists and alerts: save, delete and mute watches; match, claim and send alerts.

Every send is claimed first (`pending` -> `sent` by a conditional update in
the transaction that queues the email), so a task run twice, or two workers
at once, send one email. A watcher below the report's level, a muted watch
or a report no longer accepted turns the alert `skipped`: never sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community.mail import email_send_on_commit
from community.queue import enqueue_on_commit
from intel.alerts import selectors
from intel.alerts.emails import alert_email
from intel.errors import WorkflowError
from intel.models import (
    Alert,
    AlertStatus,
    Contribution,
    Status,
    Watch,
    WatchFrequency,
    WatchTerm,
    WatchTermKind,
)


def _clean(values: Iterable[str]) -> list[str]:
    return sorted({value.strip() for value in values if value and value.strip()})


@transaction.atomic
def watch_save(
    *,
    user: User,
    name: str,
    sectors: Iterable[str] = (),
    signals: Iterable[str] = (),
    countries: Iterable[str] = (),
    commodities: Iterable[str] = (),
    query: str = "",
    frequency: str = WatchFrequency.IMMEDIATE,
    watch: Watch | None = None,
) -> Watch:
    """Create `user`'s watch, or replace the labels and settings of `watch` (theirs)."""
    if not selectors.may_watch(user):
        raise WorkflowError(_("Only members, readers and analysts can keep watches."))
    labels = {
        WatchTermKind.SECTOR.value: _clean(sectors),
        WatchTermKind.SIGNAL.value: _clean(signals),
        WatchTermKind.COUNTRY.value: [code.upper() for code in _clean(countries)],
        WatchTermKind.COMMODITY.value: _clean(commodities),
    }
    query = " ".join(query.split())
    if not any(labels.values()):
        # Words alone: one term, the anchor the text's substrings are looked up by.
        labels[WatchTermKind.WORD.value] = [selectors.word_anchor(query)] if query else []
    kind_count = sum(1 for slugs in labels.values() if slugs)
    if kind_count == 0:
        raise WorkflowError(
            _("Choose at least one sector, signal, country or commodity, or give words.")
        )
    name = name.strip()
    same_name = Watch.objects.filter(user=user, name=name)
    if watch is not None:
        same_name = same_name.exclude(pk=watch.pk)
    if same_name.exists():
        raise WorkflowError(_("You already have a watch with this name."))
    if watch is None:
        watch = Watch(user=user)
    elif watch.user_id != user.pk:
        raise WorkflowError(_("This is not your watch."))
    # Switching a daily watch to immediate: what the day had gathered goes out
    # now, as one email, rather than waiting for a daily run that skips it.
    flush_day = watch.pk is not None and (
        watch.frequency == WatchFrequency.DAILY and frequency == WatchFrequency.IMMEDIATE
    )
    watch.name = name
    watch.query = query
    watch.frequency = frequency
    watch.kind_count = kind_count
    watch.save()
    WatchTerm.objects.filter(watch=watch).delete()
    WatchTerm.objects.bulk_create(
        WatchTerm(watch=watch, kind=kind, slug=slug, watch_kinds=kind_count)
        for kind, slugs in labels.items()
        for slug in slugs
    )
    if flush_day:
        from intel.alerts.tasks import send_daily_alert

        enqueue_on_commit(send_daily_alert, watch.pk)
    return watch


@transaction.atomic
def watch_delete(*, user: User, watch: Watch) -> None:
    if watch.user_id != user.pk:
        raise WorkflowError(_("This is not your watch."))
    watch.delete()


def watch_mute(*, watch: Watch) -> bool:
    """Mute `watch` (True), or nothing when it already was (False): safe to click twice."""
    return bool(
        Watch.objects.filter(pk=watch.pk, muted_at__isnull=True).update(muted_at=timezone.now())
    )


def watch_unmute(*, user: User, watch: Watch) -> bool:
    if watch.user_id != user.pk:
        raise WorkflowError(_("This is not your watch."))
    return bool(Watch.objects.filter(pk=watch.pk, muted_at__isnull=False).update(muted_at=None))


# --- Matching and sending ------------------------------------------------------------------


@transaction.atomic
def alerts_match(*, contribution_id: int) -> list[int]:
    """Record an alert for every watch the accepted contribution matches; queue immediate ones.

    Idempotent: alerts are unique per (watch, contribution), and sends claim.
    Returns the ids of the matching watches.
    """
    contribution = Contribution.objects.filter(pk=contribution_id, status=Status.ACCEPTED).first()
    if contribution is None:
        return []
    watch_ids = selectors.matching_watch_ids(
        labels=selectors.contribution_labels(contribution),
        text=selectors.contribution_text(contribution),
    )
    Alert.objects.bulk_create(
        (Alert(watch_id=pk, contribution=contribution) for pk in watch_ids),
        ignore_conflicts=True,
        batch_size=1000,
    )
    from intel.alerts.tasks import send_alert

    immediate = Alert.objects.filter(
        contribution=contribution,
        status=AlertStatus.PENDING,
        watch__frequency=WatchFrequency.IMMEDIATE,
    ).values_list("pk", flat=True)
    for alert_id in immediate:
        enqueue_on_commit(send_alert, alert_id)
    return watch_ids


def _sendable(alert: Alert) -> bool:
    return (
        alert.watch.muted_at is None
        and alert.contribution.status == Status.ACCEPTED
        and selectors.watcher_may_read(user=alert.watch.user, contribution=alert.contribution)
    )


def _claim(alerts: list[Alert]) -> list[Alert]:
    """Of `alerts`, those this run turned from pending to sent (the rest skipped or taken)."""
    now = timezone.now()
    send = [alert for alert in alerts if _sendable(alert)]
    skip = [alert.pk for alert in alerts if alert not in send]
    Alert.objects.filter(pk__in=skip, status=AlertStatus.PENDING).update(status=AlertStatus.SKIPPED)
    claimed = [
        alert
        for alert in send
        if Alert.objects.filter(pk=alert.pk, status=AlertStatus.PENDING).update(
            status=AlertStatus.SENT, sent_at=now
        )
    ]
    return claimed


@transaction.atomic
def alert_send(*, alert_id: int) -> bool:
    """Send one immediate alert, once; False when it was already sent or may not be."""
    alert = (
        Alert.objects.select_related("watch__user", "contribution")
        .filter(pk=alert_id, status=AlertStatus.PENDING)
        .first()
    )
    if alert is None:
        return False
    claimed = _claim([alert])
    if not claimed:
        return False
    email_send_on_commit(message=alert_email(watch=alert.watch, contributions=[alert.contribution]))
    return True


@transaction.atomic
def alerts_daily_send(*, watch_id: int) -> int:
    """Send a watch's pending alerts as one email; the number of reports in it.

    The daily run calls it for daily watches; a watch switched to immediate
    calls it once for what it had gathered. An immediate alert whose own send
    is still queued may go out here instead: claimed either way, sent once.
    """
    alerts = list(
        Alert.objects.select_for_update(of=("self",))
        .select_related("watch__user", "contribution")
        .filter(watch_id=watch_id, status=AlertStatus.PENDING)
        .order_by("created_at", "pk")
    )
    if not alerts:
        return 0
    claimed = _claim(alerts)
    if claimed:
        email_send_on_commit(
            message=alert_email(
                watch=claimed[0].watch, contributions=[alert.contribution for alert in claimed]
            )
        )
    return len(claimed)


def daily_watch_ids() -> list[int]:
    """Daily watches with pending alerts (the partial index on pending alerts)."""
    return sorted(
        set(
            Alert.objects.filter(
                status=AlertStatus.PENDING, watch__frequency=WatchFrequency.DAILY
            ).values_list("watch_id", flat=True)
        )
    )
