"""The notification centre page: every notification of the user, paged, with filters
(unread, kind, project); marking read goes to core's routes (one service, audited). The
user's notification settings (kinds × channels, the daily digest)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from coordination.core import channels_rule, services
from coordination.core.exceptions import ValidationError
from coordination.core.paging import paginate
from coordination.core.security import live_fragment
from coordination.notifications import selectors


class CentreFilterForm(forms.Form):
    """The centre's kind and project filters (the unread box is written in the template): an
    unknown value (a stale link) is no filter, and its error is shown beside the select."""

    kind = forms.ChoiceField(label=gettext_lazy("类型"), required=False)
    project = forms.ChoiceField(label=gettext_lazy("项目"), required=False)

    def __init__(self, *args, kinds, projects, **kwargs):
        super().__init__(*args, auto_id="f-%s", **kwargs)
        self.fields["kind"].choices = [("", _("全部类型")), *kinds]  # (code, label)
        self.fields["project"].choices = [("", _("全部项目")), *((c, c) for c in projects)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


@login_required
@require_GET
def centre(request):
    unread = request.GET.get("unread") == "1"
    kinds = selectors.kinds(request.user)
    projects = selectors.projects(request.user)
    form = CentreFilterForm(request.GET, kinds=kinds, projects=projects)
    form.is_valid()  # an invalid one is no filter; the others still apply
    kind = form.cleaned_data.get("kind", "")
    project = form.cleaned_data.get("project", "")
    qs = selectors.inbox(request.user, unread=unread, kind=kind or None, project=project or None)
    return render(
        request,
        "notifications/centre.html",
        {
            **paginate(request, qs),
            "unread": unread,
            "form": form,
            "unread_count": selectors.counts(request.user)["unread"],
        },
    )


@live_fragment
def badge(request):
    """The navigation's unread badge, polled every LIVE_POLL_SECONDS (templates/base.html):
    `?seen=<n>` is the number the page shows; unchanged is 204 (htmx swaps nothing, so a
    screen reader hears nothing), changed is the badge again. One query besides the session."""
    unread = selectors.counts(request.user)["unread"]
    if request.GET.get("seen") == str(unread):
        return HttpResponse(status=204)
    return render(request, "notifications/_badge.html", {"unread": unread})


def choices_from_post(data) -> list[tuple[str, str, bool]]:
    """The grid's checkboxes (`<channel>:<kind>`, ticked = on) as (kind, channel, enabled)
    for every kind and channel; a required in-app box is disabled, so never submitted: it
    stays on."""
    ticked = set(data.getlist("on"))
    return [
        (code, channel, f"{channel}:{code}" in ticked)
        for code, _label in channels_rule.KINDS
        for channel in channels_rule.PREFERENCE_CHANNELS
        if not (channel == channels_rule.INAPP and code in channels_rule.INAPP_REQUIRED)
    ]


@login_required
def preferences(request):
    """通知设置: per kind of event, in-app / e-mail / work notice; the daily digest."""
    if request.method == "POST":
        try:
            services.set_notification_preferences(
                request.user,
                choices_from_post(request.POST),
                daily_digest=request.POST.get("daily_digest") == "1",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("通知设置已保存。"))
        return redirect("notifications:preferences")
    grid = services.notification_preferences(request.user)
    rows = [
        (
            row["kind"],
            row["label"],
            [
                (
                    channel,
                    row[channel],
                    channel == channels_rule.INAPP and row["inapp_required"],
                )
                for channel in channels_rule.PREFERENCE_CHANNELS
            ],
        )
        for row in grid["kinds"]
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "daily_digest": grid["daily_digest"]},
    )
