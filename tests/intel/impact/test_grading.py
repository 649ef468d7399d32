"""The suggested source grade: the pure rule at and around each boundary (no database)."""

from __future__ import annotations

import pytest
from django.utils import translation

from intel.impact.grading import MIN_DECIDED, suggest_grade


def grade(accepted: int, rejected: int, corroborated: int = 0, contradicted: int = 0) -> str:
    return suggest_grade(
        accepted=accepted, rejected=rejected, corroborated=corroborated, contradicted=contradicted
    ).grade


@pytest.mark.parametrize("decided", range(MIN_DECIDED))
def test_too_few_decided_reports_cannot_be_judged(decided):
    assert grade(decided, 0, corroborated=decided) == "F"


def test_five_decided_reports_are_enough_to_judge():
    assert grade(5, 0, corroborated=2) == "B"


@pytest.mark.parametrize(
    ("accepted", "rejected", "corroborated", "contradicted", "expected"),
    [
        # A: at least 10 decided, 90 % sound, half corroborated, none contradicted.
        (9, 1, 5, 0, "A"),  # exactly 90 % sound, 5 of 9 corroborated
        (9, 1, 4, 0, "B"),  # 4 of 9 corroborated: under half
        (8, 2, 8, 0, "B"),  # 80 % sound
        (9, 0, 9, 0, "B"),  # only 9 decided
        (10, 0, 10, 1, "B"),  # one contradiction rules out A
        # B: 75 % sound, a quarter corroborated, at most 10 % contradicted.
        (6, 2, 2, 0, "B"),  # exactly 75 %, 2 of 6 corroborated
        (6, 2, 1, 0, "C"),  # 1 of 6 corroborated: under a quarter
        (4, 0, 1, 0, "F"),  # 4 decided
        (10, 0, 3, 1, "B"),  # exactly 10 % contradicted
        (10, 0, 3, 2, "C"),  # 20 % contradicted, 80 % sound
        # C: 60 % sound, at most 20 % contradicted.
        (3, 2, 0, 0, "C"),  # exactly 60 %
        (10, 0, 0, 3, "D"),  # 30 % contradicted
        # D: 40 % sound; E below.
        (2, 3, 0, 0, "D"),  # exactly 40 %
        (1, 4, 0, 0, "E"),
        (0, 5, 0, 0, "E"),
        (5, 5, 5, 5, "E"),  # everything accepted later contradicted
    ],
)
def test_grade_boundaries(accepted, rejected, corroborated, contradicted, expected):
    assert grade(accepted, rejected, corroborated, contradicted) == expected


def test_reasons_say_what_the_grade_rests_on():
    with translation.override("en"):
        suggestion = suggest_grade(accepted=12, rejected=2, corroborated=5, contradicted=1)
    assert suggestion.reasons[:3] == (
        "12 accepted of 14 decided",
        "5 corroborated by independent organisations",
        "1 later contradicted",
    )
    assert suggestion.grade == "B"
    assert suggestion.reasons[3].startswith("Grade B needs at least 5 decided")


def test_too_few_reports_says_it_cannot_be_judged():
    with translation.override("en"):
        suggestion = suggest_grade(accepted=1, rejected=1, corroborated=0, contradicted=0)
    assert suggestion.grade == "F"
    assert suggestion.reasons[-1] == "Fewer than 5 decided reports: reliability cannot be judged."


@pytest.mark.parametrize(
    "counts",
    [
        {"accepted": -1, "rejected": 0, "corroborated": 0, "contradicted": 0},
        {"accepted": 1, "rejected": 0, "corroborated": 2, "contradicted": 0},
        {"accepted": 1, "rejected": 0, "corroborated": 0, "contradicted": 2},
    ],
)
def test_impossible_counts_are_refused(counts):
    with pytest.raises(ValueError):
        suggest_grade(**counts)
