"""Demo intelligence for `seed_demo`: requirements, reports and case studies in en and ja.

Everything goes through the services, so the demo has the audit trail and
search index a real site would have. Idempotent: an item whose title the demo
contributor already has (or a requirement whose question exists) is skipped.
"""

from __future__ import annotations

import datetime
from io import TextIOBase
from typing import Any

from django.utils import timezone

from accounts.models import User
from intel.models import Contribution, IntelligenceRequirement
from intel.reports import services

CONTRIBUTOR = "contributor@example.org"
ANALYST = "analyst@example.org"
ADMIN = "admin@example.org"

REQUIREMENTS: list[dict[str, Any]] = [
    {"sector": "critical-minerals", "priority": 4, "due_in": 21,
     "question": "Are licence times for gallium and germanium exports to Japan changing?",
     "details": "Processing-stage buyers especially; dates and volumes help most."},
    {"sector": "semiconductors", "priority": 3, "due_in": 35,
     "question": "Which HBM suppliers are rationing allocations to Japanese customers?",
     "details": ""},
    {"sector": "semiconductors", "priority": 2, "due_in": 60,
     "question": "半導体製造装置の保守部品の調達リードタイムに変化はありますか。",
     "details": "特にオランダ・米国製装置について。"},
    {"sector": "food-security", "priority": 2, "due_in": 45,
     "question": "Are fertiliser importers seeing new export restrictions on potash?",
     "details": ""},
]  # fmt: skip

REPORTS: list[dict[str, Any]] = [
    {"state": "accepted", "days_ago": 20, "tlp": "green", "attribution": "organisation",
     "title": "Gallium export licences delayed for Japanese buyers",
     "summary": "Three distributors report licence decisions for gallium taking over 60 days.",
     "body": "Our procurement team has seen **three** licence applications for gallium "
             "stall since May. Distributors in Shanghai say export control reviews now need "
             "end-user certificates for every shipment.\n\n- average wait: 64 days\n- "
             "previous average: 20 days",
     "sectors": ["critical-minerals", "semiconductors"],
     "signals": ["export-control", "supply-disruption"], "countries": ["CN", "JP"],
     "stage": "raw-materials", "credibility": 2,
     "links": ["https://www.example.org/notices/2025-14"], "requirement": 0},
    {"state": "accepted", "days_ago": 15, "tlp": "amber", "attribution": "named",
     "title": "ガリウムの輸出規制が強化された",
     "summary": "中国当局による許可審査が長期化し、"
                "国内の化合物半導体メーカーで調達に遅れが出ている。",
     "body": "当社の調達部門では、5月以降に申請した3件の輸出許可が保留となっている。"
             "商社によると、最終需要者証明の提出が全出荷で求められるようになった。",
     "sectors": ["critical-minerals"], "signals": ["export-control"],
     "countries": ["CN", "JP"], "stage": "processing", "credibility": 3, "links": [],
     "requirement": 0},
    {"state": "submitted", "days_ago": 6, "tlp": "amber", "attribution": "anonymous",
     "title": "HBM allocation cut for two Japanese server makers",
     "summary": "A supplier told two server makers their HBM3E allocation for Q3 is cut by 30%.",
     "body": "Sales staff cited priority orders from US hyperscalers. No price change was "
             "offered; the cut applies to contracted volumes.",
     "sectors": ["semiconductors", "ai"], "signals": ["supply-disruption", "price-shock"],
     "countries": ["KR", "US", "JP"], "stage": "components", "credibility": 3, "links": [],
     "requirement": 1},
    {"state": "in-review", "days_ago": 9, "tlp": "red", "attribution": "organisation",
     "title": "Unsolicited acquisition approach to a robotics actuator maker",
     "summary": "A fund with opaque ownership approached a Japanese actuator supplier.",
     "body": "The approach came through a Singapore vehicle; the supplier makes harmonic "
             "drives used in industrial and defence robots.",
     "sectors": ["robotics", "defense"], "signals": ["acquisition"],
     "countries": ["SG", "JP"], "stage": "components", "credibility": 4, "links": [],
     "requirement": None},
    {"state": "changes-requested", "days_ago": 12, "tlp": "green", "attribution": "organisation",
     "title": "Lithography spare parts lead times doubled",
     "summary": "Service engineers report 16-week waits for spare parts.",
     "body": "Lead times for DUV spare parts went from eight to sixteen weeks.",
     "sectors": ["semiconductors"], "signals": ["supply-disruption"],
     "countries": ["NL", "JP"], "stage": "manufacturing", "credibility": 3, "links": [],
     "requirement": 2,
     "reason": "Please say which parts and how many tools are affected, and since when."},
    {"state": "rejected", "days_ago": 25, "tlp": "clear", "attribution": "named",
     "title": "Rumour of a rare-earth stockpile release",
     "summary": "Market chatter about a stockpile release; no source.",
     "body": "Heard at a trade fair; could not confirm.",
     "sectors": ["critical-minerals"], "signals": ["stockpiling"], "countries": ["CN"],
     "stage": "raw-materials", "credibility": 5, "links": [], "requirement": None,
     "reason": "Unsourced market rumour; resubmit as a new report if you can corroborate it."},
    {"state": "draft", "days_ago": 1, "tlp": "green", "attribution": "organisation",
     "title": "肥料原料の輸出制限に関する観測",
     "summary": "カリ肥料の輸入業者が新たな輸出制限の可能性を指摘している。",
     "body": "下書き:取引先二社から聞き取り中。",
     "sectors": ["food-security"], "signals": ["export-control", "price-shock"],
     "countries": ["BY", "JP"], "stage": "logistics", "credibility": 6, "links": [],
     "requirement": None},  # food security is not among the demo member's sectors
    {"state": "withdrawn", "days_ago": 30, "tlp": "green", "attribution": "organisation",
     "title": "Port congestion in Rotterdam (duplicate)",
     "summary": "Duplicate of an earlier note; withdrawn by the author.",
     "body": "Withdrawn.", "sectors": ["energy"], "signals": ["supply-disruption"],
     "countries": ["NL"], "stage": "logistics", "credibility": 3, "links": [],
     "requirement": None},
]  # fmt: skip

CASE_STUDIES: list[dict[str, Any]] = [
    {"state": "accepted", "tlp": "green", "attribution": "organisation",
     "title": "Dual-sourcing neon after 2022", "sectors": ["semiconductors"],
     "countries": ["UA", "JP"], "company_size": "medium",
     "context": "A mid-sized maker of lithography light-source parts relied on one neon supplier.",
     "challenge": "Supply stopped within a week of the invasion of Ukraine.",
     "actions_taken": "Qualified a second supplier in Japan and built three months of stock.",
     "outcome": "No line stoppage during the next disruption in 2023.",
     "lessons_learned": "Qualification takes longer than stock lasts: start before the crisis."},
    {"state": "submitted", "tlp": "amber", "attribution": "anonymous",
     "title": "電池材料の調達先多様化", "sectors": ["batteries", "critical-minerals"],
     "countries": ["CN", "AU", "JP"], "company_size": "large",
     "context": "正極材メーカーが黒鉛とリチウムの大半を単一国から調達していた。",
     "challenge": "輸出管理の強化により、調達リスクが急速に高まった。",
     "actions_taken": "豪州の鉱山と長期契約を結び、国内で前駆体の試作を始めた。",
     "outcome": "二年で単一国依存を八割から五割に下げた。",
     "lessons_learned": "長期契約には政府系金融の支援が不可欠だった。"},
]  # fmt: skip


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _requirements(analyst: User, stdout: TextIOBase) -> list[IntelligenceRequirement]:
    result = []
    for spec in REQUIREMENTS:
        requirement = IntelligenceRequirement.objects.filter(question=spec["question"]).first()
        if requirement is None:
            requirement = services.requirement_publish(
                analyst=analyst,
                sector=spec["sector"],
                question=spec["question"],
                details=spec["details"],
                priority=spec["priority"],
                due_date=timezone.localdate() + datetime.timedelta(days=spec["due_in"]),
            )
            stdout.write(f"  created  requirement: {requirement.question[:60]}\n")
        result.append(requirement)
    return result


def _advance(
    contribution: Contribution,
    *,
    state: str,
    author: User,
    analyst: User,
    second: User | None,
    reason: str,
) -> None:
    """Walk `contribution` from draft to `state` through the services."""
    if state == "draft":
        return
    if state == "withdrawn":
        services.report_withdraw(contribution=contribution, actor=author)
        return
    services.report_submit(contribution=contribution, actor=author)
    if state == "submitted":
        return
    services.report_start_review(contribution=contribution, analyst=analyst)
    if state == "accepted":
        services.report_accept(contribution=contribution, analyst=analyst)
        if contribution.needs_two_analysts and second is not None:
            services.report_accept(contribution=contribution, analyst=second)
    elif state == "rejected":
        services.report_reject(contribution=contribution, analyst=analyst, reason=reason)
    elif state == "changes-requested":
        services.report_request_changes(contribution=contribution, analyst=analyst, reason=reason)


def seed(stdout: TextIOBase) -> User | None:
    """Seed the demo reports; return the demo contributor (None if the demo users are missing)."""
    author, analyst, admin = _user(CONTRIBUTOR), _user(ANALYST), _user(ADMIN)
    if author is None or analyst is None or not author.is_vetted_contributor:
        stdout.write("  skipped  intel demo (demo contributor or analyst missing)\n")
        return None
    requirements = _requirements(analyst, stdout)
    existing = set(Contribution.objects.filter(author=author).values_list("title", flat=True))
    today = timezone.localdate()
    for spec in REPORTS:
        if spec["title"] in existing:
            continue
        index = spec["requirement"]
        report = services.report_create_draft(
            author=author,
            title=spec["title"],
            summary=spec["summary"],
            body=spec["body"],
            sectors=spec["sectors"],
            signals=spec["signals"],
            countries=spec["countries"],
            supply_chain_stage=spec["stage"],
            date_observed=today - datetime.timedelta(days=spec["days_ago"]),
            information_credibility=spec["credibility"],
            tlp=spec["tlp"],
            attribution=spec["attribution"],
            evidence_links=spec["links"],
            requirement_ids=[requirements[index].pk] if index is not None else [],
        )
        _advance(
            report, state=spec["state"], author=author, analyst=analyst, second=admin,
            reason=spec.get("reason", ""),
        )  # fmt: skip
        stdout.write(f"  created  report ({spec['state']}): {spec['title'][:60]}\n")
    for spec in CASE_STUDIES:
        if spec["title"] in existing:
            continue
        study = services.case_study_create_draft(
            author=author,
            title=spec["title"],
            sectors=spec["sectors"],
            countries=spec["countries"],
            company_size=spec["company_size"],
            context=spec["context"],
            challenge=spec["challenge"],
            actions_taken=spec["actions_taken"],
            outcome=spec["outcome"],
            lessons_learned=spec["lessons_learned"],
            tlp=spec["tlp"],
            attribution=spec["attribution"],
        )
        _advance(
            study, state=spec["state"], author=author, analyst=analyst, second=admin, reason=""
        )
        stdout.write(f"  created  case study ({spec['state']}): {spec['title'][:60]}\n")
    return author
