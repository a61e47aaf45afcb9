"""`Authorization: Token <key>` for people (knox tokens, one per device, with an expiry) and
ERP API clients (hashed, scoped, rotatable tokens).

A client's key starts with "hubc_". The request then runs as the client's service user
(its visibility rules apply), marked with `api_client_name` so audit events read
"api:<client name>", and `request.auth` is the ApiClientToken (scopes, throttle rate).
A person's key is any other; `request.auth` is then the ApiToken (coordination.core.tokens).
An unknown, revoked or expired key answers 401 with `WWW-Authenticate: Token`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from coordination.core.roles import can_write
from coordination.core.tokens import services as user_tokens
from coordination.integration.models import TOKEN_PREFIX, ApiClientToken
from coordination.integration.services import authenticate_key, required_scope


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's header parsing (`AUTH_HEADER_PREFIX` "Token"); the key is checked here: an ERP
    client's by integration, a person's by coordination.core.tokens (one query with the user,
    profile and group names, which the permission checks of the request would query again)."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        try:
            key = key.decode() if isinstance(key, bytes) else key
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已吊销。")) from None
        if key.startswith(TOKEN_PREFIX):
            token = authenticate_key(key)
            if token is None:
                raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已吊销。"))
            user = token.client.user
            user.api_client_name = token.client.name
            user.api_client = token.client
            return (user, token)
        token = user_tokens.authenticate_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已吊销。"))
        return (token.user, token)


def api_client_of(request):
    """The ApiClient a request is authenticated as, or None (users, sessions)."""
    auth = getattr(request, "auth", None)
    return auth.client if isinstance(auth, ApiClientToken) else None


class ApiClientScopes(BasePermission):
    """Clients may only do what their scopes allow; users are not concerned."""

    message = _("API客户端没有此操作所需的权限范围。")

    def has_permission(self, request, view) -> bool:
        client = api_client_of(request)
        if client is None:
            return True

        scope = required_scope(request.method, request.path)
        if scope is None or not client.has_scope(scope):
            self.message = _("API客户端缺少权限范围：%(scope)s") % {"scope": scope or "-"}
            return False
        return True


class WritesNeedWriter(BasePermission):
    """A write by a user who may not write (`can_write`: executives) is 403 before its body
    is read, on every route; each service asks the same question again."""

    message = _("你的角色只能查看，不能修改数据。")

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or can_write(request.user)


class BodyIsParsed(BasePermission):
    """A write's body is parsed before the view runs, on every route: a body that is not of
    a type the view accepts is 415, malformed JSON 400, one over DATA_UPLOAD_MAX_MEMORY_SIZE
    413, also on actions that ignore their body (the schema documents 415 on every write).
    Last of the permissions, so 401/403 come first and an executive's body is never read."""

    def has_permission(self, request, view) -> bool:
        if request.method in ("POST", "PUT", "PATCH"):
            request.data  # noqa: B018 (parsing raises UnsupportedMediaType, ParseError)
        return True


class TokenScheme(OpenApiAuthenticationExtension):
    """OpenAPI: one `Authorization: Token <key>` scheme for user and API-client tokens."""

    target_class = TokenAuthentication
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <key>`: a person's token (`POST /api/v1/auth/token/`, one per device, "
                "ending after `API_TOKEN_TTL_HOURS`, revoked by `POST /api/v1/auth/logout/`; "
                "expired or revoked: 401) or an ERP API client's token (`hubc_…`, created by "
                "PMO in the admin, limited by its scopes `read`, `write_customers`, "
                "`write_projects`, `write_kpi_inputs`; a missing scope answers 403; each "
                "client has its own rate, 429 with Retry-After)."
            ),
        }
