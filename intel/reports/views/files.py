"""Attachments: upload (author, editable reports) and the only way a file leaves: a download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import contributor_required
from community.web import AuthenticatedRequest
from intel.errors import WorkflowError
from intel.models import Attachment
from intel.reports import selectors, services
from intel.reports.forms import AttachmentForm


def _back(contribution_id: int, editable: bool) -> HttpResponse:
    target = "intel:contribution_edit" if editable else "intel:contribution_detail"
    return redirect(target, pk=contribution_id)


@require_POST
@contributor_required
def attachment_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_for_author(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return _back(pk, contribution.is_editable)
    try:
        attachment = services.attachment_add(
            contribution=contribution, actor=request.user, uploaded=form.cleaned_data["file"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Attached %(name)s.") % {"name": attachment.original_name})
    return _back(pk, contribution.is_editable)


@require_POST
@contributor_required
def attachment_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_for_viewer(user=request.user, pk=pk)
    contribution = selectors.contribution_for_author(
        user=request.user, pk=attachment.contribution_id
    )
    try:
        services.attachment_delete(attachment=attachment, actor=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Removed %(name)s.") % {"name": attachment.original_name})
    return _back(contribution.pk, contribution.is_editable)


def attachment_response(attachment: Attachment) -> FileResponse:
    """Always a download, with the sniffed type, never rendered by the browser."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.download_name,
        content_type=attachment.mime,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def attachment_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    attachment = selectors.attachment_for_viewer(user=request.user, pk=pk)
    return attachment_response(attachment)
