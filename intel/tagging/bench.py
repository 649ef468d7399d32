"""Benchmark helpers for the tagging engine, shared by ``manage.py benchmark tagging``.

Owns the synthetic workload (field reports of about 2 KB in UTF-8, half English
and half Japanese, built from the taxonomy's own vocabulary plus filler), the
engine measurement (wall time, and CPU time with and without the shipped
learned layer), and the naive peer it is compared with: one compiled regular
expression per term, run over every text.

Run directly for a quick reading (the last line is one JSON object)::

    python -m intel.tagging.bench --reports 2000 --seconds 5
    python -m intel.tagging.bench --jsonl intel/tagging/data/labelled_reports.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from intel.tagging.engine import Tagger, default_taxonomy
from intel.tagging.learned import SHIPPED_MODEL, LearnedModel, tagger_with
from intel.tagging.normalise import normalise, normalise_term
from intel.tagging.taxonomy import KINDS, Kind, Taxonomy

REPORT_BYTES = 2048  # title + body, UTF-8: ~2,000 chars of English, ~700 of Japanese
LANGS = ("en", "ja")

_EN_FILLER = (
    "The contributor spoke to procurement managers at three mid-sized suppliers last week.",
    "Several sources asked not to be named because the discussions were private.",
    "Industry associations are preparing a position paper for the next ministerial meeting.",
    "Analysts expect more clarity after the quarterly earnings season ends.",
    "The company declined to comment on the figures when contacted by our source.",
    "Buyers say contracts for the second half are being renegotiated on shorter terms.",
    "Officials have scheduled a further round of consultations with industry next month.",
    "Local media reported the development first, citing people familiar with the matter.",
)
_EN_TEMPLATES = (
    "Sources in {country} report {signal} affecting {sector} firms that depend on {commodity}.",
    "{country} officials discussed {signal} measures with {sector} producers this week.",
    "A {sector} executive said {commodity} supplies from {country} face {signal}.",
    "Traders in {country} flagged {signal} as the main risk for {commodity} this quarter.",
)
_JA_FILLER = (
    "関係者によると、取引先との協議は来月も続く見通しだ。",
    "業界団体は次回の会合に向けて提言をまとめている。",
    "同社は取材に対し、詳細についてはコメントを控えた。",
    "調達担当者は下期の契約条件を見直していると話した。",
    "地元メディアが最初に報じ、複数の関係者が事実関係を認めた。",
    "アナリストは決算発表後に状況がより明確になるとみている。",
)
_JA_TEMPLATES = (
    "{country}の{sector}関連企業は{commodity}の{signal}に直面している。",
    "{country}政府は{sector}分野で{signal}を検討していると関係者が明らかにした。",
    "{commodity}をめぐり、{country}で{signal}への警戒感が広がっている。",
    "{sector}業界の幹部は、{country}からの{commodity}について{signal}の影響を指摘した。",
)
# Real Japanese copy often carries full-width Latin letters and digits; a share
# of the synthetic reports does too, so the offset-map path is measured as well.
_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def _vocabulary(taxonomy: Taxonomy, kind: Kind, lang: str) -> list[str]:
    # Full names only: one-kanji prefixes such as 「米イ」 are not words.
    return [
        term.text
        for label in taxonomy.labels(kind)
        for term in label.terms
        if term.lang == lang and term.weight >= 1.0 and len(term.text) > 2
    ]


def synthetic_reports(
    n: int,
    seed: int = 0,
    taxonomy: Taxonomy | None = None,
    filler: tuple[Sequence[str], Sequence[str]] | None = None,
) -> list[tuple[str, str]]:
    """``n`` (title, body) pairs of about 2 KB (UTF-8), alternating en/ja.

    Like a real report, each one is about a few labels: it draws two sectors,
    two signals, two commodities and three countries and keeps returning to
    them, between filler sentences: by default a few fixed ones per language,
    or drawn from `filler` (English and Japanese sentences).
    """
    taxonomy = taxonomy or default_taxonomy()
    rng = random.Random(seed)  # noqa: S311 - synthetic text, not security
    kinds: tuple[Kind, ...] = ("sectors", "signals", "commodities", "countries")
    vocab = {(kind, lang): _vocabulary(taxonomy, kind, lang) for kind in kinds for lang in LANGS}
    reports = []
    for index in range(n):
        lang = LANGS[index % 2]
        templates = _EN_TEMPLATES if lang == "en" else _JA_TEMPLATES
        fillers = (filler or (_EN_FILLER, _JA_FILLER))[index % 2]
        separator = " " if lang == "en" else ""
        chosen = {
            kind: rng.sample(vocab[(kind, lang)], 3 if kind == "countries" else 2) for kind in kinds
        }

        def sentence(
            templates: tuple[str, ...] = templates, chosen: dict[Kind, list[str]] = chosen
        ) -> str:
            return rng.choice(templates).format(
                country=rng.choice(chosen["countries"]),
                sector=rng.choice(chosen["sectors"]),
                signal=rng.choice(chosen["signals"]),
                commodity=rng.choice(chosen["commodities"]),
            )

        title = sentence().rstrip(".。")
        parts: list[str] = []
        # The separator goes between parts only, so the first part adds none.
        size = len(title.encode()) - len(separator.encode())
        while size < REPORT_BYTES:
            part = sentence() if rng.random() < 0.3 else rng.choice(fillers)
            parts.append(part)
            size += len((separator + part).encode())
        body = separator.join(parts)
        if lang == "ja" and index % 6 == 1:
            body = body.translate(_FULL_WIDTH)
        reports.append((title, body))
    return reports


def _throughput(
    work: Callable[[str, str], object], texts: Sequence[tuple[str, str]], seconds: float
) -> float:
    """Reports per second of ``work`` over ``texts``, cycled for at least ``seconds``."""
    done = 0
    started = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds:
        for title, body in texts:
            work(title, body)
            done += 1
            if done % 64 == 0:
                elapsed = time.perf_counter() - started
                if elapsed >= seconds:
                    break
        else:
            elapsed = time.perf_counter() - started
    return done / elapsed


def engine_throughput(
    tagger: Tagger, texts: Sequence[tuple[str, str]], seconds: float = 3.0
) -> float:
    """Reports per second of ``tagger.tag`` alone (normalise, match, score).

    One report is tagged first, untimed: a tagger compiles (or loads) its
    automaton on first use, which is start-up, not tagging.
    """
    if texts:
        tagger.tag(*texts[0])
    return _throughput(tagger.tag, texts, seconds)


def cpu_throughput(
    taggers: Sequence[Tagger], texts: Sequence[tuple[str, str]], rounds: int = 5
) -> list[float]:
    """Reports per CPU second of each tagger: the best of ``rounds`` passes over ``texts``.

    On a shared machine wall time moves with other load; the process's CPU
    time much less, and taking turns round by round exposes every tagger to
    the same load.
    """
    best = [float("inf")] * len(taggers)
    for _ in range(rounds):
        for index, tagger in enumerate(taggers):
            started = time.process_time()
            for title, body in texts:
                tagger.tag(title, body)
            best[index] = min(best[index], time.process_time() - started)
    return [len(texts) / max(elapsed, 1e-9) for elapsed in best]


class _RegexBaseline:
    """The naive peer: one compiled pattern per term, word-bounded if Latin."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.patterns: list[tuple[re.Pattern[str], str, str, float]] = []
        for kind in KINDS:
            for label in taxonomy.labels(kind):
                for term in label.terms:
                    key = normalise_term(term.text)
                    if not key:
                        continue
                    pattern = re.escape(key)
                    if key[0].isascii() and key[0].isalnum():
                        pattern = r"\b" + pattern
                    if key[-1].isascii() and key[-1].isalnum():
                        pattern += r"\b"
                    self.patterns.append((re.compile(pattern), kind, label.slug, term.weight))

    def tag(self, title: str, body: str) -> dict[tuple[str, str], float]:
        scores: dict[tuple[str, str], float] = {}
        for text in (normalise(title).text, normalise(body).text):
            for pattern, kind, slug, weight in self.patterns:
                hits = len(pattern.findall(text))
                if hits:
                    scores[(kind, slug)] = scores.get((kind, slug), 0.0) + weight * hits
        return scores


def regex_baseline_throughput(
    taxonomy: Taxonomy, texts: Sequence[tuple[str, str]], seconds: float = 3.0
) -> float:
    """Reports per second of the one-regex-per-term peer on the same texts."""
    return _throughput(_RegexBaseline(taxonomy).tag, texts, seconds)


def reports_from_jsonl(path: str | Path, n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` reports of about 2 KB stitched from real ``{"title", "body"}`` lines.

    A denser workload than :func:`synthetic_reports`: every sentence of a
    labelled report carries taxonomy terms, so a stitched 2 KB text holds
    several reports' worth of labels. Languages alternate as in the synthetic
    set (a line counts as Japanese when its body is not ASCII-only Latin text).
    """
    rng = random.Random(seed)  # noqa: S311 - sampling, not security
    with Path(path).open(encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle if line.strip()]
    pools = {lang: [line for line in lines if (line.get("lang") or "en") == lang] for lang in LANGS}
    reports = []
    for index in range(n):
        pool = pools[LANGS[index % 2]] or lines
        title = rng.choice(pool)["title"]
        bodies: list[str] = []
        while len((title + "\n\n".join(bodies)).encode()) < REPORT_BYTES:
            bodies.append(rng.choice(pool)["body"])
        reports.append((title, "\n\n".join(bodies)))
    return reports


def run(
    n: int = 2000, seed: int = 0, seconds: float = 5.0, jsonl: str | Path | None = None
) -> dict[str, Any]:
    """Both measurements on the same reports, as one JSON-ready dict.

    The reports are synthetic unless ``jsonl`` names a labelled file to stitch
    from. The engine is also timed on each language alone: a 2 KB Japanese
    report has about a third of the characters of an English one, but more
    matches per character.
    """
    taxonomy = default_taxonomy()
    tagger = Tagger(taxonomy)
    texts = reports_from_jsonl(jsonl, n, seed) if jsonl else synthetic_reports(n, seed, taxonomy)
    engine = engine_throughput(tagger, texts, seconds)
    per_language = {
        lang: round(engine_throughput(tagger, texts[index::2], seconds / 2))
        for index, lang in enumerate(LANGS)
    }
    baseline = regex_baseline_throughput(taxonomy, texts, seconds)
    model = LearnedModel.from_bytes(SHIPPED_MODEL.read_bytes()) if SHIPPED_MODEL.exists() else None
    cpu = cpu_throughput([tagger, tagger_with(tagger, model)], texts[:1000])
    return {
        "workload": str(jsonl) if jsonl else "synthetic",
        "reports": n,
        "mean_chars": round(sum(len(title) + len(body) for title, body in texts) / n),
        "mean_utf8_bytes": round(sum(len((title + body).encode()) for title, body in texts) / n),
        "engine_reports_per_s": round(engine),
        "engine_en_reports_per_s": per_language["en"],
        "engine_ja_reports_per_s": per_language["ja"],
        "regex_baseline_reports_per_s": round(baseline, 1),
        "speedup": round(engine / baseline, 1),
        "engine_reports_per_cpu_s": round(cpu[0]),
        "engine_with_learned_layer_reports_per_cpu_s": round(cpu[1]) if model else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Tagging engine throughput vs regex baseline.")
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--jsonl", help="stitch reports from this labelled JSON Lines file instead")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.reports, args.seed, args.seconds, args.jsonl)))


if __name__ == "__main__":
    main()
