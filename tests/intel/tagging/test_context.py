"""Signal evidence that does not count because of where it stands (`intel.tagging.context`).

Each case is a pair: the same cue as the report's news is tagged, and in a
background, no-news, small-move, pay or record-without-price sentence it is
not; nor does the learned layer take it as lexicon support (its model alone
may still give a signal it is sure of).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from intel.tagging import Tagger, default_tagger
from intel.tagging.learned import tagger_with
from intel.tagging.learned_runtime import shipped_model


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return default_tagger()


@pytest.fixture(scope="module")
def layered(tagger: Tagger) -> Tagger:
    return tagger_with(tagger, shipped_model())


def signals(tagger: Tagger, body: str) -> list[str]:
    return tagger.tag("", body).as_contract()["signals"]


PAIRS = [
    # (signal, the report's news, the same cue where it does not count)
    (
        "export-control",
        "China imposed export controls on gallium this week.",
        "Since last year's export controls on gallium we have bought from Canada.",
    ),
    (
        "export-control",
        "Beijing introduced export controls on graphite anodes.",
        "Buyers still refer to the export controls on graphite anodes.",
    ),
    (
        "tariff",
        "Brussels placed anti-dumping duties on Chinese coil.",
        "Mills cite the anti-dumping duties placed on Chinese coil last year.",
    ),
    (
        "export-control",
        "中国が重希土類の輸出規制を発動した。",
        "昨年の中国による輸出規制以降、調達先は分散済みだ。",
    ),
    (
        "price-shock",
        "卸値は急騰した。",
        "卸は昨年の価格急騰の記憶から慎重に仕入れている。",
    ),
    (
        "capacity-expansion",
        "The group announced new facilities in Ohio.",
        "There was no news on funding or new facilities.",
    ),
    (
        "price-shock",
        "Contract prices for the cells rose 25% this quarter.",
        "Contract prices for the cells rose 4% this quarter.",
    ),
    (
        "price-shock",
        "Spot offers came in 30% above the previous round.",
        "Rivals made offers 30-40% above their current pay.",
    ),
    (
        "price-shock",
        "ニッケル価格は過去最高を更新した。",
        "新型セルは過去最高のエネルギー密度を記録した。",
    ),
]


@pytest.mark.parametrize(("signal", "news", "elsewhere"), PAIRS)
def test_a_cue_counts_as_news_and_not_in_its_context(tagger, layered, signal, news, elsewhere):
    assert signal in signals(tagger, news)
    assert signal not in signals(tagger, elsewhere)
    given = [tag for tag in layered.tag("", elsewhere).signals if tag.slug == signal]
    assert all(not tag.evidence for tag in given)


@pytest.mark.parametrize(
    "body",
    [
        # A comparison with last year is no background: these are today's news.
        "Customers are limited to last year's volumes after the plant went offline.",
        "Makers are quoted 14 months for the chips, twice last year's wait.",
    ],
)
def test_a_comparison_with_last_year_keeps_the_signal(tagger, body):
    assert "supply-disruption" in signals(tagger, body)


def test_one_piece_of_evidence_outside_the_context_keeps_the_signal(tagger):
    body = (
        "Since last year's export controls on gallium we have bought from Canada. "
        "This week the ministry added germanium to its export controls."
    )
    assert "export-control" in signals(tagger, body)


def test_context_imports_no_django():
    code = (
        "import sys, intel.tagging.context; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - fixed code
