"""The author's side of the workflow: drafts, edits, submission and withdrawal.

draft ─submit─► submitted ─(analyst)─► in-review ─► accepted / rejected / changes-requested
  │                │                                                    │
  └──withdraw──────┘                          resubmit ◄── edit ◄───────┘

A draft holds any part of the work (a title alone, or only the text): what is
there is validated as it is saved, and completeness is checked at submission
(`_require_complete`), field by field, so the author learns everything still
missing at once. The database's constraints hold every row past draft to the
same facts.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.selectors import filter_by_sector
from community.queue import enqueue_on_commit
from intel import validation
from intel.errors import WorkflowError
from intel.models import (
    Attribution,
    CaseStudy,
    Contribution,
    ContributionCountry,
    ContributionEdit,
    ContributionSector,
    ContributionSignal,
    FieldReport,
    IntelligenceRequirement,
    Kind,
    RequirementAnswer,
    Status,
)
from intel.models.contributions import EDITABLE_STATUSES, LISTED
from intel.reports.selectors import requirements_open_for
from intel.reports.services._common import (
    audit_author_action,
    require_author,
    require_vetted,
    transition,
)
from intel.reports.services.search_index import search_index_update
from intel.text import detect_language
from intel.vocabulary import SourceReliability, Tlp

logger = logging.getLogger(__name__)

_REPORT_TEXT = ("title", "summary", "body")
_CASE_TEXT = ("title", "context", "challenge", "actions_taken", "outcome", "lessons_learned")
# One-line texts shown in lists and emails: no bidi controls, something visible.
_LINE_TEXT = ("title", "summary")


def after_submit(*, contribution: Contribution) -> None:
    """The one place where a (re)submission starts background work, after commit.

    Called inside the submitting transaction and queued through the outbox,
    so a rolled-back submission starts nothing and a committed one is tagged
    even when the broker was away: a worker tags the contribution and places
    it in its duplicate cluster (`intel.tagging.tasks.tag_contribution`).
    The revision's text is kept for the next one's diff, and analysts
    following its sectors and the owners of the requirements it answers are
    notified (`notifications.events`). Partner imports (`intel.interop.services`)
    submit through it too.
    """
    from intel.reports.revisions import revision_record
    from intel.tagging.tasks import tag_contribution
    from notifications import events

    revision_record(contribution=contribution)
    enqueue_on_commit(tag_contribution, contribution.pk)
    events.contribution_submitted(contribution=contribution)


def _clean_common(
    *,
    author: User,
    sectors: Iterable[str],
    signals: Iterable[str],
    countries: Iterable[str],
    requirement_ids: Iterable[int],
    linked: Iterable[int] = (),
) -> tuple[list[str], list[str], list[str], list[IntelligenceRequirement]]:
    """The classification and requirement links, validated (ValidationError per field).

    A requirement newly linked must be open and in one of the author's sectors
    (the requirements the author is shown, `requirements_open_for`): linking
    one from elsewhere would hand the author its question. A requirement that
    is already `linked` stays, even once it has closed.
    """
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, list[str]] = {}
    for name, values, clean in (
        # None chosen yet is a draft's right; the count is checked at submission.
        ("sectors", sectors, validation.clean_sectors if sectors else list),
        ("signals", signals, validation.clean_signals),
        ("countries", countries, validation.clean_countries),
    ):
        try:
            cleaned[name] = clean(values)
        except ValidationError as exc:
            errors[name] = exc.error_list
    sectors = list(sectors)
    wanted = {int(pk) for pk in requirement_ids}
    new = wanted - set(linked)
    allowed = set(
        requirements_open_for(user=author).filter(pk__in=new).values_list("pk", flat=True)
    )
    if allowed != new:
        errors["requirements"] = [
            ValidationError(
                _("You can only answer open intelligence requirements in your sectors.")
            )
        ]
    requirements = list(IntelligenceRequirement.objects.filter(pk__in=wanted))
    if errors:
        raise ValidationError(errors)
    return cleaned["sectors"], cleaned["signals"], cleaned["countries"], requirements


def _clean_texts(texts: dict[str, str]) -> dict[str, str]:
    """Every text trimmed; titles and summaries held to `validation.clean_line`."""
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, str] = {}
    for name, value in texts.items():
        if name not in _LINE_TEXT:
            cleaned[name] = value.strip()
            continue
        try:
            cleaned[name] = validation.clean_line(value)
        except ValidationError as exc:
            errors[name] = exc.error_list
    if errors:
        raise ValidationError(errors)
    return cleaned


def _set_rows(
    contribution: Contribution,
    *,
    sectors: list[str],
    signals: list[str],
    countries: list[str],
    requirements: list[IntelligenceRequirement],
) -> None:
    rows: tuple[tuple[type[Any], str, list[str]], ...] = (
        (ContributionSector, "sector", sectors),
        (ContributionSignal, "signal", signals),
        (ContributionCountry, "country", countries),
    )
    for model, field, values in rows:
        model.objects.filter(contribution=contribution).exclude(**{f"{field}__in": values}).delete()
        existing = set(
            model.objects.filter(contribution=contribution).values_list(field, flat=True)
        )
        model.objects.bulk_create(
            [model(contribution=contribution, **{field: v}) for v in values if v not in existing]
        )
    wanted = {requirement.pk for requirement in requirements}
    RequirementAnswer.objects.filter(contribution=contribution).exclude(
        requirement_id__in=wanted
    ).delete()
    linked = set(
        RequirementAnswer.objects.filter(contribution=contribution).values_list(
            "requirement_id", flat=True
        )
    )
    RequirementAnswer.objects.bulk_create(
        [RequirementAnswer(contribution=contribution, requirement_id=pk) for pk in wanted - linked]
    )


def _language(language: str, *texts: str) -> str:
    return language if language in ("en", "ja") else detect_language(*texts)


def _report_facts(
    *,
    date_observed: datetime.date | None,
    evidence_links: Iterable[str],
) -> tuple[datetime.date | None, list[str]]:
    errors: dict[str, list[ValidationError]] = {}
    links: list[str] = []
    try:
        if date_observed is not None:
            date_observed = validation.clean_date_observed(date_observed)
    except ValidationError as exc:
        errors["date_observed"] = exc.error_list
    try:
        links = validation.clean_evidence_links(evidence_links)
    except ValidationError as exc:
        errors["evidence_links"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    return date_observed, links


def _require_something(texts: Iterable[str]) -> None:
    if not any(texts):
        raise ValidationError(
            {"title": _("Write a title or some of the text before saving a draft.")},
            code="empty",
        )


_NEEDED: dict[str, tuple[str, ...]] = {
    Kind.REPORT: (*_REPORT_TEXT, "supply_chain_stage", "date_observed", "information_credibility"),
    Kind.CASE_STUDY: (*_CASE_TEXT, "company_size"),
}


def _require_complete(contribution: Contribution) -> None:
    """Refuse to send an incomplete contribution, naming every missing field.

    Reads the stored row (with a kept revision applied by the caller first), so
    what is checked is exactly what analysts would receive.
    """
    model = FieldReport if contribution.kind == Kind.REPORT else CaseStudy
    row = model.objects.get(pk=contribution.pk)
    if row.status not in EDITABLE_STATUSES:
        return  # the transition refuses it, with the reason
    errors: dict[str, list[ValidationError]] = {}
    for name in _NEEDED[row.kind]:
        if getattr(row, name) in ("", None):
            errors[name] = [ValidationError(_("Needed to submit: fill this in."), code="required")]
    sectors = ContributionSector.objects.filter(contribution=row).values_list("sector", flat=True)
    try:
        validation.clean_sectors(sectors)
    except ValidationError as exc:
        errors["sectors"] = exc.error_list
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def report_create_draft(
    *,
    author: User,
    title: str = "",
    summary: str = "",
    body: str = "",
    sectors: Iterable[str] = (),
    signals: Iterable[str] = (),
    countries: Iterable[str] = (),
    supply_chain_stage: str = "",
    date_observed: datetime.date | None = None,
    information_credibility: int | None = None,
    tlp: str = Tlp.GREEN,
    attribution: str = Attribution.ORGANISATION,
    evidence_links: Iterable[str] = (),
    language: str = "",
    requirement_ids: Iterable[int] = (),
) -> FieldReport:
    """A new field report in draft, owned by `author` (an active member).

    Any part may be left out but some text (`_require_something`).
    """
    require_vetted(author)
    texts = _clean_texts({"title": title, "summary": summary, "body": body})
    _require_something(texts.values())
    date_observed, links = _report_facts(date_observed=date_observed, evidence_links=evidence_links)
    sectors_, signals_, countries_, requirements = _clean_common(
        author=author,
        sectors=sectors,
        signals=signals,
        countries=countries,
        requirement_ids=requirement_ids,
    )
    report = FieldReport(
        kind=Kind.REPORT,
        author=author,
        **texts,
        supply_chain_stage=supply_chain_stage,
        date_observed=date_observed,
        information_credibility=information_credibility,
        tlp=tlp,
        attribution=attribution,
        evidence_links=links,
        language=_language(language, *texts.values()),
    )
    report.full_clean(exclude=["author", "status"])
    report.save()
    _set_rows(
        report, sectors=sectors_, signals=signals_, countries=countries_, requirements=requirements
    )
    search_index_update(contribution=report)
    return report


@transaction.atomic
def case_study_create_draft(
    *,
    author: User,
    title: str = "",
    sectors: Iterable[str] = (),
    countries: Iterable[str] = (),
    signals: Iterable[str] = (),
    company_size: str = "",
    supply_chain_stage: str = "",
    context: str = "",
    challenge: str = "",
    actions_taken: str = "",
    outcome: str = "",
    lessons_learned: str = "",
    tlp: str = Tlp.GREEN,
    attribution: str = Attribution.ORGANISATION,
    language: str = "",
    requirement_ids: Iterable[int] = (),
) -> CaseStudy:
    """A new case study in draft, owned by `author` (an active member); any part
    may be left out but some text."""
    require_vetted(author)
    sectors_, signals_, countries_, requirements = _clean_common(
        author=author,
        sectors=sectors,
        signals=signals,
        countries=countries,
        requirement_ids=requirement_ids,
    )
    texts = _clean_texts(
        {
            "title": title,
            "context": context,
            "challenge": challenge,
            "actions_taken": actions_taken,
            "outcome": outcome,
            "lessons_learned": lessons_learned,
        }
    )
    _require_something(texts.values())
    study = CaseStudy(
        kind=Kind.CASE_STUDY,
        author=author,
        company_size=company_size,
        supply_chain_stage=supply_chain_stage,
        tlp=tlp,
        attribution=attribution,
        language=_language(language, *texts.values()),
        **texts,
    )
    study.full_clean(exclude=["author", "status"])
    study.save()
    _set_rows(
        study, sectors=sectors_, signals=signals_, countries=countries_, requirements=requirements
    )
    search_index_update(contribution=study)
    return study


def _lock_editable(contribution: Contribution, actor: User) -> Contribution:
    require_author(contribution, actor)
    model = FieldReport if contribution.kind == Kind.REPORT else CaseStudy
    locked = model.objects.select_for_update().get(pk=contribution.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise WorkflowError(
            _(
                "Only drafts and reports with changes requested can be edited; "
                "this one is %(status)s."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def _revision(contribution: Contribution, text_fields: tuple[str, ...]) -> dict[str, Any]:
    """Everything the author may change, as `contribution` shows it."""
    names = (*text_fields, *sorted(_EDITABLE_FIELDS[contribution.kind]), "language")
    state = {name: getattr(contribution, name) for name in names}
    state.update({name: getattr(contribution, name) for name in LISTED})
    return state


def _same(name: str, a: Any, b: Any) -> bool:
    # Slug lists are sets; evidence links keep the author's order.
    return sorted(a) == sorted(b) if name in LISTED else bool(a == b)


def _keep_revision(
    contribution: Contribution, *, submitted: dict[str, Any], revised: dict[str, Any]
) -> None:
    """Store what the revision changes from the submitted report (nothing left: no revision)."""
    changes = {
        name: value for name, value in revised.items() if not _same(name, value, submitted[name])
    }
    if changes:
        ContributionEdit.objects.update_or_create(
            contribution=contribution, defaults={"changes": changes}
        )
    else:
        ContributionEdit.objects.filter(contribution=contribution).delete()


def _update(
    contribution: Contribution,
    *,
    actor: User,
    text_fields: tuple[str, ...],
    changes: dict[str, Any],
) -> Contribution:
    """Change a draft in place, or revise a report with changes requested.

    A revision is validated exactly like a draft but kept apart
    (`ContributionEdit`) until resubmission, so analysts go on seeing what was
    submitted. The returned contribution shows the change either way.
    """
    locked = _lock_editable(contribution, actor)
    revising = locked.status == Status.CHANGES_REQUESTED
    submitted: dict[str, Any] = {}
    if revising:
        submitted = _revision(locked, text_fields)
        edit = ContributionEdit.objects.select_for_update().filter(contribution=locked).first()
        if edit is not None:
            locked.show_revision(edit.values())
    rows = {name: changes.pop(name) for name in LISTED if name in changes}
    if locked.kind == Kind.REPORT and ("date_observed" in changes or "evidence_links" in changes):
        changes["date_observed"], changes["evidence_links"] = _report_facts(
            date_observed=changes.get("date_observed", locked.date_observed),
            evidence_links=changes.get("evidence_links", getattr(locked, "evidence_links", [])),
        )
    if rows:
        linked = list(locked.answer_rows.values_list("requirement_id", flat=True))
        sectors, signals, countries, requirements = _clean_common(
            author=actor,
            sectors=rows.get("sectors", locked.sectors),
            signals=rows.get("signals", locked.signals),
            countries=rows.get("countries", locked.countries),
            requirement_ids=rows.get("requirement_ids", locked.requirement_ids),
            linked=linked,
        )
    if (
        revising
        and changes.get("attribution") == Attribution.ANONYMOUS
        and submitted["attribution"] != Attribution.ANONYMOUS
    ):
        # The audit trail and the thread already tie this report to its author.
        raise ValidationError(
            {
                "attribution": _(
                    "Analysts have already seen this report with your name or organisation, "
                    "so it cannot become anonymous. Write a new report to stay anonymous."
                )
            }
        )
    language = changes.pop("language", None)
    changes.update(_clean_texts({name: changes[name] for name in text_fields if name in changes}))
    for name, value in changes.items():
        if name not in {*text_fields, *_EDITABLE_FIELDS[locked.kind]}:
            raise ValueError(f"{name} cannot be changed here")
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _require_something(getattr(locked, name) for name in text_fields)
    locked.language = _language(language or "", *(getattr(locked, f) for f in text_fields))
    locked.full_clean(exclude=["author", "status"])
    if revising:
        if rows:
            locked.show_revision(
                {"sectors": sectors, "signals": signals, "countries": countries,
                 "requirement_ids": [requirement.pk for requirement in requirements]}
            )  # fmt: skip
        _keep_revision(locked, submitted=submitted, revised=_revision(locked, text_fields))
        return locked
    locked.save()
    if rows:
        _set_rows(
            locked,
            sectors=sectors,
            signals=signals,
            countries=countries,
            requirements=requirements,
        )
    search_index_update(contribution=locked)
    return locked


_COMMON_FIELDS = {"tlp", "attribution"}
_EDITABLE_FIELDS: dict[str, set[str]] = {
    Kind.REPORT: _COMMON_FIELDS
    | {"supply_chain_stage", "date_observed", "information_credibility", "evidence_links"},
    # Optional for a case study: the library is filtered by it.
    Kind.CASE_STUDY: _COMMON_FIELDS | {"company_size", "supply_chain_stage"},
}


@transaction.atomic
def report_update(*, report: FieldReport, actor: User, **changes: Any) -> FieldReport:
    """Change a draft or a report with changes requested (its author only).

    Accepts the keyword arguments of `report_create_draft` (any subset).
    """
    return cast(
        FieldReport, _update(report, actor=actor, text_fields=_REPORT_TEXT, changes=changes)
    )


@transaction.atomic
def case_study_update(*, case_study: CaseStudy, actor: User, **changes: Any) -> CaseStudy:
    """Change a draft case study or one with changes requested (its author only)."""
    return cast(
        CaseStudy, _update(case_study, actor=actor, text_fields=_CASE_TEXT, changes=changes)
    )


def anonymous_source_grade(*, author: User, sectors: Iterable[str]) -> str:
    """The source grade an anonymous contribution shows: one that at least
    `ANONYMOUS_GRADE_K` members who could have written it would show too.

    Analysts see the grade of anonymous reports (it weighs them), can search by
    it, and read every member's grade in the directory, so the exact grade can
    name the author: the only "A" in a sector. The candidates are the active
    members whose expertise shares one of the report's sectors, and the author.
    Their grades, from A (best) down, are cut into bands of at least K members
    (a short last band joins the one before it), and a report shows the worst
    grade held in its author's band: the author's grade or lower, and the same
    grade every member of that band would get. Lowering the author's grade only
    until K members hold it or better would not do: with five As and one B, the
    B member alone would show B. With fewer than K candidates in all the grade
    is F, "reliability cannot be judged", the floor.
    """
    k = settings.ANONYMOUS_GRADE_K
    own = author.membership.source_grade
    members = Membership.objects.filter(status=Membership.Status.ACTIVE, user__is_active=True)
    sharing = members.none()
    for sector in set(sectors):
        sharing |= filter_by_sector(members, sector)
    held = Counter(
        dict(
            sharing.exclude(user=author)
            .order_by()
            .values_list("source_grade")
            .annotate(count=Count("pk"))
        )
    )
    held[own] += 1
    if held.total() < k:
        return SourceReliability.F
    bands: list[list[str]] = []
    band: list[str] = []
    size = 0
    for grade in SourceReliability.values:
        if held[grade]:
            band.append(grade)
            size += held[grade]
        if size >= k:
            bands.append(band)
            band, size = [], 0
    if band:
        bands[-1] += band
    return next(band[-1] for band in bands if own in band)


def _snapshot(author: User, contribution: Contribution) -> dict[str, str]:
    """The grade and organisation analysts judge this submission by.

    An anonymous one keeps no organisation (nothing shows it, and a stored one
    could only ever help to name the author) and a grade that many members share
    (`anonymous_source_grade`); the others keep the author's grade as it is.
    """
    membership = author.membership
    # As stored, whatever the caller's copy says.
    attribution = Contribution.objects.values_list("attribution", flat=True).get(pk=contribution.pk)
    if attribution != Attribution.ANONYMOUS:
        return {"source_grade": membership.source_grade, "organisation": membership.organisation}
    sectors = ContributionSector.objects.filter(contribution=contribution).values_list(
        "sector", flat=True
    )
    return {
        "source_grade": anonymous_source_grade(author=author, sectors=sectors),
        "organisation": "",
    }


@transaction.atomic
def report_submit(*, contribution: Contribution, actor: User) -> Contribution:
    """Send a draft to the analysts. The author must be an active member, and
    the draft complete (ValidationError naming each missing field)."""
    require_author(contribution, actor)
    require_vetted(actor)
    _require_complete(contribution)
    if not transition(
        contribution,
        from_statuses=(Status.DRAFT,),
        to_status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        **_snapshot(actor, contribution),
    ):
        raise WorkflowError(_("Only a draft can be submitted."))
    audit_author_action(contribution=contribution, action="report.submit")
    after_submit(contribution=contribution)
    return contribution


def _apply_revision(contribution: Contribution) -> bool:
    """Write the author's kept revision to the report's rows; False if there was none."""
    model = FieldReport if contribution.kind == Kind.REPORT else CaseStudy
    # The row first, then its revision: the order `_update` locks them in.
    row = model.objects.select_for_update().get(pk=contribution.pk)
    edit = ContributionEdit.objects.select_for_update().filter(contribution=row).first()
    if edit is None or row.status != Status.CHANGES_REQUESTED:
        return False
    values = edit.values()
    listed = {name: values.pop(name) for name in LISTED if name in values}
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    if listed:
        requirement_ids = listed.get("requirement_ids", row.requirement_ids)
        _set_rows(
            row,
            sectors=listed.get("sectors", row.sectors),
            signals=listed.get("signals", row.signals),
            countries=listed.get("countries", row.countries),
            requirements=list(IntelligenceRequirement.objects.filter(pk__in=requirement_ids)),
        )
    search_index_update(contribution=row)
    edit.delete()
    return True


@transaction.atomic
def report_resubmit(*, contribution: Contribution, actor: User) -> Contribution:
    """Send a revised report back to the analysts as a new revision.

    The revision the author kept (`ContributionEdit`) becomes the report now,
    in the same transaction as the state change.
    """
    require_author(contribution, actor)
    require_vetted(actor)
    if _apply_revision(contribution):
        contribution.refresh_from_db()
    _require_complete(contribution)
    if not transition(
        contribution,
        from_statuses=(Status.CHANGES_REQUESTED,),
        to_status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        revision=F("revision") + 1,
        reviewer=None,
        **_snapshot(actor, contribution),
    ):
        raise WorkflowError(_("Only a report with changes requested can be resubmitted."))
    contribution.refresh_from_db(fields=["revision"])
    audit_author_action(
        contribution=contribution,
        action="report.resubmit",
        data={"revision": contribution.revision},
    )
    after_submit(contribution=contribution)
    return contribution


@transaction.atomic
def contribution_submit(*, contribution: Contribution, actor: User) -> Contribution:
    """Send `contribution` to the analysts: a draft is submitted, one with changes
    requested resubmitted; any other state is refused (`WorkflowError`)."""
    if contribution.status == Status.CHANGES_REQUESTED:
        return report_resubmit(contribution=contribution, actor=actor)
    return report_submit(contribution=contribution, actor=actor)


@transaction.atomic
def contribution_save(
    *,
    author: User,
    kind: str,
    contribution: Contribution | None = None,
    submit: bool = False,
    **fields: Any,
) -> Contribution:
    """Save the author's form: a new draft of `kind`, or a change to `contribution`;
    with `submit`, also send it to the analysts (`contribution_submit`), all or nothing.

    `fields` are the keyword arguments of `report_create_draft` or
    `case_study_create_draft` (any subset when changing).
    """
    saved: Contribution
    if contribution is None:
        create = report_create_draft if kind == Kind.REPORT else case_study_create_draft
        saved = create(author=author, **fields)
    elif kind == Kind.REPORT:
        saved = report_update(report=cast(FieldReport, contribution), actor=author, **fields)
    else:
        saved = case_study_update(case_study=cast(CaseStudy, contribution), actor=author, **fields)
    if submit:
        contribution_submit(contribution=saved, actor=author)
    return saved


@transaction.atomic
def report_withdraw(*, contribution: Contribution, actor: User, reason: str = "") -> Contribution:
    """The author takes a report back before an analyst has started reviewing it."""
    require_author(contribution, actor)
    if not transition(
        contribution,
        from_statuses=(Status.DRAFT, Status.SUBMITTED),
        to_status=Status.WITHDRAWN,
    ):
        raise WorkflowError(
            _("A report can be withdrawn only before an analyst starts reviewing it.")
        )
    audit_author_action(contribution=contribution, action="report.withdraw", reason=reason)
    return contribution


def contributions_anonymise(*, author: User) -> int:
    """Accepted intelligence stays when its author's account goes, without a person behind it.

    Reports and case studies are part of the community's record (digests,
    briefings and corroboration counts were built on them), so deletion turns
    their attribution to anonymous and drops the organisation snapshot instead
    of deleting them; a revision the person never resubmitted is erased.
    Called by `accounts.services.account_delete` inside its transaction.

    Returns how many were attributed: the audit trail shows it, and a count of
    the already anonymous ones would tell its readers this person wrote some.
    """
    theirs = Contribution.objects.filter(author=author)
    attributed = theirs.exclude(attribution=Attribution.ANONYMOUS).update(
        attribution=Attribution.ANONYMOUS, organisation=""
    )
    theirs.update(organisation="")
    ContributionEdit.objects.filter(contribution__author=author).delete()
    return attributed
