"""The managers' pages: the home dashboard ("what needs me today") and the portfolio ("which
projects are in trouble"). Reads come from coordination.dashboard.selectors and
coordination.dashboard.health;
the one write (approve a change request from the home page) calls projects.changes.services, the
same
function the change-request page and the API call."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination.core.exceptions import Conflict
from coordination.core.forms import search_field
from coordination.core.limits import NOTE_MAX_LENGTH
from coordination.core.models import Notification
from coordination.core.security import live_fragment
from coordination.dashboard import health, selectors
from coordination.rotations import selectors as rotations
from projects.changes import services as changes
from projects.changes.models import ChangeRequest
from projects.changes.selectors import visible_change_requests
from projects.payments import selectors as payments
from projects.tasks.selectors import my_tasks


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# ---------------------------------------------------------------- home
def approvals_context(user) -> dict:
    return {"approvals": selectors.approvals_for(user)}


def home_context(user) -> dict:
    unread = Notification.unread_of(user)
    action_items, action_counts = selectors.my_action_items(user)
    my_projects = selectors.my_open_projects(user)
    approvals = approvals_context(user)
    my_health = health.summary(my_projects)
    unread_count = unread.count()
    return {
        **approvals,
        "action_items": action_items,
        "action_counts": action_counts,
        "next_reviews": selectors.my_next_reviews(user),
        "rotations_in_progress": rotations.rotations_in_progress(user),
        "rotations_awaiting": rotations.rotations_awaiting(user),
        "my_tasks": list(my_tasks(user)[:10]),
        "payments_moved": payments.moved_by_slips(user),
        "company": selectors.company_overview(user),
        "payments_overdue": payments.overdue_payments(user),
        "my_projects": my_projects,
        "my_health": my_health,
        "notifications": list(unread.order_by("-created_at", "-id")[:10]),
        "unread_count": unread_count,
        "counters": selectors.counters(
            approvals["approvals"], action_counts, my_health, unread_count
        ),
    }


@login_required
def home(request):
    """Approvals waiting for me, my action items, my tasks, my next reviews, my projects with
    health."""
    return render(request, "projects/home.html", home_context(request.user))


@live_fragment
def counters(request):
    """The home page's four counters, polled every LIVE_POLL_SECONDS: the page sends the
    numbers it shows (hidden inputs in each counter); unchanged is 204 (nothing swapped,
    nothing announced), otherwise only the changed counters come back, swapped out of band
    into their own live region."""
    values = selectors.live_counters(request.user)
    changed = {name: value for name, value in values.items() if request.GET.get(name) != str(value)}
    if not changed:
        return HttpResponse(status=204)
    return render(request, "projects/home/_counters_changed.html", {"changed": changed})


@login_required
def approvals_panel(request):
    """The "waiting for me" card alone (htmx refresh)."""
    return render(request, "projects/home/_approvals.html", approvals_context(request.user))


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("意见"), required=False, max_length=NOTE_MAX_LENGTH
    )
    department = forms.ChoiceField(
        label=gettext_lazy("代表部门"),
        required=False,
        choices=[("", "-"), *changes.DEPARTMENT_LABELS.items()],
    )


@login_required
@require_POST
def approve_change_request(request, pk: int):
    """Approve one change request for my department, from the home page. With htmx the
    approvals card is re-rendered in place; without JavaScript we redirect home."""
    cr = get_object_or_404(visible_change_requests(request.user), pk=pk)
    form = ApproveForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    ok, text = True, ""
    try:
        changes.approve_change_request(
            cr.pk,
            by=request.user,
            comment=data.get("comment", ""),
            department=data.get("department") or None,
        )
    except Conflict as exc:
        ok, text = False, exc.detail + "".join(f" {u}" for u in exc.unmet)
    except ValidationError as exc:
        ok, text = False, " ".join(str(m) for m in exc.messages)
    except PermissionDenied as exc:
        ok, text = False, str(exc) or _("你没有执行此操作的权限。")
    else:
        cr.refresh_from_db(fields=["status"])
        text = _("已批准变更申请 %(number)s。") % {"number": cr.number}
        if cr.status == ChangeRequest.Status.APPROVED:
            text += " " + _("各部门均已批准，变更已生效。")
    if _is_htmx(request):
        context = {**approvals_context(request.user), "flash": {"ok": ok, "text": text}}
        return render(request, "projects/home/_approvals.html", context, status=200)
    (messages.success if ok else messages.error)(request, text)
    return redirect("home")


# ---------------------------------------------------------------- portfolio
class PortfolioFilterForm(forms.Form):
    department = forms.ChoiceField(label=gettext_lazy("主责部门"), required=False)
    pm = forms.TypedChoiceField(
        label=gettext_lazy("项目经理"), required=False, coerce=int, empty_value=None
    )
    customer = forms.TypedChoiceField(
        label=gettext_lazy("客户"), required=False, coerce=int, empty_value=None
    )
    level = forms.ChoiceField(label=gettext_lazy("健康度"), required=False)
    key = forms.BooleanField(label=gettext_lazy("仅重点项目"), required=False)
    closed = forms.BooleanField(label=gettext_lazy("包含已关闭/已取消"), required=False)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", _("全部"))]
        self.fields["department"].choices = everyone + choices["departments"]
        typed = {"pm": _("用户名或姓名"), "customer": _("客户名称或 ERP 编号")}
        for name, key in (("pm", "pms"), ("customer", "customers")):
            if choices[key] is None:  # too many to list: typed, a "contains" search
                self.fields[name] = search_field(self.fields[name].label, typed[name])
            else:
                self.fields[name].choices = everyone + choices[key]
        self.fields["level"].choices = everyone + choices["levels"]
        for name, field in self.fields.items():
            css = (
                "form-check-input"
                if isinstance(field, forms.BooleanField)
                else "form-select"
                if isinstance(field.widget, forms.Select)
                else "form-control"
            )
            field.widget.attrs.update({"class": css, "id": f"filter-{name}"})

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "department": d.get("department") or "",
            "pm": d.get("pm"),
            "customer": d.get("customer"),
            "level": d.get("level") or "",
            "key_only": bool(d.get("key")),
            "include_closed": bool(d.get("closed")),
        }


def _positive(value, default: int = 1) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


@login_required
def portfolio(request):
    """Projects by stage (board and table) with their health and its reasons, a page at a
    time: the table PORTFOLIO_PAGE projects, each board column BOARD_COLUMN_PAGE cards with its
    total and a "more" (htmx appends the column's next cards; without it, a link to that
    page of the column)."""
    form = PortfolioFilterForm(request.GET or None, choices=selectors.filter_choices(request.user))
    filters = form.filters()
    number = _positive(request.GET.get("page"))
    stages = selectors.board_stages(include_closed=filters.get("include_closed", False))
    column = request.GET.get("column")
    column = column if column in stages else None
    column_page = _positive(request.GET.get("cpage"))
    target = request.headers.get("HX-Target", "") if _is_htmx(request) else ""
    query = request.GET.copy()  # the filters, for the pager's and the columns' links
    for name in ("page", "view", "column", "cpage"):
        query.pop(name, None)
    if column and target == f"more-{column}":  # a column's "more": its next cards only
        found = selectors.portfolio_view(
            request.user, columns={column: column_page}, only=column, **filters
        )
        context = {"col": found.columns[0], "query": query.urlencode(), "more_request": True}
        return render(request, "projects/dashboard/_board_cards.html", context)
    found = selectors.portfolio_view(
        request.user,
        page=number,
        columns={column: column_page} if column else None,
        **filters,
    )
    view = "table" if request.GET.get("view") == "table" else "board"
    context = {
        "form": form,
        "page": found.page,
        "projects": found.page.projects,
        "columns": found.columns,
        "summary": health.summary(found.shown),
        "view": view,
        "query": query.urlencode(),
    }
    if target == "portfolio-results":
        return render(request, "projects/dashboard/_portfolio_results.html", context)
    return render(request, "projects/dashboard/portfolio.html", context)
