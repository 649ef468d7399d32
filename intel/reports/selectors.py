"""Every non-trivial read on intel, with the joins and prefetches a list needs.

Visibility, in one place:
- a contributor sees their own contributions, in any state, with the
  revision they have not yet resubmitted (`as_author_sees`);
- an analyst whose sign-in passed the second factor (`has_analyst_access`,
  the rule of accounts.permissions) sees every contribution that has ever been
  submitted, never another's draft, and of a report sent back for changes the
  revision that was submitted: the rows, and the files attached before it
  (`reviewer_attachments`);
- nobody else sees any contribution (a 404, so existence is not revealed).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts import roles
from accounts.models import Membership, User
from accounts.permissions import has_analyst_access
from intel.models import (
    Attachment,
    Attribution,
    Comment,
    Contribution,
    ContributionCountry,
    ContributionEdit,
    ContributionSector,
    ContributionSignal,
    IntelligenceRequirement,
    ReviewApproval,
    SavedSearch,
    Status,
)
from intel.models.contributions import QUEUE_STATUSES
from intel.tagging.selectors import TagGroup, TagRow, tags_for_review


def with_rows(queryset: QuerySet[Contribution]) -> QuerySet[Contribution]:
    """`queryset` with its sector, signal and country rows prefetched."""
    return queryset.prefetch_related("sector_rows", "signal_rows", "country_rows")


def as_author_sees(contribution: Contribution) -> Contribution:
    """`contribution` (and its kind-specific row) showing the author's kept revision, if any.

    Only for the author's own pages and API: analysts read the rows as submitted.
    """
    try:
        edit = contribution.pending_edit
    except ContributionEdit.DoesNotExist:
        return contribution
    values = edit.values()
    contribution.show_revision(values)
    detail = contribution.detail
    if detail is not contribution:
        detail.show_revision(values)
    return contribution


def contributions_of_author(
    *, user: User, model: type[Contribution] = Contribution
) -> QuerySet[Contribution]:
    """The author's contributions (only field reports or case studies: `model`), newest
    change first (show each with `as_author_sees`)."""
    queryset = with_rows(model.objects.filter(author=user)).select_related("pending_edit")
    if model is Contribution:
        queryset = queryset.select_related("fieldreport", "casestudy")
    return queryset.order_by("-updated_at", "-pk")


def author_track_record(*, user: User, include_anonymous: bool = False) -> dict[str, int]:
    """How many of the author's contributions were submitted, accepted and rejected.

    Without `include_anonymous` the anonymous ones are left out: analysts read
    these figures, and a count that moved when an anonymous report was
    submitted or decided would name its author.
    """
    contributions = Contribution.objects.filter(author=user)
    if not include_anonymous:
        contributions = contributions.exclude(attribution=Attribution.ANONYMOUS)
    return contributions.aggregate(
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
        rejected=Count("pk", filter=Q(status=Status.REJECTED)),
    )


def contribution_for_author(*, user: User, pk: int) -> Contribution:
    """The author's own contribution with its kind-specific text, as they see it, or 404."""
    try:
        contribution = (
            with_rows(Contribution.objects.filter(author=user))
            .select_related("fieldreport", "casestudy", "pending_edit")
            .get(pk=pk)
        )
    except Contribution.DoesNotExist:
        raise Http404 from None
    return as_author_sees(contribution)


def submitted_contributions() -> QuerySet[Contribution]:
    """Everything analysts may see: ever submitted, drafts never."""
    return Contribution.objects.filter(submitted_at__isnull=False)


def contribution_for_reviewer(*, pk: int) -> Contribution:
    try:
        return (
            with_rows(submitted_contributions())
            .select_related("fieldreport", "casestudy", "author", "reviewer")
            .get(pk=pk)
        )
    except Contribution.DoesNotExist:
        raise Http404 from None


def contribution_for_viewer(*, user: Any, pk: int) -> Contribution:
    """For pages both sides use (comments, downloads): the author or a reviewer."""
    if not user.is_authenticated:
        raise Http404
    if has_analyst_access(user):
        queryset = submitted_contributions() | Contribution.objects.filter(author=user)
    elif user.is_vetted_contributor:
        queryset = Contribution.objects.filter(author=user)
    else:
        raise Http404
    try:
        return queryset.select_related("fieldreport", "casestudy").get(pk=pk)
    except Contribution.DoesNotExist:
        raise Http404 from None


def attachment_for_viewer(*, user: Any, pk: int) -> Attachment:
    try:
        attachment = Attachment.objects.get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    # Raises 404 unless the contribution is visible to `user`.
    contribution = contribution_for_viewer(user=user, pk=attachment.contribution_id)
    if (
        contribution.author_id != user.pk
        and not reviewer_attachments(contribution=contribution).filter(pk=pk).exists()
    ):
        raise Http404
    return attachment


def comments_of(*, contribution: Contribution) -> QuerySet[Comment]:
    return contribution.comments.select_related("author").order_by("created_at", "pk")


def tags_for_author(*, contribution: Contribution) -> list[TagGroup]:
    """The tags `contribution` is filed under, for its author to read: the
    automatic ones with analysts' corrections applied, by kind, readable names.

    Only this contribution's own rows are read: nothing of its duplicate
    cluster, so the author never learns that another report resembles theirs.
    Evidence and scores stay with the analysts.
    """
    groups = []
    for group in tags_for_review(contribution=contribution):
        rows = [
            TagRow(kind=row.kind, slug=row.slug, label=row.label)
            for row in group.rows
            if (row.automatic or row.added_by_analyst) and not row.removed_by_analyst
        ]
        if rows:
            groups.append(TagGroup(kind=group.kind, label=group.label, rows=rows))
    return groups


def row_exists(model: type[models.Model], field: str, value: str) -> Exists:
    return Exists(model._default_manager.filter(contribution=OuterRef("pk"), **{field: value}))


def filter_contributions(
    queryset: QuerySet[Contribution],
    *,
    sector: str = "",
    signal: str = "",
    country: str = "",
    statuses: list[str] | None = None,
    tlp: str = "",
    source_grade: str = "",
    kind: str = "",
    language: str = "",
) -> QuerySet[Contribution]:
    """Filters of the review queue and search. EXISTS keeps one row per contribution."""
    if sector:
        queryset = queryset.filter(row_exists(ContributionSector, "sector", sector))
    if signal:
        queryset = queryset.filter(row_exists(ContributionSignal, "signal", signal))
    if country:
        queryset = queryset.filter(row_exists(ContributionCountry, "country", country.upper()))
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if tlp:
        queryset = queryset.filter(tlp=tlp)
    if source_grade:
        queryset = queryset.filter(source_grade=source_grade)
    if kind:
        queryset = queryset.filter(kind=kind)
    if language:
        queryset = queryset.filter(language=language)
    return queryset


def review_queue(**filters: Any) -> QuerySet[Contribution]:
    """Submitted and in-review contributions, oldest submission first."""
    if not filters.get("statuses"):
        filters["statuses"] = list(QUEUE_STATUSES)
    queryset = filter_contributions(submitted_contributions(), **filters)
    # A subquery per row shown, not a join grouped over the whole queue: the page's
    # COUNT(*) then leaves it out and reads the queue index alone.
    approvals = (
        ReviewApproval.objects.filter(contribution=OuterRef("pk"))
        .order_by()
        .values("contribution")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        with_rows(queryset)
        .select_related("author", "reviewer")
        .defer("search_vector", "feedback")
        .annotate(approval_count=Coalesce(Subquery(approvals, output_field=IntegerField()), 0))
        .order_by("submitted_at", "pk")
    )


def search(*, user: Any, query: str = "", sort: str = "", **filters: Any) -> QuerySet[Contribution]:
    """Search every submitted contribution `user` may read: `intel.reports.search`."""
    from intel.reports.search import search_contributions

    return search_contributions(user=user, query=query, sort=sort, **filters)


def saved_searches_of(*, user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user).order_by("name", "pk")


def saved_search_for(*, user: User, pk: int) -> SavedSearch:
    """The user's own saved search, or 404 (another's is not revealed)."""
    try:
        return SavedSearch.objects.get(user=user, pk=pk)
    except SavedSearch.DoesNotExist:
        raise Http404 from None


def requirements_open_for(*, user: User) -> QuerySet[IntelligenceRequirement]:
    """Open requirements in the sectors of the member's expertise."""
    try:
        sectors = list(user.membership.sectors or [])
    except Membership.DoesNotExist:
        sectors = []
    return IntelligenceRequirement.objects.filter(
        status=IntelligenceRequirement.Status.OPEN, sector__in=sectors
    ).order_by("-priority", "due_date", "pk")


def requirements_with_counts(*, status: str = "") -> QuerySet[IntelligenceRequirement]:
    """Requirements with how many submitted contributions answer each."""
    queryset = IntelligenceRequirement.objects.select_related("created_by").annotate(
        answer_count=Count(
            "answers",
            filter=Q(answers__contribution__submitted_at__isnull=False)
            & ~Q(answers__contribution__status=Status.WITHDRAWN),
        )
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("status", "-priority", "due_date", "pk")


def attachments_of(*, contribution: Contribution) -> QuerySet[Attachment]:
    return contribution.attachments.order_by("created_at", "pk")


# Files attached while a report is back with its author belong to the revision.
_SUBMITTED_FILES = ~Q(contribution__status=Status.CHANGES_REQUESTED) | Q(
    created_at__lte=F("contribution__submitted_at")
)


def reviewer_attachments(*, contribution: Contribution) -> QuerySet[Attachment]:
    """The files analysts see: those of the submitted revision."""
    return attachments_of(contribution=contribution).filter(_SUBMITTED_FILES)


def reviewer_attachments_prefetch() -> Prefetch:
    """`reviewer_attachments` for a list of contributions, as `attachments`."""
    return Prefetch(
        "attachments",
        queryset=Attachment.objects.filter(_SUBMITTED_FILES).order_by("created_at", "pk"),
    )


def requirements_answered(*, contribution: Contribution) -> QuerySet[IntelligenceRequirement]:
    """The requirements `contribution` answers, as its viewer sees it."""
    return IntelligenceRequirement.objects.filter(pk__in=contribution.requirement_ids).order_by(
        "-priority", "due_date", "pk"
    )


def analysts_for_assignment() -> QuerySet[User]:
    """Active analysts a report can be assigned to, by name."""
    return User.objects.filter(is_active=True, groups__name=roles.ANALYSTS).order_by(
        "display_name", "email"
    )


def queue_contributions(*, pks: list[int]) -> QuerySet[Contribution]:
    """The listed contributions still waiting in the review queue (for bulk actions)."""
    return submitted_contributions().filter(pk__in=pks, status__in=QUEUE_STATUSES).order_by("pk")
