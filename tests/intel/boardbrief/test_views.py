"""Board brief pages: who may open them, what each reader sees, and the analyst's questions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from intel.models import BoardBrief
from tests.intel.boardbrief.conftest import AMBER_TITLE

pytestmark = pytest.mark.django_db

LOGIN, MFA, FORBIDDEN, OK, MISSING = "login", "mfa", 403, 200, 404


def brief_url(digest: Any, query: str = "") -> str:
    return reverse("intel:board_brief", args=[digest.pk]) + query


def questions_url(digest: Any) -> str:
    return reverse("intel:board_questions", args=[digest.pk])


def article(response: Any) -> str:
    """The brief itself, without the page's per-request parts (CSRF tokens, messages)."""
    match = re.search(r"<article.*?</article>", response.content.decode(), re.S)
    assert match, "no brief on the page"
    return match.group(0)


def check(response: Any, expected: Any) -> None:
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif expected == MFA:
        assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    else:
        assert response.status_code == expected


@pytest.fixture
def as_persona(request: Any, client_for: Any, anonymous: Any) -> Any:
    def make(name: str) -> Any:
        return anonymous if name == "anonymous" else client_for(request.getfixturevalue(name))

    return make


@pytest.mark.parametrize(
    ("persona", "published_page", "draft_page", "questions_page"),
    [
        ("anonymous", LOGIN, LOGIN, LOGIN),
        ("newcomer", FORBIDDEN, FORBIDDEN, FORBIDDEN),
        ("account_subscriber", OK, MISSING, FORBIDDEN),
        ("contributor", OK, MISSING, FORBIDDEN),
        ("reader", OK, MISSING, FORBIDDEN),
        ("analyst_without_mfa", OK, MISSING, MFA),
        ("analyst", OK, OK, OK),
    ],
)
def test_who_may_open_board_briefs(
    as_persona, published, draft, persona, published_page, draft_page, questions_page
):
    client = as_persona(persona)
    check(client.get(brief_url(published)), published_page)
    check(client.get(brief_url(draft)), draft_page)
    check(client.get(questions_url(published)), questions_page)
    saved = client.post(questions_url(published), {"questions_en": "Q?"})
    if questions_page == OK:
        assert saved.status_code == 302 and saved["Location"] == brief_url(published)
    else:
        check(saved, questions_page)


def test_unknown_digest_is_404(client_for, contributor):
    assert client_for(contributor).get("/intel/digests/999999/board/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("account_subscriber", ["Clear one", "Clear four"], ["Green two", "Green three"]),
        ("contributor", ["Clear one", "Green two", "Green three"], ["Clear four", "Green five"]),
        ("reader", ["Clear one", "Green two", "Green three"], ["Clear four", "Green five"]),
    ],
)
def test_three_developments_are_the_top_three_at_the_readers_level(
    as_persona, published, persona, shown, hidden
):
    page = article(as_persona(persona).get(brief_url(published)))
    assert len(re.findall(r'data-testid="board-development"', page)) == len(shown)
    for title in shown:
        assert title in page
    for title in hidden:
        assert title not in page
    positions = [page.index(title) for title in shown]
    assert positions == sorted(positions)


def test_brief_follows_the_analysts_order_and_drops(client_for, contributor, published):
    first, second = published.items.order_by("position")[:2]
    first.dropped = True
    first.save()
    second.position = 99
    second.save()
    page = article(client_for(contributor).get(brief_url(published)))
    assert "Clear one" not in page and "Green two" not in page
    assert page.index("Green three") < page.index("Green five")


@pytest.mark.parametrize("persona", ["account_subscriber", "contributor", "reader"])
def test_an_amber_item_cannot_be_inferred_from_the_brief(
    as_persona, published, add_amber_item, persona
):
    client = as_persona(persona)
    before = article(client.get(brief_url(published)))
    add_amber_item(published)
    after = article(client.get(brief_url(published)))
    assert AMBER_TITLE not in after
    # Same developments, same order, same wording: nothing says an item was withheld.
    assert before == after


def test_analyst_sees_the_amber_item_and_may_preview_a_members_brief(
    client_for, analyst, contributor, published, add_amber_item
):
    add_amber_item(published)
    client = client_for(analyst)
    assert AMBER_TITLE in article(client.get(brief_url(published)))
    preview = article(client.get(brief_url(published, "?clearance=green")))
    assert AMBER_TITLE not in preview
    assert preview == article(client_for(contributor).get(brief_url(published)))


def test_a_member_cannot_raise_their_clearance(client_for, contributor, published, add_amber_item):
    add_amber_item(published)
    page = article(client_for(contributor).get(brief_url(published, "?clearance=red")))
    assert AMBER_TITLE not in page


def test_class_and_pillars_show_their_trend_since_the_previous_assessment(
    client_for, contributor, published
):
    page = article(client_for(contributor).get(brief_url(published)))
    assert "Green: supply-chain autonomy lost, diversify" in page
    assert "changed from Blue: technological superiority, protect and control" in page
    assert re.search(r'board-autonomy">2 / 5<.*?▼ down 1 from 3', page, re.S)
    assert re.search(r'board-indispensability">5 / 5<.*?▲ up 1 from 4', page, re.S)


def test_japanese_brief(client_for, contributor, published):
    client = client_for(contributor)
    by_header = article(client.get(brief_url(published), HTTP_ACCEPT_LANGUAGE="ja"))
    by_query = article(client.get(brief_url(published, "?language=ja")))
    assert by_header == by_query
    assert 'lang="ja"' in by_query
    assert "取締役会への問い" in by_query
    assert "自律性" in by_query


def test_analyst_writes_questions_after_publication_in_both_languages_audited(
    client_for, analyst, contributor, published
):
    response = client_for(analyst).post(
        questions_url(published),
        {
            "questions_en": "Which suppliers of gallium do we depend on?\n\n- Who owns our fabs?",
            "questions_ja": "ガリウムの調達先はどこか。",
        },
    )
    assert response.status_code == 302 and response["Location"] == brief_url(published)
    english = article(client_for(contributor).get(brief_url(published)))
    assert "Which suppliers of gallium do we depend on?" in english
    assert "Who owns our fabs?" in english and "- Who" not in english
    japanese = article(client_for(contributor).get(brief_url(published, "?language=ja")))
    assert "ガリウムの調達先はどこか。" in japanese
    assert "Which suppliers" not in japanese
    event = AuditEvent.objects.get(action="digest.board_questions")
    assert event.actor == analyst and event.target_id == str(published.pk)
    assert event.data == {"languages": ["en", "ja"], "published": True}


def test_saving_the_same_questions_again_records_nothing(client_for, analyst, published):
    client = client_for(analyst)
    for _ in range(2):
        client.post(questions_url(published), {"questions_en": "Q one?", "questions_ja": ""})
    assert AuditEvent.objects.filter(action="digest.board_questions").count() == 1


def test_questions_carry_over_to_a_correction(client_for, analyst, contributor, published):
    from intel.digests import services as digest_services

    client_for(analyst).post(questions_url(published), {"questions_en": "Carried over?"})
    correction = digest_services.digest_correct(
        digest=published, analyst=analyst, correction_note="A title was wrong."
    )
    digest_services.digest_publish(digest=correction, analyst=analyst)
    assert "Carried over?" in article(client_for(contributor).get(brief_url(correction)))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"questions_en": "\n".join(f"Question {n}?" for n in range(6))}, "questions_en"),
        ({"questions_ja": "問" * 201}, "questions_ja"),
        ({"questions_en": "x" * 2001}, "questions_en"),
    ],
)
def test_bad_questions_are_a_400_that_keeps_the_text(client_for, analyst, published, data, field):
    response = client_for(analyst).post(questions_url(published), data)
    assert response.status_code == 400
    assert f'id="field-{field}"' in response.content.decode()
    assert response.context["form"].errors[field]
    assert not BoardBrief.objects.exists()


def test_digest_page_links_to_its_brief(client_for, contributor, analyst, published):
    page = client_for(contributor).get(reverse("intel:digest_detail", args=[published.pk]))
    assert brief_url(published) in page.content.decode()
    analyst_page = client_for(analyst).get(reverse("intel:digest_detail", args=[published.pk]))
    assert questions_url(published) in analyst_page.content.decode()


def test_brief_page_has_no_inline_style_or_script_and_a_print_stylesheet(
    client_for, contributor, published
):
    html = client_for(contributor).get(brief_url(published)).content.decode()
    assert "/static/css/board.css" in html
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
