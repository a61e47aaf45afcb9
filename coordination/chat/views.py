"""The user's own page: their linked platform accounts and which kinds of event they get
as personal work notices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from coordination.chat import callbacks, platforms, services
from coordination.chat.models import ChatIdentity


@login_required
def work_notices(request):
    if request.method == "POST":
        try:
            services.set_work_notice_choices(request.user, request.POST.getlist("kinds"))
        except ValueError:
            return HttpResponseBadRequest(_("未知的事件类型。"))
        messages.success(request, _("工作通知设置已保存。"))
        return redirect("chat:work_notices")
    enabled = services.enabled_kinds(request.user)
    return render(
        request,
        "chat/work_notices.html",
        {
            "identities": ChatIdentity.objects.filter(user=request.user).order_by("platform"),
            "configured": platforms.configured_platforms(),
            "kinds": [(code, label, code in enabled) for code, label in services.KINDS],
        },
    )


@csrf_exempt  # a platform's server calls it; callbacks.verify checks its signature instead
@require_POST
def feishu_callback(request):
    try:
        data = callbacks.verify(request.headers, request.body)
    except callbacks.Refused as exc:
        return JsonResponse({"error": str(exc)}, status=401)
    return JsonResponse(callbacks.handle(data))
