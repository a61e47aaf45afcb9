"""`/api/v1/reviews/<id>/proposals/`: the action items a review's minutes propose; confirm or
discard one (coordination.reviews.proposal_services, as the review page)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.schema import BAD_REQUEST, CONFLICT, FORBIDDEN, NOT_FOUND
from coordination.reviews import selectors
from coordination.reviews.api import ActionItemSerializer
from coordination.reviews.proposal_services import confirm_proposal, discard_proposal, proposals_for
from coordination.reviews.services import can_edit_review

User = get_user_model()


class ProposalSerializer(serializers.Serializer):
    key = serializers.CharField()
    sentence = serializers.CharField()
    title = serializers.CharField()
    owner = serializers.SerializerMethodField()
    due_date = serializers.DateField()
    due_stated = serializers.BooleanField(help_text="false: no deadline in the sentence")

    def get_owner(self, obj) -> str:
        return obj.owner.get_username()


class ProposalDecisionSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=32)
    decision = serializers.ChoiceField(choices=["confirm", "discard"])
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    due_date = serializers.DateField(required=False, allow_null=True)


class ReviewProposalsView(APIView):
    def _review(self, request, pk):
        return get_object_or_404(selectors.visible_reviews(request.user), pk=pk)

    @extend_schema(responses={200: ProposalSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, pk: int):
        """What the minutes propose, less what was confirmed or discarded (for those who keep
        the minutes; an empty list for others)."""
        review = self._review(request, pk)
        found = proposals_for(review) if can_edit_review(request.user, review) else []
        return Response(ProposalSerializer(found, many=True).data)

    @extend_schema(
        request=ProposalDecisionSerializer,
        responses={
            201: ActionItemSerializer,
            204: None,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request, pk: int):
        """`confirm` makes the proposal an action item (201, the item); `discard` drops it
        (204). Either way it is not proposed again."""
        review = self._review(request, pk)
        if not can_edit_review(request.user, review):  # refused before the input is read
            raise PermissionDenied(_("你没有执行此操作的权限。"))
        data = ProposalDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["decision"] == "discard":
            discard_proposal(review.pk, by=request.user, key=v["key"])
            return Response(status=status.HTTP_204_NO_CONTENT)
        item = confirm_proposal(
            review.pk,
            by=request.user,
            key=v["key"],
            title=v.get("title"),
            owner=v.get("owner"),
            due_date=v.get("due_date"),
        )
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)
