"""Authors hear of analysts' decisions by email, over real SMTP, in their own language."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from intel.reports import services

pytestmark = pytest.mark.django_db


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def text_part(message) -> str:
    return next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )


def test_request_changes_emails_the_author_with_the_note_and_link(
    in_review, analyst, contributor, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_changes(
            contribution=in_review, analyst=analyst, reason="Name the second distributor."
        )
    [message] = smtp_server.wait_for(1)
    assert message["To"] == contributor.email
    assert "Changes requested on your report" in message["Subject"]
    body = text_part(message)
    assert "Name the second distributor." in body
    assert f"/intel/contributions/{in_review.pk}/" in body


def test_japanese_author_gets_a_japanese_email(
    in_review, analyst, contributor, smtp_server, django_capture_on_commit_callbacks
):
    contributor.language = "ja"
    contributor.save(update_fields=["language"])
    in_review.author.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reject(
            contribution=in_review, analyst=analyst, reason="根拠が不足しています。"
        )
    [message] = smtp_server.wait_for(1)
    assert "レポートは採用されませんでした" in subject(message)
    assert "根拠が不足しています。" in text_part(message)


def test_four_eyes_acceptance_emails_only_when_accepted(
    contributor, analyst, second_analyst, smtp_server, django_capture_on_commit_callbacks
):
    from tests.intel.factories import FieldReportFactory

    report = FieldReportFactory(author=contributor, tlp="red")
    services.report_submit(contribution=report, actor=contributor)
    services.report_start_review(contribution=report, analyst=analyst)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(contribution=report, analyst=analyst)
    # The first approval asks the other analyst for theirs; the author hears nothing yet.
    [request] = smtp_server.wait_for(1)
    assert request["To"] == second_analyst.email
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(contribution=report, analyst=second_analyst)
    to_author = [m for m in smtp_server.wait_for(2) if m["To"] == contributor.email]
    [message] = to_author
    assert "Your report was accepted" in message["Subject"]


def test_decision_subject_is_plain_text_not_html_escaped(
    contributor, analyst, smtp_server, django_capture_on_commit_callbacks
):
    from tests.intel.factories import FieldReportFactory

    report = FieldReportFactory(author=contributor, title="R&D <Tokyo> \"line 2\" O'Brien's")
    services.report_submit(contribution=report, actor=contributor)
    services.report_start_review(contribution=report, analyst=analyst)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(contribution=report, analyst=analyst)
    [message] = smtp_server.wait_for(1)
    assert subject(message).endswith("Your report was accepted: R&D <Tokyo> \"line 2\" O'Brien's")
