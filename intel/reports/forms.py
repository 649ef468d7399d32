"""Web forms. They parse and explain; the services decide and write.

Every field keeps what the person typed on a validation error, and each
message says what to do. Forms are rendered with `novalidate`, so the
server's messages (the same rules as the API's) are the ones people see.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from community.web import add_service_errors
from intel import validation
from intel.models import (
    Attribution,
    CaseStudy,
    CompanySize,
    Contribution,
    FieldReport,
    IntelligenceRequirement,
    Kind,
    Language,
    Priority,
    Status,
    SupplyChainStage,
    TagKind,
)
from intel.reports import selectors
from intel.reports.selectors import requirements_open_for
from intel.vocabulary import InformationCredibility, Sector, Signal, SourceReliability, Tlp

LANGUAGE_CHOICES = [("", _("Detect from the text")), *Language.choices]
NOT_CHOSEN = ("", _("Not chosen yet"))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in (value or "").replace(",", " ").split() if code]


class _ContributionForm(forms.Form):
    """Fields both kinds share.

    A draft may leave any field empty, so no field is `required`; the ones in
    `needed_to_submit` are marked (an asterisk, `aria-required`) and the submit
    service names each one still empty.
    """

    needed_to_submit: tuple[str, ...] = ("title", "sectors")

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("One line that says what happened, e.g. “Gallium export licences delayed”."),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # clean_sectors says how many, which beats "required"
        help_text=_("Choose one to three."),
    )
    signals = forms.MultipleChoiceField(
        label=_("Signals"),
        choices=Signal.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose any that apply, or none."),
    )
    countries = forms.CharField(
        label=_("Countries"),
        required=False,
        help_text=_("Two-letter ISO codes separated by spaces or commas, e.g. JP CN US."),
    )
    tlp = forms.ChoiceField(
        label=_("Handling level (TLP)"),
        choices=Tlp.choices,
        initial=Tlp.GREEN,
        help_text=_(
            "CLEAR: anyone. GREEN: the community. AMBER: analysts' organisations only. "
            "AMBER+STRICT: analysts only (two analysts must accept). RED: named analysts only "
            "(two analysts must accept)."
        ),
    )
    attribution = forms.ChoiceField(
        label=_("Attribution"),
        choices=Attribution.choices,
        initial=Attribution.ORGANISATION,
    )
    language = forms.ChoiceField(
        label=_("Language of the text"), choices=LANGUAGE_CHOICES, required=False
    )
    requirements = forms.ModelMultipleChoiceField(
        label=_("Answers intelligence requirements"),
        queryset=IntelligenceRequirement.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick the open questions from analysts that this answers."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set here, in the reader's language, because the number is a setting.
        self.fields["attribution"].help_text = _(
            "Anonymous hides your name and organisation from analysts. They still see a "
            "source grade: yours, or a lower one that at least %(count)s active members of "
            "the report's sectors would show too, so that it never singles you out."
        ) % {"count": settings.ANONYMOUS_GRADE_K}
        requirements = self.fields["requirements"]
        assert isinstance(requirements, forms.ModelMultipleChoiceField)  # noqa: S101 - narrowing
        requirements.queryset = requirements_open_for(user=user)
        for name in self.needed_to_submit:
            field = self.fields[name]
            field.needed_to_submit = True  # type: ignore[attr-defined]
            if not isinstance(field.widget, forms.CheckboxSelectMultiple):
                # A group of checkboxes cannot carry it; its legend says it instead.
                field.widget.attrs["aria-required"] = "true"

    def clean_sectors(self) -> list[str]:
        sectors = self.cleaned_data["sectors"]
        return validation.clean_sectors(sectors) if sectors else []

    def clean_signals(self) -> list[str]:
        return validation.clean_signals(self.cleaned_data["signals"])

    def clean_countries(self) -> list[str]:
        return validation.clean_countries(_codes(self.cleaned_data["countries"]))

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["requirement_ids"] = [requirement.pk for requirement in data.pop("requirements")]
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's field errors next to the matching fields."""
        add_service_errors(self, error, renames={"requirement_ids": "requirements"})

    @staticmethod
    def initial_from(contribution: Contribution) -> dict[str, Any]:
        return {
            "title": contribution.title,
            "sectors": contribution.sectors,
            "signals": contribution.signals,
            "countries": " ".join(contribution.countries),
            "tlp": contribution.tlp,
            "attribution": contribution.attribution,
            "language": contribution.language,
            "requirements": contribution.requirement_ids,
        }


class FieldReportForm(_ContributionForm):
    needed_to_submit = (
        "title", "summary", "body", "sectors", "supply_chain_stage", "date_observed",
        "information_credibility",
    )  # fmt: skip
    field_order = [
        "title", "summary", "body", "sectors", "signals", "countries", "supply_chain_stage",
        "date_observed", "information_credibility", "evidence_links", "tlp", "attribution",
        "language", "requirements",
    ]  # fmt: skip

    summary = forms.CharField(
        label=_("Summary"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences an analyst can read at a glance."),
    )
    body = forms.CharField(
        label=_("Report"),
        max_length=50_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("What you observed, where and how you know. Markdown is allowed."),
    )
    supply_chain_stage = forms.ChoiceField(
        label=_("Supply-chain stage"),
        choices=[NOT_CHOSEN, *SupplyChainStage.choices],
        required=False,
    )
    date_observed = forms.DateField(
        label=_("Date observed"),
        required=False,
        widget=DateInput(),
        help_text=_("When you saw or learned this; not in the future."),
    )
    information_credibility = forms.TypedChoiceField(
        label=_("Information credibility"),
        choices=[NOT_CHOSEN, *InformationCredibility.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Your own judgement of the information (not of yourself): 1 if other sources "
            "confirm it, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 if you "
            "cannot judge."
        ),
    )
    evidence_links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line (https://…), at most ten."),
    )

    def clean_date_observed(self) -> Any:
        value = self.cleaned_data.get("date_observed")
        return None if value is None else validation.clean_date_observed(value)

    def clean_evidence_links(self) -> list[str]:
        return validation.clean_evidence_links(_lines(self.cleaned_data["evidence_links"]))

    @classmethod
    def initial_for(cls, report: FieldReport) -> dict[str, Any]:
        return {
            **cls.initial_from(report),
            "summary": report.summary,
            "body": report.body,
            "supply_chain_stage": report.supply_chain_stage,
            "date_observed": report.date_observed,
            "information_credibility": report.information_credibility,
            "evidence_links": "\n".join(report.evidence_links),
        }


class CaseStudyForm(_ContributionForm):
    needed_to_submit = (
        "title", "sectors", "company_size", "context", "challenge", "actions_taken", "outcome",
        "lessons_learned",
    )  # fmt: skip
    field_order = [
        "title", "sectors", "signals", "countries", "company_size", "supply_chain_stage",
        "context", "challenge", "actions_taken", "outcome", "lessons_learned", "tlp",
        "attribution", "language", "requirements",
    ]  # fmt: skip

    company_size = forms.ChoiceField(
        label=_("Company size"), choices=[NOT_CHOSEN, *CompanySize.choices], required=False
    )
    supply_chain_stage = forms.ChoiceField(
        label=_("Supply-chain stage"),
        choices=[NOT_CHOSEN, *SupplyChainStage.choices],
        required=False,
        help_text=_("Where in the supply chain it happened, if it was at one stage."),
    )
    context = forms.CharField(
        label=_("Context"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The organisation and situation, without naming anyone you must not."),
    )
    challenge = forms.CharField(
        label=_("Challenge"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    actions_taken = forms.CharField(
        label=_("Actions taken"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    lessons_learned = forms.CharField(
        label=_("Lessons learned"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @classmethod
    def initial_for(cls, study: CaseStudy) -> dict[str, Any]:
        return {
            **cls.initial_from(study),
            **{
                name: getattr(study, name)
                for name in (
                    "company_size", "supply_chain_stage", "context", "challenge",
                    "actions_taken", "outcome", "lessons_learned",
                )
            },
        }  # fmt: skip


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attach a file"),
        help_text=_("PDF, PNG, JPEG, CSV, XLSX or DOCX; at most 10 MB each and five per report."),
    )


class DecisionForm(forms.Form):
    ACTIONS = ("start", "accept", "request_changes", "reject")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason or note for the author"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you request changes or reject: the author reads it."),
    )


class TagCorrectionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("add", _("Add")), ("remove", _("Remove"))], widget=forms.HiddenInput
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TagKind.choices)
    slug = forms.CharField(
        label=_("Tag"),
        max_length=200,
        help_text=_(
            "Type its name in English or Japanese (“Export control”, 輸出規制), a word for it "
            "(“stockpile”) or its code, and pick it from the list."
        ),
        widget=forms.TextInput(attrs={"list": "tag-options", "autocomplete": "off"}),
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why must the author be identified?"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit trail with your name."),
    )


class RequirementForm(forms.Form):
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    question = forms.CharField(label=_("Question"), max_length=500)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.MEDIUM
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())

    def clean_due_date(self) -> Any:
        return validation.clean_due_date(self.cleaned_data.get("due_date"))


class ReviewFilterForm(forms.Form):
    """Filters of the review queue and search (GET)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("Any sector")), *Sector.choices]
    )
    signal = forms.ChoiceField(
        label=_("Signal"), required=False, choices=[("", _("Any signal")), *Signal.choices]
    )
    country = forms.CharField(label=_("Country code"), required=False, max_length=2)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *[c for c in Status.choices if c[0] != Status.DRAFT]],
    )
    tlp = forms.ChoiceField(
        label=_("Handling level"), required=False, choices=[("", _("Any level")), *Tlp.choices]
    )
    source_grade = forms.ChoiceField(
        label=_("Source grade"),
        required=False,
        choices=[("", _("Any grade")), *SourceReliability.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("", _("Reports and case studies")),
            *Kind.choices,
        ],
    )
    tag = forms.CharField(
        label=_("Tag"),
        required=False,
        max_length=64,
        help_text=_("A tag's code, e.g. gallium or export-control."),
    )
    attribution = forms.ChoiceField(
        label=_("Author type"),
        required=False,
        choices=[("", _("Any author type")), *Attribution.choices],
    )
    submitted_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label=_("Submitted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("relevance", _("Relevance")),
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("observed", _("Date observed")),
            ("credibility", _("Information credibility")),
        ],
    )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "sector": data["sector"],
            "signal": data["signal"],
            "country": (data["country"] or "").upper(),
            "statuses": [data["status"]] if data["status"] else None,
            "tlp": data["tlp"],
            "source_grade": data["source_grade"],
            "kind": data["kind"],
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("submitted_from"), data.get("submitted_to")
        if first and last and first > last:
            self.add_error("submitted_to", _("The last day cannot come before the first."))
        return data

    def search_filters(self) -> dict[str, Any]:
        """`filters()` plus those only search offers (tag, author type, submission days)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            **self.filters(),
            "tag": data["tag"],
            "attribution": data["attribution"],
            "submitted_from": data["submitted_from"],
            "submitted_to": data["submitted_to"],
        }


class SavedSearchForm(forms.Form):
    """Save the search being shown: a name, and its query string (from the page)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_query(self) -> str:
        """The query string as the search form reads it: only its fields, only values set."""
        search = ReviewFilterForm(QueryDict(self.cleaned_data.get("query", "")))
        if not search.is_valid():
            raise forms.ValidationError(_("This search has errors; correct them first."))
        kept = QueryDict(mutable=True)
        for name in search.fields:
            value = search.data.get(name, "")
            if value:
                kept[name] = value
        return kept.urlencode()


class AssigneeForm(forms.Form):
    """An `action` whose "assign" choice needs an analyst picked from those who may review."""

    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False
    )
    assignee_missing = _("Choose the analyst to assign it to.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)  # noqa: S101 - narrowing
        assignee.queryset = selectors.analysts_for_assignment()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "assign" and not data.get("assignee"):
            self.add_error("assignee", self.assignee_missing)
        return data


class ClaimForm(AssigneeForm):
    """Claim, take over, release or assign one report; `expected_reviewer`: whom it showed."""

    ACTIONS = ("claim", "take_over", "unclaim", "assign")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    expected_reviewer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    field_order = ("action", "expected_reviewer", "assignee")


class IdListField(forms.Field):
    """Checked row ids; which of them may be acted on is the selector's business."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        if len(values) > 500 or not all(str(v).isdigit() for v in values):
            raise ValidationError(_("Select reports from the list."))
        return [int(v) for v in values]


class BulkClaimForm(AssigneeForm):
    """Claim changes for many queue rows at once: nothing here decides a report."""

    action = forms.ChoiceField(
        label=_("With the selected reports"),
        choices=[
            ("claim", _("Claim (I'm reviewing these)")),
            ("unclaim", _("Release my claim")),
            ("assign", _("Assign to…")),
        ],
    )
    selected = IdListField(error_messages={"required": _("Select at least one report.")})
    assignee_missing = _("Choose the analyst to assign them to.")
    field_order = ("action", "assignee", "selected")
