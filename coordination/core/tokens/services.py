"""Issuing, checking and revoking people's API tokens: the token endpoint, the logout
endpoints, the profile page and the admin call these, so each rule lives here once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from knox.crypto import hash_token

from coordination.core.roles import remember_group_names
from coordination.core.services import record_audit, record_audit_many
from coordination.core.tokens.models import ApiToken

TOUCH_EVERY = timedelta(minutes=1)  # last_used_at: at most one write a minute per token
MAX_KEY_LENGTH = 200  # longer is no key of ours: refused before hashing


def token_ttl() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def _audit_values(token: ApiToken) -> dict:
    return {"name": token.name, "expiry": token.expiry.isoformat()}


@transaction.atomic
def issue_token(user, *, name: str = "") -> tuple[ApiToken, str]:
    """A new token for one device of `user`, ending API_TOKEN_TTL_HOURS from now: its row and
    its key (shown once; only the digest is stored). The user's expired tokens go on the way."""
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    token, key = ApiToken.objects.create(user=user, expiry=token_ttl(), name=name.strip()[:100])
    record_audit(actor=user, action="api_token.issued", target=token, after=_audit_values(token))
    return token, key


def authenticate_key(key: str) -> ApiToken | None:
    """The live token of a presented key, with its user, the user's profile and group names
    read in one query; None when the key is unknown, revoked, expired or its user inactive.

    1. the key's digest is looked up (unique index); a revoked token has no row;
    2. an expired token is refused (its row stays until the owner's next login, or PMO's);
    3. the use is recorded at most once a minute (`last_used_at`)."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    rows = list(
        ApiToken.objects.select_related("user", "user__profile")
        .filter(digest=hash_token(key))
        .annotate(group_name=F("user__groups__name"))
    )
    if not rows:
        return None
    token = rows[0]
    now = timezone.now()
    if token.expiry <= now or not token.user.is_active:
        return None
    remember_group_names(token.user, [r.group_name for r in rows if r.group_name])
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def revoke_token(token_id: int, *, owner, by, reason: str = "") -> bool:
    """Revoke one of `owner`'s tokens: from then on it answers 401. False when `owner` has no
    such token (another user's, or revoked already): nothing changes."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=owner).first()
    if token is None:
        return False
    record_audit(
        actor=by,
        action="api_token.revoked",
        target=token,
        before=_audit_values(token),
        reason=reason,
    )
    token.delete()
    return True


@transaction.atomic
def revoke_tokens(tokens, *, by, reason: str = "") -> int:
    """Revoke every token of the queryset `tokens` (logout everywhere, PMO in the admin), one
    audit event each; the number revoked."""
    rows = list(tokens.select_for_update())
    record_audit_many(
        actor=by,
        action="api_token.revoked",
        changes=[(token, _audit_values(token), None) for token in rows],
        reason=reason,
    )
    ApiToken.objects.filter(pk__in=[token.pk for token in rows]).delete()
    return len(rows)


def revoke_all_tokens(owner, *, by, reason: str = "") -> int:
    """Revoke all of `owner`'s tokens (expired ones too)."""
    return revoke_tokens(ApiToken.objects.filter(user=owner), by=by, reason=reason)
