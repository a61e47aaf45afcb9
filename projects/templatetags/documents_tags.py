"""The attachments panel any record's page shows: `{% attachments project "task" task.pk %}`.

Two queries (the attachments with their latest versions, the uploader's roles), whatever the
number of attachments.
"""

from django import template

from projects.documents.forms import AttachmentForm
from projects.documents.selectors import attachments as attachments_of
from projects.documents.selectors import can_upload

register = template.Library()


@register.inclusion_tag("projects/documents/_attachments.html", takes_context=True)
def attachments(context, project, kind: str, target_id: int):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "project": project,
        "kind": kind,
        "target_id": target_id,
        "documents": list(attachments_of(project, kind, target_id)),
        "can_upload": bool(user) and can_upload(user, project),
        "form": AttachmentForm(),
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }
