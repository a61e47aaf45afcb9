from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from handover.models import Handover


class ProvideForm(forms.Form):
    file = forms.FileField(label=_("文件"), required=False)
    link = forms.CharField(label=_("链接"), required=False, max_length=1000)
    text = forms.CharField(
        label=_("文本"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("驳回原因"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class ListFilterForm(forms.Form):
    overdue = forms.ChoiceField(
        label=_("逾期"),
        required=False,
        choices=[("", _("全部")), ("1", _("仅逾期")), ("0", _("未逾期"))],
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部"))] + list(Handover.Status.choices)
