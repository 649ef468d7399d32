"""A chunk's claim on its deliveries: claiming them, the claimed rows, releasing or
finishing one, marking a batch sent, and the outcome the chunk counts.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection as db_connection
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from intel.models import Delivery, DeliveryStatus, SubscriptionStatus

logger = logging.getLogger(__name__)


@dataclass
class ChunkOutcome:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0  # permanent failures, recorded
    deferred: int = 0  # temporary failures, back to pending for a retry
    held_elsewhere: int = 0  # claimed by another task that may still be running
    compositions: int = 0  # whole renderings (composer, clearance, language, corrections)
    assembled: int = 0  # renderings assembled from them (× sectors)
    retry_after: int | None = None  # seconds; set when part of the chunk must be tried again
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _claim(
    *, week_start: datetime.date, delivery_ids: Sequence[int], token: str, now: datetime.datetime
) -> int:
    stale_before = now - datetime.timedelta(seconds=settings.BRIEFING_CLAIM_TIMEOUT)
    return (
        Delivery.objects.filter(pk__in=list(delivery_ids), week_start=week_start)
        .filter(
            Q(status=DeliveryStatus.PENDING)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale_before)
        )
        .update(
            status=DeliveryStatus.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


def _release(delivery_ids: Iterable[int], token: str, error: str = "") -> None:
    """Hand claimed, unfinished deliveries back (pending) so a retry can take them at once."""
    ids = list(delivery_ids)
    if ids:
        Delivery.objects.filter(
            pk__in=ids, claim_token=token, status=DeliveryStatus.SENDING
        ).update(
            status=DeliveryStatus.PENDING,
            claim_token="",
            claimed_at=None,
            error=error[:500],
            updated_at=timezone.now(),
        )


def _finish(delivery: _Recipient, token: str, **changes: object) -> bool:
    done = Delivery.objects.filter(
        pk=delivery.delivery_id, claim_token=token, status=DeliveryStatus.SENDING
    ).update(claim_token="", updated_at=timezone.now(), **changes)
    if done != 1:
        # Only possible if our claim went stale while we were alive (a task
        # running beyond CELERY_TASK_TIME_LIMIT, e.g. the solo pool, which does
        # not enforce time limits): the log must say so.
        logger.warning(
            "briefing delivery %s: claim lost before it was finished", delivery.delivery_id
        )
    return done == 1


@dataclass(slots=True)
class _Recipient:
    """A claimed delivery and what its email needs of the subscription (one row of a join).

    Named as `Subscription`'s fields (`pk` is the subscription's), so the
    selectors of clearances and links take it as they take a subscription.
    """

    delivery_id: int
    attempts: int
    pk: int
    email: str
    sectors: list[str]
    language: str
    content: str
    status: str
    unsubscribe_token: str
    consecutive_failures: int
    user_id: int | None
    granted_clearance: str
    user_deleted_at: datetime.datetime | None

    @property
    def subscription_id(self) -> int:
        return self.pk

    @property
    def is_active(self) -> bool:
        return self.status == SubscriptionStatus.ACTIVE


_RECIPIENT_COLUMNS = (
    "pk",
    "attempts",
    "subscription_id",
    "subscription__email",
    "subscription__sectors",
    "subscription__language",
    "subscription__content",
    "subscription__status",
    "subscription__unsubscribe_token",
    "subscription__consecutive_failures",
    "subscription__user_id",
    "subscription__granted_clearance",
    "subscription__user__deleted_at",
)


def _claimed_recipients(delivery_ids: Sequence[int], token: str) -> list[_Recipient]:
    """The deliveries this run claimed, as plain rows: a chunk's model instances (delivery,
    subscription, account, with every date parsed) cost more than its SMTP client."""
    rows: Iterable[tuple[Any, ...]] = (
        Delivery.objects.filter(pk__in=list(delivery_ids), claim_token=token)
        .order_by("pk")
        .values_list(*_RECIPIENT_COLUMNS)
    )
    return [_Recipient(*row) for row in rows]


# Deliveries marked sent per UPDATE: the first alone, then doubling up to this. A crash
# re-sends at most one batch (accepted by the server, not yet recorded); a long chunk costs
# a few UPDATEs instead of one per email.
MARK_BATCH = 64


@dataclass
class _Sent:
    delivery_id: int
    sectors: list[str]
    clearance: str
    language: str
    corrections: list[int]


def _mark_sent(batch: Sequence[_Sent], token: str, now: datetime.datetime) -> int:
    """One UPDATE: the batch's deliveries sent, each with what its email carried."""
    if db_connection.vendor == "postgresql":
        # The rows' own values joined in from one JSON parameter: one short statement
        # whatever the batch, where a CASE per column and row costs more to build than to run.
        table, pk = Delivery._meta.db_table, Delivery._meta.pk.column
        with db_connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table} AS d SET status = %s, sent_at = %s, smtp_code = 250, error = '',
                    claim_token = '', updated_at = %s, sectors = v.sectors,
                    clearance = v.clearance, language = v.language, corrections = v.corrections
                FROM jsonb_to_recordset(%s::jsonb) AS v(
                    id bigint, sectors jsonb, clearance text, language text, corrections jsonb)
                WHERE d.{pk} = v.id AND d.{pk} = ANY(%s) AND d.claim_token = %s
                    AND d.status = %s
                """,  # noqa: S608 - the table name is ours, every value a parameter
                [
                    DeliveryStatus.SENT.value,
                    now,
                    now,
                    json.dumps(
                        [
                            {
                                "id": row.delivery_id,
                                "sectors": row.sectors,
                                "clearance": row.clearance,
                                "language": row.language,
                                "corrections": row.corrections,
                            }
                            for row in batch
                        ]
                    ),
                    # The keys again, as an array: the planner reads them through the primary
                    # key whatever its statistics (joined from the JSON alone, it estimates one
                    # claimed row and scans the whole table for every batch).
                    [row.delivery_id for row in batch],
                    token,
                    DeliveryStatus.SENDING.value,
                ],
            )
            return int(cursor.rowcount)

    def per_row(name: str, output: models.Field) -> Case:
        return Case(
            *(
                When(pk=row.delivery_id, then=Value(getattr(row, name), output_field=output))
                for row in batch
            ),
            output_field=output,
        )

    return Delivery.objects.filter(
        pk__in=[row.delivery_id for row in batch],
        claim_token=token,
        status=DeliveryStatus.SENDING,
    ).update(
        status=DeliveryStatus.SENT,
        sent_at=now,
        smtp_code=250,
        error="",
        claim_token="",
        updated_at=now,
        sectors=per_row("sectors", models.JSONField()),
        clearance=per_row("clearance", models.CharField()),
        language=per_row("language", models.CharField()),
        corrections=per_row("corrections", models.JSONField()),
    )
