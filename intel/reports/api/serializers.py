"""Serializers translate JSON to service arguments and back; services decide.

Validation uses the same rules as the web forms (intel.validation), so a
field error reads the same in both: `validate_<field>` calls the rule, and
DRF turns the Django ValidationError it raises into that field's errors.
The analyst-facing representation never contains the author: only the
attribution label and the source grade. The author's own reports and case
studies are represented through a plan of their fields with their rows read
per page (`intel.reports.api.representation`): the same JSON, at list speed.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from intel import validation
from intel.models import (
    Attachment,
    Attribution,
    CaseStudy,
    Comment,
    CompanySize,
    Contribution,
    FieldReport,
    IntelligenceRequirement,
    Language,
    Priority,
    SupplyChainStage,
)
from intel.reports.api.representation import Getter, Plan, Rows, load_rows
from intel.vocabulary import InformationCredibility, Sector, Signal, Tlp


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    name = serializers.CharField(source="original_name", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "name", "file_type", "size", "sha256", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        return reverse("api-attachment-download", args=[attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF, PNG, JPEG, CSV, XLSX or DOCX, at most 10 MB; checked by content."
    )


class CommentSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "by", "kind", "body", "created_at"]
        read_only_fields = ["id", "by", "kind", "created_at"]

    def get_by(self, comment: Comment) -> str:
        """'author' or 'analyst': a thread never names an anonymous author."""
        return "analyst" if comment.by_analyst else "author"


class _RequirementIds(serializers.ListField):
    """Ids of the intelligence requirements a contribution answers (as its reader sees it)."""

    def get_attribute(self, instance: Contribution) -> list[int]:
        return instance.requirement_ids


class _ContributionListSerializer(serializers.ListSerializer):
    """A page of contributions: their rows read for the whole page at once."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        items = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        return cast(_ContributionSerializer, self.child).represent_all(items)


class _ContributionSerializer(serializers.Serializer):
    """Fields both kinds share; the author's own view and write format.

    A draft may leave out or blank any field (the service's defaults fill
    in); submitting names each one still missing (400, per field).
    """

    class Meta:
        list_serializer_class = _ContributionListSerializer

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=Sector.choices),
        required=False,
        help_text="One to three sectors (none yet in a draft).",
    )
    signals = serializers.ListField(
        child=serializers.ChoiceField(choices=Signal.choices), required=False, default=list
    )
    countries = serializers.ListField(
        child=serializers.CharField(max_length=2),
        required=False,
        default=list,
        help_text="ISO 3166-1 alpha-2 codes.",
    )
    tlp = serializers.ChoiceField(choices=Tlp.choices, required=False, help_text="Default GREEN.")
    attribution = serializers.ChoiceField(
        choices=Attribution.choices, required=False, help_text="Default organisation."
    )
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        allow_blank=True,
        help_text="en or ja; leave out to detect it from the text.",
    )
    requirements = _RequirementIds(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Ids of open intelligence requirements this answers.",
    )
    revision = serializers.IntegerField(read_only=True)
    feedback = serializers.CharField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    # The rows a field reads (as Contribution.sectors … would) and where `Rows` holds them.
    _ROW_FIELDS = {
        "sectors": "sectors",
        "signals": "signals",
        "countries": "countries",
        "requirements": "requirement_ids",
        "attachments": "attachments",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows: dict[int, Rows] = {}

    def read_rows(self, contributions: list[Contribution]) -> None:
        """Read the rows of `contributions` not read yet (one query per relation)."""
        missing = [item.pk for item in contributions if item.pk not in self._rows]
        if missing:
            self._rows.update(load_rows(missing))

    def _row_getter(self, name: str) -> Getter:
        def get(contribution: Contribution) -> Any:
            # The author's revision not yet resubmitted shows instead of the rows
            # (Contribution.show_revision); attachments are never part of it.
            revised = getattr(contribution, "_revised_lists", None)
            if revised and name in revised:
                return list(revised[name])
            return getattr(self._rows[contribution.pk], name)

        return get

    @cached_property
    def _plan(self) -> Plan:
        getters = {
            field_name: self._row_getter(name) for field_name, name in self._ROW_FIELDS.items()
        }
        # Nothing here reads the request (nor do AttachmentSerializer's fields),
        # so the fields of one instance of the class serve every request.
        return Plan(self, getters, shared=True)

    def represent_all(self, contributions: list[Contribution]) -> list[dict[str, Any]]:
        """Contributions' representations: their rows read, and the time zone looked up, once."""
        self.read_rows(contributions)
        plan = self._plan
        zone = timezone.get_current_timezone()
        return [plan.represent(item, zone) for item in contributions]

    def to_representation(self, instance: Contribution) -> dict[str, Any]:
        return self.represent_all([instance])[0]

    def validate_sectors(self, value: list[str]) -> list[str]:
        return validation.clean_sectors(value) if value else []

    def validate_signals(self, value: list[str]) -> list[str]:
        return validation.clean_signals(value)

    def validate_countries(self, value: list[str]) -> list[str]:
        return validation.clean_countries(value)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "requirements" in data:
            data["requirement_ids"] = data.pop("requirements")
        return data


class FieldReportSerializer(_ContributionSerializer):
    summary = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    body = serializers.CharField(
        max_length=50_000, required=False, allow_blank=True, help_text="Markdown."
    )
    supply_chain_stage = serializers.ChoiceField(
        choices=SupplyChainStage.choices, required=False, allow_blank=True
    )
    date_observed = serializers.DateField(
        required=False, allow_null=True, help_text="Not in the future."
    )
    information_credibility = serializers.ChoiceField(
        choices=InformationCredibility.choices,
        required=False,
        allow_null=True,
        help_text="1 confirmed … 6 cannot be judged: the author's judgement of the information.",
    )
    evidence_links = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, default=list
    )

    def validate_date_observed(self, value: Any) -> Any:
        return None if value is None else validation.clean_date_observed(value)

    def validate_evidence_links(self, value: list[str]) -> list[str]:
        return validation.clean_evidence_links(value)


class CaseStudySerializer(_ContributionSerializer):
    company_size = serializers.ChoiceField(
        choices=CompanySize.choices, required=False, allow_blank=True
    )
    supply_chain_stage = serializers.ChoiceField(
        choices=SupplyChainStage.choices,
        required=False,
        allow_blank=True,
        help_text="Optional: the stage the case study is about (the library filters by it).",
    )
    # DRF's metaclass moves declared fields out of the class, so this does not
    # shadow Serializer.context at run time; the stubs cannot know that.
    context = serializers.CharField(  # type: ignore[assignment]
        max_length=10_000, required=False, allow_blank=True
    )
    challenge = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    actions_taken = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    outcome = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    lessons_learned = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    signals = serializers.ListField(
        child=serializers.ChoiceField(choices=Signal.choices), required=False, default=list
    )


class ReviewSerializer(serializers.Serializer):
    """What analysts see: everything but the author's identity."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    title = serializers.CharField()
    language = serializers.CharField()
    tlp = serializers.CharField()
    attribution = serializers.CharField()
    source = serializers.CharField(  # type: ignore[assignment] # see CaseStudySerializer
        source="attribution_label",
        help_text="Name and organisation, organisation only, or 'Anonymous contributor'.",
    )
    source_grade = serializers.CharField()
    sectors = serializers.ListField(child=serializers.CharField())
    signals = serializers.ListField(child=serializers.CharField())
    countries = serializers.ListField(child=serializers.CharField())
    supply_chain_stage = serializers.CharField(help_text="May be empty for case studies.")
    date_observed = serializers.DateField(allow_null=True, help_text="Null for case studies.")
    information_credibility = serializers.IntegerField(
        allow_null=True, help_text="Null for case studies."
    )
    revision = serializers.IntegerField()
    feedback = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    content = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True)
    requirements = serializers.SerializerMethodField()
    rank = serializers.FloatField(required=False, help_text="Search relevance (PostgreSQL).")

    def get_content(self, contribution: Contribution) -> dict[str, Any]:
        detail = contribution.detail
        if isinstance(detail, FieldReport):
            return {
                "summary": detail.summary,
                "body": detail.body,
                "evidence_links": detail.evidence_links,
            }
        detail = cast(CaseStudy, detail)
        return {
            name: getattr(detail, name)
            for name in (
                "company_size", "context", "challenge", "actions_taken", "outcome",
                "lessons_learned",
            )
        }  # fmt: skip

    def get_requirements(self, contribution: Contribution) -> list[int]:
        return contribution.requirement_ids


class ReportDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text=str(_("Required (10+ characters) to reject or request changes.")),
    )


class RequirementSerializer(serializers.ModelSerializer):
    answer_count = serializers.IntegerField(
        read_only=True, required=False, help_text="Analysts only: the contributions answering it."
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.MEDIUM)

    class Meta:
        model = IntelligenceRequirement
        fields = [
            "id", "sector", "question", "details", "priority", "due_date", "status",
            "answer_count", "created_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = ["id", "status", "answer_count", "created_at", "closed_at"]

    def validate_due_date(self, value: Any) -> Any:
        return validation.clean_due_date(value)

    def to_representation(self, instance: IntelligenceRequirement) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not hasattr(instance, "answer_count"):
            data.pop("answer_count", None)
        return data
