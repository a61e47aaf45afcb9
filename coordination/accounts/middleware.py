"""The second factor's door: after the password, a user with a confirmed device (or one who
must enrol) reaches only the two-factor pages, logout and the language switch until done.

Framework glue, not business flow: a receiver of `user_logged_in` notes in the session the
step the login still needs (rules.step_after_password), and the middleware reads only that
note, so a request of a user without a second factor costs no query. django-otp's
OTPMiddleware (before this one) marks the request verified once a code was accepted.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from coordination.accounts.rules import ENROL, SESSION_KEY, step_after_password
from coordination.core.security import PUBLIC_ROUTES

# Routes open before the second factor (URL names outside any namespace).
OPEN_ROUTES = (
    frozenset(
        {
            "two_factor",
            "two_factor_verify",
            "logout",
            "set_language",
            "javascript-catalog",
        }
    )
    | PUBLIC_ROUTES
)


def note_step_after_login(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver (every door: the login page, the admin login, force_login)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    step = step_after_password(user)
    if step:
        session[SESSION_KEY] = step
    else:
        session.pop(SESSION_KEY, None)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        step = session.get(SESSION_KEY) if session is not None else None
        if not step:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and not match.namespaces and match.url_name in OPEN_ROUTES:
            return None
        if request.path.startswith("/api/"):
            if "HTTP_AUTHORIZATION" in request.META:
                return None  # a token, not this session, authenticates the call
            return JsonResponse(
                {"detail": _("请先完成两步验证。")},
                status=403,
            )
        target = reverse("two_factor" if step == ENROL else "two_factor_verify")
        if request.method == "GET":
            target += "?next=" + quote(request.get_full_path())
        return redirect(target)
