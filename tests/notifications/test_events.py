"""Each event notifies the right people, and nobody else; nothing names an anonymous author."""

from __future__ import annotations

import datetime

import pytest

from accounts.services import application_submit
from accounts.services.applications import ApplicationDetails
from intel.reports import services
from notifications.models import Kind, Notification
from notifications.services import notify, preferences_update
from notifications.texts import notification_text
from tests.accounts.factories import UserFactory
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit

pytestmark = pytest.mark.django_db


def _told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def _details() -> ApplicationDetails:
    return ApplicationDetails(
        affiliation="business",
        organisation="Neon Parts KK",
        position="Buyer",
        country="JP",
        sectors=["semiconductors"],
        statement="Twenty years buying wafers for an electronics group in Osaka.",
        conflict_of_interest="None",
        accepts_handling_rules=True,
    )


def test_application_gives_a_receipt_and_tells_the_analysts(
    newcomer, analyst, second_analyst, contributor
):
    application_submit(user=newcomer, details=_details())
    assert _told(Kind.APPLICATION_RECEIVED) == {newcomer.email}
    assert _told(Kind.APPLICATION_NEW) == {analyst.email, second_analyst.email}
    assert contributor.email not in _told(Kind.APPLICATION_NEW)


def test_submission_tells_analysts_following_its_sectors_only(
    contributor, other_contributor, analyst, second_analyst
):
    preferences_update(user=second_analyst, choices={}, sectors=["space"])
    submit(FieldReportFactory(author=contributor, sectors=["critical-minerals"]), contributor)
    assert _told(Kind.SUBMISSION_NEW) == {analyst.email}
    assert not Notification.objects.filter(recipient=other_contributor).exists()
    assert not Notification.objects.filter(recipient=contributor).exists()


def test_anonymous_submission_notification_names_no_author(contributor, analyst):
    report = FieldReportFactory(author=contributor, attribution="anonymous")
    submit(report, contributor)
    [notification] = Notification.objects.filter(recipient=analyst, kind=Kind.SUBMISSION_NEW)
    said = f"{notification.params} {notification_text(notification.kind, notification.params)}"
    for identifying in (contributor.email, contributor.get_short_name(), "Institute A"):
        assert identifying not in said
    # Named and anonymous reports read alike: the same keys, nothing about the source.
    assert set(notification.params) == {"title", "sectors"}


def test_other_contributors_hear_nothing_of_anothers_report(
    contributor, other_contributor, analyst
):
    report = submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    review(report, analyst)
    services.comment_add(contribution=report, author=analyst, body="Which office stalled it?")
    services.report_reject(contribution=report, analyst=analyst, reason="Not enough detail here.")
    assert not Notification.objects.filter(recipient=other_contributor).exists()
    assert _told(Kind.REPORT_COMMENT) == {contributor.email}
    assert _told(Kind.REPORT_DECISION) == {contributor.email}


def test_first_approval_asks_the_other_analysts_not_the_approver(
    contributor, analyst, second_analyst, admin_user
):
    report = submit(FieldReportFactory(author=contributor, tlp="red"), contributor)
    review(report, analyst)
    services.report_accept(contribution=report, analyst=analyst)
    assert _told(Kind.SECOND_APPROVAL) == {second_analyst.email, admin_user.email}


def test_answer_reaches_the_requirement_owner_only(
    contributor, analyst, second_analyst, requirement_factory
):
    requirement = requirement_factory(created_by=second_analyst, sector="semiconductors")
    submit(FieldReportFactory(author=contributor, requirement_ids=[requirement.pk]), contributor)
    assert _told(Kind.REQUIREMENT_ANSWER) == {second_analyst.email}


def test_new_requirement_reaches_members_of_its_sector(contributor, other_contributor, analyst):
    from tests.accounts.factories import MembershipFactory

    outsider = UserFactory(email="space@test.example")
    MembershipFactory(user=outsider, sectors=["space"])
    services.requirement_publish(
        analyst=analyst, sector="semiconductors", question="Is neon supply tightening?",
        due_date=datetime.date.today() + datetime.timedelta(days=30), priority=2,
    )  # fmt: skip
    assert _told(Kind.REQUIREMENT_NEW) == {contributor.email, other_contributor.email}


def test_one_event_is_recorded_once_however_often_it_is_reported(contributor, analyst):
    for _ in range(3):
        notify(recipients=[analyst], kind=Kind.SUBMISSION_NEW, event="contribution:1:r1", path="/")
    assert Notification.objects.filter(recipient=analyst).count() == 1


def test_switching_both_channels_off_records_nothing(contributor, analyst):
    preferences_update(user=analyst, choices={Kind.SUBMISSION_NEW: (False, False)})
    submit(FieldReportFactory(author=contributor), contributor)
    assert not Notification.objects.filter(recipient=analyst).exists()


def test_site_off_keeps_the_email_but_hides_it_from_the_list(contributor, analyst):
    preferences_update(user=analyst, choices={Kind.SUBMISSION_NEW: (True, False)})
    submit(FieldReportFactory(author=contributor), contributor)
    [notification] = Notification.objects.filter(recipient=analyst)
    assert notification.in_site is False
    assert notification.email_status in ("pending", "sent")


def test_rolled_back_decision_notifies_nobody(in_review, analyst, contributor):
    with pytest.raises(Exception, match="at least"):
        services.report_reject(contribution=in_review, analyst=analyst, reason="short")
    assert not Notification.objects.filter(kind=Kind.REPORT_DECISION).exists()
