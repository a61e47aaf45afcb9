"""The doors of /api/ that every endpoint gets, however it is written (API.md, Errors).

- `QueryControlCharactersMiddleware`: a query parameter (name or value) holding a control
  character (NUL, ESC, DEL, C1 …) is refused with `400 {"<parameter>": ["…"]}` before any
  view runs. Filters, search backends and hand-written parsers then never see one: a NUL
  reaching PostgreSQL is a 500, and DRF's own check answered a bare array saying "empty
  string".
- `JsonErrorsMiddleware`: an error answered under /api/ by Django itself rather than by
  DRF (a path that matches no route, e.g. `/api/v1/milestones/abc/` against `<int:pk>`; a
  400 from a refused host; a 500 page) is turned into `{"detail": "…"}` JSON with the same
  status, so an integrator's client never has to parse HTML.
"""

from __future__ import annotations

import unicodedata

from django.http import JsonResponse
from django.utils.translation import gettext as _

PREFIX = "/api/"


def control_character(text: str) -> bool:
    """Whether `text` holds a control character (Unicode category Cc: C0, DEL and C1)."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def refuse_control_characters(query) -> JsonResponse | None:
    """The 400 naming the first query parameter with a control character, or None."""
    for name, values in query.lists():
        if control_character(name) or any(control_character(v) for v in values):
            message = _("查询参数 %(name)s 含有控制字符（如 NUL），请去掉后重试。") % {
                "name": name.encode("unicode_escape").decode("ascii")
            }
            return JsonResponse({name: [message]}, status=400)
    return None


class QueryControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PREFIX):
            refused = refuse_control_characters(request.GET)
            if refused is not None:
                return refused
        return self.get_response(request)


def _is_json(response) -> bool:
    kind = response.get("Content-Type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _detail(status: int) -> str:
    if status == 404:
        return _("未找到。")
    if status >= 500:
        return _("服务器出错，请稍后重试。")
    if status == 403:
        return _("你没有执行该操作的权限。")
    if status == 405:
        return _("不支持该请求方法。")
    return _("请求无效。")


class JsonErrorsMiddleware:
    """Outermost under /api/: every error body is a JSON object."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(PREFIX)
            and not getattr(response, "streaming", False)
            and not _is_json(response)
        ):
            replaced = JsonResponse({"detail": _detail(response.status_code)})
            replaced.status_code = response.status_code
            for header, value in response.items():  # Allow, Retry-After, security headers…
                if header.lower() not in ("content-type", "content-length"):
                    replaced[header] = value
            replaced.cookies = response.cookies
            return replaced
        return response
