"""The customer's survey page (no login: the link's token is the key) and the staff's
actions on the project's KPI tab: send a link (shown once), revoke one."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from coordination.core.exceptions import Conflict
from coordination.core.security import client_ip
from coordination.core.text import join_messages
from kpi.surveys import services
from kpi.surveys.forms import AnswerForm, InvitationForm
from kpi.surveys.models import SurveyInvitation
from projects.core.selectors import visible_projects

LANGUAGES = SurveyInvitation.Language.values
# Unknown tokens one address may try in an hour before it is told to wait (429,
# SURVEY_LINK_MISSES_PER_HOUR): a token has 256 bits, so this only keeps a scanner from
# filling the logs and the database's time.


def misses_key(request) -> str:
    address = client_ip(request) or "-"
    return "survey-link-miss:" + hashlib.sha256(address.encode()).hexdigest()


def _public(response):
    """Headers of every answer of the public page: never indexed or cached; the token in the
    address never leaves in a Referer to another site (same-origin: the form's own POST keeps
    its Origin, which the CSRF check reads)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _language(request, invitation: SurveyInvitation | None) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang")
    if wanted in LANGUAGES:
        return wanted
    if invitation is not None:
        return invitation.language
    return translation.get_language_from_request(request) or LANGUAGES[0]


def _page(request, template: str, context: dict, language: str, status: int = 200):
    with translation.override(language):
        others = [
            (code, label) for code, label in SurveyInvitation.Language.choices if code != language
        ]
        response = render(
            request,
            template,
            {**context, "language": language, "other_languages": others},
            status=status,
        )
    return _public(response)


def _unusable(request, exc: services.LinkUnusable):
    status = 410 if exc.gone else 404
    if not exc.gone:
        key = misses_key(request)
        cache.add(key, 0, 3600)
        try:
            misses = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, 3600)
            misses = 1
        if misses > settings.SURVEY_LINK_MISSES_PER_HOUR:
            status = 429
    return _page(request, "kpi/surveys/unusable.html", {}, _language(request, None), status)


@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token: str):
    """GET /s/<token>/: the survey; POST: the answer, then thanks. An unknown link answers 404,
    an answered, expired or revoked one 410, both with the same words."""
    try:
        invitation = services.open_invitation(token)
    except services.LinkUnusable as exc:
        return _unusable(request, exc)
    language = _language(request, invitation)
    with translation.override(language):
        form = AnswerForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.answer_invitation(token, **form.answer())
            except services.LinkUnusable as exc:  # answered meanwhile (another tab, a double tap)
                return _unusable(request, exc)
            except ValidationError as exc:
                form.add_error(None, join_messages(exc.messages))
            else:
                return _page(
                    request,
                    "kpi/surveys/thanks.html",
                    {"project_name": invitation.project.name},
                    language,
                )
    context = {
        "invitation": invitation,
        "project_name": invitation.project.name,
        "recipient_name": invitation.recipient_name,
        "form": form,
        "token": token,
    }
    status = 400 if request.method == "POST" else 200
    return _page(request, "kpi/surveys/answer.html", context, language, status=status)


# ------------------------------------------------------------------ the staff's side
def _project_for(request, code: str):
    return get_object_or_404(visible_projects(request.user), code=code)


def _back(project):
    return redirect(reverse("projects:detail", args=[project.code]) + "#tab-kpis")


@login_required
@require_POST
def create_invitation(request, code: str):
    """Send the customer a link: the page shows it once (copy button), and e-mails it if an
    address was given."""
    project = _project_for(request, code)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}")
        return _back(project)
    try:
        invitation, token = services.create_invitation(
            project, by=request.user, **form.cleaned_data
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("你没有执行此操作的权限。"))
        return _back(project)
    except ValidationError as exc:
        messages.error(request, join_messages(exc.messages))
        return _back(project)
    response = render(
        request,
        "kpi/surveys/created.html",
        {"project": project, "invitation": invitation, "link": services.survey_link(token)},
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@login_required
@require_POST
def revoke_invitation(request, code: str, pk: int):
    project = _project_for(request, code)
    invitation = get_object_or_404(SurveyInvitation, pk=pk, project=project)
    try:
        services.revoke_invitation(invitation.pk, by=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("你没有执行此操作的权限。"))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤回问卷链接。"))
    return _back(project)
