"""Pure text helpers: language detection, CJK bigrams for search, sanitised Markdown,
invisible text."""

from __future__ import annotations

from intel import text


def test_detects_japanese_and_english():
    assert text.detect_language("ガリウムの輸出規制が強化された") == "ja"
    assert text.detect_language("Gallium export licences were delayed") == "en"
    assert text.detect_language("") == "en"
    assert text.detect_language("東京エレクトロンの受注が増えた (Tokyo Electron)") == "ja"


def test_full_width_latin_is_normalised():
    assert text.latin_text("ＧＡＬＬＩＵＭ exports").strip() == "gallium exports"


def test_cjk_runs_become_overlapping_bigrams():
    assert text.cjk_bigrams("輸出規制") == ["輸出", "出規", "規制"]
    assert text.cjk_bigrams("米") == ["米"]


def test_tsvector_literal_has_positions_and_weight():
    literal = text.cjk_tsvector_literal("輸出規制 and 強化", "B")
    assert literal == "'輸出':1B '出規':2B '規制':3B '強化':5B"
    assert text.cjk_tsvector_literal("English only", "A") == ""


def test_quotes_in_lexemes_are_escaped():
    assert text.quote_lexeme("it's") == "'it''s'"


def test_markdown_is_rendered_and_sanitised():
    html = text.render_markdown(
        "**bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org)"
        '\n\n<img src=x onerror="alert(1)">'
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html and "<img" not in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_only_zero_width_bidi_or_blank_characters_are_not_visible_text():
    for invisible in (
        "",
        "   ",
        "\u200b\u200c\u200d\u2060\ufeff",  # zero-width space, joiners, word joiner, BOM
        "\u202e\u202d\u2066\u2069",  # bidi overrides and isolates
        "\u200e\u200f\u00ad",  # direction marks, soft hyphen
        "\u3164\u2800\u115f",  # Hangul filler, Braille blank, Hangul choseong filler
        "\u0301\u20dd",  # combining marks with no base character
    ):
        assert not text.has_visible_text(invisible), repr(invisible)
    for visible in ("a", "\u200bGallium", "輸出", "٣", "—"):
        assert text.has_visible_text(visible), repr(visible)


def test_bidi_controls_are_stripped_and_other_text_kept():
    assert text.strip_bidi_controls("\u202egallium\u202c exports\u2067") == "gallium exports"
    assert text.strip_bidi_controls("مرحبا gallium") == "مرحبا gallium"
