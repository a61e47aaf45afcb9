"""One move on a record's HTML page (a complaint, a training session, a job rotation): the
service runs; a refusal says why and shows the page again with its status, 403 for
PermissionDenied, 409 for Conflict, 400 for ValidationError (on the form when one is given,
so what was typed stays); success says so and goes on."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

from coordination.core.exceptions import Conflict
from coordination.core.forms import apply_errors
from coordination.core.text import join_messages


def run_move(
    request,
    move: Callable[[], object],
    *,
    page: Callable[[int], HttpResponse],
    success: str,
    done: Callable[[], HttpResponse],
    form=None,
) -> HttpResponse:
    """`move()`, then `done()`; on a refusal `page(status)`."""
    try:
        move()
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("你没有执行此操作的权限。"))
        return page(403)
    except Conflict as exc:
        messages.error(request, exc.detail)
        return page(409)
    except ValidationError as exc:
        if form is not None:
            apply_errors(form, exc)
        messages.error(request, join_messages(exc.messages))
        return page(400)
    messages.success(request, success)
    return done()
