"""A member's readers: invite colleagues, see and remove them; a colleague accepts.

- "My readers" (list, invite, remove): vetted members only, and only their own;
  removing someone else's reader is a 404, as if it did not exist.
- Accepting: any signed-in account whose address the invitation was sent to.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from community.web import AuthenticatedRequest, add_service_errors

from .. import selectors
from ..models import ReaderInvitation
from ..permissions import contributor_required
from ..services import readers as services


class ReaderInviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Colleague's email address"))


@contributor_required
@require_http_methods(["GET", "POST"])
def my_readers(request: AuthenticatedRequest) -> HttpResponse:
    form = ReaderInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _code = services.reader_invite(
                member=request.user, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("accounts:readers")
    invitations = selectors.readers_of(member=request.user)[:50]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/readers.html",
        {"form": form, "invitations": invitations},
        status=status,
    )


@contributor_required
@require_POST
def reader_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    invitation = ReaderInvitation.objects.filter(pk=pk, member=request.user).first()
    if invitation is None:
        raise Http404
    try:
        services.reader_remove(member=request.user, invitation=invitation)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request, _("%(email)s is no longer your reader.") % {"email": invitation.email}
        )
    return redirect("accounts:readers")


@login_required
@require_http_methods(["GET", "POST"])
def reader_accept(request: AuthenticatedRequest, code: str) -> HttpResponse:
    invitation = services.reader_invitation_find(code=code)
    if invitation is None:
        raise Http404
    if request.method == "POST":
        try:
            services.reader_accept(code=code, user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return render(
                request, "accounts/reader_accept.html", {"invitation": invitation}, status=400
            )
        messages.success(request, _("You are now a reader. The case-study library is open to you."))
        return redirect("intel:library")
    return render(request, "accounts/reader_accept.html", {"invitation": invitation})
