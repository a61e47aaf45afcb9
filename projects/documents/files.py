"""Serving a stored version: the one place that decides how the browser may open it.

Images and PDF may open in the browser (inline) when asked for a preview; everything else is
always an attachment. The Content-Type comes from the checked extension (never from the
uploader), and `X-Content-Type-Options: nosniff` stops the browser guessing another one. A
sandboxing CSP keeps a previewed PDF or image from running anything in the site's origin.
"""

from __future__ import annotations

from django.http import FileResponse

from coordination.core.uploads import content_type_of, previewable
from projects.documents import services
from projects.documents.models import DocumentVersion


def file_response(version: DocumentVersion, *, by, preview: bool) -> FileResponse:
    inline = preview and previewable(version.file.name)
    services.record_download(version, by=by, inline=inline)
    return stored_file_response(version.file, filename=version.filename, inline=inline)


def stored_file_response(file, *, filename: str, inline: bool) -> FileResponse:
    """A stored, checked file served under the rules above (the training materials too):
    `inline` only for what `previewable` allows, never the uploader's Content-Type."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=not (inline and previewable(file.name)),
        filename=filename,
        content_type=content_type_of(file.name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response
