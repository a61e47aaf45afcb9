"""Who must use a second factor, and what a fresh login still has to do before it counts."""

from __future__ import annotations

from django.conf import settings
from django_otp import user_has_device

from coordination.core.roles import is_pmo

# The session's note of the step left after the password: "verify" (the user has a confirmed
# device: type its code) or "enrol" (the second factor is required and not set up yet).
SESSION_KEY = "accounts_second_factor"
VERIFY, ENROL = "verify", "enrol"


def second_factor_required(user) -> bool:
    """Staff (the admin) and PMO must use a second factor when OTP_REQUIRED_FOR_STAFF is on."""
    if not getattr(settings, "OTP_REQUIRED_FOR_STAFF", False):
        return False
    return bool(user and user.is_authenticated and (user.is_staff or is_pmo(user)))


def step_after_password(user) -> str | None:
    """What a login with the right password still needs: VERIFY, ENROL or nothing."""
    if user_has_device(user, confirmed=True):
        return VERIFY
    if second_factor_required(user):
        return ENROL
    return None
