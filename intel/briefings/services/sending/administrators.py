"""What administrators do from the site: resend one delivery, send a week now."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from community.queue import enqueue_on_commit
from intel import validation
from intel.briefings.services.sending.plan import _require_briefable_week
from intel.models import Delivery, DeliveryStatus


@transaction.atomic
def delivery_resend(*, delivery: Delivery, actor: User) -> bool:
    """Send one briefing again (after a failure, or on a reader's request); audited.

    A conditional update from a finished state, so two clicks queue one send.
    """
    if not actor.is_site_admin:
        raise PermissionDenied(_("Only administrators resend briefings."))
    reset = Delivery.objects.filter(
        pk=delivery.pk,
        status__in=[DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED],
    ).update(
        status=DeliveryStatus.PENDING,
        claim_token="",
        claimed_at=None,
        attempts=0,
        error="",
        resend_count=F("resend_count") + 1,
        updated_at=timezone.now(),
    )
    if reset != 1:
        return False
    delivery.refresh_from_db()
    audit_record(
        actor=actor,
        action="briefing.resend",
        target=delivery,
        data={"week_start": delivery.week_start.isoformat()},
    )
    from intel.briefings.tasks import send_briefing_chunk

    enqueue_on_commit(send_briefing_chunk, delivery.week_start.isoformat(), [delivery.pk])
    return True


def briefing_week_send_now(*, week_start: datetime.date, actor: User) -> None:
    """An administrator sends (or finishes sending) a week now; the fan-out runs in a worker.

    Raises `WorkflowError` at once when the week has nothing published, so
    the administrator learns it on the page rather than from a worker's log.
    """
    week_start = validation.clean_week_start(week_start, field="week_start")
    if not actor.is_site_admin:
        raise PermissionDenied(_("Only administrators send briefings."))
    _require_briefable_week(week_start)
    from intel.briefings.tasks import send_weekly_briefings

    enqueue_on_commit(send_weekly_briefings, week_start.isoformat(), actor.pk)
