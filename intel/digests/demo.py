"""Demo digests for `seed_demo`: an assessment per sector and this week's digests.

Runs after the demo reports (`intel.demo`), whose accepted reports fall in
the current week. Idempotent: a sector that already has an assessment gets
no new one, the build refreshes open drafts and leaves published digests
alone, and the critical-minerals digest is published once — so the sector
list, dashboards and archive have content, and the semiconductors draft is
left for the analyst to edit and publish.

`item_facts` is for digests written as rows rather than built from reports
(the briefings benchmark, and tests that need exact items at exact levels):
the facts of one item in the shape the build freezes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import TextIOBase
from typing import Any

from django.utils import timezone

from accounts.models import User
from intel.digests import core as digest_core
from intel.digests import services as digest_services
from intel.models import Digest, SectorAssessment

ANALYST = "analyst@example.org"
PUBLISHED_SECTOR = "critical-minerals"

# (class, autonomy, strategic indispensability, rationale) per sector.
ASSESSMENTS: dict[str, tuple[str, int, int, str]] = {
    "critical-minerals": ("green", 2, 2, "Refining of gallium, germanium and rare earths is "
                          "concentrated in one country; diversify processing and stockpile."),
    "semiconductors": ("blue", 3, 4, "Leading positions in materials and equipment; protect "
                       "them through export controls and investment screening."),
    "batteries": ("green", 2, 3, "Cathode and anode materials depend on a few suppliers."),
    "energy": ("green", 2, 2, "Fuel imports dominate; LNG contracts are the main lever."),
    "food-security": ("green", 3, 2, "Fertiliser inputs are imported; grain stocks are adequate."),
    "defense": ("blue", 3, 3, "Niche components are world-class; supply depth is thin."),
    "ai": ("red", 2, 3, "Disruptive: invest in compute, data and talent."),
    "quantum": ("red", 3, 3, "Early-stage field where proactive investment pays most."),
    "robotics": ("blue", 4, 4, "Actuators and controllers others rely on; guard acquisitions."),
    "telecommunications": ("green", 2, 2, "Network equipment comes from few vendors."),
    "pharmaceuticals": ("green", 2, 2, "Active ingredients are largely imported."),
    "shipbuilding": ("blue", 3, 3, "Design and specialised vessels remain strong."),
    "space": ("red", 3, 3, "Launch and small satellites: invest to keep pace."),
    "advanced-materials": ("blue", 4, 5, "Carbon fibre and high-purity chemicals are "
                           "indispensable to others; protect and control."),
}  # fmt: skip

SUMMARY = (
    "Export-control friction on **gallium** dominates the week: licence decisions for "
    "Japanese buyers now take about two months. Watch processing-stage buyers."
)


def seed(stdout: TextIOBase) -> None:
    analyst = User.objects.filter(email=ANALYST).first()
    if analyst is None or not analyst.is_analyst:
        stdout.write("  skipped  digests demo (demo analyst missing)\n")
        return
    assessed = set(SectorAssessment.objects.values_list("sector", flat=True).distinct())
    for sector, (sector_class, autonomy, indispensability, rationale) in ASSESSMENTS.items():
        if sector in assessed:
            continue
        digest_services.assessment_record(
            analyst=analyst, sector=sector, sector_class=sector_class, autonomy=autonomy,
            indispensability=indispensability, rationale=rationale,
        )  # fmt: skip
        stdout.write(f"  created  assessment: {sector} ({sector_class})\n")
    week = digest_core.week_start_of(timezone.now().astimezone(digest_core.TOKYO).date())
    results = digest_services.digests_build_week(week_start=week)
    created = sum(1 for result in results if result.outcome == "created")
    stdout.write(f"  built    digests for the week of {week} ({created} new)\n")
    digest = Digest.objects.filter(
        sector=PUBLISHED_SECTOR, week_start=week, status__in=["draft", "edited"]
    ).first()
    if (
        digest is not None
        and not Digest.objects.filter(
            sector=PUBLISHED_SECTOR, week_start=week, status="published"
        ).exists()
    ):
        digest_services.digest_edit(
            digest=digest, analyst=analyst, summary=SUMMARY, summary_tlp="green"
        )
        digest_services.digest_publish(digest=digest, analyst=analyst)
        stdout.write(f"  published digest: {PUBLISHED_SECTOR}, week of {week}\n")


def item_facts(
    *,
    title: str,
    tlp: str,
    member_id: int,
    kind: str = "report",
    signals: Sequence[str] = ("export-control",),
    countries: Sequence[str] = ("JP",),
    corroboration: int = 1,
) -> dict[str, Any]:
    """`DigestItem.data` of an item standing for one contribution (`member_id`) at `tlp`."""
    return {
        "title": title,
        "kind": kind,
        "signals": list(signals),
        "countries": list(countries),
        "corroboration": corroboration,
        "member_count": 1,
        "members": [{"id": member_id, "tlp": tlp, "kind": kind}],
    }
