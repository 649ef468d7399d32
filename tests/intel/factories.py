"""factory_boy factories for intel. Reports are created through the services, as users do."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from intel.models import CaseStudy, FieldReport, IntelligenceRequirement
from intel.reports import services


class FieldReportFactory(factory.Factory):
    """A valid draft field report; pass `author=` (an active member)."""

    class Meta:
        model = FieldReport

    title = factory.Sequence(lambda n: f"Gallium export licences delayed, batch {n}")
    summary = "Distributors report licence decisions taking over 60 days."
    body = "Our procurement team saw three licence applications stall since May."
    sectors = factory.LazyFunction(lambda: ["critical-minerals"])
    signals = factory.LazyFunction(lambda: ["export-control"])
    countries = factory.LazyFunction(lambda: ["CN", "JP"])
    supply_chain_stage = "raw-materials"
    date_observed = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    information_credibility = 2
    tlp = "green"
    attribution = "organisation"
    evidence_links = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> FieldReport:
        return services.report_create_draft(**kwargs)


class CaseStudyFactory(factory.Factory):
    class Meta:
        model = CaseStudy

    title = factory.Sequence(lambda n: f"Dual-sourcing neon, case {n}")
    sectors = factory.LazyFunction(lambda: ["semiconductors"])
    countries = factory.LazyFunction(lambda: ["UA"])
    company_size = "medium"
    context = "A parts maker relied on one neon supplier."
    challenge = "Supply stopped within a week."
    actions_taken = "Qualified a second supplier."
    outcome = "No line stoppage."
    lessons_learned = "Start qualification early."
    tlp = "green"
    attribution = "organisation"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> CaseStudy:
        return services.case_study_create_draft(**kwargs)


class RequirementFactory(factory.django.DjangoModelFactory):
    """An open requirement; pass `created_by=` an analyst."""

    class Meta:
        model = IntelligenceRequirement

    sector = "critical-minerals"
    question = factory.Sequence(lambda n: f"Are gallium licence times changing? ({n})")
    priority = 3
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
