from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from coordination.accounts import rules as second_factor
from coordination.accounts import services as accounts
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
    otp = serializers.RegexField(
        r"^\d{6,8}$",
        max_length=8,
        required=False,
        help_text="The current code of the user's authenticator app: required (401 "
        "`otp_required` without it) once the user has set up a second factor in the browser.",
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
            401: inline_serializer(
                "TokenRefused",
                {
                    "detail": serializers.CharField(),
                    "otp_required": serializers.BooleanField(
                        required=False,
                        help_text="True: the password was right; send it again with `otp`.",
                    ),
                },
            ),
            403: inline_serializer("TokenNeedsSecondFactor", {"detail": serializers.CharField()}),
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
        refused = self.second_factor_refusal(user, data.validated_data.get("otp"))
        if refused is not None:
            return refused
        login_protection.succeeded(request, username)
        device = data.validated_data.get("device") or request.headers.get("User-Agent", "")
        token, key = user_tokens.issue_token(user, name=device)
        return Response(
            {"token": key, "expiry": serializers.DateTimeField().to_representation(token.expiry)}
        )

    @staticmethod
    def second_factor_refusal(user, code: str | None) -> Response | None:
        """The browser's rule (coordination.accounts.rules.step_after_password) at this door:
        a user with a confirmed device sends its current code; one who must have a second
        factor and has none sets it up in the browser first. None: nothing is missing."""
        step = second_factor.step_after_password(user)
        if step == second_factor.ENROL:
            return Response(
                {"detail": _("你的账号必须使用两步验证：请先在浏览器中设置，再申请令牌。")},
                status=status.HTTP_403_FORBIDDEN,
            )
        if step != second_factor.VERIFY:
            return None
        message = _("请同时提供身份验证器应用中的验证码（otp）。")
        if code:
            try:
                accounts.verify_code(user, code)
                return None
            except ValidationError as error:  # wrong, reused, or within django-otp's wait
                message = error.message_dict["token"][0]
        return Response(
            {"detail": message, "otp_required": True},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Token"},
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
