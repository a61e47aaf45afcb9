"""ERP integration services: API clients, their tokens (hashed, rotated), scopes, endpoints.

Choice (documented in docs/erp-integration.md): a client acts as a service user. PMO may
pick one; left blank, a dedicated inactive-login user in the PMO department is created, so
the client reads everything (like PMO) and its scopes alone limit what it writes.
"""

from __future__ import annotations

import datetime
import re
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coordination.core.models import Department, Profile
from coordination.core.services import record_audit, snapshot
from coordination.integration.models import (
    TOKEN_PREFIX,
    ApiClient,
    ApiClientToken,
    ApiScope,
    WebhookEndpoint,
    hash_token,
)

User = get_user_model()

DEFAULT_GRACE = datetime.timedelta(hours=24)
TOUCH_EVERY = datetime.timedelta(minutes=1)

# Which scope a write needs, by path (first match wins); reads need "read".
WRITE_SCOPES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^/api/v1/(erp/)?customers/"), ApiScope.WRITE_CUSTOMERS),
    (re.compile(r"^/api/v1/projects/[^/]+/(surveys|complaints)/"), ApiScope.WRITE_KPI_INPUTS),
    (
        re.compile(
            r"^/api/v1/(erp/projects/|projects/|milestones/|risks/|tasks/|task-dependencies/"
            r"|documents/)"
        ),
        ApiScope.WRITE_PROJECTS,
    ),
]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def required_scope(method: str, path: str) -> str | None:
    """The scope a client needs for `method path`; None: no scope allows it."""
    if method.upper() in SAFE_METHODS:
        return ApiScope.READ
    for pattern, scope in WRITE_SCOPES:
        if pattern.match(path):
            return scope
    return None


def _service_user(name: str):
    base = f"api_{slugify(name) or 'client'}"[:140]
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}_{n}"
    user = User(username=username, first_name=name[:150])
    user.set_unusable_password()  # the client signs in with its token only
    user.save()
    Profile.objects.filter(user=user).update(department=Department.PMO, notify_email=False)
    return User.objects.get(pk=user.pk)


def _new_key() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def issue_token(client: ApiClient, *, by=None) -> tuple[ApiClientToken, str]:
    """A new token for `client`; returns (row, plaintext key). The key is never stored."""
    key = _new_key()
    token = ApiClientToken.objects.create(
        client=client, prefix=key[: len(TOKEN_PREFIX) + 6], key_hash=hash_token(key)
    )
    record_audit(
        actor=by, action="api_client.token_issued", target=client, after={"token": token.prefix}
    )
    return token, key


@transaction.atomic
def create_api_client(
    *,
    name: str,
    scopes: list[str],
    by=None,
    user=None,
    throttle_rate: str = "600/min",
    notes: str = "",
) -> tuple[ApiClient, str]:
    """Create a client (and its service user when none is given) with its first token."""
    client = ApiClient(
        name=name,
        scopes=list(scopes),
        user=user or _service_user(name),
        throttle_rate=throttle_rate,
        notes=notes,
    )
    client.full_clean()
    client.save()
    record_audit(
        actor=by,
        action="api_client.created",
        target=client,
        after=snapshot(client, ["name", "scopes", "user", "throttle_rate", "active"]),
    )
    _token, key = issue_token(client, by=by)
    return client, key


@transaction.atomic
def rotate_token(
    client_id: int, *, by=None, grace: datetime.timedelta | None = DEFAULT_GRACE
) -> str:
    """A new key for the client. Its current keys stay valid for `grace` (None or zero:
    revoked now), so the ERP can switch without downtime. Returns the new plaintext key."""
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    now = timezone.now()
    current = ApiClientToken.objects.filter(client=client, revoked_at__isnull=True)
    if grace:
        deadline = now + grace
        current.filter(expires_at__isnull=True).update(expires_at=deadline)
        current.filter(expires_at__gt=deadline).update(expires_at=deadline)
    else:
        current.update(revoked_at=now)
    _token, key = issue_token(client, by=by)
    record_audit(
        actor=by,
        action="api_client.token_rotated",
        target=client,
        after={"grace_seconds": int(grace.total_seconds()) if grace else 0},
    )
    return key


@transaction.atomic
def revoke_tokens(client_id: int, *, by=None) -> int:
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    count = ApiClientToken.objects.filter(client=client, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    record_audit(actor=by, action="api_client.tokens_revoked", target=client, after={"n": count})
    return count


def authenticate_key(key: str) -> ApiClientToken | None:
    """The valid token row (with client and user) for a presented key, else None."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    token = (
        ApiClientToken.objects.select_related("client", "client__user")
        .filter(key_hash=hash_token(key))
        .first()
    )
    if token is None or not token.is_valid() or not token.client.active:
        return None
    if not token.client.user.is_active:
        return None
    _touch(token)
    return token


def _touch(token: ApiClientToken) -> None:
    """Record use at most once a minute per token (no write on every request)."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < TOUCH_EVERY:
        return
    ApiClientToken.objects.filter(pk=token.pk).update(last_used_at=now)
    ApiClient.objects.filter(pk=token.client_id).update(last_used_at=now)


# ---------------------------------------------------------------- webhook endpoints
ENDPOINT_FIELDS = ["name", "url", "events", "active"]


@transaction.atomic
def save_webhook_endpoint(endpoint: WebhookEndpoint, *, by=None) -> WebhookEndpoint:
    """Create or update an endpoint; the URL is checked against SSRF targets (clean())."""
    creating = endpoint.pk is None
    before = None
    if not creating:
        old = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = snapshot(old, ENDPOINT_FIELDS)
    endpoint.full_clean()
    if not endpoint.secret:
        raise ValidationError({"secret": [_("必须填写签名密钥。")]})
    endpoint.save()
    record_audit(
        actor=by,
        action="webhook_endpoint.created" if creating else "webhook_endpoint.updated",
        target=endpoint,
        before=before,
        after=snapshot(endpoint, ENDPOINT_FIELDS),
    )
    return endpoint
