"""Account writes: the audit of password changes and resets, enrolling and removing the TOTP
device (django-otp's TOTPDevice: one confirmed device a user)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.accounts.rules import second_factor_required
from coordination.core.exceptions import Conflict
from coordination.core.services import record_audit

DEVICE_NAME = "TOTP"


@transaction.atomic
def password_changed(user, *, how: str) -> None:
    """Audit a new password. `how`: "change" (the user typed the old one) or "reset" (a link
    from the reset e-mail)."""
    action = "account.password_changed" if how == "change" else "account.password_reset"
    record_audit(actor=user, action=action, target=user)


def new_totp_device(user, key: str) -> TOTPDevice:
    """An unsaved device for `key` (the enrolment page shows its QR code and key)."""
    return TOTPDevice(user=user, name=DEVICE_NAME, key=key, confirmed=False)


@transaction.atomic
def enrol_totp(user, *, key: str, token: str) -> TOTPDevice:
    """Save a confirmed TOTP device for `key` once `token` is a current code of it.

    1. A user with a confirmed device already is refused (Conflict): remove it first.
    2. A wrong code changes nothing (ValidationError naming the field "token").
    3. The device is saved with the code's time step as its last one, so the code that
       confirmed it cannot be replayed at the next login; the event is audited.
    """
    if TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).exists():
        raise Conflict(_("已经启用了两步验证。"))
    device = new_totp_device(user, key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    try:
        ok = totp.verify(int(token), device.tolerance)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValidationError({"token": _("验证码不正确。")})
    device.last_t = totp.t()
    device.drift = totp.drift
    device.confirmed = True
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device.save()
    record_audit(actor=user, action="account.otp_enrolled", target=user)
    return device


def verify_code(user, token: str) -> TOTPDevice:
    """The user's confirmed device that accepts `token`, a current code not used before.

    Outside any transaction on purpose: django-otp saves each failure on the device (the
    next try must wait 1, 2, 4 … seconds, OTP_TOTP_THROTTLE_FACTOR), which a rollback would
    undo. A wrong code, or a try during that wait, raises ValidationError naming "token".
    """
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed:
            wait = max(1, int((data["locked_until"] - timezone.now()).total_seconds() + 0.999))
            raise ValidationError(
                {"token": _("验证码错误次数过多，请 %(seconds)s 秒后再试。") % {"seconds": wait}}
            )
        if device.verify_token(token):
            return device
    raise ValidationError({"token": _("验证码不正确。")})


def remove_totp(user, *, token: str) -> None:
    """Remove the user's TOTP device, proven with a current code.

    1. Refused (PermissionDenied) while the second factor is required for the user (staff
       and PMO under OTP_REQUIRED_FOR_STAFF): PMO removes a lost device in the admin instead.
    2. The code is checked outside any transaction: a wrong one counts towards django-otp's
       throttle (a growing wait), which a rollback would undo.
    3. The devices are deleted and the event audited in one transaction.
    """
    if second_factor_required(user):
        raise PermissionDenied(_("你的账号必须使用两步验证，不能关闭。"))
    verify_code(user, token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        record_audit(actor=user, action="account.otp_removed", target=user)
