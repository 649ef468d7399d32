"""Board brief pages: the printable one-page brief and the analyst's questions form.

Who may open what (the permission tests pin it down):

- the brief of a published digest: signed-in subscribers, vetted members,
  readers and analysts, at their `reader_clearance` (a lower `?clearance=`
  previews it); visitors are sent to sign in, other accounts are refused;
- the brief of a draft and the questions form: analysts with two-factor
  authentication; anyone else asking for a draft's brief gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import analyst_required, has_analyst_access
from community.web import AuthenticatedRequest, add_service_errors
from intel.boardbrief import selectors, services
from intel.boardbrief.forms import BoardQuestionsForm
from intel.digests import selectors as digest_selectors
from intel.digests import text as digest_text


def _language(request: HttpRequest) -> str:
    """The brief's language: `?language=` (to print the other one), else the page's."""
    asked = request.GET.get("language", "")
    if asked in ("en", "ja"):
        return asked
    return digest_text.supported_language(translation.get_language())


@require_GET
def board_brief(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.may_read_board_briefs(user):
        return render(request, "intel/boardbrief/refused.html", status=403)
    digest = digest_selectors.digest_for_reader(user=user, pk=pk)
    clearance = digest_selectors.reader_clearance(user, preview=request.GET.get("clearance", ""))
    language = _language(request)
    brief = selectors.board_brief_view(digest=digest, clearance=clearance, language=language)
    with translation.override(language):
        response = render(
            request,
            "intel/boardbrief/brief.html",
            {
                "digest": digest,
                "brief": brief,
                "language": language,
                "other_language": "ja" if language == "en" else "en",
                "may_edit": selectors.may_edit_questions(user),
            },
        )
    # Redacted per reader: never serve one reader's copy to another from a cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@analyst_required
def board_questions_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    digest = digest_selectors.digest_for_analyst(pk=pk)
    existing = selectors.board_brief_of(digest)
    initial = {
        "questions_en": existing.questions_en if existing else "",
        "questions_ja": existing.questions_ja if existing else "",
    }
    form = BoardQuestionsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.board_questions_save(
                digest=digest,
                analyst=request.user,
                questions_en=form.cleaned_data["questions_en"],
                questions_ja=form.cleaned_data["questions_ja"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The questions for the board are saved."))
            return redirect("intel:board_brief", pk=digest.pk)
    return render(
        request,
        "intel/boardbrief/questions_form.html",
        {"digest": digest, "form": form, "is_analyst": has_analyst_access(request.user)},
        status=400 if request.method == "POST" else 200,
    )
