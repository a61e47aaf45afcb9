from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.conversations.services import MAX_BODY


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("评论"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "data-mentions": "1"}),
        help_text=_("支持 **粗体**、*斜体*、`代码`、链接和列表;输入 @ 提及项目成员。"),
    )
