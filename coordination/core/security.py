"""Security plumbing of the web layer: a Content-Security-Policy header, a throttled login and
the refusal of HTML writes by read-only roles.

CSP: every script and style is served from our own static files (no CDN), so 'self' is enough
for loading; 'unsafe-inline' stays for scripts and styles because two templates use inline
event handlers (language switcher, print button) and Bootstrap/htmx set inline styles.
The login throttle counts failures per (username, client IP) in the cache and refuses further
attempts with 429 for LOGIN_LOCKOUT_SECONDS once LOGIN_MAX_FAILURES is reached.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _

from coordination.core.roles import can_write

CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


# Pages a read-only role may still post to: each changes only the user's own session,
# settings or inbox.
OWN_DATA_ROUTES = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "profile",
        "notification_read",
        "notifications_read_all",
        "calendar_feed_reset",
        "work_notices",  # chat: which events reach the user's own DingTalk / WeCom / Feishu
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ReadOnlyRoleMiddleware:
    """A POST (PUT, PATCH, DELETE) to an HTML page by a user who may not write
    (`coordination.core.roles.can_write`: executives) answers 403 before the view runs, so a
    page added later is read-only for them too. Each write's own permission function asks
    the same question (and hides the page's buttons); this is the door in front of it.
    The API asks it as a DRF permission (token users are known only inside DRF:
    `coordination.api.authentication.WritesNeedWriter`); the admin keeps its own permissions.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS:
            return None
        match = request.resolver_match
        if (
            match is None
            or match.url_name in OWN_DATA_ROUTES
            or "admin" in match.namespaces
            or match.route.startswith("api/")
        ):
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not can_write(user):
            raise PermissionDenied(_("你的角色只能查看，不能修改数据。"))
        return None


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "-"


def _key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}|{ip}".encode()).hexdigest()
    return f"login-failures:{digest}"


def max_failures() -> int:
    return int(getattr(settings, "LOGIN_MAX_FAILURES", 5))


def lockout_seconds() -> int:
    return int(getattr(settings, "LOGIN_LOCKOUT_SECONDS", 900))


def is_locked(username: str, ip: str) -> bool:
    return (cache.get(_key(username, ip)) or 0) >= max_failures()


def record_failure(username: str, ip: str) -> None:
    key = _key(username, ip)
    if cache.add(key, 1, lockout_seconds()):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, lockout_seconds())


def reset(username: str, ip: str) -> None:
    cache.delete(_key(username, ip))


class ThrottledLoginView(LoginView):
    """Django's LoginView, refusing a (username, IP) after repeated failures (429)."""

    template_name = "registration/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if is_locked(username, client_ip(request)):
            # errors set by hand: a locked-out attempt never reaches authenticate()
            form = self.get_form_class()(request, data=request.POST)
            form.cleaned_data, form._errors = {}, ErrorDict()
            form.add_error(None, _("登录失败次数过多，请稍后再试。"))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        record_failure(self.request.POST.get("username", ""), client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        reset(self.request.POST.get("username", ""), client_ip(self.request))
        return super().form_valid(form)
