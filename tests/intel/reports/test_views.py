"""Pages behave: forms keep input and explain errors, decisions work, anonymity holds."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from intel.models import Contribution, FieldReport
from intel.reports import services
from tests.accounts.factories import MembershipFactory
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import review, submit

pytestmark = pytest.mark.django_db


def report_form(**overrides):
    data = {
        "title": "Neon prices doubled in a month",
        "summary": "Two suppliers raised neon prices by 100%.",
        "body": "Observed in **three** quotes.",
        "sectors": ["semiconductors"],
        "signals": ["price-shock"],
        "countries": "UA, jp",
        "supply_chain_stage": "raw-materials",
        "date_observed": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "information_credibility": "2",
        "evidence_links": "https://example.org/a\nhttps://example.org/b",
        "tlp": "green",
        "attribution": "organisation",
        "language": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_save_draft_then_submit_from_the_form(client_for, contributor):
    client = client_for(contributor)
    response = client.post(reverse("intel:report_create"), report_form())
    report = FieldReport.objects.get()
    assert response.status_code == 302
    assert report.status == "draft"
    assert sorted(report.countries) == ["JP", "UA"]
    assert report.evidence_links == ["https://example.org/a", "https://example.org/b"]
    response = client.post(
        reverse("intel:contribution_edit", args=[report.pk]), report_form(action="submit")
    )
    report.refresh_from_db()
    assert report.status == "submitted"


def test_invalid_field_keeps_everything_typed_and_says_what_to_fix(client_for, contributor):
    future = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client_for(contributor).post(
        reverse("intel:report_create"), report_form(date_observed=future, action="submit")
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem to fix" in content
    assert "cannot be in the future" in content
    assert 'value="Neon prices doubled in a month"' in content
    assert "Two suppliers raised neon prices by 100%." in content
    assert 'value="UA, jp"' in content
    assert f'value="{future}"' in content
    assert 'value="semiconductors" checked' in content or "checked" in content
    assert not Contribution.objects.exists()


def test_several_errors_are_all_listed(client_for, contributor):
    response = client_for(contributor).post(
        reverse("intel:report_create"),
        report_form(sectors=["ai", "energy", "space", "quantum"], countries="ZZ",
                    evidence_links="not a url"),
    )  # fmt: skip
    content = response.content.decode()
    assert "There are 3 problems to fix" in content
    assert "Choose between one and three sectors" in content
    assert "not recognised: ZZ" in content
    assert "not valid web addresses" in content


def test_japanese_interface_on_the_form(client_for, contributor):
    response = client_for(contributor).get(
        reverse("intel:report_create"), HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert "下書き" in response.content.decode()


def test_dashboard_shows_status_feedback_and_open_requirements(
    client_for, contributor, analyst, requirement_factory
):
    report = review(submit(FieldReportFactory(author=contributor), contributor), analyst)
    services.report_request_changes(
        contribution=report, analyst=analyst, reason="Please name the port and the date."
    )
    requirement_factory(created_by=analyst, sector="semiconductors", question="HBM rationing?")
    requirement_factory(created_by=analyst, sector="energy", question="LNG contracts?")
    content = client_for(contributor).get(reverse("intel:dashboard")).content.decode()
    assert "Changes requested" in content
    assert "Please name the port and the date." in content
    assert "HBM rationing?" in content  # the contributor's sector
    assert "LNG contracts?" not in content


def test_requirement_link_preselects_the_answer(
    client_for, contributor, analyst, requirement_factory
):
    requirement = requirement_factory(created_by=analyst, sector="semiconductors")
    response = client_for(contributor).get(
        reverse("intel:report_create") + f"?requirement={requirement.pk}"
    )
    assert (
        f'value="{requirement.pk}" checked'
        in response.content.decode().replace(
            f'value="{requirement.pk}"\n', f'value="{requirement.pk}" '
        )
        or "checked" in response.content.decode()
    )


def test_edit_of_submitted_report_redirects_with_message(client_for, submitted, contributor):
    response = client_for(contributor).get(
        reverse("intel:contribution_edit", args=[submitted.pk]), follow=True
    )
    assert "can be edited" in response.content.decode()


def test_analyst_decides_from_the_review_page(client_for, submitted, analyst):
    client = client_for(analyst)
    url = reverse("intel:review_decide", args=[submitted.pk])
    client.post(url, {"action": "start"})
    response = client.post(url, {"action": "reject", "reason": "short"}, follow=True)
    assert "at least 10 characters" in response.content.decode()
    client.post(url, {"action": "request_changes", "reason": "Please add the shipment dates."})
    submitted.refresh_from_db()
    assert submitted.status == "changes-requested"


def test_four_eyes_on_the_review_page(client_for, contributor, analyst, second_analyst):
    report = review(submit(FieldReportFactory(author=contributor, tlp="red"), contributor), analyst)
    url = reverse("intel:review_decide", args=[report.pk])
    response = client_for(analyst).post(url, {"action": "accept"}, follow=True)
    assert "A second analyst must accept it too" in response.content.decode()
    page = client_for(analyst).get(reverse("intel:review_detail", args=[report.pk]))
    assert "1 approval so far" in page.content.decode()
    client_for(second_analyst).post(url, {"action": "accept"})
    report.refresh_from_db()
    assert report.status == "accepted"


def test_anonymous_author_hidden_from_analysts_everywhere(
    client_for, contributor, analyst, settings
):
    contributor.display_name = "Hanako Yamada"
    contributor.save()
    # Four more members of the report's sector hold C: the grade shown is C, not the floor.
    MembershipFactory.create_batch(4, sectors=["critical-minerals"])
    report = submit(
        FieldReportFactory(author=contributor, attribution="anonymous", title="Secret source"),
        contributor,
    )
    services.comment_add(contribution=report, author=contributor, body="More detail follows.")
    client = client_for(analyst)
    pages = [
        client.get(reverse("intel:review_queue")),
        client.get(reverse("intel:review_detail", args=[report.pk])),
        client.get(reverse("intel:search"), {"q": "Secret"}),
    ]
    for response in pages:
        # Search marks its hits in the title.
        content = response.content.decode().replace("<mark>", "").replace("</mark>", "")
        assert response.status_code == 200
        assert "Secret source" in content
        assert "Hanako Yamada" not in content
        assert contributor.email not in content
        assert "Institute A" not in content
        assert "Anonymous contributor" in content
    assert "Source grade" in pages[1].content.decode()
    assert "C – Fairly reliable" in pages[1].content.decode()


def test_named_report_shows_name_and_organisation(client_for, contributor, analyst):
    contributor.display_name = "Hanako Yamada"
    contributor.save()
    report = submit(FieldReportFactory(author=contributor, attribution="named"), contributor)
    content = client_for(analyst).get(reverse("intel:review_detail", args=[report.pk])).content
    assert "Hanako Yamada (Institute A)" in content.decode()


def test_admin_reveal_shows_author_and_is_audited(client_for, contributor, admin_user):
    from accounts.models import AuditEvent

    report = submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    url = reverse("intel:reveal_author", args=[report.pk])
    client = client_for(admin_user)
    response = client.post(url, {"reason": "short"})
    assert response.status_code == 400
    assert contributor.email not in response.content.decode()
    response = client.post(url, {"reason": "Court order 2025/17 requires identification."})
    assert contributor.email in response.content.decode()
    assert AuditEvent.objects.filter(action="report.reveal_author").count() == 1


def test_review_queue_counts_each_reports_approvals_and_pages_them_all(
    client_for, contributor, analyst
):
    """The approvals are counted per report shown, not multiplied into the page count."""
    awaiting = review(submit(FieldReportFactory(author=contributor, tlp="red"), contributor),
                      analyst)  # fmt: skip
    client_for(analyst).post(reverse("intel:review_decide", args=[awaiting.pk]),
                             {"action": "accept"})  # fmt: skip
    fresh = submit(FieldReportFactory(author=contributor, title="No approval yet"), contributor)
    response = client_for(analyst).get(reverse("intel:review_queue"))
    page = response.context["page"]
    assert page.paginator.count == 2
    counts = {row.pk: row.approval_count for row in page.object_list}
    assert counts == {awaiting.pk: 1, fresh.pk: 0}
    assert "1 approval" in response.content.decode()


def test_cached_filter_form_follows_the_values_sent_and_the_language(client_for, analyst):
    """The filter form is cached: never with another query's values or in another language."""
    client = client_for(analyst)
    queue, search = reverse("intel:review_queue"), reverse("intel:search")
    energy = client.get(queue, {"sector": "energy"}).content.decode()
    assert '<option value="energy" selected>' in energy
    ai = client.get(queue, {"sector": "ai"}).content.decode()
    assert '<option value="ai" selected>' in ai and '<option value="energy" selected>' not in ai
    assert 'name="q"' not in ai  # the queue's form has no text box; search's has
    assert 'name="q"' in client.get(search, {"sector": "ai"}).content.decode()
    english = client.get(queue).content.decode()
    japanese = client.get(queue, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "Any sector" in english and "Any sector" not in japanese


def test_review_queue_filters_and_oldest_first(client_for, contributor, other_contributor, analyst):
    first = submit(FieldReportFactory(author=contributor, title="First in"), contributor)
    second = submit(
        FieldReportFactory(
            author=other_contributor, title="Second in", sectors=["energy"], countries=["NO"],
            signals=["sanctions"], tlp="amber",
        ),
        other_contributor,
    )  # fmt: skip
    Contribution.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=2)
    )
    client = client_for(analyst)
    content = client.get(reverse("intel:review_queue")).content.decode()
    assert content.index("First in") < content.index("Second in")
    for params in ({"sector": "energy"}, {"signal": "sanctions"}, {"country": "no"},
                   {"tlp": "amber"}, {"source_grade": "C", "sector": "energy"}):  # fmt: skip
        content = client.get(reverse("intel:review_queue"), params).content.decode()
        assert "Second in" in content and "First in" not in content, params
    assert second.pk


def test_requirements_page_counts_answers_for_analysts(
    client_for, contributor, analyst, requirement_factory
):
    requirement = requirement_factory(created_by=analyst, sector="semiconductors")
    submit(FieldReportFactory(author=contributor, requirement_ids=[requirement.pk]), contributor)
    FieldReportFactory(author=contributor, requirement_ids=[requirement.pk])  # a draft: not counted
    content = client_for(analyst).get(reverse("intel:requirement_list")).content.decode()
    assert 'data-testid="answer-count">1<' in content


def test_analyst_publishes_requirement_with_field_errors(client_for, analyst):
    client = client_for(analyst)
    response = client.post(
        reverse("intel:requirement_create"),
        {"sector": "energy", "question": "LNG?", "priority": "3", "due_date": "2000-01-01"},
    )
    assert response.status_code == 400
    assert "cannot be in the past" in response.content.decode()
    assert 'value="LNG?"' in response.content.decode()


def test_a_title_of_zero_width_characters_is_refused_and_the_form_kept(client_for, contributor):
    response = client_for(contributor).post(
        reverse("intel:report_create"), report_form(title="\u200b\u200b\u202e")
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Write some visible text" in content
    assert "Two suppliers raised neon prices by 100%." in content
    assert not Contribution.objects.exists()


def test_a_far_future_due_date_is_refused_on_the_requirement_form(client_for, analyst):
    response = client_for(analyst).post(
        reverse("intel:requirement_create"),
        {"sector": "energy", "question": "LNG?", "priority": "3", "due_date": "9999-12-31"},
    )
    assert response.status_code == 400
    assert "at most 5 years from today" in response.content.decode()


def test_markdown_body_is_sanitised_on_the_page(client_for, contributor):
    report = FieldReportFactory(author=contributor, body="**ok** <script>alert('x')</script>")
    content = (
        client_for(contributor)
        .get(reverse("intel:contribution_detail", args=[report.pk]))
        .content.decode()
    )
    assert "<strong>ok</strong>" in content
    assert "<script>alert" not in content


def test_nav_links_by_role(client_for, contributor, analyst):
    contributor_nav = client_for(contributor).get(reverse("home")).content.decode()
    assert reverse("intel:dashboard") in contributor_nav
    assert reverse("intel:review_queue") not in contributor_nav
    analyst_nav = client_for(analyst).get(reverse("home")).content.decode()
    assert reverse("intel:review_queue") in analyst_nav
    assert reverse("intel:search") in analyst_nav
