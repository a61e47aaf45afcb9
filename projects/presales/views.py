"""HTML pages for pre-sales: assessment form and versions, quote form, promise-gap panel.

Every write goes through projects.presales.services (the same functions the API calls).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core.exceptions import Conflict, StaleWrite
from coordination.core.forms import apply_errors, edit_conflict, expected_version
from coordination.core.text import join_messages
from projects.core.selectors import visible_projects
from projects.presales import services as presales
from projects.presales.forms import AssessmentForm, QuoteForm, ReturnForm
from projects.presales.models import FeasibilityAssessment, Quote
from projects.presales.promise_gaps import margin_floor, promise_gaps


def _project(user, code: str):
    qs = visible_projects(user).select_related("customer", "business_pm", "engineering_pm")
    return get_object_or_404(qs, code=code)


def _assessment(user, pk: int) -> FeasibilityAssessment:
    return get_object_or_404(
        FeasibilityAssessment.objects.select_related("project", "author", "decided_by", "based_on"),
        pk=pk,
        project__in=visible_projects(user),
    )


def _conflict_text(exc: Conflict) -> str:
    return f"{exc.detail} {'；'.join(exc.unmet)}" if exc.unmet else exc.detail


def _conflict_message(request, exc: Conflict) -> None:
    messages.error(request, _conflict_text(exc))


def panel_context(project, user) -> dict:
    """Everything the gap panel and the pre-sales page show (a fixed number of queries)."""
    assessments = list(
        project.feasibility_assessments.select_related("author", "decided_by").order_by("-version")
    )
    quotes = list(project.quotes.select_related("author", "assessment").order_by("-revision"))
    approved = next((a for a in assessments if a.status == "approved"), None)
    open_version = next(
        (a for a in assessments if a.status in FeasibilityAssessment.OPEN_STATUSES), None
    )
    return {
        "project": project,
        "gaps": promise_gaps(project),
        "margin_floor": margin_floor(),
        "margin_floor_pct": f"{margin_floor() * 100:g}%",
        "assessments": assessments,
        "approved": approved,
        "open_version": open_version,
        "quote": next((q for q in quotes if q.is_current), None),
        "quotes": quotes,
        "can_write_assessment": presales.can_write_assessment(user, project),
        "can_decide": presales.can_decide_assessment(user, project),
        "can_write_quote": presales.can_write_quote(user, project),
        "is_opportunity": project.stage == "opportunity",
    }


@login_required
def presales_page(request, code: str):
    project = _project(request.user, code)
    return render(request, "projects/presales/page.html", panel_context(project, request.user))


@login_required
def presales_panel(request, code: str):
    """The tab's content, for htmx (hx-get) or a plain include."""
    project = _project(request.user, code)
    return render(request, "projects/presales/panel.html", panel_context(project, request.user))


@login_required
def assessment_create(request, code: str):
    project = _project(request.user, code)
    if not presales.can_write_assessment(request.user, project):
        messages.error(request, _("只有工程管理部的项目成员可以编制可行性评估。"))
        return redirect("presales:page", code=project.code)
    approved = presales.current_approved(project)
    form = AssessmentForm(request.POST or None, instance=approved and _copy(approved))
    if request.method == "POST" and form.is_valid():
        try:
            assessment = presales.create_assessment(
                project, by=request.user, data=form.service_data()
            )
        except ValidationError as exc:
            apply_errors(form, exc, {"key_risks": "key_risks_text"})
        except Conflict as exc:  # shown on the form, so what was typed stays
            form.add_error(None, _conflict_text(exc))
        else:
            messages.success(request, _("已创建第%(v)s版评估草稿。") % {"v": assessment.version})
            return redirect("presales:assessment", pk=assessment.pk)
    return render(
        request,
        "projects/presales/assessment_form.html",
        {"project": project, "form": form, "assessment": None},
    )


def _copy(assessment: FeasibilityAssessment) -> FeasibilityAssessment:
    """An unsaved copy used to prefill the form of a new version."""
    copy = FeasibilityAssessment(
        **{name: getattr(assessment, name) for name in presales.ASSESSMENT_FIELDS}
    )
    copy.key_risks = list(assessment.key_risks)
    # Not saved: the form's instance only supplies initial values.
    copy.pk = None
    return copy


@login_required
def assessment_detail(request, pk: int):
    return _assessment_page(request, pk)


def _assessment_page(request, pk: int, *, return_form=None, status=200):
    assessment = _assessment(request.user, pk)
    project = assessment.project
    return render(
        request,
        "projects/presales/assessment_detail.html",
        {
            "project": project,
            "assessment": assessment,
            "return_form": return_form if return_form is not None else ReturnForm(),
            "can_write_assessment": presales.can_write_assessment(request.user, project),
            "can_decide": presales.can_decide_assessment(request.user, project),
            "quotes": assessment.quotes.select_related("author").order_by("-revision"),
        },
        status=status,
    )


@login_required
def assessment_edit(request, pk: int):
    assessment = _assessment(request.user, pk)
    project = assessment.project
    if not presales.can_write_assessment(request.user, project):
        messages.error(request, _("只有工程管理部的项目成员可以编制可行性评估。"))
        return redirect("presales:assessment", pk=assessment.pk)
    form = AssessmentForm(request.POST or None, instance=_copy(assessment), record=assessment)
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = presales.update_assessment(
                assessment.pk,
                by=request.user,
                data=form.service_data(),
                expected_version=expected_version(form),
            )
        except StaleWrite as exc:
            current = AssessmentForm(instance=_copy(exc.record), record=exc.record)
            conflict, status = edit_conflict(form, exc, current), 409
        except ValidationError as exc:
            apply_errors(form, exc, {"key_risks": "key_risks_text"})
        except Conflict as exc:  # e.g. submitted meanwhile: shown on the form, input kept
            form.add_error(None, _conflict_text(exc))
        else:
            if saved.pk != assessment.pk:
                messages.success(
                    request, _("已基于退回版本创建第%(v)s版草稿。") % {"v": saved.version}
                )
            else:
                messages.success(request, _("评估已保存。"))
            return redirect("presales:assessment", pk=saved.pk)
    return render(
        request,
        "projects/presales/assessment_form.html",
        {"project": project, "form": form, "assessment": assessment, "conflict": conflict},
        status=status,
    )


@login_required
@require_POST
def assessment_action(request, pk: int, action: str):
    assessment = _assessment(request.user, pk)
    target = assessment.pk
    try:
        seen = int(request.POST.get("edit_version") or "")
    except ValueError:
        seen = None  # a post without the version its page showed: no check
    return_form = ReturnForm(request.POST) if action == "return" else None
    try:
        if action == "submit":
            target = presales.submit_assessment(
                assessment.pk, by=request.user, expected_version=seen
            ).pk
            messages.success(request, _("评估已提交，等待工程总监审批。"))
        elif action == "approve":
            presales.approve_assessment(
                assessment.pk,
                by=request.user,
                comment=request.POST.get("comment", ""),
                expected_version=seen,
            )
            messages.success(request, _("评估已批准。"))
        elif action == "return":
            if not return_form.is_valid():
                messages.error(request, _("退回必须填写原因。"))
                return redirect("presales:assessment", pk=assessment.pk)
            presales.return_assessment(
                assessment.pk,
                by=request.user,
                reason=return_form.cleaned_data["reason"],
                expected_version=seen,
            )
            messages.success(request, _("评估已退回。"))
        elif action == "copy-risks":
            risks = presales.copy_risks_to_register(assessment.pk, by=request.user)
            messages.success(request, _("已将%(n)s项风险登记到风险台账。") % {"n": len(risks)})
        else:
            return redirect("presales:assessment", pk=assessment.pk)
    except Conflict as exc:
        if isinstance(exc, StaleWrite):
            messages.error(request, _("评估在你打开页面之后已被修改，请核对最新内容后再操作。"))
        else:
            _conflict_message(request, exc)
        if return_form is not None:  # the page again, with the reason as typed
            return _assessment_page(request, pk, return_form=return_form, status=409)
    except ValidationError as exc:
        messages.error(request, join_messages(exc.messages))
    return redirect("presales:assessment", pk=target)


@login_required
def quote_form(request, code: str):
    project = _project(request.user, code)
    if not presales.can_write_quote(request.user, project):
        messages.error(request, _("只有业务部的项目成员可以填写报价。"))
        return redirect("presales:page", code=project.code)
    current = Quote.objects.filter(project=project, is_current=True).first()
    form = QuoteForm(
        request.POST or None,
        instance=current and _quote_copy(current),
        project=project,
        current=current,
    )
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            _quote, outcome = presales.put_quote(
                project,
                by=request.user,
                data=form.service_data(),
                expected_version=expected_version(form),
            )
        except StaleWrite as exc:
            saved = exc.record
            kept = QuoteForm(instance=saved and _quote_copy(saved), project=project, current=saved)
            conflict, status = edit_conflict(form, exc, kept), 409
            current = saved
        except ValidationError as exc:
            apply_errors(form, exc, {"key_risks": "key_risks_text"})
        except Conflict as exc:  # e.g. no longer an opportunity: shown on the form, input kept
            form.add_error(None, _conflict_text(exc))
        else:
            if outcome == "unchanged":
                messages.info(request, _("报价没有变化。"))
            else:
                messages.success(request, _("报价已保存。"))
            return redirect("presales:page", code=project.code)
    return render(
        request,
        "projects/presales/quote_form.html",
        {"project": project, "form": form, "quote": current, "conflict": conflict},
        status=status,
    )


def _quote_copy(quote: Quote) -> Quote:
    return Quote(**{name: getattr(quote, name) for name in presales.QUOTE_FIELDS})
