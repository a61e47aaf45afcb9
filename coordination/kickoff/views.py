"""HTML pages for the joint kickoff meeting and the collaboration commitment.

Every write goes through the same services as the API (coordination.kickoff.services)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core import pdf
from coordination.core.concurrency import VERSION_FIELD as VERSION
from coordination.core.exceptions import Conflict, StaleWrite
from coordination.core.forms import edit_conflict, expected_version
from coordination.core.text import join_messages
from coordination.kickoff import document, selectors, services
from coordination.kickoff.forms import AttendeeFormSet, KickoffForm, ResponsibilityFormSet, rows
from coordination.kickoff.models import CollaborationCommitment, KickoffMeeting, KickoffRole
from coordination.kickoff.verification import verify_commitment
from projects.core.selectors import visible_projects
from projects.core.team import people


def _project(request, code: str):
    return get_object_or_404(visible_projects(request.user), code=code)


def _commitment(request, pk: int) -> CollaborationCommitment:
    try:
        return selectors.visible_commitment(request.user, pk)
    except CollaborationCommitment.DoesNotExist as exc:
        raise Http404 from exc


def _refusal(request, exc: Exception) -> None:
    if isinstance(exc, Conflict):
        detail = exc.detail
        if exc.unmet:
            detail = f"{detail} {'；'.join(exc.unmet)}"
        messages.error(request, detail)
    elif isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or _("你没有执行此操作的权限。"))
    elif isinstance(exc, ValidationError):
        messages.error(request, join_messages(exc.messages))


def panel_context(user, project) -> dict:
    meeting = selectors.meeting_for(project)
    current = selectors.current_commitment(project)
    return {
        "project": project,
        "meeting": meeting,
        "commitment": current,
        "verification": verify_commitment(current) if current else None,
        "pending": selectors.pending_signatories(current) if current else [],
        "can_manage": selectors.can_manage_kickoff(user, project),
        "can_hold": selectors.can_hold_kickoff(user, project),
        "can_sign": bool(current and selectors.can_sign(user, current)),
        "has_signed": bool(current and current.signatures.filter(signer=user).exists()),
    }


@login_required
def kickoff_panel(request, code: str):
    """The project page's 联合启动 tab (loaded with htmx)."""
    project = _project(request, code)
    return render(request, "coordination/kickoff/panel.html", panel_context(request.user, project))


def _team_attendees(project) -> list[dict]:
    """A new kickoff's attendees: the two PMs, then every member of the project whose role is
    a kickoff role (business lead, engineering director, tech lead, finance …), one row each
    (never an API client's service account)."""
    rows = [
        {"user": project.business_pm, "role": KickoffRole.BUSINESS_PM},
        {"user": project.engineering_pm, "role": KickoffRole.ENGINEERING_PM},
    ]
    seen = {project.business_pm_id, project.engineering_pm_id}
    members = (
        project.memberships.filter(role__in=KickoffRole.values, user__in=people())
        .select_related("user")
        .order_by("id")
    )
    for m in members:
        if m.user_id not in seen:
            seen.add(m.user_id)
            rows.append({"user": m.user, "role": m.role})
    return rows


def _initial(meeting: KickoffMeeting | None, project) -> tuple[dict, list, list]:
    if meeting is None:
        return (
            {
                "chair": project.primary_pm,
                "customer_core_needs": project.customer_core_needs,
                "expected_standards": project.expected_standards,
            },
            _team_attendees(project),
            [],
        )
    form = {
        "scheduled_at": meeting.scheduled_at,
        "location": meeting.location,
        "chair": meeting.chair,
        "customer_core_needs": meeting.customer_core_needs,
        "expected_standards": meeting.expected_standards,
        "feasibility_summary": meeting.feasibility_summary,
        "risk_plan": meeting.risk_plan,
        "milestones": list(meeting.milestones.all()),
        "risks": list(meeting.risks.all()),
    }
    attendees = [
        {"user": a.user, "role": a.role, "attended": a.attended} for a in meeting.attendees.all()
    ]
    split = [
        {"area": r.area, "department": r.department, "person": r.person, "notes": r.notes}
        for r in meeting.responsibilities.all()
    ]
    return form, attendees, split


@login_required
def kickoff_edit(request, code: str):
    """Schedule the meeting or change its record; after signatures, saving is an amendment."""
    project = _project(request, code)
    if not selectors.can_manage_kickoff(request.user, project):
        raise PermissionDenied
    meeting = selectors.meeting_for(project)
    current = selectors.current_commitment(project)
    amending = selectors.edit_takes_amendment(current)
    initial, attendee_initial, split_initial = _initial(meeting, project)
    conflict, status = None, 200
    if request.method == "POST":
        form = KickoffForm(request.POST, project=project, amending=amending, meeting=meeting)
        attendees = AttendeeFormSet(request.POST, prefix="att")
        split = ResponsibilityFormSet(request.POST, prefix="resp")
        if form.is_valid() and attendees.is_valid() and split.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("reason", VERSION)}
            data["attendees"] = rows(attendees)
            data["responsibilities"] = rows(split)
            # a record scheduled since the page was read (version 0) is a conflict too
            version = expected_version(form)
            try:
                if meeting is None:
                    services.schedule_kickoff(project, by=request.user, data=data)
                    messages.success(request, _("联合启动会已安排。"))
                elif amending:
                    new = services.amend_commitment(
                        current.pk,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        data=data,
                        expected_version=version,
                    )
                    messages.success(
                        request,
                        _("已生成承诺书 v%(version)s，需重新签署。") % {"version": new.version},
                    )
                    return redirect("commitment_detail", pk=new.pk)
                else:
                    services.update_kickoff(
                        project, by=request.user, data=data, expected_version=version
                    )
                    messages.success(request, _("启动会记录已保存。"))
                return redirect("kickoff_edit", code=project.code)
            except StaleWrite as exc:
                saved = KickoffForm(initial=_initial(exc.record, project)[0], project=project)
                conflict, status = edit_conflict(form, exc, saved), 409
            except (Conflict, PermissionDenied) as exc:
                _refusal(request, exc)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        target = field if field in form.fields else None
                        for error in errors:
                            form.add_error(target, error)
                else:
                    form.add_error(None, exc)
    else:
        form = KickoffForm(initial=initial, project=project, amending=amending, meeting=meeting)
        attendees = AttendeeFormSet(initial=attendee_initial, prefix="att")
        split = ResponsibilityFormSet(initial=split_initial, prefix="resp")
    return render(
        request,
        "coordination/kickoff/edit.html",
        {
            **panel_context(request.user, project),
            "form": form,
            "attendees": attendees,
            "split": split,
            "amending": amending,
            "conflict": conflict,
        },
        status=status,
    )


@login_required
@require_POST
def kickoff_hold(request, code: str):
    project = _project(request, code)
    try:
        version = int(request.POST.get(VERSION) or "")
    except ValueError:
        version = None  # the button without the version it was shown with: no check
    try:
        commitment = services.hold_kickoff(project, by=request.user, expected_version=version)
    except KickoffMeeting.DoesNotExist as exc:
        raise Http404 from exc
    except StaleWrite:
        messages.error(
            request, _("启动会记录在你打开页面之后已被修改，请核对最新记录后再确认举行。")
        )
        return redirect("kickoff_edit", code=project.code)
    except (Conflict, PermissionDenied) as exc:
        _refusal(request, exc)
        return redirect("kickoff_edit", code=project.code)
    messages.success(request, _("启动会已确认举行，协同承诺书已开放签署。"))
    return redirect("commitment_detail", pk=commitment.pk)


@login_required
def project_commitment(request, code: str):
    project = _project(request, code)
    current = selectors.current_commitment(project)
    if current is None:
        raise Http404
    return redirect("commitment_detail", pk=current.pk)


@login_required
def project_commitment_print(request, code: str):
    project = _project(request, code)
    current = selectors.current_commitment(project)
    if current is None:
        raise Http404
    return redirect("commitment_print", pk=current.pk)


@login_required
def commitment_detail(request, pk: int):
    commitment = _commitment(request, pk)
    project = commitment.project
    return render(
        request,
        "coordination/kickoff/commitment.html",
        {
            "project": project,
            "commitment": commitment,
            "verification": verify_commitment(commitment),
            "pending": selectors.pending_signatories(commitment),
            "history": selectors.commitment_history(project),
            "can_sign": selectors.can_sign(request.user, commitment),
            "has_signed": commitment.signatures.filter(signer=request.user).exists(),
            "can_amend": selectors.can_hold_kickoff(request.user, project),
            "can_manage": selectors.can_manage_kickoff(request.user, project),
            "text": commitment.text_en if _english() else commitment.text_zh,
        },
    )


def _english() -> bool:
    return (get_language() or "").startswith("en")


@login_required
@require_POST
def commitment_sign(request, pk: int):
    commitment = _commitment(request, pk)
    try:
        services.sign_commitment(commitment.pk, by=request.user)
        messages.success(request, _("已签署。"))
    except (Conflict, PermissionDenied) as exc:
        _refusal(request, exc)
    return redirect("commitment_detail", pk=commitment.pk)


def _print_context(commitment: CollaborationCommitment) -> dict:
    """What the printable commitment shows, in the active language: labels, names, local
    times, each signature with its HMAC, the content hash and the verification result."""
    i = 1 if _english() else 0
    labels = {key: pair[i] for key, pair in document.LABELS.items()}
    content = commitment.content
    for s in content.get("signatories", []):
        s["role_label"] = document.ROLE_LABELS.get(s["role"], (s["role"], s["role"]))[i]
        s["department_label"] = document.DEPARTMENT_LABELS.get(s["department"], ("", ""))[i]
    for row in content.get("responsibilities", []):
        row["department_label"] = document.DEPARTMENT_LABELS.get(row["department"], ("", ""))[i]
    for m in content.get("milestones", []):
        m["department_label"] = document.DEPARTMENT_LABELS.get(m["owner_department"], ("", ""))[i]
    signatures = {s.signer_id: s for s in commitment.signatures.all()}
    signatories = [
        {**s, "signature": signatures.get(s["user_id"])} for s in content.get("signatories", [])
    ]
    return {
        "project": commitment.project,
        "commitment": commitment,
        "content": content,
        "meeting_time": document.readable_time(content.get("meeting", {}).get("scheduled_at")),
        "labels": labels,
        "signatories": signatories,
        "verification": verify_commitment(commitment),
        "verify_url": settings.SITE_URL.rstrip("/")
        + reverse("commitment_detail", args=[commitment.pk]),
    }


@login_required
def commitment_print(request, pk: int):
    """The printable commitment in the active language, with signatures, times and hash."""
    commitment = _commitment(request, pk)
    return render(request, "coordination/kickoff/print.html", _print_context(commitment))


@login_required
def commitment_pdf(request, pk: int):
    """The signed commitment as a PDF: the print page's content, each signature's full HMAC
    and a QR code to the commitment's page, whose badge is its verification."""
    commitment = _commitment(request, pk)
    context = _print_context(commitment)
    context["qr"] = pdf.qr_data_uri(context["verify_url"])
    body = pdf.render_pdf("coordination/kickoff/commitment.pdf.html", context, request)
    code = commitment.project.code
    return pdf.pdf_response(body, f"commitment-{code}-v{commitment.version}.pdf")
