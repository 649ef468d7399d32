"""Who is told about what: one function per event, called by the service that made it happen.

Each runs inside that service's transaction. What a notification says is
chosen here, and never who wrote a report: analysts learn of a submission by
its title and sectors (an anonymous report reads like any other), and
contributors are told only about their own reports and their sectors'
requirements, never about anyone else's report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from accounts import roles
from accounts.models import Membership, User
from notifications.models import Kind
from notifications.selectors import followed_sectors
from notifications.services import notify

if TYPE_CHECKING:
    from accounts.models import Application
    from intel.models import Comment, Contribution, IntelligenceRequirement


def _analysts(*, excluding: set[int] | None = None) -> list[User]:
    people = User.objects.filter(is_active=True, groups__name=roles.ANALYSTS).distinct()
    return [user for user in people if user.pk not in (excluding or set())]


def application_submitted(*, application: Application) -> None:
    """Receipt to the applicant; the analysts hear of a new application to vet."""
    event = f"application:{application.pk}:{application.submitted_at:%Y%m%d%H%M%S%f}"
    notify(
        recipients=[application.user],
        kind=Kind.APPLICATION_RECEIVED,
        event=event,
        path=reverse("accounts:application"),
    )
    notify(
        recipients=_analysts(excluding={application.user_id}),
        kind=Kind.APPLICATION_NEW,
        event=event,
        path=reverse("accounts:vetting-detail", args=[application.pk]),
        params={"organisation": application.organisation},
    )


def application_decided(*, application: Application) -> None:
    """The applicant hears of the decision (its email is the decision email itself)."""
    notify(
        recipients=[application.user],
        kind=Kind.APPLICATION_DECIDED,
        event=f"application:{application.pk}:{application.status}:"
        f"{application.decided_at:%Y%m%d%H%M%S%f}",
        path=reverse("accounts:application"),
        params={"decision": application.status},
    )


def contribution_submitted(*, contribution: Contribution) -> None:
    """Analysts following its sectors hear of it; requirement owners of their answers."""
    author_id = contribution.author_id
    sectors = list(contribution.sector_rows.values_list("sector", flat=True))
    # An imported partner report has no author to leave out.
    analysts = _analysts(excluding={author_id} if author_id is not None else set())
    following = followed_sectors(user_ids=[user.pk for user in analysts])
    interested = [
        user
        for user in analysts
        if user.pk not in following or set(following[user.pk]) & set(sectors)
    ]
    path = reverse("intel:review_detail", args=[contribution.pk])
    event = f"contribution:{contribution.pk}:r{contribution.revision}"
    notify(
        recipients=interested,
        kind=Kind.SUBMISSION_NEW,
        event=event,
        path=path,
        params={"title": contribution.title, "sectors": sectors},
    )
    for requirement in contribution.requirements.select_related("created_by"):
        if requirement.created_by_id == author_id:
            continue
        notify(
            recipients=[requirement.created_by],
            kind=Kind.REQUIREMENT_ANSWER,
            event=f"answer:{requirement.pk}:{contribution.pk}",
            path=path,
            params={"title": contribution.title, "question": requirement.question},
        )


def second_approval_requested(*, contribution: Contribution, approver: User) -> None:
    """Every other analyst (not the author) may give the second approval."""
    notify(
        recipients=_analysts(
            excluding={approver.pk, *([contribution.author_id] if contribution.author_id else [])}
        ),
        kind=Kind.SECOND_APPROVAL,
        event=f"approval:{contribution.pk}:r{contribution.revision}",
        path=reverse("intel:review_detail", args=[contribution.pk]),
        params={"title": contribution.title},
    )


def report_decided(*, contribution: Contribution) -> None:
    """The author hears of the decision (its email is the decision email itself)."""
    if contribution.author is None:
        return
    notify(
        recipients=[contribution.author],
        kind=Kind.REPORT_DECISION,
        event=f"decision:{contribution.pk}:r{contribution.revision}:{contribution.status}",
        path=reverse("intel:contribution_detail", args=[contribution.pk]),
        params={"title": contribution.title, "decision": contribution.status},
    )


def comment_added(*, comment: Comment) -> None:
    """An analyst's comment reaches the report's author."""
    if not comment.by_analyst:
        return
    contribution = comment.contribution
    if contribution.author is None:
        return
    notify(
        recipients=[contribution.author],
        kind=Kind.REPORT_COMMENT,
        event=f"comment:{comment.pk}",
        path=reverse("intel:contribution_detail", args=[contribution.pk]),
        params={"title": contribution.title},
    )


def requirement_published(*, requirement: IntelligenceRequirement) -> None:
    """Active members of the requirement's sector hear of the new question."""
    from accounts.selectors import filter_by_sector

    members = filter_by_sector(
        Membership.objects.filter(status=Membership.Status.ACTIVE, user__is_active=True),
        requirement.sector,
    ).select_related("user")
    notify(
        recipients=[m.user for m in members if m.user_id != requirement.created_by_id],
        kind=Kind.REQUIREMENT_NEW,
        event=f"requirement:{requirement.pk}",
        path=reverse("intel:requirement_list"),
        params={"sector": requirement.sector, "question": requirement.question},
    )
