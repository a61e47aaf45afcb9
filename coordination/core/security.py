"""Security plumbing of the web layer: a Content-Security-Policy header, the client's address
behind trusted proxies and the refusal of HTML writes by read-only roles.

CSP: every script and style is served from our own static files (no CDN), so 'self' is enough
for loading. Scripts get nothing more: no template holds an inline `<script>` or `on*=`
handler (behaviour is bound from static/js by data attributes; the API docs load their init
script as a separate file; the periodic-task admin form's script is static/js/admin/), htmx
runs with allowEval off, and no page needs 'unsafe-eval'. A `<script type="application/json">`
data block (Django's json_script) is never executed, so it needs no permission. Styles keep
'unsafe-inline': Bootstrap, htmx swaps, the admin and Swagger UI set `style=` attributes and a
few templates carry a `<style>` block.
`live_fragment` guards the small fragments the pages poll for live counts.
The login protection (django-axes) is in coordination.core.login_protection; it reads the
client's address from `client_ip` here.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden, HttpResponseNotAllowed
from django.utils.translation import gettext as _

from coordination.core.roles import can_write

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
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
        "profile_token_revoke",  # one's own API token
        "notification_read",
        "notifications_read_all",
        "calendar_feed_reset",
        "work_notices",  # chat: which events reach the user's own DingTalk / WeCom / Feishu
        # accounts: the user's own password and second factor (coordination/accounts/)
        "password_change",
        "password_reset",
        "password_reset_confirm",
        "two_factor",
        "two_factor_verify",
        "two_factor_disable",
        "preferences",  # notifications: the user's own notification settings
    }
)
# Pages for people without an account (the customer's satisfaction survey link, whose token
# is the key): whoever happens to be signed in in the browser changes nothing about them, so
# neither a read-only role nor a pending second factor stands in front of them.
PUBLIC_ROUTES = frozenset({"survey_answer"})
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
            or (not match.namespaces and match.url_name in PUBLIC_ROUTES)
            or "admin" in match.namespaces
            or match.route.startswith("api/")
        ):
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not can_write(user):
            raise PermissionDenied(_("你的角色只能查看，不能修改数据。"))
        return None


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address as the first trusted proxy saw it (None: no address at all).

    With TRUSTED_PROXY_COUNT = 0 (the default) X-Forwarded-For is ignored and REMOTE_ADDR is
    the client. Behind N proxies that each append to X-Forwarded-For, the client is the N-th
    address from the right; addresses further left were written by the client and are never
    trusted. An entry that is not an IP address is not believed either: the address is then
    REMOTE_ADDR's. DRF's throttles read the same setting (REST_FRAMEWORK["NUM_PROXIES"]);
    the login protection reads this function (AXES_CLIENT_IP_CALLABLE).
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    chain = [item.strip() for item in forwarded.split(",") if item.strip()]
    if not chain:
        return remote
    return _address(chain[-min(count, len(chain))]) or remote


def live_fragment(view):
    """A fragment the pages poll for live counts (the navigation's unread badge, the home
    page's counters): GET only, signed-in users only and `Cache-Control: no-store` on every
    answer. A signed-out caller gets 403, not the login redirect: htmx would follow the
    redirect and swap the login page into the badge."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            response = HttpResponseForbidden()
        elif request.method not in ("GET", "HEAD"):
            response = HttpResponseNotAllowed(["GET", "HEAD"])
        else:
            response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapped
