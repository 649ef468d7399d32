"""Digest text is gettext: each sentence is in the catalogue, rendered in the language asked."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from intel.digests import text as digest_text

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MODULE = Path(digest_text.__file__)
GETTEXT = {"gettext", "gettext_lazy", "ngettext", "pgettext", "pgettext_lazy"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _templates() -> list[tuple[str | None, str, str | None]]:
    """(context, msgid, plural) of every gettext call in the module, as makemessages reads them."""
    tree = ast.parse(MODULE.read_text())
    for string in (node for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)):
        # xgettext does not look inside f-strings: a call there never reaches the catalogue.
        calls = [node for node in ast.walk(string) if isinstance(node, ast.Call)]
        assert not [call for call in calls if getattr(call.func, "id", None) in GETTEXT]
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in GETTEXT):
            continue
        # makemessages extracts only literal strings; a computed one would never be translated.
        literal = 2 if node.func.id in {"ngettext", "pgettext", "pgettext_lazy"} else 1
        assert all(isinstance(arg, ast.Constant) for arg in node.args[:literal]), ast.unparse(node)
        strings = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
        context = strings.pop(0) if node.func.id.startswith("pgettext") else None
        plural = strings[1] if node.func.id == "ngettext" else None
        found.append((context, strings[0], plural))
    return found


def test_every_sentence_template_is_in_the_catalogue_with_japanese():
    templates = _templates()
    assert len(templates) > 30  # the sentences, the export's headings, class and pillar names
    entries = {
        (entry.msgctxt, entry.msgid): entry
        for entry in polib.pofile(str(CATALOGUE))
        if not entry.obsolete
    }
    for context, msgid, plural in templates:
        entry = entries.get((context, msgid))
        assert entry is not None, f"not in the catalogue: {context!r} {msgid!r}"
        assert entry.msgid_plural == (plural or ""), msgid
        assert "fuzzy" not in entry.flags, msgid
        japanese = list(entry.msgstr_plural.values()) if plural else [entry.msgstr]
        assert japanese and all(japanese), f"no Japanese for {msgid!r}"
        for translated in japanese:
            assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(msgid)), msgid


def test_digest_text_holds_no_sentence_table_of_its_own():
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", MODULE.read_text())


def _view() -> dict:
    signals = [
        {"label": "Export control", "count": 3, "last_week": 0, "previous_average": 0.0,
         "new": True, "rising": True},
        {"label": "Tariff", "count": 5, "last_week": 1, "previous_average": 1.25,
         "new": False, "rising": True},
        {"label": "Sanctions", "count": 0, "last_week": 3, "previous_average": 2.0,
         "new": False, "rising": False},
    ]  # fmt: skip
    return {
        "sector_label": "Critical minerals", "week_start": "2026-10-05", "version": 2,
        "clearance_label": "TLP:GREEN", "correction_note": "Wrong  figure.",
        "summary": " Supply is tight. ", "summary_tlp_label": "TLP:AMBER",
        "what_changed": ["First.", "Second."],
        "totals": {"accepted": 1, "last_week": 4, "reports": 1, "case_studies": 0,
                   "previous_average": 2.5},
        "rising_signals": signals[:2], "signals": signals,
        "countries": [{"name": "China", "count": 1}],
        "stages": [{"label": "Processing", "count": 2}],
        "items": [{"number": 1, "title": "Gallium | licences", "corroboration": 3,
                   "tlp_label": "TLP:GREEN", "score": 55.55, "credibility": 2,
                   "source_grade": "B", "signals": [{"label": "Tariff"}],
                   "countries": [{"name": "China"}], "note": "Check  it.",
                   "contributions": [{"id": 4}, {"id": 7}]}],
        "requirements": {"new": [{"question": "Lead times?"}], "closed": [], "open": 3},
        "assessment": {
            "current": {"sector_class": "red", "autonomy": 3, "indispensability": 4,
                        "class_label": "Red", "assessed_at": "2026-10-01T09:00:00+09:00",
                        "rationale": "Disruptive."},
            "previous": {"sector_class": "blue", "autonomy": 2, "indispensability": 4},
        },
    }  # fmt: skip


def test_what_changed_speaks_singular_and_plural_in_english():
    assert digest_text.what_changed(_view(), language="en") == [
        "1 report was accepted this week, down from 4 last week.",
        "Export control appears for the first time in five weeks (3 reports).",
        "Tariff is rising: 5 reports this week against an average of 1.2 over the previous "
        "four weeks.",
        "No Sanctions reports this week, after 3 last week.",
        "China is the most reported country (1 report).",
        "The sector's class changed from blue to red.",
        "The autonomy score moved from 2 to 3.",
        "1 new intelligence requirement was published this week.",
        "The top item is corroborated by 3 independent organisations.",
    ]


def test_what_changed_in_japanese_whatever_the_active_language():
    with translation.override("en"):
        sentences = digest_text.what_changed(_view(), language="ja")
        assert translation.get_language() == "en"
    assert sentences == [
        "今週は1件の報告が受理され、先週の4件から減少しました。",
        "「Export control」が5週間で初めて報告されました（3件）。",
        "「Tariff」が増加しています：今週5件（過去4週間の平均1.2件）。",
        "「Sanctions」の報告は今週ありませんでした（先週3件）。",
        "最も多く報告された国はChinaです（1件）。",
        "セクターの分類がブルーからレッドに変わりました。",
        "自律性のスコアが2から3に変わりました。",
        "今週、情報要求が1件公開されました。",
        "最上位の項目は3の独立した組織によって裏付けられています。",
    ]


@pytest.mark.parametrize(
    ("language", "closed", "expected"),
    [
        ("en", 2, "2 intelligence requirements were closed this week."),
        ("ja", 2, "今週、情報要求が2件終了しました。"),
        ("en", 1, "1 intelligence requirement was closed this week."),
    ],
)
def test_closed_requirements_sentence(language, closed, expected):
    view = {**_view(), "requirements": {"new": [], "closed": [{"question": "?"}] * closed}}
    assert expected in digest_text.what_changed(view, language=language)


def test_both_requirement_counts_share_one_sentence():
    view = {**_view(), "requirements": {"new": [{"question": "?"}] * 2, "closed": [{}]}}
    sentences = digest_text.what_changed(view, language="en")
    assert "2 new intelligence requirements were published and 1 closed this week." in sentences


def test_markdown_export_in_english():
    markdown = digest_text.to_markdown(
        _view(), language="en", contribution_url=lambda pk: f"https://x/{pk}"
    )
    assert markdown.split("\n") == [
        "# Critical minerals digest, week of 2026-10-05 (version 2)",
        "",
        "_Shown up to TLP:GREEN. Items above this level are left out._",
        "",
        "> **Correction to version 1**: Wrong figure.",
        "",
        "## Analyst summary (TLP:AMBER)",
        "",
        "Supply is tight.",
        "",
        "## What changed since last week",
        "",
        "- First.",
        "- Second.",
        "",
        "## This week in figures",
        "",
        "Accepted: 1 (reports 1, case studies 0); last week 4; four-week average 2.5.",
        "",
        "### Signals",
        "",
        "| Signal | This week | Last week | Four-week average | |",
        "| --- | ---: | ---: | ---: | --- |",
        "| Export control | 3 | 0 | 0 | rising |",
        "| Tariff | 5 | 1 | 1.2 | rising |",
        "| Sanctions | 0 | 3 | 2 |  |",
        "",
        "### Countries",
        "",
        "| Country | Reports |",
        "| --- | ---: |",
        "| China | 1 |",
        "",
        "### Supply-chain stages",
        "",
        "| Stage | Reports |",
        "| --- | ---: |",
        "| Processing | 2 |",
        "",
        "## Top items",
        "",
        "1. **Gallium | licences**",
        "   - TLP:GREEN · score 55.5 · corroborated by 3 · credibility 2 · source grade B",
        "   - Signals: Tariff",
        "   - Countries: China",
        "   - Analyst note: Check it.",
        "   - Behind it: [#4](https://x/4), [#7](https://x/7)",
        "",
        "## Intelligence requirements",
        "",
        "- New: Lead times?",
        "- Open in this sector: 3",
        "",
        "## Sector assessment",
        "",
        "Red · autonomy 3/5 · strategic indispensability 4/5 (assessed 2026-10-01)",
        "",
        "Disruptive.",
        "",
    ]


def test_markdown_export_in_japanese():
    view = {**_view(), "signals": [], "stages": [], "items": [], "assessment": {"current": None}}
    markdown = digest_text.to_markdown(view, language="ja")
    assert markdown.split("\n") == [
        "# Critical minerals 週次ダイジェスト（2026-10-05の週） (第2版)",
        "",
        "_TLP:GREENまでの情報を表示しています。これを超える項目は省かれています。_",
        "",
        "> **第1版の訂正**: Wrong figure.",
        "",
        "## アナリストによる要約 (TLP:AMBER)",
        "",
        "Supply is tight.",
        "",
        "## 先週からの変化",
        "",
        "- First.",
        "- Second.",
        "",
        "## 今週の数字",
        "",
        "受理：1件（報告1件、事例0件）、先週4件、過去4週間の平均2.5件。",
        "",
        "### シグナル",
        "",
        "今週はありません。",
        "",
        "### 国",
        "",
        "| 国 | 件数 |",
        "| --- | ---: |",
        "| China | 1 |",
        "",
        "### サプライチェーンの段階",
        "",
        "今週はありません。",
        "",
        "## 主な項目",
        "",
        "今週はありません。",
        "",
        "",
        "## 情報要求",
        "",
        "- 新規：Lead times?",
        "- このセクターで受付中：3件",
        "",
        "## セクター評価",
        "",
        "まだ評価されていません。",
        "",
    ]


def test_japanese_item_facts_in_the_export():
    markdown = digest_text.to_markdown(_view(), language="ja")
    assert "   - TLP:GREEN · スコア55.5 · 裏付け3 · 情報の確度2 · 情報源の評価B" in markdown
    assert "   - 根拠：#4, #7" in markdown
    assert "Red · 自律性 3/5 · 戦略的不可欠性 4/5（2026-10-01評価）" in markdown


@pytest.mark.parametrize(
    ("asked", "used"), [("ja", "ja"), ("ja-jp", "ja"), ("en-us", "en"), ("fr", "en"), ("", "en")]
)
def test_supported_language_falls_back_to_the_default(asked, used):
    assert digest_text.supported_language(asked) == used
