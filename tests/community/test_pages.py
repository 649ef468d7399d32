"""Site shell: pages answer, navigation adapts to the visitor, language switch, errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_is_public_and_offers_sign_in(anonymous):
    response = anonymous.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("account_login") in content
    assert "Sign out" not in content


def test_nav_for_contributor_shows_role_and_no_admin(client_for, contributor):
    content = client_for(contributor).get(reverse("home")).content.decode()
    assert "Sign out" in content
    assert "Contributor" in content
    assert reverse("admin:index") not in content


def test_nav_for_analyst_shows_analyst_role(client_for, analyst):
    content = client_for(analyst).get(reverse("home")).content.decode()
    assert "Analyst" in content
    assert reverse("admin:index") not in content


def test_nav_for_admin_links_the_admin(client_for, admin_user):
    content = client_for(admin_user).get(reverse("home")).content.decode()
    assert reverse("admin:index") in content


def test_unvetted_user_is_told_they_are_not_yet_a_member(client_for, newcomer):
    content = client_for(newcomer).get(reverse("home")).content.decode()
    assert "not yet a vetted member" in content


def test_admin_refuses_contributor(client_for, contributor):
    response = client_for(contributor).get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_opens_for_admin(client_for, admin_user):
    assert client_for(admin_user).get(reverse("admin:index")).status_code == 200


def test_mfa_settings_require_sign_in(anonymous):
    response = anonymous.get(reverse("mfa_index"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_mfa_settings_open_for_signed_in_user(client_for, analyst):
    assert client_for(analyst).get(reverse("mfa_index")).status_code == 200


def test_unknown_page_renders_our_404(anonymous):
    response = anonymous.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_japanese_interface_from_accept_language(anonymous):
    response = anonymous.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja")
    content = response.content.decode()
    assert '<html lang="ja">' in content
    assert "コミュニティ・インテリジェンス・プラットフォーム" in content
    assert "サインイン" in content


def test_language_switch_sets_cookie_for_anonymous(anonymous):
    response = anonymous.post(reverse("set_language"), {"language": "ja", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ja"


def test_language_switch_is_remembered_on_the_account(client_for, contributor):
    client_for(contributor).post(reverse("set_language"), {"language": "ja", "next": "/"})
    contributor.refresh_from_db()
    assert contributor.language == "ja"


def test_language_switch_rejects_unknown_language(client_for, contributor):
    client_for(contributor).post(reverse("set_language"), {"language": "xx", "next": "/"})
    contributor.refresh_from_db()
    assert contributor.language == "en"


def test_language_switch_refuses_get(anonymous):
    assert anonymous.get(reverse("set_language")).status_code == 405


def test_static_css_is_served_locally(anonymous):
    content = anonymous.get(reverse("home")).content.decode()
    assert "/static/css/site.css" in content
    assert "https://" not in content.split("<body")[0], "no external assets in <head>"
