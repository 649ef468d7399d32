"""The API's JSON parser: DRF's, with a nesting limit (a body nested deeper is a 400).

A body nested a thousand deep exhausts Python's stack in the parser (a 500),
and serializers recurse into whatever it built. The size is bounded already:
DRF reads JSON through `request.body`, which refuses a body larger than
`DATA_UPLOAD_MAX_MEMORY_SIZE` (a 400, see `community.views.bad_request`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

# Our deepest request body is an object holding lists or an object of strings;
# this leaves ample room and stays far below Python's recursion limit.
MAX_JSON_DEPTH = 32


def json_depth(data: Any) -> int:
    """How deeply parsed JSON nests arrays and objects (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than `MAX_JSON_DEPTH`."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        too_deep = exceptions.ParseError(
            _("The JSON body is nested more than %(depth)s levels deep.")
            % {"depth": MAX_JSON_DEPTH}
        )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise too_deep
        return data
