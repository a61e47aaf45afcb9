"""Writes of the customer's survey links: send one, revoke one, and the customer's answer.

Staff send a private link (`create_invitation`); the customer answers it once, without an
account (`answer_invitation`), which records the survey through the same service as a staff
entry (kpi.services.record_survey: checks, the late-input rule, audit) with source 客户填写.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordination.core.exceptions import Conflict, PermissionDenied, ValidationError
from coordination.core.roles import can_write, is_pmo
from coordination.core.services import notify, record_audit, snapshot
from kpi.models import SatisfactionSurvey
from kpi.services import record_survey
from kpi.surveys.models import SurveyInvitation, new_token, token_hash
from kpi.surveys.questions import QUESTION_KEYS
from projects.core.models import MemberRole, Project
from projects.core.selectors import project_roles

log = logging.getLogger(__name__)

# Who speaks to the customer for the project: its two PMs and its business lead (and PMO).
INVITER_ROLES = frozenset(
    {MemberRole.BUSINESS_PM, MemberRole.ENGINEERING_PM, MemberRole.BUSINESS_LEAD}
)
INVITATION_FIELDS = ["recipient_name", "email", "language", "expires_at"]


class LinkUnusable(Exception):
    """The link opens no survey. `gone`: it existed (answered, expired or revoked: 410), else
    unknown (404). The customer is told the same words either way."""

    def __init__(self, *, gone: bool):
        super().__init__("survey link unusable")
        self.gone = gone


def can_invite(user, project: Project) -> bool:
    """The project's PMs, its business lead and PMO send (and revoke) the customer's link."""
    return can_write(user) and (is_pmo(user) or bool(project_roles(user, project) & INVITER_ROLES))


def require_inviter(user, project: Project) -> None:
    """PermissionDenied unless `user` may send the project's links (can_invite)."""
    if not can_invite(user, project):
        raise PermissionDenied(_("只有项目经理、业务负责人或PMO可以发送客户问卷链接。"))


def survey_path(token: str) -> str:
    return reverse("survey_answer", args=[token])


def survey_link(token: str) -> str:
    """The link as the customer receives it: on the configured site address, as every e-mail
    link of the product (settings.SITE_URL)."""
    return f"{settings.SITE_URL.rstrip('/')}{survey_path(token)}"


@transaction.atomic
def create_invitation(
    project: Project,
    *,
    by,
    recipient_name: str,
    email: str = "",
    language: str = SurveyInvitation.Language.ZH_HANS,
    now: datetime.datetime | None = None,
) -> tuple[SurveyInvitation, str]:
    """A new link for the customer's survey. Returns (invitation, raw token): the token is
    shown once to `by` and, with an address, e-mailed after commit; only its hash is kept
    (and never audited)."""
    require_inviter(by, project)
    recipient_name = (recipient_name or "").strip()
    if not recipient_name:
        raise ValidationError({"recipient_name": [_("请填写客户联系人。")]})
    if language not in SurveyInvitation.Language.values:
        raise ValidationError({"language": [_("语言应为 zh-hans 或 en。")]})
    token = new_token()
    invitation = SurveyInvitation(
        project=project,
        recipient_name=recipient_name,
        email=(email or "").strip(),
        language=language,
        token_hash=token_hash(token),
        expires_at=(now or timezone.now()) + datetime.timedelta(days=settings.SURVEY_LINK_DAYS),
        created_by=by if by is not None and by.pk else None,
    )
    invitation.full_clean(exclude=["project", "created_by", "survey", "revoked_by"])
    invitation.save()
    record_audit(
        actor=by,
        action="kpi.survey_invitation_created",
        target=invitation,
        after=snapshot(invitation, INVITATION_FIELDS),
    )
    if invitation.email:
        transaction.on_commit(lambda: send_invitation_mail(invitation, token))
    return invitation, token


def send_invitation_mail(invitation: SurveyInvitation, token: str) -> None:
    """The link to the customer, in the invitation's language. A failed mail is logged: the
    staff still hold the link they were shown."""
    with translation.override(invitation.language):
        subject = _("满意度调查：%(project)s") % {"project": invitation.project.name}
        body = _(
            "%(name)s，您好：\n\n感谢您与我们合作完成项目“%(project)s”。请通过以下链接告诉我们您的"
            "满意度（约两分钟，无需登录）：\n\n%(link)s\n\n此链接仅供您本人使用一次，"
            "于 %(expires)s 失效。"
        ) % {
            "name": invitation.recipient_name,
            "project": invitation.project.name,
            "link": survey_link(token),
            "expires": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
        }
    try:
        send_mail(subject, body, None, [invitation.email], fail_silently=False)
    except Exception:  # the invitation stands; staff can copy the link they were shown
        log.exception("survey invitation e-mail failed: %s", invitation.pk)


def _locked(invitation_id: int) -> SurveyInvitation:
    return (
        SurveyInvitation.objects.select_for_update().select_related("project").get(pk=invitation_id)
    )


@transaction.atomic
def revoke_invitation(invitation_id: int, *, by) -> SurveyInvitation:
    """The link stops working at once (an answered one cannot be revoked: its survey stands)."""
    invitation = _locked(invitation_id)
    require_inviter(by, invitation.project)
    status = invitation.status
    if status == SurveyInvitation.Status.ANSWERED:
        raise Conflict(_("客户已填写该问卷，不能撤回。"))
    if status == SurveyInvitation.Status.REVOKED:
        raise Conflict(_("该问卷链接已撤回。"))
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = by
    invitation.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    record_audit(
        actor=by,
        action="kpi.survey_invitation_revoked",
        target=invitation,
        before={"status": status},
        after={"status": SurveyInvitation.Status.REVOKED},
    )
    return invitation


def open_invitation(token: str, *, lock: bool = False) -> SurveyInvitation:
    """The invitation `token` opens, still unanswered, unrevoked and unexpired; LinkUnusable
    otherwise (found by the token's hash, so no stored token is compared)."""
    if not token or len(token) > 100:
        raise LinkUnusable(gone=False)
    rows = SurveyInvitation.objects.select_related("project")
    if lock:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise LinkUnusable(gone=False)
    if invitation.status != SurveyInvitation.Status.PENDING:
        raise LinkUnusable(gone=True)
    return invitation


def clean_answer(overall_score: Any, scores: Any, comments: Any) -> dict:
    """The customer's answer as record_survey takes it: an overall score 1–5, a score 1–5 for
    each of the survey's questions answered (unknown questions are refused), comments."""
    errors: dict[str, list[str]] = {}
    if isinstance(overall_score, bool) or not isinstance(overall_score, int):
        errors["overall_score"] = [_("请选择总体评分。")]
    elif not 1 <= overall_score <= 5:
        errors["overall_score"] = [_("评分必须是1到5的整数。")]
    scores = scores or {}
    if not isinstance(scores, dict) or set(scores) - set(QUESTION_KEYS):
        errors["scores"] = [_("分项评分只能针对问卷中的问题。")]
    comments = (comments or "").strip()
    if len(comments) > 2000:
        errors["comments"] = [_("意见不能超过2000字。")]
    if errors:
        raise ValidationError(errors)
    return {"overall_score": overall_score, "scores": dict(scores), "comments": comments}


@transaction.atomic
def answer_invitation(
    token: str, *, overall_score: int, scores: dict | None = None, comments: str = ""
) -> SatisfactionSurvey:
    """The customer answers their link, once:

    1. Lock the invitation found by the token's hash (select_for_update), so two answers at
       the same moment queue here; unknown: LinkUnusable(gone=False); answered, revoked or
       expired: LinkUnusable(gone=True). The second of two concurrent answers finds it
       answered once the first commits.
    2. Record the survey through kpi.services.record_survey (source 客户填写, dated today,
       the late-input rule applies), respondent the invitation's recipient.
    3. Mark the invitation used, link it to its survey, audit, and tell both PMs."""
    invitation = open_invitation(token, lock=True)
    data = clean_answer(overall_score, scores, comments)
    project = invitation.project
    survey = record_survey(
        project,
        by=None,
        invitation=invitation,
        data={**data, "respondent": invitation.recipient_name, "surveyed_on": timezone.localdate()},
    )
    invitation.used_at = timezone.now()
    invitation.survey = survey
    invitation.save(update_fields=["used_at", "survey", "updated_at"])
    record_audit(
        actor=None,
        action="kpi.survey_invitation_answered",
        target=invitation,
        before={"status": SurveyInvitation.Status.PENDING},
        after={"status": SurveyInvitation.Status.ANSWERED, "survey": survey.pk},
        reason=str(_("客户通过问卷链接填写")),
    )
    score, name, code = survey.overall_score, invitation.recipient_name, project.code
    notify(
        [project.business_pm, project.engineering_pm],
        kind="survey.answered",
        project=code,
        subject=lambda: _("客户已填写满意度问卷：%(code)s") % {"code": code},
        body=lambda: _("%(name)s 的总体评分：%(score)s/5") % {"name": name, "score": score},
        url=reverse("projects:detail", args=[code]) + "#tab-kpis",
    )
    return survey
