"""The floor the project list API is measured against: the same page of the same projects
(the user's visibility filter), same fields, straight from values() into JSON with their
count; no authentication, no permissions, no serializer."""

from django.contrib.auth import get_user_model
from django.db.models import F
from django.http import JsonResponse

from projects.core.models import PROJECT_SHOWN_FIELDS
from projects.core.selectors import visible_projects

# the project's own columns; the PMs come as their usernames (RELATED)
FIELDS = [f for f in PROJECT_SHOWN_FIELDS if f not in ("business_pm", "engineering_pm")]
RELATED = {
    "customer_erp_id": F("customer__erp_id"),
    "customer_name": F("customer__name"),
    "business_pm_name": F("business_pm__username"),
    "engineering_pm_name": F("engineering_pm__username"),
}


def page_query(projects, limit: int):
    return projects.order_by("-created_at", "-id").values(*FIELDS, **RELATED)[:limit]


def bare_projects(request):
    user = get_user_model().objects.get(pk=int(request.GET["user"]))
    projects = visible_projects(user)
    body = {"results": list(page_query(projects, int(request.GET.get("page_size", 50))))}
    if request.GET.get("count") == "1":
        body["count"] = projects.count()
    return JsonResponse(body)
