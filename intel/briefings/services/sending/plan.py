"""Starting a week's briefing: its row, the corrections it carries, one delivery per active
subscription and the plan of chunks to send.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from intel import validation
from intel.briefings import selectors
from intel.digests.selectors import corrections_pending_briefing
from intel.digests.services import digest_corrections_mark_briefed
from intel.errors import WorkflowError
from intel.models import BriefingWeek, Delivery, Digest, DigestStatus, Subscription


@dataclass(frozen=True)
class WeekPlan:
    week_start: datetime.date
    started: bool  # False when the week had been started before (a re-run)
    subscribers: int  # active subscriptions when this run planned the week
    corrections: list[int]
    chunks: list[list[int]]


def _require_briefable_week(week_start: datetime.date) -> None:
    """A week is briefed once something of it is published (or its sending has begun)."""
    if not BriefingWeek.objects.filter(week_start=week_start).exists() and not (
        week_has_published_digests(week_start)
    ):
        raise WorkflowError(
            _("No digest of the week of %(week)s is published yet; nothing to brief.")
            % {"week": week_start.isoformat()}
        )


def week_has_published_digests(week_start: datetime.date) -> bool:
    return Digest.objects.filter(week_start=week_start, status=DigestStatus.PUBLISHED).exists()


def _start_week(week_start: datetime.date, actor: User | None) -> tuple[BriefingWeek, bool]:
    """Create the week's row once; the creator captures and marks the pending corrections."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                week = BriefingWeek.objects.create(week_start=week_start, started_by=actor)
        except IntegrityError:
            return BriefingWeek.objects.get(week_start=week_start), False
        pending = list(corrections_pending_briefing().values_list("pk", flat=True))
        if pending:
            week.corrections = pending
            week.save(update_fields=["corrections", "updated_at"])
            # Carried by this week from now on: every chunk reads `week.corrections`.
            digest_corrections_mark_briefed(digest_ids=pending)
        audit_record(
            actor=actor,
            action="briefing.week_start",
            target=week,
            data={"corrections": pending},
        )
        return week, True


def _create_deliveries(week_start: datetime.date) -> None:
    """One delivery per active subscription, in one INSERT … SELECT: no row passes through
    Python, whatever the number of subscribers. The unique (subscription, week) constraint
    makes a re-run add only the missing ones."""
    now = timezone.now()
    columns = [column for column in Delivery._meta.concrete_fields if not column.primary_key]
    values = {"week_start": week_start, "created_at": now, "updated_at": now}
    quote = db_connection.ops.quote_name
    subscription_pk = quote(str(Subscription._meta.pk.column))
    select, params = [], []
    for column in columns:
        if column.name == "subscription":
            select.append(f"subscription.{subscription_pk}")
            continue
        select.append("%s")
        value = values[column.name] if column.name in values else column.get_default()
        params.append(column.get_db_prep_save(value, connection=db_connection))
    active, active_params = selectors.active_subscription_ids().query.sql_with_params()
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Delivery._meta.db_table)} "  # noqa: S608 - names are ours
            f"({', '.join(quote(str(column.column)) for column in columns)}) "
            f"SELECT {', '.join(select)} FROM {quote(Subscription._meta.db_table)} AS subscription "
            f"WHERE subscription.{subscription_pk} IN ({active}) "
            # Numbered in subscription order, as the subscriptions were (chunks follow it).
            f"ORDER BY subscription.{subscription_pk} ON CONFLICT DO NOTHING",
            [*params, *active_params],
        )


def briefing_week_start(*, week_start: datetime.date, actor: User | None = None) -> WeekPlan:
    """Start (or resume) a week's briefing and plan its chunks. Safe to run any number of times.

    Refuses a week with no published digest at all (`WorkflowError`): the
    analysts have not published yet, and an administrator sends it later.
    """
    week_start = validation.clean_week_start(week_start, field="week_start")
    if actor is not None and not actor.is_site_admin:
        raise PermissionDenied(_("Only administrators send briefings."))
    _require_briefable_week(week_start)
    week, started = _start_week(week_start, actor)
    if not started and actor is not None:
        # An administrator's "send now" on a week already under way: recorded too.
        audit_record(actor=actor, action="briefing.week_resume", target=week)
    subscribers = selectors.active_subscription_ids().count()
    _create_deliveries(week_start)
    unfinished = selectors.deliveries_to_send(week_start=week_start)
    size = settings.BRIEFING_CHUNK_SIZE
    chunks = [unfinished[offset : offset + size] for offset in range(0, len(unfinished), size)]
    return WeekPlan(
        week_start=week_start,
        started=started,
        subscribers=subscribers,
        corrections=list(week.corrections),
        chunks=chunks,
    )
