"""The review page's proposed action items (from its minutes): confirm or discard. Writes
call coordination.reviews.proposal_services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core.exceptions import Conflict
from coordination.reviews import selectors
from coordination.reviews.proposal_services import (
    confirm_proposal,
    discard_proposal,
    possible_owners,
)


class DecisionForm(forms.Form):
    key = forms.CharField(max_length=32)
    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("discard", "discard")])
    title = forms.CharField(max_length=255, required=False)
    owner = forms.ModelChoiceField(queryset=None, required=False)
    due_date = forms.DateField(required=False)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


@login_required
@require_POST
def decide(request, pk: int):
    review = get_object_or_404(selectors.visible_reviews(request.user), pk=pk)
    form = DecisionForm(request.POST, owners=possible_owners(review))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reviews:detail", pk=review.pk)
    data = form.cleaned_data
    try:
        if data["decision"] == "discard":
            discard_proposal(review.pk, by=request.user, key=data["key"])
            messages.success(request, _("已放弃这条待办建议。"))
        else:
            confirm_proposal(
                review.pk,
                by=request.user,
                key=data["key"],
                title=data["title"],
                owner=data["owner"],
                due_date=data["due_date"],
            )
            messages.success(request, _("待办事项已创建，负责人会收到通知。"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except Conflict as exc:
        messages.error(request, exc.detail)
    return redirect("reviews:detail", pk=review.pk)
