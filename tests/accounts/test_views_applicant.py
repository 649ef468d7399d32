"""The applicant's pages: the form keeps input and names fixes; status and the answer flow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Application, AuditEvent
from tests.accounts.factories import ApplicationFactory, UserFactory, invitation_make

pytestmark = pytest.mark.django_db

VALID = {
    "affiliation": "research",
    "organisation": "Tohoku Materials Institute",
    "position": "Senior researcher",
    "country": "JP",
    "sectors": ["critical-minerals", "batteries"],
    "statement": "Fifteen years on rare-earth separation and lithium refining in Japan.",
    "conflict_of_interest": "None",
    "accepts_handling_rules": "on",
}


def test_apply_form_offers_countries_by_name_and_the_sector_list(client_for, newcomer):
    content = client_for(newcomer).get(reverse("accounts:apply")).content.decode()
    assert '<option value="JP">Japan</option>' in content
    assert 'value="critical-minerals"' in content
    assert "data-searchable" in content
    assert "accounts/searchable-select.js" in content


def test_apply_form_in_japanese_names_countries_in_japanese(client_for, newcomer):
    content = (
        client_for(newcomer)
        .get(reverse("accounts:apply"), HTTP_ACCEPT_LANGUAGE="ja")
        .content.decode()
    )
    assert '<option value="JP">日本</option>' in content
    # The common name, as every intel page shows it (intel.countries), not the
    # ISO long form "中国領・台湾".
    assert '<option value="TW">台湾</option>' in content


def test_apply_submits_and_shows_status(client_for, newcomer):
    client = client_for(newcomer)
    response = client.post(reverse("accounts:apply"), VALID)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:application")
    application = Application.objects.get(user=newcomer)
    assert application.sectors == ["critical-minerals", "batteries"]
    page = client.get(reverse("accounts:application")).content.decode()
    assert "Submitted" in page
    assert "Tohoku Materials Institute" in page
    # A second visit to the form leads to the status page.
    assert client.get(reverse("accounts:apply"))["Location"] == reverse("accounts:application")


def test_bad_application_keeps_what_was_typed_and_says_what_to_fix(client_for, newcomer):
    data = {**VALID, "statement": "Short.", "country": "", "accepts_handling_rules": ""}
    response = client_for(newcomer).post(reverse("accounts:apply"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Tohoku Materials Institute"' in content
    assert re.search(r'value="batteries" id="id_sectors_\d+" checked', content)
    assert "Short.</textarea>" in content
    assert "Please correct the following" in content
    assert "Ensure this value has at least 30 characters" in content
    assert "You must accept the handling rules to join." in content
    assert 'href="#id_country"' in content
    assert not Application.objects.exists()


def test_invitation_link_carries_the_referral_code_to_the_form(anonymous, contributor):
    invitee = UserFactory(email="invitee@example.org")
    _invitation, code = invitation_make(inviter=contributor, email=invitee.email)
    landing = anonymous.get(reverse("accounts:invitation", args=[code])).content.decode()
    assert contributor.get_full_name() in landing
    anonymous.force_login(invitee)
    form = anonymous.get(reverse("accounts:apply")).content.decode()
    assert f'value="{code}"' in form
    anonymous.post(reverse("accounts:apply"), {**VALID, "referral_code": code})
    application = Application.objects.get(user=invitee)
    assert application.invitation.inviter == contributor
    page = anonymous.get(reverse("accounts:application")).content.decode()
    assert "Vouched for by" in page


def test_wrong_referral_code_is_a_field_error_not_a_lost_form(client_for, newcomer):
    response = client_for(newcomer).post(
        reverse("accounts:apply"), {**VALID, "referral_code": "bogus"}
    )
    assert response.status_code == 200
    assert "This referral code is not valid." in response.content.decode()
    assert 'value="bogus"' in response.content.decode()


def test_expired_invitation_landing_says_so(anonymous, contributor):
    _invitation, code = invitation_make(
        inviter=contributor, email="late@example.org", expires_in=timedelta(days=-1)
    )
    content = anonymous.get(reverse("accounts:invitation", args=[code])).content.decode()
    assert "expired" in content
    assert "accounts.referral_code" not in anonymous.session


def test_more_information_answer_and_resubmit(client_for, newcomer, analyst):
    application = ApplicationFactory(user=newcomer, organisation="Old Org")
    services.application_request_info(
        application=application, actor=analyst, reason="Which unit do you work in?"
    )
    client = client_for(newcomer)
    status = client.get(reverse("accounts:application")).content.decode()
    assert "More information requested" in status
    assert "Which unit do you work in?" in status
    form = client.get(reverse("accounts:application-resubmit")).content.decode()
    assert 'value="Old Org"' in form

    missing = client.post(reverse("accounts:application-resubmit"), {**VALID, "response": ""})
    assert missing.status_code == 200
    assert "Your answer to the analyst" in missing.content.decode()

    response = client.post(
        reverse("accounts:application-resubmit"), {**VALID, "response": "Power devices unit."}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.response == "Power devices unit."
    assert AuditEvent.objects.filter(action="application.resubmit").exists()


def test_resubmit_page_is_closed_unless_asked(client_for, newcomer):
    ApplicationFactory(user=newcomer)
    response = client_for(newcomer).get(reverse("accounts:application-resubmit"))
    assert response["Location"] == reverse("accounts:application")


def test_rejected_applicant_sees_the_reason(client_for, newcomer, analyst):
    application = ApplicationFactory(user=newcomer)
    services.application_reject(application=application, actor=analyst, reason="Unverifiable.")
    content = client_for(newcomer).get(reverse("accounts:application")).content.decode()
    assert "Rejected" in content
    assert "Unverifiable." in content


def test_newcomer_lands_on_the_application_after_sign_in(anonymous, newcomer, password):
    response = anonymous.post(
        reverse("account_login"), {"login": newcomer.email, "password": password}
    )
    assert response["Location"] == reverse("accounts:application")


def test_member_lands_home_after_sign_in(anonymous, contributor, password):
    response = anonymous.post(
        reverse("account_login"), {"login": contributor.email, "password": password}
    )
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize(
    ("persona", "present", "absent"),
    [
        ("newcomer", ["My application"], ["Vetting", "Audit trail", ">Invite<"]),
        ("contributor", [">Invite<"], ["My application", "Vetting", "Audit trail"]),
        ("analyst", ["Vetting", "Audit trail", "Members"], ["My application", ">Invite<"]),
    ],
)
def test_nav_links_by_role(request, client_for, persona, present, absent):
    content = client_for(request.getfixturevalue(persona)).get(reverse("home")).content.decode()
    nav = content.split("</nav>")[0]
    for text in present:
        assert text in nav
    for text in absent:
        assert text not in nav
    assert "My data" in nav
