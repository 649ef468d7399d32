"""Every intel page, for every persona: who gets in, who is refused and how.

Refusals: anonymous visitors are sent to sign in (302); signed-in people
without the standing get 403 (contributor pages explain their status);
analysts without two-factor authentication are sent to set it up (302);
objects a person may not see are 404, so their existence is not revealed.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from intel.reports import services
from tests.intel.factories import FieldReportFactory
from tests.intel.helpers import submit
from tests.intel.reports.test_filetypes import PDF

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "newcomer", "contributor", "other_contributor", "analyst_without_mfa",
            "analyst"]  # fmt: skip


@pytest.fixture
def as_persona(request, client_for, anonymous):
    def make(name):
        if name == "anonymous":
            return anonymous
        return client_for(request.getfixturevalue(name))

    return make


@pytest.fixture
def objects(contributor, analyst, settings, tmp_path):
    """A draft and a submitted report of `contributor`, with an attachment on each."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    draft = FieldReportFactory(author=contributor)
    draft_file = services.attachment_add(
        contribution=draft, actor=contributor, uploaded=SimpleUploadedFile("d.pdf", PDF)
    )
    sent = FieldReportFactory(author=contributor)
    sent_file = services.attachment_add(
        contribution=sent, actor=contributor, uploaded=SimpleUploadedFile("s.pdf", PDF)
    )
    submit(sent, contributor)
    return {"draft": draft, "submitted": sent, "draft_file": draft_file, "sent_file": sent_file}


LOGIN, MFA, FORBIDDEN, OK, MISSING = "login", "mfa", 403, 200, 404

# url name, object key (or None), then the expected answer per persona (order of PERSONAS).
GET_PAGES = [
    ("intel:dashboard", None, [LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN]),
    ("intel:report_create", None, [LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN]),
    ("intel:case_study_create", None, [LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN]),
    ("intel:contribution_detail", "draft", [LOGIN, FORBIDDEN, OK, MISSING, FORBIDDEN, FORBIDDEN]),
    ("intel:contribution_edit", "draft", [LOGIN, FORBIDDEN, OK, MISSING, FORBIDDEN, FORBIDDEN]),
    ("intel:contribution_detail", "submitted",
     [LOGIN, FORBIDDEN, OK, MISSING, FORBIDDEN, FORBIDDEN]),
    ("intel:review_queue", None, [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, MFA, OK]),
    ("intel:search", None, [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, MFA, OK]),
    ("intel:review_detail", "submitted", [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, MFA, OK]),
    ("intel:review_detail", "draft", [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, MFA, MISSING]),
    ("intel:requirement_list", None, [LOGIN, FORBIDDEN, OK, OK, MFA, OK]),
    ("intel:requirement_create", None, [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, MFA, OK]),
    ("intel:attachment_download", "draft_file",
     [LOGIN, MISSING, OK, MISSING, MISSING, MISSING]),
    ("intel:attachment_download", "sent_file", [LOGIN, MISSING, OK, MISSING, MISSING, OK]),
]  # fmt: skip


def _check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    elif expected == MFA:
        assert response.status_code == 302
        assert reverse("mfa_activate_totp") in response["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("name", "key", "answers"), GET_PAGES)
@pytest.mark.parametrize("persona_index", range(len(PERSONAS)))
def test_get_pages(as_persona, objects, name, key, answers, persona_index):
    persona = PERSONAS[persona_index]
    url = reverse(name, args=[objects[key].pk]) if key else reverse(name)
    _check(as_persona(persona).get(url), answers[persona_index])


# POST endpoints: (url name, object key, data, expected per persona). 302 for a
# permitted POST is a redirect back to a page, checked separately below.
DONE = "done"
POSTS = [
    ("intel:contribution_submit", "draft", {}, [LOGIN, FORBIDDEN, DONE, MISSING, FORBIDDEN,
                                                FORBIDDEN]),
    ("intel:contribution_withdraw", "submitted", {}, [LOGIN, FORBIDDEN, DONE, MISSING, FORBIDDEN,
                                                      FORBIDDEN]),
    ("intel:comment_add", "submitted", {"body": "Hello"}, [LOGIN, MISSING, DONE, MISSING,
                                                          MISSING, DONE]),
    ("intel:comment_add", "draft", {"body": "Hello"}, [LOGIN, MISSING, DONE, MISSING, MISSING,
                                                      MISSING]),
    ("intel:review_decide", "submitted", {"action": "start"}, [LOGIN, FORBIDDEN, FORBIDDEN,
                                                              FORBIDDEN, MFA, DONE]),
    ("intel:attachment_delete", "draft_file", {}, [LOGIN, FORBIDDEN, DONE, MISSING, FORBIDDEN,
                                                   FORBIDDEN]),
    ("intel:attachment_upload", "draft", {}, [LOGIN, FORBIDDEN, DONE, MISSING, FORBIDDEN,
                                              FORBIDDEN]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "key", "data", "answers"), POSTS)
@pytest.mark.parametrize("persona_index", range(len(PERSONAS)))
def test_post_endpoints(as_persona, objects, name, key, data, answers, persona_index):
    persona = PERSONAS[persona_index]
    response = as_persona(persona).post(reverse(name, args=[objects[key].pk]), data)
    expected = answers[persona_index]
    if expected == DONE:
        assert response.status_code == 302
        assert reverse("account_login") not in response["Location"]
    else:
        _check(response, expected)


def test_get_is_not_allowed_on_decisions(client_for, analyst, objects):
    url = reverse("intel:review_decide", args=[objects["submitted"].pk])
    assert client_for(analyst).get(url).status_code == 405


def test_requirement_close_is_for_analysts(client_for, analyst, contributor, requirement_factory):
    requirement = requirement_factory(created_by=analyst)
    url = reverse("intel:requirement_close", args=[requirement.pk])
    assert client_for(contributor).post(url).status_code == 403
    assert client_for(analyst).post(url).status_code == 302
    requirement.refresh_from_db()
    assert requirement.status == "closed"


def test_reveal_is_for_admins_only(client_for, analyst, admin_user, contributor):
    report = submit(FieldReportFactory(author=contributor, attribution="anonymous"), contributor)
    url = reverse("intel:reveal_author", args=[report.pk])
    assert client_for(analyst).get(url).status_code == 403
    assert client_for(contributor).get(url).status_code == 403
    assert client_for(admin_user).get(url).status_code == 200
    named = submit(FieldReportFactory(author=contributor), contributor)
    assert (
        client_for(admin_user).get(reverse("intel:reveal_author", args=[named.pk])).status_code
        == 404
    )


def test_suspended_member_gets_403_explaining_status(client_for, contributor, draft):
    contributor.membership.status = "suspended"
    contributor.membership.save()
    client = client_for(contributor)
    response = client.post(reverse("intel:contribution_submit", args=[draft.pk]))
    assert response.status_code == 403
    assert "suspended" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
