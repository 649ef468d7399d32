"""Headless Chromium: a member opens the board brief from the digest and prints it on one A4 page,
in English and in Japanese, with no site chrome and nothing blocked by the CSP."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest

from intel.boardbrief import services
from intel.models import SectorAssessment
from tests.helpers import sign_in
from tests.intel.boardbrief.conftest import SECTOR, snapshot_with
from tests.intel.digests.factories import DigestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# As long as the service and the page allow (5 questions of up to 200 characters; titles and
# notes past what the page shows, in Japanese, the wider script), so one page is a promise
# about the worst case, not about a short example.
QUESTIONS_EN = "\n".join(
    f"Question {n}: "
    + "if our sole supplier of high-purity gallium stopped shipping, how many "
    "weeks of production could we keep, who decides on a second source, what would it cost to "
    "qualify one and have we told our customers which lines depend on it today?"[:186]
    for n in range(1, 6)
)
QUESTIONS_JA = "\n".join(
    f"問{n}："
    + "高純度ガリウムの唯一の調達先が出荷を停止した場合、生産を何週間維持できるか、"
    "第二の調達先を誰が決めるのか、その認定にいくらかかるのか、どの製品ラインが依存しているかを"
    "顧客に伝えているか。重要な製品ラインについて代替の調達先の候補を挙げ、認定の順番と費用を取締役会で確認したか。"[
        :196
    ]
    for n in range(1, 6)
)
LONG_TITLE = (
    "日本の買い手向けのガリウム輸出許可の審査が十二週間以上長引き、代替調達先の認定も遅れている" * 3
)
LONG_ITEMS = [
    ("clear", LONG_TITLE, "report"),
    ("green", LONG_TITLE, "report"),
    ("green", LONG_TITLE, "report"),
    ("green", "A fourth item the brief leaves to the full digest", "report"),
]  # fmt: skip


@pytest.fixture
def long_week(analyst: Any, assessments: Any) -> Any:
    SectorAssessment.objects.filter(pk=assessments["newer"].pk).update(
        rationale="国内の高純度ガリウムの供給が一国に依存しており、代替の精製能力が整うまで時間がかかる。"
        * 20
    )
    assessments["newer"].refresh_from_db()
    digest = DigestFactory(
        sector=SECTOR, published_by=analyst, items=LONG_ITEMS,
        snapshot=snapshot_with(assessments["newer"], assessments["older"]),
    )  # fmt: skip
    digest.items.update(note="重要な理由：" + "納期と価格が連動して動いている。" * 12)
    services.board_questions_save(
        digest=digest, analyst=analyst, questions_en=QUESTIONS_EN, questions_ja=QUESTIONS_JA
    )
    return digest


def pdf_pages(page: Any) -> int:
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def test_member_prints_the_board_brief_on_one_a4_page_in_both_languages(
    page, contributor, long_week
):
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, contributor.email)
    page.goto(f"/intel/digests/{long_week.pk}/")
    page.get_by_test_id("board-brief-link").click()
    page.get_by_test_id("board-brief").wait_for()
    assert page.get_by_test_id("board-development").count() == 3
    assert page.get_by_test_id("board-question").count() == 5
    assert "Question 1: if our sole supplier" in page.get_by_test_id("board-brief").inner_text()
    assert pdf_pages(page) == 1
    # Print media hides the site's navigation, footer and the brief's own links.
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert not page.locator(".board-actions").is_visible()

    page.emulate_media(media="screen")
    page.get_by_role("link", name="日本語").click()
    page.get_by_test_id("board-brief").wait_for()
    brief = page.get_by_test_id("board-brief")
    assert brief.get_attribute("lang") == "ja"
    assert "問1：高純度ガリウム" in brief.inner_text()
    assert "取締役会への問い" in brief.inner_text()
    assert pdf_pages(page) == 1
    assert blocked == []
