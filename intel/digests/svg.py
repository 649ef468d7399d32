"""Small server-rendered SVG charts: no JavaScript, no CDN, readable without colour.

Pure functions returning SVG markup. Every text is escaped here; callers mark
the result safe. Each chart has a <title> and <desc> for screen readers, and
the pages put the same numbers in a table next to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Colour-blind-safe palette (Okabe–Ito); lines also differ by dash pattern.
PALETTE = ("#0b4f8a", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int | float]


def _nice_max(value: float) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def line_chart(
    *,
    series: Sequence[Series],
    x_labels: Sequence[str],
    title: str,
    description: str,
    width: int = 640,
    height: int = 260,
    chart_id: str = "chart",
) -> str:
    """Lines over shared x labels (e.g. weeks), with axis, grid and legend."""
    left, right, top, bottom = 40, 24, 16, 44
    legend_height = 18 * ((len(series) + 2) // 3)
    plot_w, plot_h = width - left - right, height - top - bottom
    total_h = height + legend_height
    peak = _nice_max(max((max(s.values, default=0) for s in series), default=0))
    count = max(len(x_labels), 1)

    def x(index: int) -> float:
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / peak

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {total_h}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for step in range(5):
        value = peak * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#d8dde3" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5a6270">{_format(value)}</text>'
        )
    label_every = max(1, (count + 5) // 6)
    for index, label in enumerate(x_labels):
        if index % label_every == 0 or index == count - 1:
            anchor = "end" if index == count - 1 and count > 1 else "middle"
            parts.append(
                f'<text x="{x(index):.1f}" y="{top + plot_h + 16}" text-anchor="{anchor}" '
                f'font-size="11" fill="#5a6270">{escape(label)}</text>'
            )
    for number, line in enumerate(series):
        colour, dash = PALETTE[number % len(PALETTE)], DASHES[number % len(DASHES)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(line.values))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        width_attr = 3 if number == 0 else 2
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="{width_attr}"{dash_attr} '
            f'points="{points}"><title>{escape(line.label)}</title></polyline>'
        )
        for i, v in enumerate(line.values):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(line.label)} {escape(x_labels[i])}: {_format(v)}</title></circle>"
            )
        lx = left + (number % 3) * (plot_w / 3)
        ly = height + 18 * (number // 3)
        parts.append(
            f'<line x1="{lx:.1f}" x2="{lx + 22:.1f}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="3"{dash_attr}/>'
            f'<text x="{lx + 28:.1f}" y="{ly}" font-size="12" fill="#1b1f24">'
            f"{escape(line.label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    *,
    bars: Sequence[tuple[str, int | float]],
    title: str,
    description: str,
    width: int = 420,
    bar_height: int = 20,
    chart_id: str = "bars",
) -> str:
    """Horizontal bars with their labels and values (e.g. the signal mix)."""
    label_w, value_w, gap = 170, 40, 6
    height = max(1, len(bars)) * (bar_height + gap) + gap
    peak = max((value for _label, value in bars), default=0) or 1
    plot_w = width - label_w - value_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(bars):
        top = gap + index * (bar_height + gap)
        length = plot_w * value / peak
        parts.append(
            f'<text x="{label_w - 8}" y="{top + bar_height * 0.7:.1f}" text-anchor="end" '
            f'font-size="13" fill="#1b1f24">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{top}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {_format(value)}</title></rect>'
            f'<text x="{label_w + length + 6:.1f}" y="{top + bar_height * 0.7:.1f}" '
            f'font-size="13" fill="#1b1f24">{_format(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: Sequence[int], *, title: str, width: int = 96, height: int = 24) -> str:
    """A tiny trend line of `values` (oldest first), with its title for screen readers."""
    top = max(max(values, default=0), 1)
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{index * step:.1f},{height - 2 - (value / top) * (height - 4):.1f}"
        for index, value in enumerate(values)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img">'
        f"<title>{escape(title)}</title>"
        f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="1.5" points="{points}"/>'
        "</svg>"
    )
