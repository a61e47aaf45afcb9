"""Account pages: Django's password views (reset throttled, both audited) and the second
factor: enrolment on the profile's two-factor page, the code after the password, removal."""

from __future__ import annotations

import base64
import io

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from coordination.accounts import services, throttle
from coordination.accounts.forms import (
    CodeForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from coordination.accounts.rules import SESSION_KEY, second_factor_required
from coordination.core.exceptions import Conflict
from coordination.core.security import client_ip


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request: the same answer for a known and an unknown e-mail; too many
    requests from one address or for one e-mail answer 429 (accounts/throttle.py)."""

    form_class = PasswordResetForm
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        wait = throttle.take(client_ip(self.request), form.cleaned_data["email"])
        if wait:
            form.add_error(None, _("重置密码的请求过多，请稍后再试。"))
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(wait)
            return response
        # links point at SITE_URL, never at whatever Host the request carried
        self.extra_email_context = {
            "site_url": settings.SITE_URL.rstrip("/"),
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(form.user, how="reset")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(form.user, how="change")
        return response


def _next_url(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse_lazy("home")


def _qr_svg(text: str) -> str:
    """The QR code of `text` as an SVG data URI, drawn here (no outside service sees the key)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


PENDING_KEY = "accounts_totp_pending_key"


@login_required
def two_factor(request):
    """The user's second factor: its state, and enrolment (a QR code and the key, confirmed
    with one code). The key waits in the session until confirmed; nothing is saved before."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    form = CodeForm(request.POST or None)
    if device is None:
        key = request.session.get(PENDING_KEY) or random_hex(20)
        request.session[PENDING_KEY] = key
        if request.method == "POST" and form.is_valid():
            try:
                device = services.enrol_totp(
                    request.user, key=key, token=form.cleaned_data["token"]
                )
            except ValidationError as exc:
                form.add_error("token", exc.message_dict["token"])
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("two_factor")
            else:
                request.session.pop(PENDING_KEY, None)
                django_otp.login(request, device)  # this session is verified by that code
                request.session.pop(SESSION_KEY, None)
                messages.success(request, _("两步验证已启用。以后登录时需要输入验证码。"))
                return redirect(_next_url(request))
        pending = services.new_totp_device(request.user, key)
        context = {
            "form": form,
            "qr": _qr_svg(pending.config_url),
            "manual_key": base64.b32encode(pending.bin_key).decode(),
            "required": second_factor_required(request.user),
            "next": _next_url(request),
        }
        return render(request, "registration/two_factor_setup.html", context)
    context = {
        "device": device,
        "form": form,
        "required": second_factor_required(request.user),
    }
    return render(request, "registration/two_factor.html", context)


@login_required
def two_factor_verify(request):
    """The code after the password, for a user with a confirmed device."""
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("two_factor")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_code(request.user, form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error("token", exc.message_dict["token"])
            status = 400
        else:
            django_otp.login(request, device)
            request.session.pop(SESSION_KEY, None)
            return redirect(_next_url(request))
    elif request.method == "POST":
        status = 400
    context = {"form": form, "next": _next_url(request)}
    return render(request, "registration/two_factor_verify.html", context, status=status)


@login_required
@require_POST
def two_factor_disable(request):
    """Turn the second factor off with a current code (not while it is required)."""
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            services.remove_totp(request.user, token=form.cleaned_data["token"])
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.message_dict["token"]))
        else:
            messages.success(request, _("两步验证已关闭。"))
    else:
        messages.error(request, " ".join(form.errors.get("token", [])))
    return redirect("two_factor")
