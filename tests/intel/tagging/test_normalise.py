"""Normalisation: one notion of "the same text", and the way back to offsets."""

from __future__ import annotations

import pytest

from intel.tagging.normalise import normalise, normalise_term


def _round_trip(text: str) -> list[tuple[str, str]]:
    """Each normalised char next to the original text it came from."""
    normalised = normalise(text)
    pairs = []
    for index, char in enumerate(normalised.text):
        start, end = normalised.original_span(index, index + 1)
        pairs.append((char, text[start:end]))
    return pairs


def test_full_width_latin_and_digits_become_ascii_lower_case():
    assert normalise("ＡＢＣ１２３").text == "abc123"


def test_full_width_spans_point_at_the_original_characters():
    text = "米ＡＢＣ１２３社"
    normalised = normalise(text)
    start = normalised.text.index("abc123")
    assert normalised.original_span(start, start + 6) == (1, 7)
    assert text[1:7] == "ＡＢＣ１２３"


def test_ascii_text_keeps_identity_offsets():
    normalised = normalise("China Tightens Export Controls")
    assert normalised.text == "china tightens export controls"
    assert normalised.maps == ()
    assert normalised.original_span(15, 30) == (15, 30)


def test_whitespace_runs_collapse_and_map_back_to_the_whole_run():
    text = "export  \n controls"
    normalised = normalise(text)
    assert normalised.text == "export controls"
    start = normalised.text.index("controls")
    assert text[slice(*normalised.original_span(start, start + 8))] == "controls"
    assert text[slice(*normalised.original_span(6, 7))] == "  \n "


def test_dashes_read_as_spaces_without_moving_offsets():
    assert normalise("rare-earth U.S.\u2013China").text == "rare earth u.s. china"
    assert normalise("rare-earth").maps == ()


def test_half_width_katakana_with_voiced_mark_composes_and_maps_to_both_chars():
    text = "ｶﾞﾘｳﾑ"
    assert normalise(text).text == "ガリウム"
    assert _round_trip(text)[0] == ("ガ", "ｶﾞ")


def test_expanding_and_contracting_characters_map_to_their_source():
    pairs = _round_trip("ﬁne…e\u0301")
    assert pairs[:2] == [("f", "ﬁ"), ("i", "ﬁ")]
    assert (".", "…") in pairs
    assert pairs[-1] == ("é", "e\u0301")


def test_case_folding_handles_non_ascii():
    assert normalise("STRAßE Ärger").text == "strasse ärger"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "日本語のテキスト",
        "Ｅｘｐｏｒｔ　Ｃｏｎｔｒｏｌ",
        "a\u3000\u3000b",
        "①②③",
        "😀 emoji",
    ],
)
def test_every_normalised_char_maps_inside_the_original(text):
    normalised = normalise(text)
    for index in range(len(normalised.text)):
        start, end = normalised.original_span(index, index + 1)
        assert 0 <= start < end <= len(text)


def test_terms_are_trimmed():
    assert normalise_term("  Export Controls ") == "export controls"
