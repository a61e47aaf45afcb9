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
import time

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
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# Powerful browser features the product never uses, refused for every page.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every API response (the token response included) and on
    every HTML page served to a signed-in user, unless the view chose its own Cache-Control
    (the calendar feed, file downloads). Static files are answered before this by WhiteNoise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" in response:
            return response
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "no-store"
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
        "preferences",  # notifications: the user's own notification settings
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
    """The client's address as the first trusted proxy saw it.

    With TRUSTED_PROXY_COUNT = 0 (the default) X-Forwarded-For is ignored and REMOTE_ADDR is
    the client. Behind N proxies that each append to X-Forwarded-For, the client is the N-th
    address from the right; addresses further left were written by the client and are never
    trusted. DRF's throttles read the same setting (REST_FRAMEWORK["NUM_PROXIES"]).
    """
    remote = request.META.get("REMOTE_ADDR", "") or "-"
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    chain = [item.strip() for item in forwarded.split(",") if item.strip()]
    if not chain:
        return remote
    return chain[-min(count, len(chain))]


# Login protection, one policy for the three doors (HTML login, admin login, token endpoint).
# Two counters in the cache, each with exponential backoff once its threshold is reached:
#   - per (username, client address): an attacker slows only himself, never the user
#     elsewhere; LOGIN_MAX_FAILURES failures, then a wait of LOGIN_BACKOFF_SECONDS doubling
#     with every further failure, capped at LOGIN_LOCKOUT_SECONDS;
#   - per client address, whatever the username: spraying one password across many usernames
#     is slowed after LOGIN_MAX_FAILURES_PER_ADDRESS failures, with the same backoff.
# A success resets the (username, address) counter only.


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _keys(username: str, ip: str) -> list[tuple[str, int]]:
    user_key = f"login-failures:u:{_digest(username.strip().lower(), ip)}"
    ip_key = f"login-failures:a:{_digest(ip)}"
    return [(user_key, max_failures()), (ip_key, max_failures_per_address())]


def max_failures() -> int:
    return int(getattr(settings, "LOGIN_MAX_FAILURES", 5))


def max_failures_per_address() -> int:
    return int(getattr(settings, "LOGIN_MAX_FAILURES_PER_ADDRESS", 20))


def lockout_seconds() -> int:
    return int(getattr(settings, "LOGIN_LOCKOUT_SECONDS", 900))


def backoff_seconds() -> int:
    return int(getattr(settings, "LOGIN_BACKOFF_SECONDS", 60))


def _wait(state: dict | None, limit: int, now: float) -> int:
    if not state or state.get("n", 0) < limit:
        return 0
    return max(0, int(state.get("until", 0) - now + 0.999))


def retry_after(username: str, ip: str) -> int:
    """Seconds this (username, address) must still wait before trying again; 0: go ahead."""
    now = time.time()
    states = cache.get_many([key for key, _limit in _keys(username, ip)])
    return max(_wait(states.get(key), limit, now) for key, limit in _keys(username, ip))


def is_locked(username: str, ip: str) -> bool:
    return retry_after(username, ip) > 0


def record_failure(username: str, ip: str) -> None:
    now = time.time()
    for key, limit in _keys(username, ip):
        state = cache.get(key) or {"n": 0, "until": 0}
        state["n"] = state.get("n", 0) + 1
        over = state["n"] - limit
        if over >= 0:
            state["until"] = now + min(backoff_seconds() * (2**over), lockout_seconds())
        cache.set(key, state, lockout_seconds() * 2)


def reset(username: str, ip: str) -> None:
    cache.delete(_keys(username, ip)[0][0])


def locked_out_response_message() -> str:
    return _("登录失败次数过多，请稍后再试。")


class ThrottledLoginView(LoginView):
    """Django's LoginView behind the login protection above: while a (username, address) or
    an address must wait, the attempt answers 429 with Retry-After and never reaches
    authenticate()."""

    template_name = "registration/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        wait = retry_after(username, client_ip(request))
        if wait:
            # errors set by hand: a locked-out attempt never reaches authenticate()
            form = self.get_form_class()(request, data=request.POST)
            form.cleaned_data, form._errors = {}, ErrorDict()
            form.add_error(None, locked_out_response_message())
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        record_failure(self.request.POST.get("username", ""), client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        reset(self.request.POST.get("username", ""), client_ip(self.request))
        return super().form_valid(form)


class ThrottledAdminLoginView(ThrottledLoginView):
    """The admin's login (/admin/login/) with the same protection as the HTML login."""

    template_name = "admin/login.html"

    def get_form_class(self):
        from django.contrib.admin.forms import AdminAuthenticationForm

        return AdminAuthenticationForm

    def get_context_data(self, **kwargs):
        from django.contrib import admin

        context = super().get_context_data(**kwargs)
        context.update(admin.site.each_context(self.request))
        context.setdefault("title", _("登录"))
        context.setdefault("site_header", admin.site.site_header)
        context["app_path"] = self.request.get_full_path()
        return context

    def get_success_url(self):
        from django.urls import reverse

        return self.get_redirect_url() or reverse("admin:index")
