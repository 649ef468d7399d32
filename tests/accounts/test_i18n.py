"""Every membership page renders in Japanese."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from tests.accounts.factories import ApplicationFactory, invitation_make

pytestmark = pytest.mark.django_db


def japanese(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200, url
    content = response.content.decode()
    assert '<html lang="ja">' in content
    return content


def test_applicant_pages_in_japanese(client_for, newcomer, analyst, anonymous, contributor):
    client = client_for(newcomer)
    assert "入会を申請" in japanese(client, reverse("accounts:apply"))
    application = ApplicationFactory(user=newcomer)
    services.application_request_info(application=application, actor=analyst, reason="所属は？")
    status = japanese(client, reverse("accounts:application"))
    assert "自分の申請" in status
    assert "所属は？" in status
    assert "アナリストに回答" in japanese(client, reverse("accounts:application-resubmit"))
    _invitation, code = invitation_make(inviter=contributor, email="x@example.org")
    assert "招待" in japanese(anonymous, reverse("accounts:invitation", args=[code]))


def test_analyst_pages_in_japanese(client_for, analyst, contributor):
    client = client_for(analyst)
    application = ApplicationFactory()
    services.application_reject(application=application, actor=analyst, reason="対象外")
    membership = contributor.membership
    pages = {
        reverse("accounts:vetting-queue"): "審査キュー",
        reverse("accounts:vetting-detail", args=[application.pk]): "申請者が提出した内容",
        reverse("accounts:member-list"): "メンバー",
        reverse("accounts:member-detail", args=[membership.pk]): "評価の履歴",
        reverse("accounts:audit-trail"): "監査証跡",
    }
    for url, text in pages.items():
        assert text in japanese(client, url), url
    assert "申請却下" in japanese(client, reverse("accounts:audit-trail"))


def test_member_pages_in_japanese(client_for, contributor, newcomer):
    client = client_for(contributor)
    assert "専門家を招待" in japanese(client, reverse("accounts:invitations"))
    assert "自分のデータをダウンロード" in japanese(client, reverse("accounts:privacy"))
    assert "アカウントを削除" in japanese(client, reverse("accounts:account-delete"))
    refused = client_for(newcomer).get(reverse("accounts:invitations"), HTTP_ACCEPT_LANGUAGE="ja")
    assert "審査済みのコミュニティメンバー" in refused.content.decode()
