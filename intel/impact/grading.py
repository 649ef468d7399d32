"""The suggested Admiralty source grade: a pure rule over a member's track record.

Inputs are counts over the member's *attributed* contributions only (the
analysts' view; anonymous work never reaches here):

- *decided* = accepted + rejected;
- *sound* = accepted − later contradicted (a contradicted acceptance was wrong);
- *corroborated* = accepted contributions whose near-duplicate cluster holds
  an accepted attributed report of another, independent organisation;
- *contradicted* = accepted contributions an analyst later marked contradicted.

Fewer than `MIN_DECIDED` decided reports: F, reliability cannot be judged.
Otherwise the best grade whose every threshold is met (`THRESHOLDS`, all
inclusive), else E. Comparisons are in integers, so a boundary case is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_DECIDED = 5


@dataclass(frozen=True)
class Threshold:
    grade: str
    min_decided: int
    min_sound_pct: int  # sound / decided
    min_corroborated_pct: int  # corroborated / accepted
    max_contradicted_pct: int  # contradicted / accepted


THRESHOLDS = (
    Threshold("A", min_decided=10, min_sound_pct=90, min_corroborated_pct=50,
              max_contradicted_pct=0),
    Threshold("B", min_decided=5, min_sound_pct=75, min_corroborated_pct=25,
              max_contradicted_pct=10),
    Threshold("C", min_decided=5, min_sound_pct=60, min_corroborated_pct=0,
              max_contradicted_pct=20),
    Threshold("D", min_decided=5, min_sound_pct=40, min_corroborated_pct=0,
              max_contradicted_pct=100),
)  # fmt: skip


@dataclass(frozen=True)
class Suggestion:
    grade: str
    reasons: tuple[str, ...]


def _meets(
    rule: Threshold, *, accepted: int, decided: int, corroborated: int, contradicted: int
) -> bool:
    sound = accepted - contradicted
    return (
        decided >= rule.min_decided
        and sound * 100 >= rule.min_sound_pct * decided
        and corroborated * 100 >= rule.min_corroborated_pct * accepted
        and contradicted * 100 <= rule.max_contradicted_pct * accepted
    )


def suggest_grade(
    *, accepted: int, rejected: int, corroborated: int, contradicted: int
) -> Suggestion:
    """The grade the track record supports, with the reasons an analyst reads."""
    if min(accepted, rejected, corroborated, contradicted) < 0:
        raise ValueError("counts cannot be negative")
    if corroborated > accepted or contradicted > accepted:
        raise ValueError("only accepted contributions are corroborated or contradicted")
    decided = accepted + rejected
    reasons = [
        ngettext(
            "%(accepted)s accepted of %(decided)s decided",
            "%(accepted)s accepted of %(decided)s decided",
            decided,
        )
        % {"accepted": accepted, "decided": decided},
        ngettext(
            "%(count)s corroborated by independent organisations",
            "%(count)s corroborated by independent organisations",
            corroborated,
        )
        % {"count": corroborated},
        ngettext("%(count)s later contradicted", "%(count)s later contradicted", contradicted)
        % {"count": contradicted},
    ]
    if decided < MIN_DECIDED:
        reasons.append(
            _("Fewer than %(minimum)s decided reports: reliability cannot be judged.")
            % {"minimum": MIN_DECIDED}
        )
        return Suggestion("F", tuple(reasons))
    counts = {
        "accepted": accepted,
        "decided": decided,
        "corroborated": corroborated,
        "contradicted": contradicted,
    }
    for rule in THRESHOLDS:
        if _meets(rule, **counts):
            reasons.append(
                _(
                    "Grade %(grade)s needs at least %(decided)s decided, %(sound)s%% of them "
                    "accepted and not contradicted, %(corroborated)s%% of the accepted "
                    "corroborated and at most %(contradicted)s%% contradicted."
                )
                % {
                    "grade": rule.grade,
                    "decided": rule.min_decided,
                    "sound": rule.min_sound_pct,
                    "corroborated": rule.min_corroborated_pct,
                    "contradicted": rule.max_contradicted_pct,
                }
            )
            return Suggestion(rule.grade, tuple(reasons))
    reasons.append(
        _("Fewer than %(sound)s%% of decided reports accepted and not contradicted.")
        % {"sound": THRESHOLDS[-1].min_sound_pct}
    )
    return Suggestion("E", tuple(reasons))
