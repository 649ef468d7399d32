"""The author's side of the workflow: drafts, edits, submission and withdrawal.

draft ─submit─► submitted ─(analyst)─► in-review ─► accepted / rejected / changes-requested
  │                │                                                    │
  └──withdraw──────┘                          resubmit ◄── edit ◄───────┘

A draft must be as complete as a submission (the same form validates both),
so "save draft" never stores something that could not later be submitted.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from intel import validation
from intel.errors import WorkflowError
from intel.models import (
    CaseStudy,
    Contribution,
    ContributionCountry,
    ContributionSector,
    ContributionSignal,
    FieldReport,
    IntelligenceRequirement,
    Kind,
    RequirementAnswer,
    Status,
)
from intel.models.contributions import EDITABLE_STATUSES
from intel.text import detect_language

from ._common import audit_author_action, require_author, require_vetted, transition
from .search_index import search_index_update

logger = logging.getLogger(__name__)

_REPORT_TEXT = ("title", "summary", "body")
_CASE_TEXT = ("title", "context", "challenge", "actions_taken", "outcome", "lessons_learned")
# One-line texts shown in lists and emails: no bidi controls, something visible.
_LINE_TEXT = ("title", "summary")


def _after_submit(*, contribution_id: int) -> None:
    """The one place where a (re)submission starts background work, after commit.

    Runs through `transaction.on_commit`, so a rolled-back submission starts
    nothing: a worker tags the contribution and places it in its duplicate
    cluster (`intel.tasks.tag_contribution`).
    """
    from intel.tasks import tag_contribution

    tag_contribution.delay(contribution_id)


def _clean_common(
    *,
    sectors: Iterable[str],
    signals: Iterable[str],
    countries: Iterable[str],
    requirement_ids: Iterable[int],
) -> tuple[list[str], list[str], list[str], list[IntelligenceRequirement]]:
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, list[str]] = {}
    for name, values, clean in (
        ("sectors", sectors, validation.clean_sectors),
        ("signals", signals, validation.clean_signals),
        ("countries", countries, validation.clean_countries),
    ):
        try:
            cleaned[name] = clean(values)
        except ValidationError as exc:
            errors[name] = exc.error_list
    wanted = {int(pk) for pk in requirement_ids}
    requirements = list(
        IntelligenceRequirement.objects.filter(
            pk__in=wanted, status=IntelligenceRequirement.Status.OPEN
        )
    )
    if len(requirements) != len(wanted):
        errors["requirements"] = [
            ValidationError(_("You can only answer open intelligence requirements."))
        ]
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
) -> tuple[datetime.date, list[str]]:
    errors: dict[str, list[ValidationError]] = {}
    links: list[str] = []
    try:
        date_observed = validation.clean_date_observed(date_observed)
    except ValidationError as exc:
        errors["date_observed"] = exc.error_list
    try:
        links = validation.clean_evidence_links(evidence_links)
    except ValidationError as exc:
        errors["evidence_links"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    return cast(datetime.date, date_observed), links


@transaction.atomic
def report_create_draft(
    *,
    author: User,
    title: str,
    summary: str,
    body: str,
    sectors: Iterable[str],
    signals: Iterable[str] = (),
    countries: Iterable[str] = (),
    supply_chain_stage: str,
    date_observed: datetime.date | None,
    information_credibility: int,
    tlp: str,
    attribution: str,
    evidence_links: Iterable[str] = (),
    language: str = "",
    requirement_ids: Iterable[int] = (),
) -> FieldReport:
    """A new field report in draft, owned by `author` (an active member)."""
    require_vetted(author)
    texts = _clean_texts({"title": title, "summary": summary, "body": body})
    date_observed, links = _report_facts(date_observed=date_observed, evidence_links=evidence_links)
    sectors_, signals_, countries_, requirements = _clean_common(
        sectors=sectors, signals=signals, countries=countries, requirement_ids=requirement_ids
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
    title: str,
    sectors: Iterable[str],
    countries: Iterable[str] = (),
    signals: Iterable[str] = (),
    company_size: str,
    context: str,
    challenge: str,
    actions_taken: str,
    outcome: str,
    lessons_learned: str,
    tlp: str,
    attribution: str,
    language: str = "",
    requirement_ids: Iterable[int] = (),
) -> CaseStudy:
    """A new case study in draft, owned by `author` (an active member)."""
    require_vetted(author)
    sectors_, signals_, countries_, requirements = _clean_common(
        sectors=sectors, signals=signals, countries=countries, requirement_ids=requirement_ids
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
    study = CaseStudy(
        kind=Kind.CASE_STUDY,
        author=author,
        company_size=company_size,
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


def _update(
    contribution: Contribution,
    *,
    actor: User,
    text_fields: tuple[str, ...],
    changes: dict[str, Any],
) -> Contribution:
    locked = _lock_editable(contribution, actor)
    rows = {
        name: changes.pop(name)
        for name in ("sectors", "signals", "countries", "requirement_ids")
        if name in changes
    }
    if locked.kind == Kind.REPORT and ("date_observed" in changes or "evidence_links" in changes):
        changes["date_observed"], changes["evidence_links"] = _report_facts(
            date_observed=changes.get("date_observed", locked.date_observed),
            evidence_links=changes.get("evidence_links", getattr(locked, "evidence_links", [])),
        )
    if rows:
        sectors, signals, countries, requirements = _clean_common(
            sectors=rows.get("sectors", locked.sectors),
            signals=rows.get("signals", locked.signals),
            countries=rows.get("countries", locked.countries),
            requirement_ids=rows.get(
                "requirement_ids", locked.answer_rows.values_list("requirement_id", flat=True)
            ),
        )
    language = changes.pop("language", None)
    changes.update(_clean_texts({name: changes[name] for name in text_fields if name in changes}))
    for name, value in changes.items():
        if name not in {*text_fields, *_EDITABLE_FIELDS[locked.kind]}:
            raise ValueError(f"{name} cannot be changed here")
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    locked.language = _language(language or "", *(getattr(locked, f) for f in text_fields))
    locked.full_clean(exclude=["author", "status"])
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
    Kind.CASE_STUDY: _COMMON_FIELDS | {"company_size"},
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


def _snapshot(author: User) -> dict[str, str]:
    membership = author.membership
    return {"source_grade": membership.source_grade, "organisation": membership.organisation}


@transaction.atomic
def report_submit(*, contribution: Contribution, actor: User) -> Contribution:
    """Send a draft to the analysts. The author must be an active member."""
    require_author(contribution, actor)
    require_vetted(actor)
    if not transition(
        contribution,
        from_statuses=(Status.DRAFT,),
        to_status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        **_snapshot(actor),
    ):
        raise WorkflowError(_("Only a draft can be submitted."))
    audit_author_action(contribution=contribution, action="report.submit")
    transaction.on_commit(partial(_after_submit, contribution_id=contribution.pk))
    return contribution


@transaction.atomic
def report_resubmit(*, contribution: Contribution, actor: User) -> Contribution:
    """Send a revised report back to the analysts as a new revision."""
    require_author(contribution, actor)
    require_vetted(actor)
    if not transition(
        contribution,
        from_statuses=(Status.CHANGES_REQUESTED,),
        to_status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        revision=F("revision") + 1,
        reviewer=None,
        **_snapshot(actor),
    ):
        raise WorkflowError(_("Only a report with changes requested can be resubmitted."))
    contribution.refresh_from_db(fields=["revision"])
    audit_author_action(
        contribution=contribution,
        action="report.resubmit",
        data={"revision": contribution.revision},
    )
    transaction.on_commit(partial(_after_submit, contribution_id=contribution.pk))
    return contribution


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
