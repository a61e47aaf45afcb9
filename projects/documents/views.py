"""HTML pages of project documents: the library (filter by category, upload), a document
with every version (upload the next one), a version's preview or download, and the upload
of an attachment from the page of a task, change request, assessment, review or complaint.

Every write goes through projects.documents.services, the functions the API calls.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.core.forms import apply_errors
from projects.core.selectors import visible_projects
from projects.documents import selectors, services
from projects.documents.files import file_response
from projects.documents.forms import AttachmentForm, DocumentForm, LibraryFilterForm, VersionForm


def _project(user, code: str):
    return get_object_or_404(visible_projects(user), code=code)


def _refusal(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc) or _("你没有执行此操作的权限。")


@login_required
def library(request, code: str):
    project = _project(request.user, code)
    may_upload = selectors.can_upload(request.user, project)
    form = DocumentForm()
    if request.method == "POST":
        services.require_uploader(request.user, project)
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = services.create_document(project, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已上传：%(title)s") % {"title": document.title})
                return redirect("documents:detail", document.pk)
    filters = LibraryFilterForm(request.GET or None)
    category = filters.cleaned_data["category"] if filters.is_valid() else ""
    page = Paginator(selectors.library(project, category=category), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "projects/documents/library.html",
        {
            "project": project,
            "page": page,
            "documents": page.object_list,
            "form": form,
            "filters": filters,
            "can_upload": may_upload,
        },
    )


@login_required
def document_detail(request, pk: int):
    document = get_object_or_404(
        selectors.with_versions(selectors.visible_documents(request.user)), pk=pk
    )
    form = VersionForm()
    if request.method == "POST":
        services.require_uploader(request.user, document.project)
        form = VersionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = services.add_version(document.pk, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已上传第 %(n)s 版。") % {"n": version.version})
                return redirect("documents:detail", document.pk)
    return render(
        request,
        "projects/documents/detail.html",
        {
            "document": document,
            "project": document.project,
            "versions": document.versions.all(),
            "form": form,
            "can_upload": selectors.can_upload(request.user, document.project),
        },
    )


@login_required
def version_file(request, pk: int):
    """`?preview=1` opens an image or PDF in the browser; anything else downloads."""
    version = get_object_or_404(selectors.visible_versions(request.user), pk=pk)
    return file_response(version, by=request.user, preview=request.GET.get("preview") == "1")


@login_required
@require_POST
def attach(request, code: str):
    """An attachment uploaded from another room's page; back to that page with a message."""
    project = _project(request.user, code)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("projects:detail", args=[project.code])
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    data = form.cleaned_data
    try:
        services.create_document(
            project,
            by=request.user,
            file=data["file"],
            title=data["caption"] or data["file"].name,
            attached_kind=data["kind"],
            attached_id=data["target"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("附件已上传。"))
    return redirect(back)
