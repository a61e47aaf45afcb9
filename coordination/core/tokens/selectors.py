"""Reads of people's API tokens (the profile page, the admin)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from coordination.core.tokens.models import ApiToken


def live_tokens_of(user) -> QuerySet[ApiToken]:
    """`user`'s tokens that still authenticate, newest first (one query)."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")
