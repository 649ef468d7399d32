"""Who is reviewing a report: claim ("I'm reviewing this"), take over, assign, release.

A claim is the report's `reviewer` while it waits in the queue (submitted or
in review). Every change is a conditional update on the reviewer the person
saw, so two analysts acting at once cannot both win and nobody silently
replaces another's claim: taking over names the reviewer being replaced.

The claim tells analysts who works on what; it does not lock the decisions
(a four-eyes report needs a second analyst's accept whoever claimed it).
Bulk actions on the queue are limited to these claim changes: none of them
decides anything or loses work, so they are safe to apply to many reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from intel.errors import WorkflowError
from intel.models import Contribution
from intel.models.contributions import QUEUE_STATUSES
from intel.reports.services._common import require_reviewer


def _set_reviewer(
    contribution: Contribution, *, expected: int | None, reviewer: User | None
) -> bool:
    """Set the reviewer only if it is still `expected` and the report still waits."""
    updated = Contribution.objects.filter(
        pk=contribution.pk, status__in=QUEUE_STATUSES, reviewer_id=expected
    ).update(reviewer=reviewer)
    if updated != 1:
        return False
    contribution.reviewer = reviewer
    return True


def _refusal(contribution: Contribution) -> WorkflowError:
    current = Contribution.objects.select_related("reviewer").get(pk=contribution.pk)
    if current.status not in QUEUE_STATUSES:
        return WorkflowError(_("This report no longer waits for review."))
    if current.reviewer is None:
        return WorkflowError(_("The claim on this report was released meanwhile; reload the page."))
    return WorkflowError(
        _("%(name)s is reviewing this report now; reload the page to see it.")
        % {"name": current.reviewer.get_short_name()}
    )


@transaction.atomic
def report_claim(
    *, contribution: Contribution, analyst: User, expected_reviewer_id: int | None = None
) -> Contribution:
    """`analyst` claims the report; with `expected_reviewer_id`, takes it over from them."""
    require_reviewer(contribution, analyst)
    if expected_reviewer_id == analyst.pk:
        return contribution  # already theirs: claiming twice changes nothing
    if not _set_reviewer(contribution, expected=expected_reviewer_id, reviewer=analyst):
        raise _refusal(contribution)
    audit_record(
        actor=analyst,
        action="report.take_over" if expected_reviewer_id else "report.claim",
        target=contribution,
        data={"from": expected_reviewer_id} if expected_reviewer_id else None,
    )
    return contribution


@transaction.atomic
def report_unclaim(*, contribution: Contribution, analyst: User) -> Contribution:
    """`analyst` releases their own claim."""
    require_reviewer(contribution, analyst)
    if not _set_reviewer(contribution, expected=analyst.pk, reviewer=None):
        raise WorkflowError(_("You are not reviewing this report."))
    audit_record(actor=analyst, action="report.unclaim", target=contribution)
    return contribution


@transaction.atomic
def report_assign(
    *,
    contribution: Contribution,
    analyst: User,
    assignee: User,
    expected_reviewer_id: int | None,
) -> Contribution:
    """`analyst` hands the report to `assignee` (another analyst, not its author)."""
    require_reviewer(contribution, analyst)
    if not assignee.is_active or not assignee.is_analyst:
        raise PermissionDenied(_("Reports can be assigned to analysts only."))
    require_reviewer(contribution, assignee)
    if expected_reviewer_id == assignee.pk:
        return contribution
    if not _set_reviewer(contribution, expected=expected_reviewer_id, reviewer=assignee):
        raise _refusal(contribution)
    audit_record(
        actor=analyst,
        action="report.assign",
        target=contribution,
        data={"to": assignee.pk, "from": expected_reviewer_id},
    )
    return contribution


@dataclass(frozen=True)
class BulkResult:
    changed: int
    skipped: int


def reports_bulk_claim(
    *, contributions: Iterable[Contribution], analyst: User, assignee: User | None = None
) -> BulkResult:
    """Claim (or assign to `assignee`) every listed report nobody has claimed yet.

    Reports claimed by someone else, decided meanwhile, or written by the
    person who would review them are skipped, never taken over: taking over is
    a choice made on one report, seeing whose claim it replaces.
    """
    changed = skipped = 0
    for contribution in contributions:
        try:
            if assignee is None:
                report_claim(contribution=contribution, analyst=analyst)
            else:
                report_assign(
                    contribution=contribution,
                    analyst=analyst,
                    assignee=assignee,
                    expected_reviewer_id=None,
                )
        except (WorkflowError, PermissionDenied):
            skipped += 1
        else:
            changed += 1
    return BulkResult(changed=changed, skipped=skipped)


def reports_bulk_unclaim(*, contributions: Iterable[Contribution], analyst: User) -> BulkResult:
    """Release `analyst`'s own claims among the listed reports; others' claims are skipped."""
    changed = skipped = 0
    for contribution in contributions:
        try:
            report_unclaim(contribution=contribution, analyst=analyst)
        except (WorkflowError, PermissionDenied):
            skipped += 1
        else:
            changed += 1
    return BulkResult(changed=changed, skipped=skipped)
