"""The OpenAPI schema states every answer an operation can give, its errors included.

drf-spectacular documents the success answers and whatever a view declares.
The errors DRF and our guards give on every route are added here, so a
client (and the schemathesis run in the tests) can rely on the schema:

- 400 on any operation: field errors (`{"field": ["message"]}`) or a
  `{"detail": …}` from the parser or the input middleware;
- 401 and 403 where the view authenticates (a bad token is a 401 even on a
  public read; a permission or a service refusal is a 403);
- 404 where the path names an object, and on paginated lists (a page past
  the end);
- 415 where a body is sent, 429 where the view is throttled.

An error a view declares without a body (`OpenApiResponse(description=…)`)
gets the same documented body. A read-only field declared `required=False`
(present for some callers only, such as a requirement's `answer_count`) is
documented as optional rather than always there.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What was wrong, for the person who asked.")


_FIELD_ERRORS = {
    "schema": {
        "type": "object",
        "additionalProperties": {},
        "description": 'Field errors, `{"field": ["message", …]}`, or `{"detail": "message"}`.',
    }
}
_DESCRIPTIONS = {
    "400": "The request is malformed or a field is invalid.",
    "401": "No valid credentials were sent.",
    "403": "The caller may not do this.",
    "404": "No such object, or not one the caller may see; or a page past the end.",
    "409": "The object's current state does not allow this.",
    "415": "The body is not in a media type this operation reads.",
    "429": "Too many requests: wait for the number of seconds in Retry-After.",
}


class AutoSchema(openapi.AutoSchema):
    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        optional = {
            name
            for name, field in force_instance(serializer).fields.items()
            if field.read_only and field._kwargs.get("required") is False
        }
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _error_codes(self) -> list[str]:
        view = self.view
        codes = ["400"]
        if view.get_authenticators():
            codes += ["401", "403"]
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        if view.get_throttles():
            codes.append("429")
        return codes

    def _error_response(self, code: str, description: str) -> dict[str, Any]:
        if code == "400":
            return {"description": description, "content": {"application/json": _FIELD_ERRORS}}
        return self._get_response_for_code(
            OpenApiResponse(ErrorSerializer, description=description), code, direction="response"
        )

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(code, self._error_response(code, _DESCRIPTIONS[code]))
        for code, response in responses.items():
            if code.startswith("4") and "content" not in response:
                described = response.get("description") or _DESCRIPTIONS.get(code, "")
                response["content"] = self._error_response(code, described)["content"]
        return responses
