"""Login protection, one policy for the three doors (/accounts/login/, /admin/login/ and
POST /api/v1/auth/token/), on django-axes (docs/security.md, "Login protection").

django-axes does the plumbing: its authentication backend (first in AUTHENTICATION_BACKENDS)
refuses a locked-out attempt inside `authenticate()`, before any password is checked; its
signal handlers store every failure in its `AccessAttempt` table, one row per (username,
client address, browser) with the number of failures and the time of the last one; its
middleware swaps the answer of a refused attempt for `lockout_response` below. The settings
(coordination/settings.py, AXES_*) point it at the callables of this module and at
`coordination.core.security.client_ip`, the only reader of the trusted proxy chain.

The policy, counted over axes' rows of the last 2 × LOGIN_LOCKOUT_SECONDS:
  - per (username, client address): LOGIN_MAX_FAILURES failures, then a wait of
    LOGIN_BACKOFF_SECONDS from the last failure, doubling with every further failure, capped
    at LOGIN_LOCKOUT_SECONDS. An attacker slows only himself, never the user elsewhere;
  - per client address, whatever the username: LOGIN_MAX_FAILURES_PER_ADDRESS failures, then
    the same backoff (spraying one password across many usernames).
A refused attempt is not counted; a success deletes that (username, address)'s rows.

What axes cannot say by settings alone, and `LoginProtectionHandler` adds (its only code):
one failure limit applies to every lockout parameter, where the pair and the address have
their own; and its cool-off is both how long failures are remembered and how long a lockout
lasts, so a wait that ends forgets the failures and cannot double on the next one.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core.services import record_audit_many

# AXES_LOCKOUT_PARAMETERS: the pair first, then the address (LoginProtectionHandler's order).
LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
MAX_DOUBLINGS = 30  # 60 s × 2**30 is far past any cap: keeps the power small


def max_failures() -> int:
    return int(getattr(settings, "LOGIN_MAX_FAILURES", 5))


def max_failures_per_address() -> int:
    return int(getattr(settings, "LOGIN_MAX_FAILURES_PER_ADDRESS", 20))


def lockout_seconds() -> int:
    return int(getattr(settings, "LOGIN_LOCKOUT_SECONDS", 900))


def backoff_seconds() -> int:
    return int(getattr(settings, "LOGIN_BACKOFF_SECONDS", 60))


# --- the callables the AXES_* settings name (read at each call, so tests may change them) ---


def lockout_parameters(request_or_attempt, credentials=None) -> list:
    """AXES_LOCKOUT_PARAMETERS."""
    return LOCKOUT_PARAMETERS


def failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: the (username, address) pair's limit."""
    return max_failures()


def remembered(request=None) -> datetime.timedelta:
    """AXES_COOLOFF_TIME: how long axes keeps and counts a failure row after its last failure
    (twice the longest wait, so the wait after a long lockout still doubles)."""
    return datetime.timedelta(seconds=2 * lockout_seconds())


def username_of(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: the username as typed, trimmed and lower-cased, so "PMO " and
    "pmo" are counted together."""
    if credentials:
        value = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username") if hasattr(data, "get") else None
    return str(value or "").strip().lower()[:255]


# --- the rule ---


def wait_seconds(failures: int, last, limit: int, now) -> int:
    """Seconds still to wait for one counter: 0 below its limit; else the backoff from the
    last failure (LOGIN_BACKOFF_SECONDS × 2**(failures − limit), at most LOGIN_LOCKOUT_SECONDS)."""
    if not failures or failures < limit or last is None:
        return 0
    delay = min(backoff_seconds() * 2 ** min(failures - limit, MAX_DOUBLINGS), lockout_seconds())
    return max(0, math.ceil((last - now).total_seconds() + delay))


class LoginProtectionHandler(AxesDatabaseHandler):
    """axes' database handler, locked by `retry_after` (two limits, doubling backoff). The
    decision is taken before each attempt (AXES_LOCK_OUT_AT_FAILURE is off), so the failure
    that reaches a limit is still answered as a wrong password and the next one is refused."""

    def is_locked(self, request, credentials=None) -> bool:
        return self.retry_after(request, credentials) > 0

    def retry_after(self, request, credentials=None) -> int:
        now = request.axes_attempt_time or timezone.now()
        limits = [get_failure_limit(request, credentials), max_failures_per_address()]
        waits = [0]
        for attempts, limit in zip(
            self.get_user_attempts(request, credentials), limits, strict=True
        ):
            seen = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
            waits.append(wait_seconds(seen["n"] or 0, seen["last"], limit, now))
        return max(waits)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a success (AXES_RESET_ON_SUCCESS): only this (username, address)'s rows go;
        the other usernames tried from the address still count for it."""
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count


def retry_after(request, username: str) -> int:
    """Seconds `username` must still wait before trying again from this request's address."""
    AxesProxyHandler.update_request(request)
    return AxesProxyHandler.get_implementation().retry_after(request, get_credentials(username))


def succeeded(request, username: str) -> None:
    """A right password at a door that does not log in a session (the token endpoint): what
    axes does on `user_logged_in` for the other two."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, get_credentials(username))


def locked_out_message() -> str:
    return _("登录失败次数过多，请稍后再试。")


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After. The login page (HTML or admin) is the
    page the view rendered, its error replaced by the lockout message."""
    wait = retry_after(request, username_of(request, credentials))
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if isinstance(original_response, SimpleTemplateResponse) and form is not None:
        form._errors = ErrorDict()  # the form's "wrong password" is not the reason
        form.add_error(None, locked_out_message())
        original_response.content = original_response.rendered_content
        response = original_response
    else:
        response = HttpResponse(locked_out_message(), content_type="text/plain; charset=utf-8")
    response.status_code = 429
    response["Retry-After"] = str(max(wait, 1))
    return response


# --- what PMO sees and does in the admin (coordination/core/admin.py) ---


@dataclass(frozen=True)
class _Lockout:
    """An AccessAttempt as the audit trail names it: "username @ address"."""

    attempt: AccessAttempt

    @property
    def _meta(self):
        return AccessAttempt._meta

    @property
    def pk(self):
        return self.attempt.pk

    def __str__(self) -> str:
        return f"{self.attempt.username} @ {self.attempt.ip_address}"


def waits_of(attempts) -> dict[int, int]:
    """attempt id → seconds its (username, address) must still wait (the longer of the pair's
    and the address's), for a page of AccessAttempt rows: two queries whatever their number."""
    attempts = list(attempts)
    if not attempts:
        return {}
    now = timezone.now()
    addresses = {a.ip_address for a in attempts}
    where = Q(ip_address__in=[ip for ip in addresses if ip is not None])
    if None in addresses:
        where |= Q(ip_address__isnull=True)
    rows = AccessAttempt.objects.filter(where, attempt_time__gte=now - remembered())
    per_pair = {
        (r["username"], r["ip_address"]): r
        for r in rows.values("username", "ip_address").annotate(
            n=Sum("failures_since_start"), last=Max("attempt_time")
        )
    }
    per_address = {
        r["ip_address"]: r
        for r in rows.values("ip_address").annotate(
            n=Sum("failures_since_start"), last=Max("attempt_time")
        )
    }
    waits = {}
    for a in attempts:
        pair = per_pair.get((a.username, a.ip_address), {})
        address = per_address.get(a.ip_address, {})
        waits[a.pk] = max(
            wait_seconds(pair.get("n", 0), pair.get("last"), max_failures(), now),
            wait_seconds(address.get("n", 0), address.get("last"), max_failures_per_address(), now),
        )
    return waits


@transaction.atomic
def lift_lockouts(attempts, *, by) -> int:
    """PMO lifts lockouts: the given AccessAttempt rows go, with the other rows of the same
    (username, address) (other browsers), one audit event each. Returns the rows deleted.
    An address locked for spraying is lifted by lifting every row of that address."""
    attempts = list(attempts)
    pairs = Q(pk__in=[a.pk for a in attempts])
    for a in attempts:
        pairs |= Q(username=a.username, ip_address=a.ip_address)
    rows = list(AccessAttempt.objects.filter(pairs).order_by("pk"))
    if not rows:
        return 0
    record_audit_many(
        actor=by,
        action="login_lockout.lifted",
        changes=[
            (
                _Lockout(row),
                {
                    "username": row.username,
                    "ip_address": row.ip_address,
                    "failures": row.failures_since_start,
                    "last_failure": row.attempt_time,
                },
                None,
            )
            for row in rows
        ],
    )
    count, _ = AccessAttempt.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return count
