from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from coordination.api.authentication import BodyIsParsed, TokenAuthentication, api_client_of
from coordination.core import login_protection
from coordination.core.tokens import services as user_tokens


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    device = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="A name for the device or program the token is for (shown on the profile "
        "page); default: the request's User-Agent.",
    )


class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token for one device.

    Each call issues a new token (the others keep working), ending `API_TOKEN_TTL_HOURS`
    after it was issued; `expiry` says when. Only the token's hash is stored."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "expiry": serializers.DateTimeField(
                        help_text="When the token stops working (401 from then on)."
                    ),
                },
            ),
            400: inline_serializer(
                "TokenBadRequest",
                {"username": serializers.ListField(child=serializers.CharField())},
            ),
            401: inline_serializer("TokenRefused", {"detail": serializers.CharField()}),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if getattr(request, "axes_locked_out", False):  # the HTML and admin logins' protection
            return Response(
                {"detail": login_protection.locked_out_message()},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={
                    "Retry-After": str(max(login_protection.retry_after(request, username), 1))
                },
            )
        if user is None or not user.is_active:
            return Response(
                {"detail": _("用户名或密码错误。")},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": "Token"},
            )
        login_protection.succeeded(request, username)
        device = data.validated_data.get("device") or request.headers.get("User-Agent", "")
        token, key = user_tokens.issue_token(user, name=device)
        return Response(
            {"token": key, "expiry": serializers.DateTimeField().to_representation(token.expiry)}
        )


class LogoutView(APIView):
    """Revoke the token this request is authenticated with (this device only)."""

    authentication_classes = [TokenAuthentication]  # a browser session has no token to revoke
    # executives too: revoking one's own token is no write to the company's data
    permission_classes = [IsAuthenticated, BodyIsParsed]

    def revoke(self, request) -> int:
        return int(
            user_tokens.revoke_token(
                request.auth.pk, owner=request.user, by=request.user, reason="logout"
            )
        )

    @extend_schema(
        request=None,
        responses={
            204: None,
            403: inline_serializer("LogoutRefused", {"detail": serializers.CharField()}),
        },
        description="Revoke the token this request is sent with: from now on it answers 401 "
        "on every operation. The caller's other tokens (other devices) keep working. An ERP "
        "API client's token is not revoked here (403): PMO rotates it in the admin.",
    )
    def post(self, request):
        if api_client_of(request) is not None:
            return Response(
                {"detail": _("API客户端的令牌由PMO在后台轮换或吊销。")},
                status=status.HTTP_403_FORBIDDEN,
            )
        self.revoke(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(LogoutView):
    """Revoke every token of the caller (every device), the one used included."""

    def revoke(self, request) -> int:
        return user_tokens.revoke_all_tokens(request.user, by=request.user, reason="logout-all")

    @extend_schema(
        request=None,
        responses={
            204: None,
            403: inline_serializer("LogoutAllRefused", {"detail": serializers.CharField()}),
        },
        description="Revoke every API token of the caller (all devices), the one used "
        "included: each answers 401 from now on. Browser sessions stay signed in. An ERP API "
        "client's token is not revoked here (403).",
    )
    def post(self, request):
        return super().post(request)
