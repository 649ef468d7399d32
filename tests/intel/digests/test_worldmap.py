"""The world map's shading: ordered, zero reads as no data, every shape a country code."""

from __future__ import annotations

from intel.digests import worldmap


def test_shades_grow_with_the_count_and_zero_is_no_data():
    assert worldmap.shade(0, 10) == worldmap.NO_DATA
    steps = [worldmap.shade(count, 10) for count in (1, 3, 5, 7, 10)]
    assert steps == sorted(steps, key=worldmap.SHADES.index)
    assert steps[0] == worldmap.SHADES[0] and steps[-1] == worldmap.SHADES[-1]


def test_map_names_each_country_and_escapes_text():
    drawing = worldmap.world_map(
        {"JP": 4, "CN": 1}, title="<b>t</b>", description="d & e", name=lambda code: f"<{code}>"
    )
    assert '<title id="map-title">&lt;b&gt;t&lt;/b&gt;</title>' in drawing
    assert "<title>&lt;JP&gt;: 4</title>" in drawing and "&lt;CN&gt;: 1" in drawing
    assert {"JP", "CN", "US", "TW", "DE"} <= worldmap.known_codes()
