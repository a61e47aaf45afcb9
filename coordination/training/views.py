"""HTML pages of training: the list (upcoming / past, by topic and department), scheduling
and editing a session, a session's page (details, materials, attendance ticks for the
organiser, the attendee's feedback), a person's record and PMO's coverage grid.

Every write goes through coordination.training.services, the functions the API calls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.core.exceptions import Conflict, StaleWrite
from coordination.core.forms import apply_errors, expected_version
from coordination.core.moves import run_move
from coordination.core.paging import paginate
from coordination.core.roles import can_write
from coordination.core.uploads import previewable
from coordination.training import permissions, selectors, services
from coordination.training.forms import (
    CancelForm,
    FeedbackForm,
    MaterialForm,
    MaterialVersionForm,
    SessionFilterForm,
    SessionForm,
    YearForm,
)
from coordination.training.models import TrainingMaterial, TrainingSession
from projects.core.team import people
from projects.documents.files import stored_file_response

User = get_user_model()


def _session(pk: int) -> TrainingSession:
    try:
        return selectors.session_detail(pk)
    except TrainingSession.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def session_list(request):
    filters = SessionFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    when = data.get("when") or selectors.UPCOMING
    topic = data.get("topic")
    rows = selectors.sessions(
        request.user,
        when=when,
        topic=topic.pk if topic else None,
        department=data.get("department") or "",
    )
    return render(
        request,
        "coordination/training/list.html",
        {
            **paginate(request, rows),
            "filters": filters,
            "when": when,
            "can_schedule": permissions.may_schedule(request.user),
            "can_see_coverage": permissions.may_see_coverage(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request):
    permissions.require_schedule(request.user)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.schedule_session(by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("培训已安排，已通知受邀人员。"))
            return redirect("training:detail", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "coordination/training/form.html", {"form": form, "session": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk: int):
    session = _session(pk)
    permissions.require_organiser(request.user, session)
    if session.status != TrainingSession.Status.SCHEDULED:
        messages.error(request, _("只有已安排的培训可以修改。"))
        return redirect("training:detail", pk=session.pk)
    audience = selectors.audience_of(session)
    initial = SessionForm.initial_of(session, audience)
    form = SessionForm(request.POST or None, initial=initial, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(
                session.pk,
                by=request.user,
                data=form.cleaned_data,
                expected_version=expected_version(form),
            )
        except StaleWrite as exc:
            form.add_error(None, str(exc))
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("training:detail", pk=session.pk)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("training:detail", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "coordination/training/form.html",
        {"form": form, "session": session},
        status=status,
    )


def _page(request, session, *, status=200, feedback_form=None, material_form=None):
    me = selectors.attendance_of(session, request.user)
    organiser = permissions.is_organiser(request.user, session)
    feedback_open = False
    if me is not None and me.attended and session.status == TrainingSession.Status.HELD:
        feedback_open = timezone.now() <= services.feedback_closes(session)
    rows = list(session.attendances.all())
    return render(
        request,
        "coordination/training/detail.html",
        {
            "session": session,
            "audience": selectors.audience_of(session),
            "rows": rows,
            "me": me,
            "is_organiser": organiser,
            "feedback_open": feedback_open and can_write(request.user),
            "feedback_closes": services.feedback_closes(session),
            "feedback_form": feedback_form
            or FeedbackForm(initial={"score": me.score, "comment": me.comment} if me else None),
            "material_form": material_form or MaterialForm(),
            "version_form": MaterialVersionForm(),
            "cancel_form": CancelForm(),
            "walk_in_choices": people_not_on(session, rows) if organiser else [],
            "can_mark_held": organiser
            and session.status == TrainingSession.Status.SCHEDULED
            and session.starts_at <= timezone.now(),
        },
        status=status,
    )


def people_not_on(session, rows) -> list:
    """Who may be added as a walk-in (at most the first 200 by name)."""
    on = [r.user_id for r in rows]
    return list(
        people()
        .exclude(pk__in=on)
        .order_by("last_name", "first_name", "username")
        .only("pk", "username", "first_name", "last_name")[:200]
    )


@login_required
@require_GET
def session_detail(request, pk: int):
    return _page(request, _session(pk))


def _run(request, session, move, success: str, **forms):
    return run_move(
        request,
        move,
        page=lambda status: _page(request, _session(session.pk), status=status, **forms),
        success=success,
        done=lambda: redirect("training:detail", pk=session.pk),
    )


@login_required
@require_POST
def mark_held(request, pk: int):
    session = _session(pk)
    return _run(
        request,
        session,
        lambda: services.mark_held(session.pk, by=request.user),
        _("已确认举行，请登记出席。"),
    )


@login_required
@require_POST
def cancel(request, pk: int):
    session = _session(pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(
        request,
        session,
        lambda: services.cancel_session(session.pk, by=request.user, reason=reason),
        _("培训已取消，已通知受邀人员。"),
    )


def _ids(values) -> set[int]:
    try:
        ids = {int(v) for v in values}
    except (TypeError, ValueError):
        raise ValidationError({"attended": [_("请选择有效的人员。")]}) from None
    if any(not 0 < i < 2**63 for i in ids):
        raise ValidationError({"attended": [_("请选择有效的人员。")]})
    return ids


@login_required
@require_POST
def attendance(request, pk: int):
    session = _session(pk)

    def move():
        permissions.require_organiser(request.user, session)
        if request.POST.get("marking") != "1":  # the form's own mark: an empty post is no list
            raise ValidationError({"attended": [_("请勾选出席人员后保存。")]})
        ids = _ids([*request.POST.getlist("attended"), *request.POST.getlist("walk_ins")])
        found = list(people().filter(pk__in=ids))
        if len(found) != len(ids):
            raise ValidationError({"attended": [_("请选择有效的人员。")]})
        services.mark_attendance(session.pk, by=request.user, attended=found)

    return _run(request, session, move, _("出席情况已登记。"))


@login_required
@require_POST
def feedback(request, pk: int):
    session = _session(pk)
    form = FeedbackForm(request.POST)

    def move():
        services.check_feedback(request.user, session)
        if not form.is_valid():
            raise ValidationError(form.errors.get("score") or _("请检查输入。"))
        services.give_feedback(session.pk, by=request.user, **form.cleaned_data)

    return _run(request, session, move, _("谢谢你的反馈。"), feedback_form=form)


@login_required
@require_POST
def material_add(request, pk: int):
    session = _session(pk)
    form = MaterialForm(request.POST, request.FILES)

    def move():
        permissions.require_organiser(request.user, session)
        if not form.is_valid():
            raise ValidationError(_("请选择文件并填写标题。"))
        services.add_material(session.pk, by=request.user, **form.cleaned_data)

    return _run(request, session, move, _("资料已上传。"), material_form=form)


@login_required
@require_POST
def material_version(request, pk: int):
    material = get_object_or_404(TrainingMaterial.objects.select_related("session"), pk=pk)
    session = _session(material.session_id)
    form = MaterialVersionForm(request.POST, request.FILES)

    def move():
        permissions.require_organiser(request.user, session)
        if not form.is_valid():
            raise ValidationError(_("请选择文件。"))
        services.add_material_version(material.pk, by=request.user, **form.cleaned_data)

    return _run(request, session, move, _("已上传新版本。"))


@login_required
@require_GET
def material_file(request, pk: int):
    """`?preview=1` opens an image or PDF in the browser; anything else downloads."""
    version = get_object_or_404(selectors.visible_versions(), pk=pk)
    inline = request.GET.get("preview") == "1" and previewable(version.file.name)
    services.record_material_download(version, by=request.user, inline=inline)
    return stored_file_response(version.file, filename=version.filename, inline=inline)


def _year(request) -> int | None:
    form = YearForm(request.GET or None)
    return form.cleaned_data.get("year") if form.is_valid() else None


def _record(request, person):
    permissions.require_record(request.user, person)
    year = _year(request)
    return render(
        request,
        "coordination/training/record.html",
        {
            "record": selectors.person_record(person, year=year),
            "person": person,
            "is_me": person.pk == request.user.pk,
            "years": selectors.years_with_sessions(),
            "year": year,
        },
    )


@login_required
@require_GET
def my_record(request):
    return _record(request, request.user)


@login_required
@require_GET
def person_record(request, username: str):
    return _record(request, get_object_or_404(people(), username=username))


@login_required
@require_GET
def coverage(request):
    permissions.require_coverage(request.user)
    year = _year(request) or timezone.localdate().year
    return render(
        request,
        "coordination/training/coverage.html",
        {"grid": selectors.coverage(year), "years": selectors.years_with_sessions(), "year": year},
    )
