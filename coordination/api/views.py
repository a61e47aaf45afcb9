from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from coordination.core import login_protection


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class ObtainTokenView(APIView):
    """Exchange a username and password for the user's API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
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
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
