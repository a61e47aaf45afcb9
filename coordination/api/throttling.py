"""Per-client throttling: each ERP API client has its own rate (ApiClient.throttle_rate).

Over the rate the API answers 429 with Retry-After (DRF). Users and sessions are left to
the user/anon throttles.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle
from rest_framework.throttling import UserRateThrottle as _UserRateThrottle

from coordination.api.authentication import api_client_of


class ApiClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def __init__(self):  # the rate comes from the client, not from settings
        self.rate = None
        self.num_requests = self.duration = None

    def allow_request(self, request, view):
        client = api_client_of(request)
        if client is None:
            return True
        self.rate = client.throttle_rate
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        client = api_client_of(request)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}


class UserRateThrottle(_UserRateThrottle):
    """The global per-user rate, except for ERP clients (their own rate applies instead)."""

    def get_cache_key(self, request, view):
        if api_client_of(request) is not None:
            return None
        return super().get_cache_key(request, view)
