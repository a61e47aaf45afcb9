"""HTML forms for pre-sales. They check shape only; projects.presales.services decides the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import add_version_field
from coordination.core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, model_form_field
from projects.presales.models import FeasibilityAssessment, Quote
from projects.presales.services import ASSESSMENT_FIELDS, QUOTE_FIELDS


def risks_to_text(risks: list[dict]) -> str:
    return "\n".join(
        f"{r['title']} | {r.get('probability', 3)} | {r.get('impact', 3)}" for r in risks or []
    )


def text_to_risks(text: str) -> list[dict]:
    """One risk per line: `title | probability | impact` (scores optional, 1-5)."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        entry: dict = {"title": parts[0]}
        for name, raw in zip(("probability", "impact"), parts[1:3], strict=False):
            if not raw:
                continue
            if not raw.isdigit() or not 1 <= int(raw) <= 5:
                raise forms.ValidationError(
                    _("第%(line)s行：评分必须是1到5的整数。") % {"line": number}
                )
            entry[name] = int(raw)
        out.append(entry)
    return out


class AssessmentForm(forms.ModelForm):
    key_risks_text = forms.CharField(
        label=_("关键技术风险"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项：风险 | 可能性(1-5) | 影响(1-5)"),
    )

    class Meta:
        model = FeasibilityAssessment
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = [f for f in ASSESSMENT_FIELDS if f != "key_risks"]  # risks: key_risks_text
        widgets = {
            "conditions": forms.Textarea(attrs={"rows": 3}),
            "assumptions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, record: FeasibilityAssessment | None = None, **kwargs):
        """`record`: the saved assessment being edited (the instance is an unsaved copy)."""
        super().__init__(*args, **kwargs)
        # the instance is an unsaved copy (views._copy): its risks prefill the text, or saving
        # the form would drop them
        if self.instance is not None and self.instance.key_risks:
            self.fields["key_risks_text"].initial = risks_to_text(self.instance.key_risks)
        if record is not None:
            add_version_field(self, record)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_key_risks_text(self):
        return text_to_risks(self.cleaned_data.get("key_risks_text", ""))

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["key_risks"] = self.cleaned_data["key_risks_text"]
        return data


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class QuoteForm(forms.ModelForm):
    class Meta:
        model = Quote
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = QUOTE_FIELDS
        widgets = {
            "promised_delivery_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "payment_terms": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, project=None, current: Quote | None = None, **kwargs):
        """`current`: the project's current quote (None: none yet), whose revision the form
        carries as the version it was filled from."""
        super().__init__(*args, **kwargs)
        add_version_field(self, current)
        qs = FeasibilityAssessment.objects.none()
        if project is not None:
            qs = project.feasibility_assessments.select_related("project").order_by("-version")
        self.fields["assessment"].queryset = qs
        self.fields["assessment"].required = False
        self.fields["assessment"].empty_label = _("当前已批准版本")
        self.fields["assessment"].label_from_instance = lambda a: (
            _("第%(v)s版（%(s)s）")
            % {
                "v": a.version,
                "s": a.get_status_display(),
            }
        )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
