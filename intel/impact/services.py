"""Writes of contributor impact: analysts' notes and contradictions, the suggested grade, the
monthly summary. Every analyst decision here is audited.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.permissions import require_analyst
from accounts.services import audit_record, grade_change
from accounts.services.audit import require_not_self, require_reason
from community.mail import claimed_email_send
from intel.errors import WorkflowError
from intel.impact import emails, selectors
from intel.models import (
    Acknowledgement,
    AcknowledgementKind,
    Contradiction,
    Contribution,
    ImpactSummary,
    Status,
    SummaryStatus,
)
from intel.vocabulary import SourceReliability
from notifications.models import Kind
from notifications.services import notify, wants_email

MESSAGE_MAX = 2000


def _impact_path(contribution: Contribution) -> str:
    return f"{reverse('intel:impact')}#contribution-{contribution.pk}"


def _require_text(value: str, field: str) -> str:
    value = require_reason(value) if field == "reason" else (value or "").strip()
    if not value:
        raise ValidationError({field: _("Write a message to the author.")})
    if len(value) > MESSAGE_MAX:
        raise ValidationError(
            {field: _("Keep it under %(count)s characters.") % {"count": MESSAGE_MAX}}
        )
    return value


@transaction.atomic
def acknowledgement_send(
    *, contribution: Contribution, analyst: User, kind: str, message: str
) -> Acknowledgement:
    """An analyst's thanks or feedback on a contribution; its author is notified."""
    require_analyst(analyst)
    if kind not in AcknowledgementKind.values:
        raise ValidationError({"kind": _("Choose thanks or feedback.")})
    message = _require_text(message, "message")
    if contribution.author_id is None:
        raise WorkflowError(_("An imported partner report has no author to write to."))
    if contribution.author_id == analyst.pk:
        raise PermissionDenied(_("You cannot thank yourself for your own report."))
    if contribution.submitted_at is None or contribution.status == Status.WITHDRAWN:
        raise WorkflowError(_("Only a submitted report can be acknowledged."))
    note = Acknowledgement.objects.create(
        contribution=contribution, analyst=analyst, kind=kind, message=message
    )
    audit_record(
        actor=analyst,
        action=f"contribution.{kind}",
        target=contribution,
        data={"acknowledgement": note.pk},
    )
    author = User.objects.get(pk=contribution.author_id)
    notify(
        recipients=[author],
        kind=Kind.REPORT_THANKS,
        event=f"acknowledgement:{note.pk}",
        path=_impact_path(contribution),
        params={"title": contribution.title},
    )
    return note


@transaction.atomic
def contradiction_mark(*, contribution: Contribution, analyst: User, reason: str) -> Contradiction:
    """Record that an accepted contribution was later contradicted (weighs on the grade)."""
    require_analyst(analyst)
    reason = _require_text(reason, "reason")
    if contribution.status != Status.ACCEPTED:
        raise WorkflowError(_("Only an accepted report can be marked as later contradicted."))
    if contribution.author_id == analyst.pk:
        raise PermissionDenied(_("You cannot judge your own report."))
    try:
        with transaction.atomic():
            found = Contradiction.objects.create(
                contribution=contribution, marked_by=analyst, reason=reason
            )
    except IntegrityError:
        raise WorkflowError(_("This report is already marked as contradicted.")) from None
    audit_record(
        actor=analyst, action="contribution.contradicted", target=contribution, reason=reason
    )
    return found


# --- The suggested source grade ---------------------------------------------------


@transaction.atomic
def grade_suggestion_confirm(*, membership: Membership, actor: User, suggested: str) -> str:
    """The analyst takes the suggested grade; `suggested` is the one they were shown.

    If the track record moved since the page was read, the suggestion is no
    longer what they confirmed: refused, so they read it again.
    """
    require_analyst(actor)
    require_not_self(actor, membership.user)
    suggestion = selectors.grade_suggestion(user=membership.user)
    if suggested != suggestion.grade:
        raise WorkflowError(_("The suggested grade changed meanwhile; read it again."))
    reasons = "; ".join(suggestion.reasons)
    if membership.source_grade != suggestion.grade:
        grade_change(
            membership=membership,
            actor=actor,
            grade=suggestion.grade,
            reason=_("Suggested grade confirmed: %(reasons)s") % {"reasons": reasons},
        )
    audit_record(
        actor=actor,
        action="membership.grade_suggestion_confirm",
        target=membership,
        reason=reasons,
        data={"suggested": suggestion.grade, "grade": suggestion.grade},
    )
    return suggestion.grade


@transaction.atomic
def grade_suggestion_override(
    *, membership: Membership, actor: User, grade: str, reason: str
) -> str:
    """The analyst sets another grade than the suggestion, saying why."""
    require_analyst(actor)
    require_not_self(actor, membership.user)
    if grade not in SourceReliability.values:
        raise ValidationError({"grade": _("Choose a grade from A to F.")})
    reason = require_reason(reason)
    suggestion = selectors.grade_suggestion(user=membership.user)
    if membership.source_grade != grade:
        grade_change(membership=membership, actor=actor, grade=grade, reason=reason)
    audit_record(
        actor=actor,
        action="membership.grade_suggestion_override",
        target=membership,
        reason=reason,
        data={"suggested": suggestion.grade, "grade": grade},
    )
    return grade


# --- The monthly summary ----------------------------------------------------------


def previous_month(today: datetime.date) -> datetime.date:
    first = today.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def impact_summaries_plan(*, month: datetime.date) -> list[int]:
    """One summary row per member active in `month` (a re-run adds none); ids still to send."""
    month = month.replace(day=1)
    users = selectors.members_active_in(month=month)
    ImpactSummary.objects.bulk_create(
        [ImpactSummary(user_id=pk, month=month) for pk in users], ignore_conflicts=True
    )
    return list(
        ImpactSummary.objects.filter(month=month, status=SummaryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def impact_summary_send(*, summary_id: int) -> bool:
    """Send one monthly summary unless it went already; True if this call sent it.

    The conditional update from `pending` to `sending` is the claim: a task
    run twice, or two workers, cannot both win it. A member who opted out of
    the email (the notification preference) is marked `skipped`.
    """
    claimed = ImpactSummary.objects.filter(pk=summary_id, status=SummaryStatus.PENDING).update(
        status=SummaryStatus.SENDING
    )
    if claimed != 1:
        return False
    summary = ImpactSummary.objects.select_related("user").get(pk=summary_id)
    user = summary.user
    if not user.is_active or not wants_email(user=user, kind=Kind.IMPACT_MONTHLY):
        ImpactSummary.objects.filter(pk=summary_id).update(status=SummaryStatus.SKIPPED)
        return False
    activity = selectors.month_activity(user=user, month=summary.month)
    message = emails.impact_summary_email(user=user, month=summary.month, activity=activity)
    sent = claimed_email_send(
        message=message,
        row=ImpactSummary.objects.filter(pk=summary_id),
        status_field="status",
        sent_at_field="sent_at",
    )
    if not sent:
        return False
    with translation.override(user.language or None):
        label = formats.date_format(summary.month, "YEAR_MONTH_FORMAT")
    notify(
        recipients=[user],
        kind=Kind.IMPACT_MONTHLY,
        event=f"impact:{summary.month:%Y-%m}",
        path=reverse("intel:impact"),
        params={"month": str(label)},
    )
    return True
