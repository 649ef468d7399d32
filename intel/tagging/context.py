"""Signal evidence that the gold rules say does not count, found by its surroundings.

A lexicon term or cue rule names an event; the sentence around it can say
that the event is not the report's news:

- background: the event is the past a report refers to ("since last year's
  export curbs", "the anti-dumping duties placed on coil last year",
  「昨年の規制以降」, 「価格急騰の記憶から」);
- no news: the sentence says there was none ("there was no news on funding
  or new facilities", 「新たな措置は確認されていない」);
- a price that moved by a single-digit percentage ("harness prices go up
  around 4 %", 「前月比約4%の下落」), or a price word that is a pay offer
  ("offers 30-40 % above their own pay", 「約2倍の年収」), or a record that is no
  price ("the highest energy density on record", 「過去最高のエネルギー密度」);

`discount` drops a signal whose every piece of evidence is in such a place,
so the lexicon does not give it and the learned layer (which takes any
lexicon evidence as support) gives it only if its model alone is sure; one
piece of evidence elsewhere keeps the signal as it was. Pure Python with no Django
import; it reads the normalised text (lower-cased NFKC, hyphens as spaces).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from intel.tagging.normalise import NormalisedText
from intel.tagging.paraphrases import SENTENCE_MARKS, sentence_bounds

# Signals scoring less than this share of the threshold are not looked at, to
# keep the engine fast: the learned layer gives one only when its model is sure.
LOOKED_AT = 0.3
# How far from a piece of evidence (characters) a cue may be.
_NEAR = 60

# Words just before the evidence that make it the past ("last year's export
# curbs", "memories of the spike"), but not a comparison ("twice last year's
# wait", "limited to last year's volumes").
_BACKGROUND_EN_BEFORE = re.compile(
    r"(?:(?<!than )(?<!to )(?<!against )(?<!with )(?<!twice )(?<!half )(?<!of )"
    r"\blast year'?s|\bmemor(?:y|ies) of(?: the)?|\bstill refer to(?: the)?|\ba repeat of(?: the)?)"
    r" (?:[\w'-]+ ){0,3}$"
)
# "since the licensing rules on magnets last year": the evidence inside the clause.
_SINCE_EN = re.compile(r"\bsince (?:the |its |their )?(?:[\w'-]+ ){0,4}$")
_LAST_YEAR_AFTER_EN = re.compile(
    r"^ ?(?:[\w'-]+ ){0,5}?(?:last year|a year ago|(?:two|three|several) years ago)\b"
)
# "the duties placed on Chinese coil last year"
_PAST_MEASURE_AFTER_EN = re.compile(
    r"^ ?(?:[\w'-]+ ){0,6}?(?:imposed|introduced|placed|announced|adopted|enacted|levied)"
    r" (?:[\w'-]+ ){0,4}?(?:last year|in (?:19|20)\d\d|a year ago|years ago)\b"
)
# 「昨年の中国による輸出規制」「過去の措置」: the time word opens the evidence's clause.
_BACKGROUND_JA_BEFORE = re.compile(r"(?:昨年|去年|一昨年)(?:の|、)?|過去の|以前の|当時の")
# 「導入して以降」「規制以来」「価格急騰の記憶から」: right after the evidence, same clause.
_BACKGROUND_JA_AFTER = re.compile(r"^[^。、,]{0,8}?(?:以降|以来|の記憶|記憶)")
# "there was no news on funding or new facilities", "no sign of new export curbs".
_NO_NEWS_EN = re.compile(
    r"(?:\bno (?:new |fresh |further )?(?:news|word|announcements?|decisions?|changes?|signs?"
    r"|concerns?|mention) (?:on|of|about|regarding|in|over)(?: the| any)?"
    r"|\bthere (?:was|were|is|are|has been|have been) no(?: new| fresh| further)?)"
    r" (?:[\w'-]+ ){0,4}$"
)
# 「価格や供給に関して特段の懸念材料は確認されていない」: the clause ends in a formal "none".
_NO_NEWS_JA_AFTER = re.compile(
    r"^[^。、]{0,25}?[はも](?:確認されていない|確認されておらず|観察されておらず|見られない"
    r"|見られず|示されていない|示されなかった|示されませんでした|ありませんでした|ございません)"
)
# A price-shock cue that says "record" or "highest" needs a price in its sentence.
_RECORD_WORDS = frozenset({"record", "過去最高", "最高水準", "最高値"})
_PRICE_WORD = re.compile(
    r"\b(?:prices?|pric(?:ed|ing)|costs?|quotes?|quotations|spot|premiums?|tariffs?|rates?"
    r"|futures|benchmarks?)\b|価格|相場|値|単価|運賃|料金"
)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?) ?(?:%|percent\b|per cent\b)|(\d+(?:\.\d+)?)割")
_PAY = re.compile(
    r"\b(?:pay|salary|salaries|wages?|compensation|remuneration|pay packages?)\b"
    r"|年収|給与|給料|賃金|報酬|待遇"
)
_SHOCK_SIZE = 10.0


def _is_japanese(text: str) -> bool:
    return any("\u3040" <= char <= "\u30ff" or "\u4e00" <= char <= "\u9fff" for char in text)


# The sentence marks of `sentence_bounds`: a full stop inside a number ("1.5 GW")
# ends no sentence.
_MARKS = "[" + re.escape(SENTENCE_MARKS.replace(".", "")) + r"]|\.(?!\d)"
_MARK = re.compile(_MARKS)
_UP_TO_LAST_MARK = re.compile(f".*(?:{_MARKS})", re.DOTALL)


def _around(text: str, start: int, end: int) -> tuple[str, str]:
    """Up to _NEAR characters of the evidence's sentence before and after it.

    Cheaper than finding the whole sentence, which most evidence never needs.
    """
    before = text[max(0, start - _NEAR) : start]
    if (last_mark := _UP_TO_LAST_MARK.match(before)) is not None:
        before = before[last_mark.end() :]
    stop = min(len(text), end + _NEAR)
    mark = _MARK.search(text, end, stop)
    return before, text[end : mark.start() if mark else stop]


def _background(text: str, start: int, end: int) -> bool:
    before, after = _around(text, start, end)
    if _is_japanese(text[start:end]):
        clause = before.rsplit("、", 1)[-1][-20:]
        return bool(
            _BACKGROUND_JA_BEFORE.search(clause)
            or _BACKGROUND_JA_AFTER.search(after)
            or _NO_NEWS_JA_AFTER.search(after)
        )
    return bool(
        _BACKGROUND_EN_BEFORE.search(before)
        or _NO_NEWS_EN.search(before)
        or (_SINCE_EN.search(before) and _LAST_YEAR_AFTER_EN.search(after))
        or _PAST_MEASURE_AFTER_EN.search(after)
    )


def _not_a_price_shock(text: str, sentence: tuple[int, int], start: int, end: int) -> bool:
    """A price-shock cue beside a single-digit percentage move or beside pay, or a
    record with no price."""
    words = text[sentence[0] : sentence[1]]
    if text[start:end] in _RECORD_WORDS and not _PRICE_WORD.search(words):
        return True
    near = text[max(sentence[0], start - _NEAR) : min(sentence[1], end + _NEAR)]
    if _PAY.search(near):
        return True
    sizes = [
        float(english) if english else float(tenths) * 10
        for english, tenths in _PERCENT.findall(words)
    ]
    return bool(sizes) and max(sizes) < _SHOCK_SIZE


def discount(
    totals: dict[tuple[str, str], list[Any]],
    texts: Mapping[str, NormalisedText],
    threshold: float,
) -> None:
    """Drop from `totals`, in place, signals whose evidence all sits where the
    gold rules say it does not count (see the module)."""
    floor = threshold * LOOKED_AT
    looked_at = [
        slug
        for (kind, slug), (score, _evidence) in totals.items()
        if kind == "signals" and score >= floor
    ]
    for slug in looked_at:
        total = totals[("signals", slug)]
        for field, start, end in total[1]:
            text = texts[field].text
            if _background(text, start, end):
                continue
            if slug == "price-shock" and _not_a_price_shock(
                text, sentence_bounds(text, start), start, end
            ):
                continue
            break
        else:
            del totals[("signals", slug)]
