"""The staff's form sending a link, and the customer's answer form (shape only; the rules are
kpi.surveys.services')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kpi.surveys.models import SurveyInvitation
from kpi.surveys.questions import QUESTIONS

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class InvitationForm(forms.Form):
    recipient_name = forms.CharField(label=_("客户联系人"), max_length=200)
    email = forms.EmailField(
        label=_("电子邮件（可选）"),
        required=False,
        help_text=_("填写后链接会发送到该邮箱；不填写则只显示链接，由你转交客户。"),
    )
    language = forms.ChoiceField(
        label=_("问卷语言"),
        choices=SurveyInvitation.Language.choices,
        initial=SurveyInvitation.Language.ZH_HANS,
    )


def _score_field(label, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        required=required,
        widget=forms.RadioSelect,  # drawn as large buttons by the page
        error_messages={"required": _("请选择评分。")},
    )


class AnswerForm(forms.Form):
    """Overall score (required), a score per question of the survey (optional: a question
    that does not apply is left out), comments."""

    comments = forms.CharField(
        label=_("意见和建议（可选）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {"overall_score": _score_field(_("总体满意度"), required=True)}
        for i, (_key, label) in enumerate(QUESTIONS):
            fields[f"q{i}"] = _score_field(label, required=False)
        self.fields = {**fields, "comments": self.fields["comments"]}

    def question_fields(self):
        return [self[f"q{i}"] for i in range(len(QUESTIONS))]

    def answer(self) -> dict:
        data = self.cleaned_data
        scores = {
            key: data[f"q{i}"]
            for i, (key, _label) in enumerate(QUESTIONS)
            if data.get(f"q{i}") not in (None, "")
        }
        return {
            "overall_score": data["overall_score"],
            "scores": scores,
            "comments": data.get("comments") or "",
        }
