"""The minutes' proposed action items (coordination.reviews.proposals): listed for a review,
confirmed into action items or discarded by whoever keeps the minutes. The review page and
the API call these."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from coordination.core import workdays
from coordination.core.exceptions import Conflict
from coordination.core.services import record_audit
from coordination.reviews.models import ActionItem, Review
from coordination.reviews.proposals import Proposal, propose, sentence_key
from coordination.reviews.services import can_edit_review, create_action_item

User = get_user_model()


def possible_owners(review: Review):
    """Who may own one of the review's action items: its participants, and the project's
    members and PMs."""
    people = Q(review_cadences=review.cadence)
    if review.project_id:
        project = review.project
        people |= Q(project_memberships__project=project)
        people |= Q(pk__in=[project.business_pm_id, project.engineering_pm_id])
    return User.objects.filter(people, is_active=True).distinct().order_by("username")


def _done_keys(review: Review) -> set[str]:
    confirmed = {
        sentence_key(d) for d in review.action_items.values_list("description", flat=True) if d
    }
    return confirmed | set(review.discarded_proposals or [])


def proposals_for(review: Review) -> list[Proposal]:
    """What the minutes and decisions propose, less what was confirmed or discarded."""
    return propose(
        "\n".join([review.minutes or "", review.decisions or ""]),
        day=review.date,
        people=possible_owners(review),
        workcal=workdays.calendar(),
        skip=_done_keys(review),
    )


def _find(review: Review, key: str) -> Proposal:
    for proposal in proposals_for(review):
        if proposal.key == key:
            return proposal
    raise Conflict(_("这条建议已处理或已不在纪要中。"))


@transaction.atomic
def confirm_proposal(
    review_id: int,
    *,
    by,
    key: str,
    title: str | None = None,
    owner=None,
    due_date: datetime.date | None = None,
) -> ActionItem:
    """The proposal becomes an action item (its sentence kept as the description), with the
    title, owner and due date as proposed unless the chair changed them."""
    review = Review.objects.select_for_update(of=("self",)).select_related("cadence", "project")
    review = review.get(pk=review_id)
    if not can_edit_review(by, review):
        raise PermissionDenied(_("你没有执行此操作的权限。"))
    proposal = _find(review, key)
    chosen = owner or proposal.owner
    if not possible_owners(review).filter(pk=chosen.pk).exists():
        raise ValidationError({"owner": [_("负责人应为例会参会人或项目成员。")]})
    return create_action_item(
        review.pk,
        by=by,
        title=(title or proposal.title).strip(),
        owner=chosen,
        due_date=due_date or proposal.due_date,
        description=proposal.sentence,
    )


@transaction.atomic
def discard_proposal(review_id: int, *, by, key: str) -> None:
    review = Review.objects.select_for_update(of=("self",)).select_related("cadence", "project")
    review = review.get(pk=review_id)
    if not can_edit_review(by, review):
        raise PermissionDenied(_("你没有执行此操作的权限。"))
    proposal = _find(review, key)
    Review.objects.filter(pk=review.pk).update(
        discarded_proposals=[*(review.discarded_proposals or []), key]
    )
    record_audit(
        actor=by,
        action="review.proposal_discarded",
        target=review,
        after={"sentence": proposal.sentence},
        project_code=review.project.code if review.project_id else "",
    )
