"""Submitted revisions: kept at each (re)submission, compared for the analyst who reviews.

`revision_record` runs in the submitting transaction and stores the text the
analysts read; `revision_diff` compares the current revision with the one
before, word by word (difflib), for the review page. The template escapes
every piece: a diff never renders the author's markup.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from intel.models import CaseStudy, Contribution, ContributionRevision, FieldReport

# Runs of word characters (a Japanese phrase is one run), spaces, or one other character.
TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def _fields(contribution: Contribution) -> dict[str, str]:
    detail = contribution.detail
    values = {"title": contribution.title}
    if isinstance(detail, FieldReport):
        values |= {"summary": detail.summary, "body": detail.body}
    elif isinstance(detail, CaseStudy):
        values |= {
            "context": detail.context,
            "challenge": detail.challenge,
            "actions_taken": detail.actions_taken,
            "outcome": detail.outcome,
            "lessons_learned": detail.lessons_learned,
        }
    values["classification"] = " ".join(
        [*contribution.sectors, *contribution.signals, *contribution.countries]
    )
    return values


def revision_record(*, contribution: Contribution) -> None:
    """Keep what `contribution`'s current revision says (once per revision)."""
    # Read back as stored: the caller's object may hold rows cached before the change.
    current = Contribution.objects.select_related("fieldreport", "casestudy").get(
        pk=contribution.pk
    )
    ContributionRevision.objects.get_or_create(
        contribution_id=current.pk,
        revision=current.revision,
        defaults={"fields": _fields(current)},
    )


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    # (operation, text): "equal", "insert" or "delete".
    pieces: list[tuple[str, str]]


def _labels() -> dict[str, str]:
    return {
        "title": _("Title"),
        "summary": _("Summary"),
        "body": _("Report"),
        "context": _("Context"),
        "challenge": _("Challenge"),
        "actions_taken": _("Actions taken"),
        "outcome": _("Outcome"),
        "lessons_learned": _("Lessons learned"),
        "classification": _("Classification"),
    }


def diff_texts(before: str, after: str) -> list[tuple[str, str]]:
    """Word-level differences of two texts, as (operation, text) pieces."""
    old, new = TOKENS.findall(before), TOKENS.findall(after)
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            pieces.append(("equal", "".join(old[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(("delete", "".join(old[a1:a2])))
        if b2 > b1:
            pieces.append(("insert", "".join(new[b1:b2])))
    return pieces


def revision_diff(*, contribution: Contribution) -> list[FieldDiff] | None:
    """What changed since the previous revision, field by field (None: nothing to compare)."""
    if contribution.revision < 2:
        return None
    stored = {
        row.revision: row.fields
        for row in ContributionRevision.objects.filter(
            contribution=contribution,
            revision__in=[contribution.revision - 1, contribution.revision],
        )
    }
    before = stored.get(contribution.revision - 1)
    if before is None:
        return None
    after = stored.get(contribution.revision) or _fields(contribution)
    labels = _labels()
    return [
        FieldDiff(
            name=name, label=labels.get(name, name), pieces=diff_texts(before.get(name, ""), text)
        )
        for name, text in after.items()
        if before.get(name, "") != text
    ]
