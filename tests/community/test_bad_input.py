"""No 500 from input: each malformed request gets a 4xx that says what was wrong.

Every case here answered 500 before (a ValueError, a RecursionError, a
PostgreSQL DataError or an OverflowError reaching the top). The guards live in
`community` (middleware, parser, router, filters, handlers), so the tests of a
guard also check that a route added later is covered by it.
"""

from __future__ import annotations

import json

import pytest
from allauth.account import app_settings as allauth_settings
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import translation

from accounts.models import User
from community.admin import AdminSite
from community.web import BadInput
from intel.briefings import selectors as selectors_briefings
from intel.reports import services
from tests.helpers import api_token_for
from tests.intel.briefings.factories import SubscriptionFactory
from tests.intel.factories import FieldReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_api(analyst) -> Client:
    return Client(headers={"authorization": f"Token {api_token_for(analyst)}"})


@pytest.fixture
def contributor_api(contributor) -> Client:
    return Client(headers={"authorization": f"Token {api_token_for(contributor)}"})


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def detail(response) -> str:
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response.json()["detail"]


# --- Ids that are not integers ------------------------------------------------------------

ID_ROUTES = [
    ("get", "/api/digests/abc/"),
    ("patch", "/api/digests/abc/"),
    ("post", "/api/digests/abc/publish/"),
    ("post", "/api/digests/abc/correct/"),
    ("get", "/api/review/abc/"),
    ("post", "/api/review/abc/accept/"),
    ("post", "/api/review/abc/reject/"),
    ("post", "/api/review/abc/request-changes/"),
    ("post", "/api/review/abc/start-review/"),
    ("get", "/api/review/abc/comments/"),
    ("post", "/api/review/abc/comments/"),
    ("get", "/api/review/1.5/comments/"),
]


@pytest.mark.parametrize(("method", "url"), ID_ROUTES)
def test_a_non_integer_id_is_a_json_404(analyst_api, method, url):
    if method == "get":
        response = analyst_api.get(url)
    else:
        response = getattr(analyst_api, method)(url, "{}", content_type="application/json")
    assert response.status_code == 404
    assert detail(response) == "Not found."


def test_an_id_beyond_the_database_integer_range_is_a_404(analyst_api):
    assert analyst_api.get(f"/api/digests/{10**30}/").status_code == 404
    assert analyst_api.post(f"/api/review/{10**30}/accept/", {}).status_code == 404


def _patterns(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def test_every_id_in_our_urls_is_matched_by_the_integer_converter():
    """The guard for routes added later: `pk` (and `*_id`) captures only digits."""
    loose = []
    for route, pattern in _patterns(get_resolver()):
        if route.startswith("admin/"):
            continue  # Django's admin parses its own object ids and answers 302/404
        converters = getattr(pattern.pattern, "converters", {})
        regex = pattern.pattern.regex.pattern
        for name in ("pk", "id"):
            captured = f"(?P<{name}>" in regex or name in converters
            if captured and not isinstance(converters.get(name), IntConverter):
                loose.append(route)
    assert loose == []


# --- JSON bodies --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_name", "url"),
    [
        ("analyst_api", "/api/review/1/accept/"),
        ("contributor_api", "/api/reports/"),
        ("anonymous", "/api/auth/token/"),
    ],
)
def test_json_nested_a_thousand_deep_is_a_400(request, client_name, url):
    client = request.getfixturevalue(client_name)
    response = client.post(url, nested(1000), content_type="application/json")
    assert response.status_code == 400
    assert "nested more than" in detail(response)


def test_a_json_object_nested_deep_is_refused_too(contributor_api):
    body = '{"a":' * 1000 + "1" + "}" * 1000
    response = contributor_api.post("/api/reports/", body, content_type="application/json")
    assert response.status_code == 400


def test_reasonably_nested_json_still_reaches_the_serializer(contributor_api):
    response = contributor_api.post("/api/reports/", nested(3), content_type="application/json")
    assert response.status_code == 400
    assert "Expected a dictionary" in response.json()["non_field_errors"][0]


def test_a_body_over_the_upload_limit_is_a_json_400(contributor_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"title": "x" * 2000})
    response = contributor_api.post("/api/reports/", body, content_type="application/json")
    assert response.status_code == 400
    assert "larger than this site accepts" in detail(response)


# --- NUL bytes and unpaired surrogates -------------------------------------------------------


def test_a_nul_byte_in_the_token_header_is_a_json_400(anonymous):
    response = anonymous.get("/api/me/", headers={"authorization": "Token abc\x00def"})
    assert response.status_code == 400
    assert "Authorization header" in detail(response)


@pytest.mark.parametrize("cookie", ['"abcdefghij\\000klmnop"', "abcdefghij\x00klmnop"])
def test_a_nul_byte_in_the_session_cookie_is_a_400(anonymous, cookie):
    response = anonymous.get("/", headers={"cookie": f"sessionid={cookie}"})
    assert response.status_code == 400


def test_a_nul_byte_in_the_unsubscribe_link_is_a_readable_400(anonymous):
    response = anonymous.get("/briefings/u/%00/")
    assert response.status_code == 400
    content = response.content.decode()
    assert "<h1>Bad request</h1>" in content
    assert "The address contains a NUL character" in content


@pytest.mark.parametrize("url", ["/api/review/?q=a%00b", "/api/review/?q%00=x"])
def test_a_nul_byte_in_the_api_query_string_is_a_json_400(analyst_api, url):
    response = analyst_api.get(url)
    assert response.status_code == 400
    assert "query parameter" in detail(response)


def test_a_nul_byte_in_the_search_page_query_is_a_400(client_for, analyst):
    response = client_for(analyst).get("/intel/search/?q=gallium%00")
    assert response.status_code == 400
    assert "query parameter “q”" in response.content.decode()


def test_a_nul_byte_in_a_withdraw_reason_is_a_400_and_the_report_stays(client_for, contributor):
    report = FieldReportFactory(author=contributor)
    services.report_submit(contribution=report, actor=contributor)
    response = client_for(contributor).post(
        f"/intel/contributions/{report.pk}/withdraw/", {"reason": "changed my mind\x00"}
    )
    assert response.status_code == 400
    assert "form field “reason”" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"


def test_an_unpaired_surrogate_in_a_json_title_is_a_field_error(contributor_api):
    body = '{"title": "gallium \\ud800"}'
    response = contributor_api.post("/api/reports/", body, content_type="application/json")
    assert response.status_code == 400
    assert "Surrogate characters are not allowed" in response.json()["title"][0]


# --- Date and date-time filters ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("submitted_before=2026-01-01T00:00:00-19:00", "UTC offset"),
        ("submitted_after=2026-01-01T00:00:00%2B23:59", "UTC offset"),
        ("submitted_before=9999-12-31T23:59:59-01:00", "Enter a date between"),
        ("submitted_after=0001-01-01T00:00:00%2B01:00", "Enter a date between"),
    ],
)
def test_out_of_range_date_time_filters_are_field_errors(analyst_api, query, message):
    response = analyst_api.get(f"/api/review/?{query}")
    assert response.status_code == 400
    [field] = response.json()
    assert message in response.json()[field][0]


def test_an_offset_postgresql_cannot_hold_is_compared_in_utc(analyst_api, analyst, contributor):
    report = FieldReportFactory(author=contributor)
    services.report_submit(contribution=report, actor=contributor)
    response = analyst_api.get("/api/review/?submitted_after=2000-01-01T00:00:00%2B17:00")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [report.pk]


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31"])
def test_a_digest_week_filter_outside_the_calendar_is_a_400(analyst_api, week):
    response = analyst_api.get(f"/api/digests/?week_start={week}")
    assert response.status_code == 400
    assert "Enter a date between" in response.json()["week_start"][0]


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31"])
def test_building_a_digest_for_a_week_outside_the_calendar_is_a_400(analyst_api, week):
    response = analyst_api.post(
        "/api/digests/",
        json.dumps({"sector": "energy", "week_start": week}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Choose a week between" in response.json()["week_start"][0]


def test_the_digest_build_page_refuses_year_one(client_for, analyst):
    response = client_for(analyst).post("/intel/digests/build/", {"week": "0001-01-01"})
    assert response.status_code == 400
    assert "Choose a week between" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "submitted_at__year=99999999999",
        "submitted_at__year=9999&submitted_at__month=12&submitted_at__day=31",
        "submitted_at__year=0",
    ],
)
def test_an_admin_date_hierarchy_outside_the_calendar_is_a_400(client_for, admin_user, query):
    response = client_for(admin_user).get(f"/admin/intel/contribution/?{query}")
    assert response.status_code == 400
    assert "The date filter must name a real date" in response.content.decode()


def test_the_admin_date_hierarchy_still_filters(client_for, admin_user):
    response = client_for(admin_user).get("/admin/intel/contribution/?submitted_at__year=2026")
    assert response.status_code == 200


def test_the_user_admin_refuses_a_join_date_outside_the_calendar(client_for, admin_user):
    client = client_for(admin_user)
    response = client.get("/admin/accounts/user/?date_joined__year=99999999999")
    assert response.status_code == 400
    assert "The date filter must name a real date" in response.content.decode()
    assert client.get("/admin/accounts/user/?date_joined__year=2026").status_code == 200


def test_every_admin_with_a_date_hierarchy_refuses_a_year_outside_the_calendar(
    client_for, admin_user
):
    client = client_for(admin_user)
    answers = {}
    for model, model_admin in admin.site._registry.items():
        if model_admin.date_hierarchy:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            response = client.get(f"{url}?{model_admin.date_hierarchy}__year=99999999999")
            answers[url] = response.status_code
    assert "/admin/knox/authtoken/" in answers  # an admin that is not read-only
    assert set(answers.values()) == {400}, answers


def test_an_admin_registered_on_the_site_later_is_guarded_too(rf, admin_user):
    class PlainUserAdmin(ModelAdmin):
        date_hierarchy = "date_joined"

    site = AdminSite(name="later")
    site.register(User, PlainUserAdmin)
    request = rf.get("/", {"date_joined__year": "99999999999"})
    request.user = admin_user
    with pytest.raises(BadInput):
        site.get_model_admin(User).get_changelist_instance(request)


# --- Signed links whose payload has the wrong shape ------------------------------------------

WRONG_SHAPES = [[1, 2], "x", None, {}, {"s": "abc"}, {"s": {"a": 1}}, {"s": True}, {"s": 1.5}]


@pytest.mark.parametrize("payload", [*WRONG_SHAPES, 10**30, "1x"])
def test_a_validly_signed_email_confirmation_of_the_wrong_shape_is_an_invalid_link(
    anonymous, payload
):
    # Signed as allauth signs its confirmation keys (an address id, with its salt).
    key = signing.dumps(payload, salt=allauth_settings.SALT)
    url = f"/accounts/confirm-email/{key}/"
    page = anonymous.get(url)
    assert page.status_code == 200
    assert "This email confirmation link expired or is invalid" in page.content.decode()
    assert anonymous.post(url).status_code == 404  # allauth's answer to any invalid key


@pytest.mark.parametrize("payload", WRONG_SHAPES)
def test_a_validly_signed_confirmation_of_the_wrong_shape_is_an_invalid_link(anonymous, payload):
    SubscriptionFactory(email="pending@example.org", sectors=["ai"], status="pending")
    token = signing.dumps(payload, salt=selectors_briefings.CONFIRM_SALT)
    response = anonymous.get(f"/briefings/confirm/{token}/")
    assert response.status_code == 400
    assert "link" in response.content.decode().lower()


@pytest.mark.parametrize("payload", [*WRONG_SHAPES, {"s": 1, "e": "x\x00"}, {"s": 1, "x": 2}])
def test_a_validly_signed_preferences_link_of_the_wrong_shape_is_an_invalid_link(
    anonymous, payload
):
    token = signing.dumps(payload, salt=selectors_briefings.PREFERENCES_SALT)
    assert anonymous.get(f"/briefings/preferences/{token}/").status_code == 400


def test_a_correctly_signed_link_still_opens(anonymous, subscriber):
    token = selectors_briefings.preferences_token(subscriber)
    assert anonymous.get(f"/briefings/preferences/{token}/").status_code == 200


@pytest.mark.parametrize("code", [signing.dumps([1]), signing.dumps({"s": "abc"}), "x" * 500])
def test_an_invitation_link_with_a_signed_or_overlong_code_is_a_404(anonymous, code):
    assert anonymous.get(f"/members/invitation/{code}/").status_code == 404


def test_a_nul_byte_in_an_invitation_link_is_a_400(anonymous):
    assert anonymous.get("/members/invitation/abc%00def/").status_code == 400


def test_the_400_page_speaks_the_readers_language(anonymous):
    with translation.override("en"):  # the request activates Japanese for this thread
        response = anonymous.get("/briefings/u/%00/", headers={"accept-language": "ja"})
    assert response.status_code == 400
    assert "不正なリクエスト" in response.content.decode()
