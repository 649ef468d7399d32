"""Attachments: checked by content and size, counted under a row lock, stored privately."""

from __future__ import annotations

import hashlib
from typing import BinaryIO, cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.models import User
from intel import filetypes
from intel.errors import WorkflowError
from intel.models import Attachment, Contribution
from intel.models.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from intel.models.contributions import EDITABLE_STATUSES

from ._common import require_author


def attachment_check(uploaded: UploadedFile) -> filetypes.FileType:
    """The file's type by content, or a ValidationError saying what is wrong."""
    if uploaded.size is None or uploaded.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if uploaded.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; attachments may be at most %(limit)s.")
                % {
                    "size": filesizeformat(uploaded.size),
                    "limit": filesizeformat(MAX_ATTACHMENT_BYTES),
                }
            }
        )
    file_type = filetypes.sniff(cast(BinaryIO, uploaded.file))
    if file_type is None:
        raise ValidationError(
            {
                "file": _(
                    "This file's content is not one of the allowed types (%(types)s), "
                    "whatever its name says."
                )
                % {"types": filetypes.ALLOWED_LABELS}
            }
        )
    return file_type


@transaction.atomic
def attachment_add(
    *, contribution: Contribution, actor: User, uploaded: UploadedFile
) -> Attachment:
    """Attach a file to a draft or a report with changes requested (author only)."""
    require_author(contribution, actor)
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise WorkflowError(
            _("Files can be attached only to drafts and reports with changes requested.")
        )
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "file": _("A report can have at most %(count)s attachments; remove one first.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    file_type = attachment_check(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    attachment = Attachment(
        contribution=locked,
        original_name=(uploaded.name or "attachment")[-255:],
        file_type=file_type.key,
        size=uploaded.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save("upload", uploaded, save=False)
    # The file is written before the row; if the row cannot be saved, the
    # file must not stay behind unreferenced.
    stored_name = attachment.file.name or ""
    storage = attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(stored_name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor: User) -> None:
    contribution = attachment.contribution
    require_author(contribution, actor)
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise WorkflowError(
            _("Files can be removed only from drafts and reports with changes requested.")
        )
    name, storage = attachment.file.name or "", attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
