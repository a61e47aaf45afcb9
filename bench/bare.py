"""The floor the project list API is measured against: the same 100 rows, same fields,
straight from values() into JSON, no authentication, no permissions, no count."""

from django.db.models import F
from django.http import JsonResponse

from projects.core.models import PROJECT_SHOWN_FIELDS, Project

# the project's own columns; the PMs come as their usernames (RELATED)
FIELDS = [f for f in PROJECT_SHOWN_FIELDS if f not in ("business_pm", "engineering_pm")]
RELATED = {
    "customer_erp_id": F("customer__erp_id"),
    "customer_name": F("customer__name"),
    "business_pm_name": F("business_pm__username"),
    "engineering_pm_name": F("engineering_pm__username"),
}


def page_rows(limit: int = 100) -> list[dict]:
    return list(Project.objects.order_by("-created_at", "-id").values(*FIELDS, **RELATED)[:limit])


def bare_projects(request):
    return JsonResponse({"results": page_rows(int(request.GET.get("page_size", 100)))})
