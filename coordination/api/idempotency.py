"""`Idempotency-Key` for every POST under /api/v1/ (middleware, so each endpoint gets it).

1. Only POSTs under /api/v1/ carrying the header, from an identified principal (a user
   token, a client token or a signed-in session); anything else passes through untouched
   (without credentials the answer is the view's 401, even for a malformed key).
2. The request is fingerprinted: SHA-256 of method, path, query string and raw body.
3. Claim the key by inserting an IdempotencyRecord (unique principal+key). When the insert
   loses, another request got there first:
   - expired record, or one left unanswered for 10 minutes (its process died) → removed,
     claim again;
   - different fingerprint → 409 (the key was used for another request);
   - no answer yet (still running) → 409, retry later;
   - otherwise the stored answer is replayed (same status and body, `Idempotent-Replayed`).
4. Run the view; store its answer for 24 h unless it is 5xx, 401, 403, 412 or 429 (transient
   or refused: the claim is released so the client may retry with the same key).
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions

from coordination.api.authentication import TokenAuthentication
from coordination.integration.models import ApiClientToken, IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
PREFIX = "/api/v1/"
TTL = datetime.timedelta(hours=24)
ABANDONED = datetime.timedelta(minutes=10)  # no answer after this long: the process died
# transient or refused: re-running changes nothing. 412 answers the request's If-Match, which
# the fingerprint does not cover: a retry with a fresh one must run, not replay the refusal.
NOT_STORED = {401, 403, 412, 429}
MAX_KEY = 255


def _principal(request) -> str | None:
    try:
        result = TokenAuthentication().authenticate(request)
    except exceptions.APIException:
        return None  # the view answers 401 itself
    if result is not None:
        user, auth = result
        if isinstance(auth, ApiClientToken):
            return f"client:{auth.client_id}"
        return f"user:{user.pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode() + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _conflict(detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "unmet": []}, status=409)


class IdempotencyKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith(PREFIX):
            return self.get_response(request)
        principal = _principal(request)
        if principal is None:  # no credentials: the view answers 401 before any key matters
            return self.get_response(request)
        if not key or len(key) > MAX_KEY or "\x00" in key:
            return JsonResponse({"Idempotency-Key": [_("幂等键须为1到255个字符。")]}, status=400)
        try:
            fingerprint = _fingerprint(request)
        except Exception:  # body too large etc.: let the view answer as usual
            return self.get_response(request)

        record, replay = self._claim(principal, key, request, fingerprint)
        if replay is not None:
            return replay
        try:
            response = self.get_response(request)
        except Exception:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if (
            response.status_code >= 500
            or response.status_code in NOT_STORED
            or getattr(response, "streaming", False)
        ):
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            response_body=bytes(response.content),
            content_type=response.get("Content-Type", ""),
        )
        return response

    @staticmethod
    def _claim(principal: str, key: str, request, fingerprint: str):
        for _attempt in range(3):
            now = timezone.now()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        principal=principal,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_hash=fingerprint,
                        expires_at=now + TTL,
                    )
                return record, None
            except IntegrityError:
                pass
            existing = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
            if existing is None:
                continue  # released meanwhile: claim again
            if existing.expires_at <= now:
                IdempotencyRecord.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
                continue
            if existing.status_code is None and existing.created_at < now - ABANDONED:
                # its process died mid-request: the claim is stale, take it over
                IdempotencyRecord.objects.filter(pk=existing.pk, status_code__isnull=True).delete()
                continue
            if existing.request_hash != fingerprint:
                return None, _conflict(_("该幂等键已用于另一个请求（请求体不同）。"))
            if existing.status_code is None:
                return None, _conflict(_("使用该幂等键的请求仍在处理中，请稍后重试。"))
            response = HttpResponse(
                bytes(existing.response_body or b""),
                status=existing.status_code,
                content_type=existing.content_type or "application/json",
            )
            response["Idempotent-Replayed"] = "true"
            return None, response
        return None, _conflict(_("使用该幂等键的请求仍在处理中，请稍后重试。"))


DESCRIPTION = (
    "可选。同一调用方、同一键、同一请求体的重复 POST 重放第一次的应答（状态码和内容，"
    "带 `Idempotent-Replayed: true`）；同一键但请求体不同返回 409。键保存 24 小时。"
)


def postprocess_idempotency_header(result, generator, request, public):
    """drf-spectacular hook: document `Idempotency-Key` (and its 409) on every POST, and 429."""
    for path, operations in result.get("paths", {}).items():
        for op in operations.values():
            if isinstance(op, dict) and "responses" in op and path.startswith(PREFIX):
                op["responses"].setdefault(
                    "429",
                    {
                        "description": "Throttled (per ERP API client or per user); "
                        "see the Retry-After header."
                    },
                )
        operation = operations.get("post")
        if operation is None or not path.startswith(PREFIX) or path.endswith("/auth/token/"):
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == "Idempotency-Key" for p in parameters):
            parameters.append(
                {
                    "in": "header",
                    "name": "Idempotency-Key",
                    "schema": {"type": "string", "maxLength": MAX_KEY},
                    "required": False,
                    "description": DESCRIPTION,
                }
            )
        responses = operation.setdefault("responses", {})
        responses.setdefault(
            "409",
            {
                "description": "Idempotency-Key reused with another body, or still running.",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/ApiConflict"},
                    }
                },
            },
        )
    return result
