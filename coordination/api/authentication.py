"""`Authorization: Token <key>` for users (DRF tokens). ERP API clients plug in here too."""

from rest_framework.authentication import TokenAuthentication as DRFTokenAuthentication


class TokenAuthentication(DRFTokenAuthentication):
    keyword = "Token"
