"""Hand-made data for the digest tests: contributions accepted at exact moments.

Contributions are written as drafts through the services (so they are valid),
then moved to "accepted" with the timestamps, grade and organisation the test
needs: the weekly figures depend on `accepted_at`, which the services set to
"now". No tagging runs, so clusters are exactly the ones a test creates (with
the tagging factories). Digests written as rows, without a build, come from
`tests/intel/digests/factories.py`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from intel.digests.core import TOKYO
from intel.models import Contribution, DuplicateCluster, IntelligenceRequirement, RequirementAnswer
from tests.accounts.factories import MembershipFactory
from tests.intel.digests.factories import SectorAssessmentFactory
from tests.intel.factories import CaseStudyFactory, FieldReportFactory, RequirementFactory
from tests.intel.tagging.factories import ContributionFingerprintFactory, DuplicateClusterFactory

# The hand-made week: Monday 5 October 2026 to Sunday 11 October, Asia/Tokyo.
WEEK = datetime.date(2026, 10, 5)
SECTOR = "critical-minerals"


def jst(day: datetime.date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TOKYO)


def days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)


def member(organisation: str) -> Any:
    return MembershipFactory(organisation=organisation).user


def accepted(
    author: Any,
    *,
    at: datetime.datetime,
    tlp: str = "green",
    sectors: tuple[str, ...] = (SECTOR,),
    signals: tuple[str, ...] = ("export-control",),
    countries: tuple[str, ...] = ("CN",),
    credibility: int = 2,
    grade: str = "C",
    organisation: str | None = None,
    observed: datetime.date | None = None,
    case_study: bool = False,
    cluster: DuplicateCluster | None = None,
    requirement: IntelligenceRequirement | None = None,
    title: str = "",
    status: str = "accepted",
) -> Contribution:
    """One contribution accepted at `at` (aware), with exactly these facts."""
    if case_study:
        draft = CaseStudyFactory(
            author=author, sectors=list(sectors), countries=list(countries), tlp=tlp,
            **({"title": title} if title else {}),
        )  # fmt: skip
    else:
        draft = FieldReportFactory(
            author=author,
            sectors=list(sectors),
            signals=list(signals),
            countries=list(countries),
            tlp=tlp,
            information_credibility=credibility,
            date_observed=observed or at.astimezone(TOKYO).date(),
            **({"title": title} if title else {}),
        )
    if organisation is None:
        organisation = author.membership.organisation
    Contribution.objects.filter(pk=draft.pk).update(
        status=status,
        submitted_at=at - days(1),
        decided_at=at if status == "accepted" else None,
        accepted_at=at if status == "accepted" else None,
        source_grade=grade,
        organisation=organisation,
    )
    if cluster is not None:
        ContributionFingerprintFactory(contribution=draft, cluster=cluster)
    if requirement is not None:
        RequirementAnswer.objects.create(requirement=requirement, contribution=draft)
    return Contribution.objects.get(pk=draft.pk)


@dataclass
class HandMadeWeek:
    """What `hand_made_week` created, by the names the tests use."""

    items: dict[str, Contribution] = field(default_factory=dict)
    cluster: DuplicateCluster | None = None
    requirement: IntelligenceRequirement | None = None
    closed_requirement: IntelligenceRequirement | None = None


def hand_made_week(*, contributor: Any, other_contributor: Any, analyst: Any) -> HandMadeWeek:
    """The critical-minerals week of 5 October 2026, with its four previous weeks.

    This week (Monday 00:00 – Sunday 24:00 JST), critical minerals:

    | name | TLP   | signals                   | countries | cred | grade | org   |
    | A    | green | export-control            | CN JP     | 1    | A     | Org A |
    | B1   | green | export-control, sanctions | CN        | 2    | B     | Org B |
    | B2   | green | export-control            | CN        | 3    | C     | Org C |
    | B3   | green | export-control            | CN        | 2    | B     | Org B |
    | C    | amber | sanctions                 | RU        | 2    | A     | Org A |
    | D    | clear | (case study)              | UA        | –    | C     | Org A |
    | E    | red   | export-control            | CN        | 1    | A     | Org A |
    | M    | clear | tariff                    | JP        | 2    | C     | Org A |
    | N    | green | tariff                    | KR        | 2    | C     | Org A |

    A answers a critical requirement and is also in semiconductors. B1, B2 and B3
    form cluster X (B2 observed the week before; B3 is B1's author again, a
    repeat). M is accepted Monday 00:00:00, N Sunday 23:59:59.

    Not counted this week: Z (semiconductors only), Q (submitted, not accepted),
    B4 (cluster X, accepted next Monday 00:00). Earlier weeks: P0 (export
    control, Sunday 23:59 before the week), sanctions 2, 2, 1, 1 over the four
    weeks, B0 (cluster X, two weeks earlier, Org D), X3 (export control,
    three weeks earlier).
    """
    made = HandMadeWeek()
    org_c, org_d, org_e = member("Org C"), member("Org D"), member("Org E")
    cluster = DuplicateClusterFactory()
    made.cluster = cluster
    monday, sunday = WEEK, WEEK + days(6)
    requirement = RequirementFactory(created_by=analyst, sector="critical-minerals", priority=4)
    closed = RequirementFactory(created_by=analyst, sector="critical-minerals", priority=2)
    IntelligenceRequirement.objects.filter(pk=requirement.pk).update(created_at=jst(monday, 9))
    IntelligenceRequirement.objects.filter(pk=closed.pk).update(
        created_at=jst(monday - days(30)), status="closed", closed_at=jst(monday + days(2))
    )
    made.requirement, made.closed_requirement = requirement, closed
    a, b = contributor, other_contributor
    spec: dict[str, tuple[Any, dict[str, Any]]] = {
        "A": (
            a,
            {
                "at": jst(monday + days(1)),
                "sectors": ("critical-minerals", "semiconductors"),
                "countries": ("CN", "JP"),
                "credibility": 1,
                "grade": "A",
                "organisation": "Org A",
                "requirement": requirement,
                "title": "A: gallium licences stall",
            },
        ),
        "B1": (
            b,
            {
                "at": jst(monday + days(2)),
                "signals": ("export-control", "sanctions"),
                "credibility": 2,
                "grade": "B",
                "organisation": "Org B",
                "cluster": cluster,
                "title": "B1: germanium shipments held",
            },
        ),
        "B2": (
            org_c,
            {
                "at": jst(monday + days(3)),
                "credibility": 3,
                "grade": "C",
                "organisation": "Org C",
                "cluster": cluster,
                "observed": monday - days(3),
                "title": "B2: germanium held at port",
            },
        ),
        "B3": (
            b,
            {
                "at": jst(monday + days(4)),
                "credibility": 2,
                "grade": "B",
                "organisation": "Org B",
                "cluster": cluster,
                "title": "B3: germanium shipments still held",
            },
        ),
        "C": (
            a,
            {
                "at": jst(monday + days(2)),
                "tlp": "amber",
                "signals": ("sanctions",),
                "countries": ("RU",),
                "credibility": 2,
                "grade": "A",
                "organisation": "Org A",
                "title": "C: AMBER sanctions evasion route",
            },
        ),
        "D": (
            a,
            {
                "at": jst(monday + days(5)),
                "tlp": "clear",
                "case_study": True,
                "countries": ("UA",),
                "grade": "C",
                "organisation": "Org A",
                "title": "D: neon dual sourcing",
            },
        ),
        "E": (
            a,
            {
                "at": jst(monday + days(3)),
                "tlp": "red",
                "credibility": 1,
                "grade": "A",
                "organisation": "Org A",
                "title": "E: RED licence blacklist",
            },
        ),
        "M": (
            a,
            {
                "at": jst(monday, 0, 0, 0),
                "tlp": "clear",
                "signals": ("tariff",),
                "countries": ("JP",),
                "organisation": "Org A",
                "title": "M: tariff notice",
            },
        ),
        "N": (
            a,
            {
                "at": jst(sunday, 23, 59, 59),
                "signals": ("tariff",),
                "countries": ("KR",),
                "organisation": "Org A",
                "title": "N: tariff rumour",
            },
        ),
        # Not in this week's critical-minerals digest:
        "Z": (
            a,
            {
                "at": jst(monday + days(2)),
                "sectors": ("semiconductors",),
                "title": "Z: wafer prices",
            },
        ),
        "Q": (
            a,
            {"at": jst(monday + days(2)), "status": "submitted", "title": "Q: still submitted"},
        ),
        "B4": (
            org_e,
            {
                "at": jst(sunday + days(1), 0, 0, 0),
                "organisation": "Org E",
                "cluster": cluster,
                "title": "B4: next week's duplicate",
            },
        ),
        # Earlier weeks:
        "P0": (a, {"at": jst(monday - days(1), 23, 59, 0), "title": "P0: the Sunday before"}),
        "B0": (
            org_d,
            {
                "at": jst(monday - days(12)),
                "signals": ("stockpiling",),
                "credibility": 3,
                "grade": "D",
                "organisation": "Org D",
                "cluster": cluster,
                "observed": monday - days(40),
                "title": "B0: earlier duplicate",
            },
        ),
        "X3": (a, {"at": jst(monday - days(19)), "title": "X3: three weeks earlier"}),
    }
    for index, (weeks_before, count) in enumerate(((1, 2), (2, 2), (3, 1), (4, 1))):
        for number in range(count):
            spec[f"S{weeks_before}{number}"] = (
                a,
                {
                    "at": jst(monday - days(7 * weeks_before - 2)),
                    "signals": ("sanctions",),
                    "title": f"S{weeks_before}{number}: sanctions {index}",
                },
            )
    for name, (author, kwargs) in spec.items():
        made.items[name] = accepted(author, **kwargs)
    # The sector was blue (3/4) before the week and is assessed red (3/5) during it.
    SectorAssessmentFactory(
        sector=SECTOR, sector_class="blue", autonomy=3, indispensability=4,
        rationale="Strong refining know-how.", assessed_by=analyst, at=jst(monday - days(20)),
    )  # fmt: skip
    SectorAssessmentFactory(
        sector=SECTOR, sector_class="red", autonomy=3, indispensability=5,
        rationale="New extraction technology changes the picture.", assessed_by=analyst,
        at=jst(monday + days(1)),
    )  # fmt: skip
    return made


def now_in_tokyo() -> datetime.datetime:
    return timezone.now().astimezone(TOKYO)
