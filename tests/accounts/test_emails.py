"""Decision emails: text and HTML, in the applicant's language, sent only after commit."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts import services
from tests.accounts.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def decide(decision, analyst, language="en", reason="Reason <b>&</b> detail.", capture=None):
    application = ApplicationFactory(user=UserFactory(language=language, display_name="Aiko"))
    with capture(execute=True):
        decision(application=application, actor=analyst, reason=reason)
    [message] = mail.outbox
    return application, message


def html_of(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


@pytest.mark.parametrize(
    ("service", "subject"),
    [
        ("application_approve", "has been approved"),
        ("application_reject", "Decision on your membership application"),
        ("application_request_info", "More information needed"),
    ],
)
def test_each_decision_sends_its_email(
    analyst, django_capture_on_commit_callbacks, service, subject
):
    application, message = decide(
        getattr(services, service), analyst, capture=django_capture_on_commit_callbacks
    )
    assert message.to == [application.user.email]
    assert subject in message.subject
    assert message.subject.startswith("[CIP] ")
    assert "Dear Aiko," in message.body
    # Plain text is not HTML-escaped; the HTML part is.
    assert "Reason <b>&</b> detail." in message.body
    assert "Reason &lt;b&gt;&amp;&lt;/b&gt; detail." in html_of(message)
    assert "/members/application/" in message.body


def test_decision_email_is_in_the_applicants_language(analyst, django_capture_on_commit_callbacks):
    _application, message = decide(
        services.application_approve,
        analyst,
        language="ja",
        capture=django_capture_on_commit_callbacks,
    )
    assert "承認" in message.subject
    assert "Aiko" in message.body


def test_no_email_when_the_decision_is_refused(analyst, django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017
        services.application_reject(application=application, actor=analyst, reason="")
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_decision_email_arrives_over_real_smtp(smtp_server):
    from accounts import roles
    from tests.accounts.factories import UserFactory as Users
    from tests.accounts.factories import enrol_totp

    analyst = Users(email="smtp-analyst@example.org", roles=[roles.ANALYSTS])
    enrol_totp(analyst)
    application = ApplicationFactory(user=Users(email="smtp-applicant@example.org"))
    services.application_request_info(
        application=application, actor=analyst, reason="Which unit do you work in?"
    )
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "smtp-applicant@example.org"
    assert message.is_multipart()
    text = next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )
    assert "Which unit do you work in?" in text
