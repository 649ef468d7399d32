"""Web forms for membership. They parse and check input; the services decide.

A form that fails keeps everything the person typed and names each field to
fix; rules the services enforce come back onto the form with `add_error`.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intel.countries import country_choices
from intel.vocabulary import Sector, SourceReliability

from .models import Affiliation, Application, User
from .services import api_tokens_revoke_all, invitation_check
from .services.applications import STATEMENT_MIN_LENGTH, ApplicationDetails


def _country_choices() -> list[tuple[str, str]]:
    # Called at each render, so both the prompt and the names follow the language.
    return [("", gettext("Choose a country…")), *country_choices()]


class ApplicationForm(forms.Form):
    affiliation = forms.ChoiceField(
        label=_("Affiliation type"), choices=Affiliation.choices, widget=forms.RadioSelect
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    position = forms.CharField(
        label=_("Position"), max_length=200, help_text=_("Your role or job title.")
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=_country_choices,
        help_text=_("Where you are based. Type to search the list."),
        widget=forms.Select(
            attrs={"data-searchable": "true", "data-search-label": _("Search countries")}
        ),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors of expertise"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every sector you can report on with authority."),
    )
    statement = forms.CharField(
        label=_("Statement of expertise"),
        min_length=STATEMENT_MIN_LENGTH,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "A short account of your experience: what you work on, for how long, and what you "
            "see that analysts may not."
        ),
    )
    conflict_of_interest = forms.CharField(
        label=_("Conflicts of interest"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Declare interests that could colour your reports (employer, investments, advisory "
            "or government roles). Write “None” if you have none."
        ),
    )
    referral_code = forms.CharField(
        label=_("Referral code"),
        max_length=64,
        required=False,
        help_text=_("Optional: the code from a member's invitation."),
    )
    accepts_handling_rules = forms.BooleanField(
        label=_(
            "I accept the handling rules: I will respect the TLP marking of everything I read, "
            "share nothing above its marking, and keep the identities of other members "
            "confidential."
        ),
        error_messages={"required": _("You must accept the handling rules to join.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_referral_code(self) -> str:
        code = self.cleaned_data.get("referral_code", "").strip()
        if code:
            try:
                invitation_check(code=code, email=self.user.email)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["referral_code"]) from exc
        return code

    def details(self) -> ApplicationDetails:
        return ApplicationDetails.from_data(self.cleaned_data)


class ResubmitForm(ApplicationForm):
    """The application again, with the applicant's answer to the analyst on top."""

    field_order = ["response"]

    response = forms.CharField(
        label=_("Your answer to the analyst"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["referral_code"]


class DecisionForm(forms.Form):
    APPROVE, REQUEST_INFO, REJECT = "approve", "request-info", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (APPROVE, _("Approve")),
            (REQUEST_INFO, _("Ask for more information")),
            (REJECT, _("Reject")),
        ],
        widget=forms.RadioSelect,
    )
    source_grade = forms.ChoiceField(
        label=_("Source grade on approval"),
        choices=SourceReliability.choices,
        initial=SourceReliability.F,
        required=False,
        help_text=_("Start at F (cannot be judged) unless you already know the source."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Required. The applicant reads it in the decision email; for more information, "
            "write the question they should answer."
        ),
    )

    def __init__(self, *args: Any, status: str = Application.Status.SUBMITTED, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if status == Application.Status.MORE_INFO:
            # Waiting for the applicant: the only decision left is to give up on them.
            field = cast(forms.ChoiceField, self.fields["decision"])
            field.choices = [(self.REJECT, _("Reject"))]
            del self.fields["source_grade"]


class GradeForm(forms.Form):
    source_grade = forms.ChoiceField(label=_("New source grade"), choices=SourceReliability.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MembershipStatusForm(forms.Form):
    SUSPEND, REINSTATE, REVOKE = "suspend", "reinstate", "revoke"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[(SUSPEND, _("Suspend")), (REINSTATE, _("Reinstate")), (REVOKE, _("Revoke"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person you vouch for"))
    language = forms.ChoiceField(
        label=_("Language of the invitation email"), choices=settings.LANGUAGES
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is not correct."))
        return password


class ApiTokenRevokeForm(forms.Form):
    # The token's stored hash (knox's primary key), never the key itself.
    token = forms.RegexField(regex=r"^[0-9a-f]{128}$", max_length=128)


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """The admin's "change password": like a change on the site, it ends the API tokens."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit:
            api_tokens_revoke_all(user=user)
        return user
