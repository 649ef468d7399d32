"""Digest text: the "what changed" sentences and the Markdown export.

Pure functions over the reader's view (`intel.digests.core.compose_view`), which
is already redacted to the reader's clearance, so every sentence is written
from figures the reader may see. Labels (sectors, signals, countries) arrive
in the view in the reader's language; the sentences are gettext strings
rendered under `translation.override(language)`, so a briefing is written in
the subscriber's language whatever the request's language is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext, pgettext_lazy

from intel.text import markdown_escape, markdown_to_text, markdown_without_html


def supported_language(language: str | None) -> str:
    """`language` if the site offers it ("ja" for "ja-jp"), else the default language."""
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


# Lazy: each renders in the language active when a sentence is formatted.
CLASS_NAMES = {
    "green": pgettext_lazy("sector class", "green"),
    "blue": pgettext_lazy("sector class", "blue"),
    "red": pgettext_lazy("sector class", "red"),
}
PILLAR_NAMES = {
    "autonomy": gettext_lazy("autonomy"),
    "indispensability": gettext_lazy("strategic indispensability"),
}


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def what_changed(view: Mapping[str, Any], *, language: str, max_signals: int = 3) -> list[str]:
    """Sentences about this week against the last, drafted from the (redacted) view."""
    with translation.override(supported_language(language)):
        return _what_changed(view, max_signals=max_signals)


def _what_changed(view: Mapping[str, Any], *, max_signals: int) -> list[str]:
    sentences: list[str] = []
    totals = view["totals"]
    count, last = totals["accepted"], totals["last_week"]
    figures = {"count": count, "last": last}
    withheld = withheld_sentence(view)
    if count == 0 and withheld:
        # Never "none" when reports exist above the reader's level: that would read as zero.
        sentences.append(
            gettext(
                "No reports at your handling level were accepted this week (last week: %(last)s)."
            )
            % figures
        )
    elif count == 0:
        sentences.append(
            gettext("No reports were accepted this week (last week: %(last)s).") % figures
        )
    elif count > last:
        sentences.append(
            ngettext(
                "%(count)s report was accepted this week, up from %(last)s last week.",
                "%(count)s reports were accepted this week, up from %(last)s last week.",
                count,
            )
            % figures
        )
    elif count < last:
        sentences.append(
            ngettext(
                "%(count)s report was accepted this week, down from %(last)s last week.",
                "%(count)s reports were accepted this week, down from %(last)s last week.",
                count,
            )
            % figures
        )
    else:
        sentences.append(
            ngettext(
                "%(count)s report was accepted this week, as many as last week.",
                "%(count)s reports were accepted this week, as many as last week.",
                count,
            )
            % figures
        )
    if withheld:
        sentences.append(withheld)
    # A rising signal has at least core.RISING_MIN_COUNT (2) reports and a corroborated item
    # at least two organisations, so their sentences have no singular form.
    for row in [row for row in view["rising_signals"] if row["new"]][:max_signals]:
        sentences.append(
            gettext("%(signal)s appears for the first time in five weeks (%(count)s reports).")
            % {"signal": row["label"], "count": row["count"]}
        )
    for row in [row for row in view["rising_signals"] if not row["new"]][:max_signals]:
        sentences.append(
            gettext(
                "%(signal)s is rising: %(count)s reports this week against an average of "
                "%(average)s over the previous four weeks."
            )
            % {
                "signal": row["label"],
                "count": row["count"],
                "average": _number(row["previous_average"]),
            }
        )
    quiet = [row for row in view["signals"] if row["count"] == 0 and row["last_week"] >= 2]
    for row in quiet[:max_signals]:
        sentences.append(
            gettext("No %(signal)s reports this week, after %(last)s last week.")
            % {"signal": row["label"], "last": row["last_week"]}
        )
    if view["countries"]:
        top = view["countries"][0]
        sentences.append(
            ngettext(
                "%(country)s is the most reported country (%(count)s report).",
                "%(country)s is the most reported country (%(count)s reports).",
                top["count"],
            )
            % {"country": top["name"], "count": top["count"]}
        )
    sentences.extend(_assessment_sentences(view["assessment"]))
    requirements = view.get("requirements")
    if requirements and (requirements["new"] or requirements["closed"]):
        sentences.append(
            _requirements_sentence(new=len(requirements["new"]), closed=len(requirements["closed"]))
        )
    if view["items"] and view["items"][0]["corroboration"] >= 2:
        sentences.append(
            gettext("The top item is corroborated by %(count)s independent organisations.")
            % {"count": view["items"][0]["corroboration"]}
        )
    return sentences


def withheld_sentence(view: Mapping[str, Any]) -> str:
    """ "3 reports above your handling level are not shown", or "" when nothing is withheld.

    In the active language; the web templates use the same catalogue entry.
    """
    counter = int((view.get("withheld") or {}).get("accepted", 0))
    if not counter:
        return ""
    return ngettext(
        "%(counter)s report above your handling level is not shown.",
        "%(counter)s reports above your handling level are not shown.",
        counter,
    ) % {"counter": counter}


def _requirements_sentence(*, new: int, closed: int) -> str:
    figures = {"new": new, "closed": closed}
    if new and closed:
        return (
            ngettext(
                "%(new)s new intelligence requirement was published and %(closed)s closed "
                "this week.",
                "%(new)s new intelligence requirements were published and %(closed)s closed "
                "this week.",
                new,
            )
            % figures
        )
    if new:
        return (
            ngettext(
                "%(new)s new intelligence requirement was published this week.",
                "%(new)s new intelligence requirements were published this week.",
                new,
            )
            % figures
        )
    return (
        ngettext(
            "%(closed)s intelligence requirement was closed this week.",
            "%(closed)s intelligence requirements were closed this week.",
            closed,
        )
        % figures
    )


def _assessment_sentences(assessment: Mapping[str, Any]) -> list[str]:
    current, previous = assessment.get("current"), assessment.get("previous")
    if not current:
        return []
    if not previous:
        return [
            gettext("The sector is assessed as %(new)s for the first time.")
            % {"new": CLASS_NAMES[current["sector_class"]]}
        ]
    sentences = []
    if current["sector_class"] != previous["sector_class"]:
        sentences.append(
            gettext("The sector's class changed from %(old)s to %(new)s.")
            % {
                "old": CLASS_NAMES[previous["sector_class"]],
                "new": CLASS_NAMES[current["sector_class"]],
            }
        )
    for pillar in ("autonomy", "indispensability"):
        if current[pillar] != previous[pillar]:
            sentences.append(
                gettext("The %(pillar)s score moved from %(old)s to %(new)s.")
                % {"pillar": PILLAR_NAMES[pillar], "old": previous[pillar], "new": current[pillar]}
            )
    return sentences


# --- JSON export ---------------------------------------------------------------------


def to_json_data(view: Mapping[str, Any]) -> dict[str, Any]:
    """The reader's view for `export.json`: the summary as text (`summary`) and as
    Markdown without raw HTML (`summary_markdown`), never as markup to render."""
    summary = str(view.get("summary") or "")
    return {
        **view,
        "summary": markdown_to_text(summary),
        "summary_markdown": markdown_without_html(summary),
    }


# --- Markdown export -----------------------------------------------------------------


def _cell(text: Any) -> str:
    return _line(text).replace("|", "\\|")


def _line(text: Any) -> str:
    """A plain field (title, note, question) on one Markdown line, reading as itself."""
    return markdown_escape(" ".join(str(text).split()))


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
    with translation.override(supported_language(language)):
        return _markdown(view, contribution_url=contribution_url, item_url=item_url)


def _markdown(
    view: Mapping[str, Any],
    *,
    contribution_url: Callable[[int], str] | None,
    item_url: Callable[[Mapping[str, Any]], str] | None,
) -> str:
    none = gettext("None this week.")
    out: list[str] = []
    title = gettext("%(sector)s digest, week of %(week_start)s") % {
        "sector": view["sector_label"],
        "week_start": view["week_start"],
    }
    if view["version"] > 1:
        version = gettext("version %(version)s") % {"version": view["version"]}
        title += f" ({version})"
    handling = gettext("Shown up to %(tlp)s. Items above this level are left out.") % {
        "tlp": view["clearance_label"]
    }
    out += [f"# {title}", "", f"_{handling}_", ""]
    if view.get("correction_note"):
        correction = gettext("Correction to version %(previous)s") % {
            "previous": view["version"] - 1
        }
        out += [f"> **{correction}**: {_line(view['correction_note'])}", ""]
    if (view.get("withheld") or {}).get("summary"):
        out += [gettext("The analyst summary is above your handling level and is not shown."), ""]
    if view["summary"]:
        out += [
            "## " + gettext("Analyst summary") + f" ({view['summary_tlp_label']})",
            "",
            markdown_without_html(view["summary"]),
            "",
        ]
    out += ["## " + gettext("What changed since last week"), ""]
    out += [f"- {sentence}" for sentence in view["what_changed"]] + [""]
    totals = view["totals"]
    accepted = gettext(
        "Accepted: %(accepted)s (reports %(reports)s, case studies %(case_studies)s); "
        "last week %(last_week)s; four-week average %(average)s."
    ) % {
        "accepted": totals["accepted"],
        "reports": totals["reports"],
        "case_studies": totals["case_studies"],
        "last_week": totals["last_week"],
        "average": _number(totals["previous_average"]),
    }
    out += ["## " + gettext("This week in figures"), "", accepted, ""]
    withheld = withheld_sentence(view)
    if withheld:
        out += [withheld, ""]
    out += ["### " + gettext("Signals"), ""]
    if view["signals"]:
        columns = (gettext("Signal"), gettext("This week"), gettext("Last week"),
                   gettext("Four-week average"))  # fmt: skip
        # The last column, with no heading, flags the rising signals.
        out += ["| " + " | ".join(columns) + " | |", "| --- | ---: | ---: | ---: | --- |"]
        rising = gettext("rising")
        for row in view["signals"]:
            out.append(
                f"| {_cell(row['label'])} | {row['count']} | {row['last_week']} | "
                f"{_number(row['previous_average'])} | {rising if row['rising'] else ''} |"
            )
    else:
        out.append(none)
    out.append("")
    # The export's own context: its Japanese says "count" where the web page's says "reports".
    count_column = pgettext("digest export", "Reports")
    for heading, column, rows, name in (
        (gettext("Countries"), gettext("Country"), view["countries"], "name"),
        (gettext("Supply-chain stages"), gettext("Stage"), view["stages"], "label"),
    ):
        out += [f"### {heading}", ""]
        if rows:
            out += [f"| {column} | {count_column} |", "| --- | ---: |"]
            out += [f"| {_cell(row[name])} | {row['count']} |" for row in rows]
        else:
            out.append(none)
        out.append("")
    out += ["## " + gettext("Top items"), ""]
    if not view["items"]:
        out += [withheld or none, ""]
    for item in view["items"]:
        out += _item_lines(item, contribution_url=contribution_url, item_url=item_url)
    out.append("")
    if withheld and view["items"]:
        out += [withheld, ""]
    requirements = view.get("requirements")
    if requirements is not None:
        # The export's own context: it keeps the Japanese its sentences use.
        out += ["## " + pgettext("digest export", "Intelligence requirements"), ""]
        if requirements["new"]:
            out.append("- " + gettext("New: %(questions)s") % _questions(requirements["new"]))
        if requirements["closed"]:
            out.append("- " + gettext("Closed: %(questions)s") % _questions(requirements["closed"]))
        out.append(
            "- " + gettext("Open in this sector: %(count)s") % {"count": requirements["open"]}
        )
        out.append("")
    out += ["## " + gettext("Sector assessment"), ""]
    current = view["assessment"]["current"]
    if current:
        out.append(
            gettext(
                "%(label)s · autonomy %(autonomy)s/5 · strategic indispensability "
                "%(indispensability)s/5 (assessed %(date)s)"
            )
            % {
                "label": current["class_label"],
                "autonomy": current["autonomy"],
                "indispensability": current["indispensability"],
                "date": current["assessed_at"][:10],
            }
        )
        out += ["", _line(current["rationale"])]
    else:
        out.append(gettext("Not assessed yet."))
    out.append("")
    return "\n".join(out)


def _questions(rows: list[Mapping[str, Any]]) -> dict[str, str]:
    return {"questions": "; ".join(_line(row["question"]) for row in rows)}


def _item_lines(
    item: Mapping[str, Any],
    *,
    contribution_url: Callable[[int], str] | None,
    item_url: Callable[[Mapping[str, Any]], str] | None,
) -> list[str]:
    link = f" ({item_url(item)})" if item_url else ""
    facts = gettext(
        "%(tlp)s · score %(score)s · corroborated by %(corroboration)s · "
        "credibility %(credibility)s · source grade %(grade)s"
    ) % {
        "tlp": item["tlp_label"],
        "score": _number(item["score"]),
        "corroboration": item["corroboration"],
        "credibility": item["credibility"] or "–",
        "grade": item["source_grade"] or "–",
    }
    lines = [f"{item['number']}. **{_line(item['title'])}**{link}", f"   - {facts}"]
    if item["signals"]:
        names = ", ".join(signal["label"] for signal in item["signals"])
        lines.append("   - " + gettext("Signals: %(signals)s") % {"signals": names})
    if item["countries"]:
        names = ", ".join(country["name"] for country in item["countries"])
        lines.append("   - " + gettext("Countries: %(countries)s") % {"countries": names})
    if item["note"]:
        lines.append("   - " + gettext("Analyst note: %(note)s") % {"note": _line(item["note"])})
    sources = ", ".join(
        f"[#{member['id']}]({contribution_url(member['id'])})"
        if contribution_url
        else f"#{member['id']}"
        for member in item["contributions"]
    )
    lines.append("   - " + gettext("Behind it: %(sources)s") % {"sources": sources})
    return lines
