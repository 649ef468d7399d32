"""TAXII 2.1 endpoints, read only: discovery, API root, collections, objects, manifest, versions.

Readers authenticate with their API token (`Authorization: Token …`); what
they receive is chosen by `reader_clearance`, the rule of the whole site, so
a token that did not pass the second factor reads as a member, never as an
analyst. Responses use the TAXII media type; an `Accept` header that admits
neither it nor a wildcard gets 406. Every refusal is a TAXII error message
object. Write methods are not offered (405).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from accounts.permissions import has_analyst_access
from community.api import api_exception_handler
from intel.digests.selectors import reader_clearance
from intel.interop import stix
from intel.interop.taxii import feed

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
API_ROOT = "api"
MAX_CONTENT_LENGTH = 10 * 1024 * 1024


class TaxiiRenderer(JSONRenderer):
    media_type = TAXII_MEDIA_TYPE
    format = "taxii"


def _acceptable(header: str) -> bool:
    """Whether `Accept` admits TAXII 2.1 JSON: its type (version 2.1 or none) or a wildcard."""
    if not header.strip():
        return True
    for part in header.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        values = dict(p.split("=", 1) for p in params if "=" in p)
        if values.get("q", "1").strip() in ("0", "0.0", "0.00", "0.000"):
            continue
        if media in ("*/*", "application/*"):
            return True
        if media == "application/taxii+json" and values.get("version", "2.1") == "2.1":
            return True
    return False


_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    429: "Too many requests",
}


def taxii_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The site's API errors, as TAXII error message objects."""
    if isinstance(exc, feed.BadRequest):
        exc = exceptions.ValidationError(str(exc))
    response = api_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        description = str(data["detail"])
    elif isinstance(data, list):
        description = " ".join(str(item) for item in data)
    else:
        description = str(data)
    response.data = {
        "title": _TITLES.get(response.status_code, "Error"),
        "description": description,
        "http_status": str(response.status_code),
    }
    return response


class TaxiiView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [TaxiiRenderer]
    parser_classes: list[Any] = []
    # Not in the OpenAPI schema: TAXII is described by its own specification.
    schema = None

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        renderer = TaxiiRenderer()
        if force or _acceptable(request.META.get("HTTP_ACCEPT", "")):
            return renderer, renderer.media_type
        raise exceptions.NotAcceptable(
            _("This server answers with %(type)s only.") % {"type": TAXII_MEDIA_TYPE}
        )

    def get_exception_handler(self) -> Any:
        return taxii_exception_handler

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Redacted per reader: never serve one reader's copy to another from a cache.
        response["Cache-Control"] = "private, no-store"
        response["Vary"] = "Authorization, Accept"
        return response

    def reader(self) -> feed.Reader:
        user = self.request.user
        return feed.Reader(
            user=user,
            clearance=reader_clearance(user),
            receives_contributions=has_analyst_access(user),
        )

    def collection(self, collection_id: str) -> feed.Collection:
        found = feed.collection(collection_id)
        if found is None:
            raise exceptions.NotFound(_("No such collection."))
        return found


def _api_root_url(request: Request) -> str:
    return request.build_absolute_uri(reverse("taxii:api_root", args=[API_ROOT]))


class DiscoveryView(TaxiiView):
    def get(self, request: Request) -> Response:
        root = _api_root_url(request)
        return Response(
            {
                "title": stix.PLATFORM_NAME,
                "description": _("Economic-security intelligence as STIX 2.1, at your clearance."),
                "default": root,
                "api_roots": [root],
            }
        )


class ApiRootView(TaxiiView):
    def get(self, request: Request, api_root: str) -> Response:
        _check_root(api_root)
        return Response(
            {
                "title": stix.PLATFORM_NAME,
                "description": _("Collections: every sector, and one per sector."),
                "versions": [TAXII_MEDIA_TYPE],
                "max_content_length": MAX_CONTENT_LENGTH,
            }
        )


def _check_root(api_root: str) -> None:
    if api_root != API_ROOT:
        raise exceptions.NotFound(_("No such API root."))


def _collection_resource(found: feed.Collection) -> dict[str, Any]:
    return {
        "id": found.id,
        "title": found.title,
        "description": found.description,
        "can_read": True,
        "can_write": False,
        "media_types": [STIX_MEDIA_TYPE],
    }


class CollectionsView(TaxiiView):
    def get(self, request: Request, api_root: str) -> Response:
        _check_root(api_root)
        return Response({"collections": [_collection_resource(c) for c in feed.collections()]})


class CollectionView(TaxiiView):
    def get(self, request: Request, api_root: str, collection_id: str) -> Response:
        _check_root(api_root)
        return Response(_collection_resource(self.collection(collection_id)))


def _date_headers(response: Response, page: feed.Page) -> Response:
    if page.entries:
        response["X-TAXII-Date-Added-First"] = stix.timestamp(page.entries[0].date_added)
        response["X-TAXII-Date-Added-Last"] = stix.timestamp(page.entries[-1].date_added)
    return response


def _envelope(page: feed.Page, key: str, items: list[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"more": page.more}
    if page.next:
        body["next"] = page.next
    if items:
        body[key] = items
    return body


class ObjectsView(TaxiiView):
    def get(
        self, request: Request, api_root: str, collection_id: str, object_id: str = ""
    ) -> Response:
        _check_root(api_root)
        found = self.collection(collection_id)
        filters = _filters(request)
        if object_id:
            filters.ids = {object_id}
        reader = self.reader()
        page = feed.page(reader, found, filters)
        if object_id and not page.entries and not filters.after:
            raise exceptions.NotFound(_("No such object in this collection."))
        objects = feed.build_objects(reader, page.entries)
        return _date_headers(Response(_envelope(page, "objects", objects)), page)


class ManifestView(TaxiiView):
    def get(self, request: Request, api_root: str, collection_id: str) -> Response:
        _check_root(api_root)
        page = feed.page(self.reader(), self.collection(collection_id), _filters(request))
        records = [
            {
                "id": entry.id,
                "date_added": stix.timestamp(entry.date_added),
                "version": stix.timestamp(entry.version),
                "media_type": STIX_MEDIA_TYPE,
            }
            for entry in page.entries
        ]
        return _date_headers(Response(_envelope(page, "objects", records)), page)


def _filters(request: Request) -> feed.Filters:
    return feed.parse_filters(request.query_params)


class VersionsView(TaxiiView):
    def get(self, request: Request, api_root: str, collection_id: str, object_id: str) -> Response:
        _check_root(api_root)
        found = self.collection(collection_id)
        filters = feed.parse_filters(request.query_params, default_version="all")
        filters.ids = {object_id}
        page = feed.page(self.reader(), found, filters)
        if not page.entries and not filters.after:
            raise exceptions.NotFound(_("No such object in this collection."))
        versions = [stix.timestamp(entry.version) for entry in page.entries]
        return _date_headers(Response(_envelope(page, "versions", versions)), page)
