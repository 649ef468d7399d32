"""Digest text in English and Japanese: the "what changed" sentences and the Markdown export.

Pure functions over the reader's view (`intel.digests.core.compose_view`), which
is already redacted to the reader's clearance, so every sentence is written
from figures the reader may see. Labels (sectors, signals, countries) arrive
in the view in the reader's language; the sentence templates live here, one
set per language, so a briefing can be written in the subscriber's language
without touching the active translation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

LANGUAGES = ("en", "ja")

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "no_reports": "No reports were accepted this week (last week: {last}).",
        "total_up": "{count} {reports} accepted this week, up from {last} last week.",
        "total_down": "{count} {reports} accepted this week, down from {last} last week.",
        "total_same": "{count} {reports} accepted this week, as many as last week.",
        "rising": (
            "{signal} is rising: {count} reports this week against an average of "
            "{average} over the previous four weeks."
        ),
        "new_signal": "{signal} appears for the first time in five weeks ({count} reports).",
        "quiet": "No {signal} reports this week, after {last} last week.",
        "top_country": "{country} is the most reported country ({count} {reports}).",
        "class_changed": "The sector's class changed from {old} to {new}.",
        "class_first": "The sector is assessed as {new} for the first time.",
        "pillar_changed": "The {pillar} score moved from {old} to {new}.",
        "requirements_new": "{new} new intelligence {requirements} published this week.",
        "requirements_closed": "{closed} intelligence {requirements} closed this week.",
        "requirements_both": (
            "{new} new intelligence {requirements} published and {closed} closed this week."
        ),
        "corroborated": "The top item is corroborated by {count} independent organisations.",
        "correction": "Correction: {note}",
    },
    "ja": {
        "no_reports": "今週受理された報告はありません（先週：{last}件）。",
        "total_up": "今週は{count}件の報告が受理され、先週の{last}件から増加しました。",
        "total_down": "今週は{count}件の報告が受理され、先週の{last}件から減少しました。",
        "total_same": "今週は先週と同じ{count}件の報告が受理されました。",
        "rising": "「{signal}」が増加しています：今週{count}件（過去4週間の平均{average}件）。",
        "new_signal": "「{signal}」が5週間で初めて報告されました（{count}件）。",
        "quiet": "「{signal}」の報告は今週ありませんでした（先週{last}件）。",
        "top_country": "最も多く報告された国は{country}です（{count}件）。",
        "class_changed": "セクターの分類が{old}から{new}に変わりました。",
        "class_first": "セクターが初めて{new}と評価されました。",
        "pillar_changed": "{pillar}のスコアが{old}から{new}に変わりました。",
        "requirements_new": "今週、情報要求が{new}件公開されました。",
        "requirements_closed": "今週、情報要求が{closed}件終了しました。",
        "requirements_both": "今週、情報要求が{new}件公開され、{closed}件が終了しました。",
        "corroborated": "最上位の項目は{count}の独立した組織によって裏付けられています。",
        "correction": "訂正：{note}",
    },
}

CLASS_NAMES = {
    "en": {"green": "green", "blue": "blue", "red": "red"},
    "ja": {"green": "グリーン", "blue": "ブルー", "red": "レッド"},
}
PILLAR_NAMES = {
    "en": {"autonomy": "autonomy", "indispensability": "strategic indispensability"},
    "ja": {"autonomy": "自律性", "indispensability": "戦略的不可欠性"},
}

# Headings and fixed phrases of the Markdown export.
HEADINGS = {
    "en": {
        "title": "{sector} digest, week of {week_start}",
        "version": "version {version}",
        "handling": "Shown up to {tlp}. Items above this level are left out.",
        "correction": "Correction to version {previous}",
        "summary": "Analyst summary",
        "changes": "What changed since last week",
        "figures": "This week in figures",
        "accepted": "Accepted: {accepted} (reports {reports}, case studies {case_studies}); "
        "last week {last_week}; four-week average {average}.",
        "signals": "Signals",
        "signal_table": "| Signal | This week | Last week | Four-week average | |",
        "rising": "rising",
        "countries": "Countries",
        "country_table": "| Country | Reports |",
        "stages": "Supply-chain stages",
        "stage_table": "| Stage | Reports |",
        "items": "Top items",
        "item_facts": "{tlp} · score {score} · corroborated by {corroboration} · "
        "credibility {credibility} · source grade {grade}",
        "item_signals": "Signals: {signals}",
        "item_countries": "Countries: {countries}",
        "item_note": "Analyst note: {note}",
        "item_sources": "Behind it: {sources}",
        "requirements": "Intelligence requirements",
        "requirements_new": "New: {questions}",
        "requirements_closed": "Closed: {questions}",
        "requirements_open": "Open in this sector: {count}",
        "assessment": "Sector assessment",
        "assessment_line": "{label} · autonomy {autonomy}/5 · strategic indispensability "
        "{indispensability}/5 (assessed {date})",
        "none": "None this week.",
        "not_assessed": "Not assessed yet.",
    },
    "ja": {
        "title": "{sector} 週次ダイジェスト（{week_start}の週）",
        "version": "第{version}版",
        "handling": "{tlp}までの情報を表示しています。これを超える項目は省かれています。",
        "correction": "第{previous}版の訂正",
        "summary": "アナリストによる要約",
        "changes": "先週からの変化",
        "figures": "今週の数字",
        "accepted": "受理：{accepted}件（報告{reports}件、事例{case_studies}件）、"
        "先週{last_week}件、過去4週間の平均{average}件。",
        "signals": "シグナル",
        "signal_table": "| シグナル | 今週 | 先週 | 過去4週間の平均 | |",
        "rising": "増加",
        "countries": "国",
        "country_table": "| 国 | 件数 |",
        "stages": "サプライチェーンの段階",
        "stage_table": "| 段階 | 件数 |",
        "items": "主な項目",
        "item_facts": "{tlp} · スコア{score} · 裏付け{corroboration} · "
        "情報の確度{credibility} · 情報源の評価{grade}",
        "item_signals": "シグナル：{signals}",
        "item_countries": "国：{countries}",
        "item_note": "アナリストのメモ：{note}",
        "item_sources": "根拠：{sources}",
        "requirements": "情報要求",
        "requirements_new": "新規：{questions}",
        "requirements_closed": "終了：{questions}",
        "requirements_open": "このセクターで受付中：{count}件",
        "assessment": "セクター評価",
        "assessment_line": "{label} · 自律性 {autonomy}/5 · 戦略的不可欠性 "
        "{indispensability}/5（{date}評価）",
        "none": "今週はありません。",
        "not_assessed": "まだ評価されていません。",
    },
}


def _language(language: str) -> str:
    language = (language or "en")[:2]
    return language if language in LANGUAGES else "en"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _reports(count: int) -> str:
    return "report was" if count == 1 else "reports were"


def what_changed(view: Mapping[str, Any], *, language: str, max_signals: int = 3) -> list[str]:
    """Sentences about this week against the last, drafted from the (redacted) view."""
    lang = _language(language)
    say = TEMPLATES[lang]
    sentences: list[str] = []
    totals = view["totals"]
    count, last = totals["accepted"], totals["last_week"]
    if count == 0:
        sentences.append(say["no_reports"].format(last=last))
    else:
        key = "total_up" if count > last else "total_down" if count < last else "total_same"
        sentences.append(say[key].format(count=count, last=last, reports=_reports(count)))
    for row in [row for row in view["rising_signals"] if row["new"]][:max_signals]:
        sentences.append(say["new_signal"].format(signal=row["label"], count=row["count"]))
    for row in [row for row in view["rising_signals"] if not row["new"]][:max_signals]:
        sentences.append(
            say["rising"].format(
                signal=row["label"], count=row["count"], average=_number(row["previous_average"])
            )
        )
    quiet = [row for row in view["signals"] if row["count"] == 0 and row["last_week"] >= 2]
    for row in quiet[:max_signals]:
        sentences.append(say["quiet"].format(signal=row["label"], last=row["last_week"]))
    if view["countries"]:
        top = view["countries"][0]
        one = "report" if top["count"] == 1 else "reports"
        sentences.append(
            say["top_country"].format(country=top["name"], count=top["count"], reports=one)
        )
    sentences.extend(_assessment_sentences(view["assessment"], lang))
    requirements = view.get("requirements")
    if requirements and (requirements["new"] or requirements["closed"]):
        new, closed = len(requirements["new"]), len(requirements["closed"])
        key = (
            "requirements_both"
            if new and closed
            else "requirements_new"
            if new
            else ("requirements_closed")
        )
        first = new or closed
        noun = (
            ("requirement was" if first == 1 else "requirements were")
            if key != "requirements_both"
            else ("requirement was" if new == 1 else "requirements were")
        )
        sentences.append(say[key].format(new=new, closed=closed, requirements=noun))
    if view["items"] and view["items"][0]["corroboration"] >= 2:
        sentences.append(say["corroborated"].format(count=view["items"][0]["corroboration"]))
    return sentences


def _assessment_sentences(assessment: Mapping[str, Any], lang: str) -> list[str]:
    say, classes, pillars = TEMPLATES[lang], CLASS_NAMES[lang], PILLAR_NAMES[lang]
    current, previous = assessment.get("current"), assessment.get("previous")
    if not current:
        return []
    if not previous:
        return [say["class_first"].format(new=classes[current["sector_class"]])]
    sentences = []
    if current["sector_class"] != previous["sector_class"]:
        sentences.append(
            say["class_changed"].format(
                old=classes[previous["sector_class"]], new=classes[current["sector_class"]]
            )
        )
    for pillar in ("autonomy", "indispensability"):
        if current[pillar] != previous[pillar]:
            sentences.append(
                say["pillar_changed"].format(
                    pillar=pillars[pillar], old=previous[pillar], new=current[pillar]
                )
            )
    return sentences


# --- Markdown export -----------------------------------------------------------------


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _line(text: Any) -> str:
    return " ".join(str(text).split())


def to_markdown(
    view: Mapping[str, Any],
    *,
    language: str,
    contribution_url: Callable[[int], str] | None = None,
    item_url: Callable[[Mapping[str, Any]], str] | None = None,
) -> str:
    """The reader's view as a Markdown document (also the plain-text body of a briefing).

    `contribution_url` links each report behind an item (for readers who may
    open reports); without it the reports are listed by number.
    """
    lang = _language(language)
    h = HEADINGS[lang]
    out: list[str] = []
    title = h["title"].format(sector=view["sector_label"], week_start=view["week_start"])
    if view["version"] > 1:
        title += f" ({h['version'].format(version=view['version'])})"
    out += [f"# {title}", "", f"_{h['handling'].format(tlp=view['clearance_label'])}_", ""]
    if view.get("correction_note"):
        previous = view["version"] - 1
        out += [f"> **{h['correction'].format(previous=previous)}**: "
                f"{_line(view['correction_note'])}", ""]  # fmt: skip
    if view["summary"]:
        out += [f"## {h['summary']} ({view['summary_tlp_label']})", "", view["summary"].strip(), ""]
    out += [f"## {h['changes']}", ""]
    out += [f"- {sentence}" for sentence in view["what_changed"]] + [""]
    totals = view["totals"]
    out += [
        f"## {h['figures']}",
        "",
        h["accepted"].format(
            accepted=totals["accepted"],
            reports=totals["reports"],
            case_studies=totals["case_studies"],
            last_week=totals["last_week"],
            average=_number(totals["previous_average"]),
        ),
        "",
    ]
    out += [f"### {h['signals']}", ""]
    if view["signals"]:
        out += [h["signal_table"], "| --- | ---: | ---: | ---: | --- |"]
        for row in view["signals"]:
            flag = h["rising"] if row["rising"] else ""
            out.append(
                f"| {_cell(row['label'])} | {row['count']} | {row['last_week']} | "
                f"{_number(row['previous_average'])} | {flag} |"
            )
    else:
        out.append(h["none"])
    out.append("")
    for heading, table, rows, name in (
        ("countries", "country_table", view["countries"], "name"),
        ("stages", "stage_table", view["stages"], "label"),
    ):
        out += [f"### {h[heading]}", ""]
        if rows:
            out += [h[table], "| --- | ---: |"]
            out += [f"| {_cell(row[name])} | {row['count']} |" for row in rows]
        else:
            out.append(h["none"])
        out.append("")
    out += [f"## {h['items']}", ""]
    if not view["items"]:
        out += [h["none"], ""]
    for item in view["items"]:
        link = f" ({item_url(item)})" if item_url else ""
        out.append(f"{item['number']}. **{_line(item['title'])}**{link}")
        facts = h["item_facts"].format(
            tlp=item["tlp_label"],
            score=_number(item["score"]),
            corroboration=item["corroboration"],
            credibility=item["credibility"] or "–",
            grade=item["source_grade"] or "–",
        )
        out.append(f"   - {facts}")
        if item["signals"]:
            names = ", ".join(signal["label"] for signal in item["signals"])
            out.append(f"   - {h['item_signals'].format(signals=names)}")
        if item["countries"]:
            names = ", ".join(country["name"] for country in item["countries"])
            out.append(f"   - {h['item_countries'].format(countries=names)}")
        if item["note"]:
            out.append(f"   - {h['item_note'].format(note=_line(item['note']))}")
        sources = ", ".join(
            f"[#{member['id']}]({contribution_url(member['id'])})"
            if contribution_url
            else f"#{member['id']}"
            for member in item["contributions"]
        )
        out.append(f"   - {h['item_sources'].format(sources=sources)}")
    out.append("")
    requirements = view.get("requirements")
    if requirements is not None:
        out += [f"## {h['requirements']}", ""]
        for key, heading in (("new", "requirements_new"), ("closed", "requirements_closed")):
            if requirements[key]:
                questions = "; ".join(_line(row["question"]) for row in requirements[key])
                out.append(f"- {h[heading].format(questions=questions)}")
        out += [f"- {h['requirements_open'].format(count=requirements['open'])}", ""]
    out += [f"## {h['assessment']}", ""]
    current = view["assessment"]["current"]
    if current:
        out.append(
            h["assessment_line"].format(
                label=current["class_label"],
                autonomy=current["autonomy"],
                indispensability=current["indispensability"],
                date=current["assessed_at"][:10],
            )
        )
        out += ["", _line(current["rationale"])]
    else:
        out.append(h["not_assessed"])
    out.append("")
    return "\n".join(out)
