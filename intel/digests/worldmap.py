"""A world map of report counts per country, as server-rendered SVG (no script, no CDN).

The country shapes come from the `pygal-maps-world` package's `worldmap.svg`
(one group per ISO 3166-1 alpha-2 code), read once per process. Countries are
shaded in five steps by count, with a <title> naming country and count, and the
pages print the same figures in a table beside the map, so nothing depends on
telling colours apart.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Callable, Mapping
from html import escape

# Light to dark, one hue: ordered, and readable in greyscale.
SHADES = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#eceff1"
VIEWBOX = "0 0 2475 1388"

_COUNTRY = re.compile(r'<g class="([a-z]{2}) country map-element">(.*?)</g>', re.S)


@functools.cache
def _shapes() -> dict[str, str]:
    """Each country's <path> elements, keyed by upper-case alpha-2 code."""
    source = (importlib.resources.files("pygal_maps_world") / "worldmap.svg").read_text("utf-8")
    return {code.upper(): paths.strip() for code, paths in _COUNTRY.findall(source)}


def shade(count: int, highest: int) -> str:
    """The fill for `count` on a scale up to `highest` (five equal steps)."""
    if count <= 0 or highest <= 0:
        return NO_DATA
    step = min(len(SHADES) - 1, (count * len(SHADES) - 1) // highest)
    return SHADES[step]


def world_map(
    counts: Mapping[str, int], *, title: str, description: str, name: Callable[[str], str]
) -> str:
    """An SVG world map shading each country by `counts[code]`; `name(code)` labels it."""
    highest = max(counts.values(), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="world-map" viewBox="{VIEWBOX}" '
        f'role="img" aria-labelledby="map-title map-desc">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-desc">{escape(description)}</desc>',
    ]
    for code, paths in _shapes().items():
        count = counts.get(code, 0)
        parts.append(
            f'<g fill="{shade(count, highest)}" stroke="#fff" stroke-width="0.8">'
            f"<title>{escape(name(code))}: {count}</title>{paths}</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def known_codes() -> set[str]:
    return set(_shapes())
