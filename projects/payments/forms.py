"""Forms of payment milestones: the terms (create, edit) and the record of an invoice or a
receipt. They check shape; projects.payments.services decides the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import add_version_field
from coordination.core.limits import model_form_field
from projects.core.forms import BootstrapMixin, DateInput
from projects.payments.models import PaymentMilestone
from projects.payments.services import TERM_FIELDS


class PaymentForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = PaymentMilestone
        formfield_callback = model_form_field  # TextFields get their length limit
        fields = TERM_FIELDS
        widgets = {"fixed_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = project.milestones.order_by(
            "sequence", "baseline_date", "id"
        )
        self.fields["milestone"].help_text = _(
            "按验收到期时必选；到期日随该里程碑的预测/实际日期变化。"
        )
        if self.instance.pk:
            add_version_field(self, self.instance)

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RecordForm(BootstrapMixin, forms.Form):
    """Invoiced on a day, or received on a day (and the amount, when not the whole)."""

    on = forms.DateField(label=_("日期"), widget=DateInput())
    amount = forms.DecimalField(
        label=_("实收金额"), required=False, max_digits=14, decimal_places=2, min_value=0.01
    )
