"""The account pages' forms: Django's password forms in the site's Bootstrap look, the reset
e-mail written in the user's own language, and the one-time code."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from coordination.core.services import recipient_languages


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class PasswordResetForm(BootstrapMixin, auth_forms.PasswordResetForm):
    """Django's reset form; each e-mail is rendered in its recipient's profile language
    (the page's language is only the asker's)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        user = context["user"]
        language = recipient_languages([user.pk]).get(user.pk, settings.LANGUAGE_CODE)
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(BootstrapMixin, auth_forms.SetPasswordForm):
    pass


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app."""

    token = forms.CharField(
        label=_("验证码"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
        help_text=_(
            "验证器应用（如 Microsoft Authenticator、Google Authenticator）中的 6 位数字。"
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("验证码是 6 位数字。"))
        return token
