"""The analysts' side of the workflow: review, decisions, comments, author reveal.

Four-eyes rule: a report marked TLP:AMBER+STRICT or TLP:RED is accepted only
when two different analysts have accepted the same revision. The first
accept records an approval and leaves the report in review; the second
completes it. A resubmission starts a new revision, so earlier approvals no
longer count.
"""

from __future__ import annotations

import enum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from community.mail import email_send_on_commit
from community.queue import enqueue_on_commit
from intel.alerts.tasks import match_alerts
from intel.errors import WorkflowError
from intel.models import Comment, Contribution, ReviewApproval, Status
from intel.reports.emails import report_decision_email
from intel.reports.services._common import require_reviewer, transition
from notifications import events
from notifications.models import Kind
from notifications.services import wants_email

MIN_REASON_LENGTH = 10


class AcceptOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    AWAITING_SECOND_ANALYST = "awaiting-second-analyst"


def _clean_reason(reason: str, *, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {
                field: _("Explain the decision in at least %(count)s characters.")
                % {"count": MIN_REASON_LENGTH}
            }
        )
    return reason


@transaction.atomic
def report_start_review(*, contribution: Contribution, analyst: User) -> Contribution:
    """An analyst takes a submitted report; the author can no longer withdraw it."""
    require_reviewer(contribution, analyst)
    # Another analyst's claim stands: taking it over is an explicit step (report_claim).
    taken = (
        Contribution.objects.filter(pk=contribution.pk, status=Status.SUBMITTED)
        .filter(Q(reviewer__isnull=True) | Q(reviewer=analyst))
        .update(status=Status.IN_REVIEW, reviewer=analyst)
    )
    if taken != 1:
        current = Contribution.objects.select_related("reviewer").get(pk=contribution.pk)
        if current.status == Status.SUBMITTED and current.reviewer is not None:
            raise WorkflowError(
                _("%(name)s is reviewing this report; take it over first.")
                % {"name": current.reviewer.get_short_name()}
            )
        raise WorkflowError(_("Only a submitted report can be taken into review."))
    contribution.status, contribution.reviewer = Status.IN_REVIEW, analyst
    audit_record(actor=analyst, action="report.start_review", target=contribution)
    return contribution


def _lock(contribution: Contribution) -> Contribution:
    return Contribution.objects.select_for_update().get(pk=contribution.pk)


@transaction.atomic
def report_accept(*, contribution: Contribution, analyst: User, note: str = "") -> AcceptOutcome:
    """Accept a report in review (or approve it, when the four-eyes rule applies)."""
    require_reviewer(contribution, analyst)
    # The row lock serialises two analysts accepting at once, so the second
    # approval always sees the first.
    locked = _lock(contribution)
    if locked.status != Status.IN_REVIEW:
        raise WorkflowError(_("Only a report in review can be accepted."))
    note = (note or "").strip()
    if locked.needs_two_analysts:
        approvals = ReviewApproval.objects.filter(contribution=locked, revision=locked.revision)
        if approvals.filter(analyst=analyst).exists():
            raise WorkflowError(
                _(
                    "You have already approved this report; "
                    "a second, different analyst must accept it."
                )
            )
        ReviewApproval.objects.create(
            contribution=locked, analyst=analyst, revision=locked.revision
        )
        if approvals.count() < 2:
            events.second_approval_requested(contribution=locked, approver=analyst)
            audit_record(
                actor=analyst,
                action="report.approve",
                target=locked,
                reason=note,
                data={"revision": locked.revision, "tlp": locked.tlp, "approvals": 1},
            )
            return AcceptOutcome.AWAITING_SECOND_ANALYST
    now = timezone.now()
    if not transition(
        locked,
        from_statuses=(Status.IN_REVIEW,),
        to_status=Status.ACCEPTED,
        accepted_at=now,
        decided_at=now,
        feedback=note,
    ):  # pragma: no cover - the row lock above makes this unreachable
        raise WorkflowError(_("Only a report in review can be accepted."))
    if note:
        Comment.objects.create(
            contribution=locked, author=analyst, by_analyst=True, kind=Comment.Kind.ACCEPTED,
            body=note,
        )  # fmt: skip
    audit_record(
        actor=analyst,
        action="report.accept",
        target=locked,
        reason=note,
        data={"revision": locked.revision, "tlp": locked.tlp},
    )
    contribution.refresh_from_db()
    _notify_author(contribution)
    enqueue_on_commit(match_alerts, contribution.pk)
    return AcceptOutcome.ACCEPTED


def _decide(
    *,
    contribution: Contribution,
    analyst: User,
    reason: str,
    to_status: str,
    comment_kind: str,
    action: str,
    refusal: str,
) -> Contribution:
    require_reviewer(contribution, analyst)
    reason = _clean_reason(reason)
    if not transition(
        contribution,
        from_statuses=(Status.IN_REVIEW,),
        to_status=to_status,
        decided_at=timezone.now(),
        feedback=reason,
    ):
        raise WorkflowError(refusal)
    Comment.objects.create(
        contribution=contribution, author=analyst, by_analyst=True, kind=comment_kind, body=reason
    )
    audit_record(
        actor=analyst,
        action=action,
        target=contribution,
        reason=reason,
        data={"revision": contribution.revision},
    )
    _notify_author(contribution)
    return contribution


def _notify_author(contribution: Contribution) -> None:
    """Tell the author the decision: in the site, and by email once the transaction
    commits unless they switched it off (never a deleted account; an imported partner
    report has no author to tell)."""
    author = contribution.author
    if author is None:
        return
    events.report_decided(contribution=contribution)
    if author.is_active and wants_email(user=author, kind=Kind.REPORT_DECISION):
        email_send_on_commit(message=report_decision_email(contribution=contribution))


@transaction.atomic
def report_reject(*, contribution: Contribution, analyst: User, reason: str) -> Contribution:
    """Reject a report in review, telling the author why."""
    return _decide(
        contribution=contribution,
        analyst=analyst,
        reason=reason,
        to_status=Status.REJECTED,
        comment_kind=Comment.Kind.REJECTED,
        action="report.reject",
        refusal=_("Only a report in review can be rejected."),
    )


@transaction.atomic
def report_request_changes(
    *, contribution: Contribution, analyst: User, reason: str
) -> Contribution:
    """Send a report in review back to its author with what to change."""
    if contribution.is_imported:
        # Nobody here can revise a partner's report: it is accepted or rejected.
        raise WorkflowError(
            _("A report imported from a partner cannot be sent back; accept or reject it.")
        )
    return _decide(
        contribution=contribution,
        analyst=analyst,
        reason=reason,
        to_status=Status.CHANGES_REQUESTED,
        comment_kind=Comment.Kind.CHANGES_REQUESTED,
        action="report.request_changes",
        refusal=_("Changes can be requested only on a report in review."),
    )


@transaction.atomic
def comment_add(*, contribution: Contribution, author: User, body: str) -> Comment:
    """Add to the thread between a report's author and the analysts."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment before sending it.")})
    is_author = contribution.author_id == author.pk
    if not is_author and not author.is_analyst:
        raise PermissionDenied(_("Only the author and analysts may comment."))
    if contribution.submitted_at is None:
        raise WorkflowError(_("Comments open once the report has been submitted."))
    comment = Comment.objects.create(
        contribution=contribution, author=author, by_analyst=not is_author, body=body
    )
    events.comment_added(comment=comment)
    return comment


@transaction.atomic
def author_reveal(*, contribution: Contribution, admin: User, reason: str) -> User:
    """Name the author of an anonymous report to an admin who gives a reason (audited)."""
    if not admin.is_site_admin:
        raise PermissionDenied(_("Only an administrator may reveal an anonymous author."))
    reason = _clean_reason(reason)
    author = contribution.author
    if author is None:
        # Only anonymous reports are revealed, and every one of them has a member author.
        raise WorkflowError(_("This report was imported from a partner; it has no member author."))
    audit_record(actor=admin, action="report.reveal_author", target=contribution, reason=reason)
    return author


__all__ = [
    "AcceptOutcome",
    "author_reveal",
    "comment_add",
    "report_accept",
    "report_reject",
    "report_request_changes",
    "report_start_review",
]
