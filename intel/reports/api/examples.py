"""OpenAPI examples for the intel API (shown in /api/docs/)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

REPORT_EN = OpenApiExample(
    "English field report",
    request_only=True,
    value={
        "title": "Gallium export licences delayed for Japanese buyers",
        "summary": "Three distributors report licence decisions taking over 60 days.",
        "body": "Our procurement team saw **three** licence applications stall since May.",
        "sectors": ["critical-minerals", "semiconductors"],
        "signals": ["export-control", "supply-disruption"],
        "countries": ["CN", "JP"],
        "supply_chain_stage": "raw-materials",
        "date_observed": "2025-06-02",
        "information_credibility": 2,
        "tlp": "amber",
        "attribution": "organisation",
        "evidence_links": ["https://www.example.org/notice-2025-14"],
        "requirements": [],
    },
)
REPORT_JA = OpenApiExample(
    "Japanese field report",
    request_only=True,
    value={
        "title": "ガリウムの輸出規制が強化された",
        "summary": "中国当局による許可審査が長期化し、国内調達に遅れが出ている。",
        "body": "当社の調達部門では、5月以降3件の許可申請が止まっている。",
        "sectors": ["critical-minerals"],
        "signals": ["export-control"],
        "countries": ["CN", "JP"],
        "supply_chain_stage": "processing",
        "date_observed": "2025-06-02",
        "information_credibility": 3,
        "tlp": "green",
        "attribution": "anonymous",
    },
)
REPORT_DRAFT = OpenApiExample(
    "Partial draft (completed later, checked at submit)",
    request_only=True,
    value={"title": "Gallium export licences delayed for Japanese buyers"},
)
REPORT_ERRORS = OpenApiExample(
    "Validation errors",
    response_only=True,
    status_codes=["400"],
    value={
        "date_observed": [
            "The date observed cannot be in the future. Enter today's date or an earlier one."
        ],
        "sectors": ["Choose between one and three sectors (you chose 4)."],
    },
)
CASE_STUDY_EN = OpenApiExample(
    "Case study",
    request_only=True,
    value={
        "title": "Dual-sourcing neon after 2022",
        "sectors": ["semiconductors"],
        "countries": ["UA", "JP"],
        "company_size": "medium",
        "context": "A mid-sized lithography parts maker relying on one neon supplier.",
        "challenge": "Supply stopped within a week.",
        "actions_taken": "Qualified a second supplier and built three months of stock.",
        "outcome": "No line stoppage during the next disruption.",
        "lessons_learned": "Qualification takes longer than stock lasts: start early.",
        "tlp": "green",
        "attribution": "organisation",
    },
)
DECISION = OpenApiExample(
    "Request changes",
    request_only=True,
    value={"reason": "Please name the port and give the date the shipment was held."},
)
REQUIREMENT = OpenApiExample(
    "Requirement",
    request_only=True,
    value={
        "sector": "critical-minerals",
        "question": "Are gallium export licence times changing for Japanese buyers?",
        "details": "Especially processing-stage buyers.",
        "priority": 3,
        "due_date": "2030-01-31",
    },
)
