"""HTML forms for the KPI inputs; they validate shape, kpi.services decides the rest."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core.limits import NOTE_MAX_LENGTH, model_form_field
from kpi.models import Complaint, SatisfactionSurvey, validate_question_scores


class SurveyForm(forms.ModelForm):
    scores_text = forms.CharField(
        label=_("分项评分"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项：问题=分数(1-5)，例如 “施工质量=5”。"),
    )

    class Meta:
        model = SatisfactionSurvey
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = ["respondent", "overall_score", "surveyed_on", "comments"]
        widgets = {
            "surveyed_on": forms.DateInput(attrs={"type": "date"}),
            "comments": forms.Textarea(attrs={"rows": 2}),
            "overall_score": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }

    def clean_scores_text(self) -> dict:
        text = self.cleaned_data.get("scores_text") or ""
        if text.strip().startswith("{"):
            try:
                scores = json.loads(text)
            except ValueError:
                raise forms.ValidationError(_("无法解析分项评分。")) from None
        else:
            scores = {}
            for line in text.splitlines():
                if not line.strip():
                    continue
                question, sep, score = line.rpartition("=")
                if not sep:
                    raise forms.ValidationError(_("每行格式应为 问题=分数。"))
                try:
                    scores[question.strip()] = int(score.strip())
                except ValueError:
                    raise forms.ValidationError(_("分数必须是1到5的整数。")) from None
        validate_question_scores(scores)
        return scores


class ComplaintForm(forms.ModelForm):
    class Meta:
        model = Complaint
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = [
            "source",
            "category",
            "severity",
            "responsible_department",
            "opened_on",
            "closed_on",
            "description",
        ]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}),
            "closed_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }
