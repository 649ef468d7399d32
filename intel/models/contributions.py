"""Field reports and case studies: what contributors submit and analysts review.

`Contribution` is the concrete parent of both kinds (multi-table inheritance):
it holds everything the workflow, the review queue, search and the weekly
aggregation need — status and its timestamps, handling level, attribution,
the source-grade snapshot, date observed, credibility and supply-chain stage —
so those never join the long text, which lives in `FieldReport` and
`CaseStudy`. One review queue, one comment thread model, one search index
and one set of classification rows then serve both kinds.

Sectors, signals and countries are normalised rows (`ContributionSector` …),
one per (contribution, slug), indexed by (slug, contribution). A weekly count
per sector over a million reports is then a GROUP BY over an index range of
accepted contributions joined by primary key; it works the same on SQLite and
PostgreSQL (arrays would be PostgreSQL-only), and a slug is a plain column the
digests can group, filter and join on.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now
from django.utils.translation import gettext_lazy as _

from community.constraints import choices_constraint
from intel.vocabulary import InformationCredibility, Sector, Signal, SourceReliability, Tlp


class Kind(models.TextChoices):
    REPORT = "report", _("Field report")
    CASE_STUDY = "case-study", _("Case study")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in-review", _("In review")
    CHANGES_REQUESTED = "changes-requested", _("Changes requested")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The author may change the text only in these states (services enforce it).
EDITABLE_STATUSES = (Status.DRAFT, Status.CHANGES_REQUESTED)
# What the author classifies as lists of slugs (rows) rather than fields.
LISTED = ("sectors", "signals", "countries", "requirement_ids")
# States an analyst's queue shows by default: waiting for or under review.
QUEUE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW)


class Language(models.TextChoices):
    EN = "en", _("English")
    JA = "ja", _("Japanese")


class Attribution(models.TextChoices):
    NAMED = "named", _("Named (my name and organisation)")
    ORGANISATION = "organisation", _("Organisation only")
    ANONYMOUS = "anonymous", _("Anonymous")


class SupplyChainStage(models.TextChoices):
    RAW_MATERIALS = "raw-materials", _("Raw materials")
    PROCESSING = "processing", _("Processing")
    COMPONENTS = "components", _("Components")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    LOGISTICS = "logistics", _("Logistics")
    END_MARKET = "end-market", _("End market")


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Micro (fewer than 10 people)")
    SMALL = "small", _("Small (10–49 people)")
    MEDIUM = "medium", _("Medium (50–249 people)")
    LARGE = "large", _("Large (250–999 people)")
    ENTERPRISE = "enterprise", _("Enterprise (1,000 people or more)")


class Contribution(models.Model):
    """What the workflow sees of a field report or case study."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind, editable=False)
    # A member wrote it, or it was imported from a partner's STIX bundle
    # (exactly one of the two; see `intel.interop.services`).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("author"),
    )
    partner_source = models.ForeignKey(
        "intel.PartnerSource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("partner source"),
    )
    # The imported STIX object's id and `modified`, so a re-import finds it.
    # The database default keeps bulk loaders that name their columns
    # (`intel.benchmarks`) working without knowing of imports.
    stix_id = models.CharField(
        _("STIX id"), max_length=100, blank=True, default="", db_default="", editable=False
    )
    stix_modified = models.DateTimeField(_("STIX modified"), null=True, blank=True, editable=False)
    # Blank only in drafts: `intel_contr_title_submitted` and the submit service
    # hold every sent report to a title.
    title = models.CharField(_("title"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language, default="en")
    tlp = models.CharField(_("handling level"), max_length=16, choices=Tlp, default=Tlp.GREEN)
    attribution = models.CharField(
        _("attribution"), max_length=16, choices=Attribution, default=Attribution.ORGANISATION
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    # Field-report facts kept here so aggregation and filters never join the text.
    supply_chain_stage = models.CharField(
        _("supply-chain stage"), max_length=16, choices=SupplyChainStage, blank=True
    )
    date_observed = models.DateField(_("date observed"), null=True, blank=True)
    information_credibility = models.PositiveSmallIntegerField(
        _("information credibility"), choices=InformationCredibility, null=True, blank=True
    )
    # Snapshots taken at each submission: the grade and organisation the
    # analyst judged the source by, kept even if the membership changes later.
    source_grade = models.CharField(
        _("source grade"), max_length=1, choices=SourceReliability, blank=True
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    feedback = models.TextField(_("analyst feedback"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    requirements = models.ManyToManyField(
        "intel.IntelligenceRequirement",
        through="intel.RequirementAnswer",
        related_name="contributions",
        blank=True,
        verbose_name=_("answers requirements"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Weighted full-text document, PostgreSQL only (NULL on SQLite); written by
    # intel.reports.services.search_index, GIN-indexed by migration 0002.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="intel_contr_queue_idx"),
            # Wide enough for the weekly scans (digests, dashboards) to read the index alone.
            models.Index(
                fields=["status", "accepted_at", "tlp", "kind", "supply_chain_stage", "id"],
                name="intel_contr_accepted_idx",
            ),
            # The digest's ranking of a week's accepted reports, read from the index alone.
            models.Index(
                fields=["accepted_at"],
                include=["id", "tlp", "information_credibility", "source_grade", "date_observed"],
                condition=Q(status="accepted"),
                name="intel_contr_week_items",
            ),
            models.Index(fields=["author", "status"], name="intel_contr_author_idx"),
            # An author's list, newest change first: the first page without sorting them all.
            models.Index(fields=["author", "-updated_at", "-id"], name="intel_contr_author_recent"),
            # The count of an author's reports or case studies (the API's list), from the index.
            models.Index(fields=["author", "kind", "status"], name="intel_contr_author_kind"),
            models.Index(fields=["kind", "status"], name="intel_contr_kind_idx"),
            models.Index(fields=["tlp"], name="intel_contr_tlp_idx"),
            models.Index(fields=["source_grade"], name="intel_contr_grade_idx"),
        ]
        constraints = [
            choices_constraint("kind", Kind, name="intel_contr_kind"),
            choices_constraint("status", Status, name="intel_contr_status"),
            choices_constraint("tlp", Tlp, name="intel_contr_tlp"),
            choices_constraint("attribution", Attribution, name="intel_contr_attribution"),
            choices_constraint("language", Language, name="intel_contr_language"),
            models.CheckConstraint(
                condition=Q(information_credibility__isnull=True)
                | Q(information_credibility__gte=1, information_credibility__lte=6),
                name="intel_contr_credibility_range",
            ),
            choices_constraint(
                "source_grade", SourceReliability, name="intel_contr_grade", allow_blank=True
            ),
            # A draft holds whatever the author has written so far; completeness
            # is checked at submission, and these hold for every row sent on.
            # A partner's report says nothing about the supply-chain stage.
            models.CheckConstraint(
                condition=Q(status__in=[Status.DRAFT, Status.WITHDRAWN])
                | ~Q(kind=Kind.REPORT)
                | Q(
                    date_observed__isnull=False,
                    information_credibility__isnull=False,
                    supply_chain_stage__in=[stage.value for stage in SupplyChainStage],
                )
                | Q(
                    partner_source__isnull=False,
                    date_observed__isnull=False,
                    information_credibility__isnull=False,
                    supply_chain_stage="",
                ),
                name="intel_contr_report_facts",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[Status.DRAFT, Status.WITHDRAWN]) | ~Q(title=""),
                name="intel_contr_title_submitted",
            ),
            models.CheckConstraint(
                condition=Q(author__isnull=False, partner_source__isnull=True, stix_id="")
                | Q(author__isnull=True, partner_source__isnull=False) & ~Q(stix_id=""),
                name="intel_contr_one_source",
            ),
            models.UniqueConstraint(
                fields=["partner_source", "stix_id"],
                condition=Q(partner_source__isnull=False),
                name="intel_contr_stix_id_once",
            ),
            # "Not in the future", as far as the database can tell: no later
            # than the day after the row was created (a day of slack covers
            # every time zone; forms and serializers check against today).
            # A row not yet saved has no created_at: full_clean() compares with
            # now instead (the database never needs to, created_at is NOT NULL).
            models.CheckConstraint(
                condition=Q(date_observed__isnull=True)
                | Q(
                    date_observed__gte=datetime.date(1900, 1, 1),
                    date_observed__lte=Coalesce(F("created_at"), Now())
                    + datetime.timedelta(days=1),
                ),
                name="intel_contr_date_observed_not_future",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[Status.DRAFT, Status.WITHDRAWN])
                | Q(submitted_at__isnull=False),
                name="intel_contr_submitted_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ACCEPTED) | Q(accepted_at__isnull=False),
                name="intel_contr_accepted_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.title}"

    @property
    def is_report(self) -> bool:
        return self.kind == Kind.REPORT

    @property
    def is_imported(self) -> bool:
        """Imported from a partner's STIX bundle: no member stands behind it."""
        return self.partner_source_id is not None

    @property
    def is_anonymous(self) -> bool:
        return self.attribution == Attribution.ANONYMOUS

    @property
    def attribution_label(self) -> str:
        """How the source is shown to analysts: never the person behind an anonymous report."""
        if self.attribution == Attribution.ANONYMOUS:
            return str(_("Anonymous contributor"))
        organisation = self.organisation or str(_("organisation not recorded"))
        author = self.author if self.author_id is not None else None
        if self.attribution == Attribution.ORGANISATION or author is None:
            return organisation
        return f"{author.get_full_name()} ({organisation})"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def needs_two_analysts(self) -> bool:
        """The four-eyes rule: amber+strict and red need a second analyst's accept."""
        return self.tlp in (Tlp.AMBER_STRICT, Tlp.RED)

    def show_revision(self, values: Mapping[str, Any]) -> None:
        """Show the author's revision on this instance, in memory only (see `ContributionEdit`).

        Fields this kind of row has take the revised values; the slug lists
        (`LISTED`) are read from the revision instead of the rows.
        """
        fields = {field.attname for field in self._meta.concrete_fields}
        listed = dict(getattr(self, "_revised_lists", {}))
        for name, value in values.items():
            if name in LISTED:
                listed[name] = list(value)
            elif name in fields:
                setattr(self, name, value)
        self._revised_lists = listed

    def _listed(self, name: str, related: str, attribute: str) -> list[Any]:
        revised = getattr(self, "_revised_lists", {})
        if name in revised:
            return list(revised[name])
        return [getattr(row, attribute) for row in getattr(self, related).all()]

    @property
    def sectors(self) -> list[str]:
        return self._listed("sectors", "sector_rows", "sector")

    @property
    def signals(self) -> list[str]:
        return self._listed("signals", "signal_rows", "signal")

    @property
    def countries(self) -> list[str]:
        return self._listed("countries", "country_rows", "country")

    @property
    def requirement_ids(self) -> list[int]:
        """Ids of the intelligence requirements this answers."""
        return self._listed("requirement_ids", "answer_rows", "requirement_id")

    @property
    def detail(self) -> FieldReport | CaseStudy:
        """The kind-specific row (one extra query unless select_related)."""
        if isinstance(self, FieldReport | CaseStudy):
            return self
        return self.fieldreport if self.kind == Kind.REPORT else self.casestudy


class FieldReport(Contribution):
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(_("report"), max_length=50_000, blank=True)
    evidence_links = models.JSONField(_("evidence links"), default=list, blank=True)

    class Meta:
        verbose_name = _("field report")
        verbose_name_plural = _("field reports")


class CaseStudy(Contribution):
    company_size = models.CharField(
        _("company size"), max_length=16, choices=CompanySize, blank=True
    )
    context = models.TextField(_("context"), max_length=10_000, blank=True)
    challenge = models.TextField(_("challenge"), max_length=10_000, blank=True)
    actions_taken = models.TextField(_("actions taken"), max_length=10_000, blank=True)
    outcome = models.TextField(_("outcome"), max_length=10_000, blank=True)
    lessons_learned = models.TextField(_("lessons learned"), max_length=10_000, blank=True)

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        # Blank in drafts; this table cannot see the status, so the submit
        # service is what holds a sent case study to a company size.
        constraints = [
            choices_constraint(
                "company_size", CompanySize, name="intel_casestudy_company_size", allow_blank=True
            )
        ]


class ContributionEdit(models.Model):
    """The author's revision of a report whose changes were requested, until resubmitted.

    Analysts must go on seeing what was submitted until the author sends the
    revision, so saving one leaves the contribution's own rows (which every
    analyst page, the API, search and filters read) untouched: the revision
    is kept here. The author's pages show it (`Contribution.show_revision`);
    resubmission writes it to the rows (`intel.reports.services.report_resubmit`).
    `changes` holds only what differs from the submitted revision.
    """

    contribution = models.OneToOneField(
        Contribution, on_delete=models.CASCADE, related_name="pending_edit"
    )
    changes = models.JSONField(_("changes"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("revision not yet resubmitted")
        verbose_name_plural = _("revisions not yet resubmitted")

    def __str__(self) -> str:
        return f"Revision of {self.contribution_id}"

    def values(self) -> dict[str, Any]:
        """`changes` as the fields hold them (the date observed as a date again)."""
        values = dict(self.changes)
        if values.get("date_observed"):
            values["date_observed"] = datetime.date.fromisoformat(values["date_observed"])
        return values


class ContributionSector(models.Model):
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="sector_rows"
    )
    sector = models.CharField(_("sector"), max_length=32, choices=Sector)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [
            models.UniqueConstraint(fields=["contribution", "sector"], name="intel_sector_once"),
            choices_constraint("sector", Sector, name="intel_sector_slug"),
        ]
        indexes = [models.Index(fields=["sector", "contribution"], name="intel_sector_idx")]

    def __str__(self) -> str:
        return self.sector


class ContributionSignal(models.Model):
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="signal_rows"
    )
    signal = models.CharField(_("signal"), max_length=32, choices=Signal)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [
            models.UniqueConstraint(fields=["contribution", "signal"], name="intel_signal_once"),
            choices_constraint("signal", Signal, name="intel_signal_slug"),
        ]
        indexes = [models.Index(fields=["signal", "contribution"], name="intel_signal_idx")]

    def __str__(self) -> str:
        return self.signal


class ContributionCountry(models.Model):
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="country_rows"
    )
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.UniqueConstraint(fields=["contribution", "country"], name="intel_country_once"),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="intel_country_code"
            ),
        ]
        indexes = [models.Index(fields=["country", "contribution"], name="intel_country_idx")]

    def __str__(self) -> str:
        return self.country
