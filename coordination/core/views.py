"""HTML views of the coordination app: the user's own profile and in-app notifications."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core import services
from coordination.core.models import Notification, Profile
from coordination.core.services import record_audit, snapshot
from coordination.core.tokens import services as tokens
from coordination.core.tokens.selectors import live_tokens_of

PROFILE_FIELDS = [
    "title",
    "phone",
    "language",
    "notify_email",
    "notify_chat",
    "notify_inapp",
    "chat_webhook_url",
]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = PROFILE_FIELDS

    chat_webhook_url = forms.URLField(
        label=Profile._meta.get_field("chat_webhook_url").verbose_name,
        required=False,
        assume_scheme="https",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        if data.get("notify_chat") and not data.get("chat_webhook_url"):
            self.add_error("chat_webhook_url", _("开启群聊机器人提醒时必须填写机器人地址。"))
        return data


@login_required
def profile(request):
    """The user edits their title, phone, language and notification channels.

    Saving the language also switches the UI language (the language cookie is what
    LocaleMiddleware reads; UserLanguageMiddleware only fills it when absent)."""
    instance, _created = Profile.objects.get_or_create(user=request.user)
    before = snapshot(instance, PROFILE_FIELDS)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        profile = form.save()
        after = snapshot(profile, PROFILE_FIELDS)
        changed = [k for k in PROFILE_FIELDS if before[k] != after[k]]
        if changed:
            record_audit(
                actor=request.user,
                action="profile.updated",
                target=profile,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
        translation.activate(profile.language)
        messages.success(request, _("个人资料已保存。"))
        response = redirect("profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            profile.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(
        request,
        "coordination/profile.html",
        {
            "form": form,
            "profile": instance,
            "api_tokens": live_tokens_of(request.user),
            "api_token_ttl_hours": settings.API_TOKEN_TTL_HOURS,
        },
    )


@login_required
@require_POST
def profile_token_revoke(request, pk: int):
    """Revoke one of my API tokens (a lost laptop, a script retired): it answers 401 from now
    on. Another user's token, or one revoked already, is 404."""
    if not tokens.revoke_token(pk, owner=request.user, by=request.user, reason="profile"):
        raise Http404
    messages.success(request, _("令牌已吊销，使用它的设备或程序将无法再访问API。"))
    return redirect("profile")


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one of my notifications read. htmx swaps the list item away and, out of band, the
    unread count in the list's heading; plain POST redirects."""
    services.mark_notifications_read(request.user, ids=[pk])
    if request.headers.get("HX-Request"):
        unread_count = Notification.unread_of(request.user).count()
        return render(
            request,
            "notifications/_unread_count.html",
            {"unread_count": unread_count, "oob": True},
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "home"
    return redirect(next_url)


@login_required
@require_POST
def notifications_read_all(request):
    services.mark_notifications_read(request.user, everything=True)
    messages.success(request, _("已全部标记为已读。"))
    return redirect("home")
