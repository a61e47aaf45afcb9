"""API for payment milestones (docs/payments.md): a project's list and create, one payment's
read / edit / delete (ETag and If-Match), all under the project's code.

Views look the object up among what the caller may see (else 404), check the body's shape
with a serializer and call one service in projects.payments.services; refusals map to
403 / 409 / 400 / 412 in the exception handler. `Idempotency-Key` on POST is the API's
middleware (coordination.api.idempotency).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.concurrency import ETAG, IF_MATCH, PRECONDITION_FAILED, if_match, tagged
from coordination.api.fields import ModelSerializer, id_field
from coordination.api.inputs import validated_input
from coordination.api.pagination import filtered, paged_response
from coordination.api.schema import (
    BAD_REQUEST,
    SYNC_PARAMETERS,
    ApiConflictSerializer,
    ApiErrorSerializer,
    sync_page,
)
from projects.api.filters import UpdatedSinceFilterSet
from projects.core.selectors import visible_projects
from projects.payments import services
from projects.payments.models import DueCondition, PaymentMilestone, PaymentStatus
from projects.payments.selectors import project_payments

# ---------------------------------------------------------------- serializers


class PaymentSerializer(ModelSerializer):
    milestone = id_field(
        source="milestone_id",
        allow_null=True,
        required=False,
        help_text="id of a delivery milestone of the project (required for `acceptance`)",
    )
    status = serializers.ChoiceField(
        choices=PaymentStatus.choices,
        read_only=True,
        help_text="derived: received, overdue (due date passed), invoiced, planned",
    )
    moved_days = serializers.IntegerField(
        read_only=True, help_text="days the due date moved off its baseline (a delivery slip)"
    )

    class Meta:
        model = PaymentMilestone
        fields = [
            "id",
            "name",
            "milestone",
            "amount",
            "due_condition",
            "days_after",
            "fixed_date",
            "baseline_due_date",
            "due_date",
            "moved_days",
            "invoiced_on",
            "received_on",
            "received_amount",
            "status",
            "notes",
            "updated_at",
        ]
        read_only_fields = ["id", "baseline_due_date", "due_date", "updated_at"]


def _service_data(data: dict) -> dict:
    out = dict(data)
    if "milestone_id" in out:
        out["milestone"] = out.pop("milestone_id")
    return out


PaginatedPayments = sync_page("PaginatedPaymentList", PaymentSerializer(many=True))
ERRORS = {403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiConflictSerializer}
CONDITIONAL_ERRORS = {**ERRORS, 412: PRECONDITION_FAILED}

PAYMENT_EXAMPLE = {
    "id": 7,
    "name": "到货验收款 30%",
    "milestone": 12,
    "amount": "300000.00",
    "due_condition": "acceptance",
    "days_after": 30,
    "fixed_date": None,
    "baseline_due_date": "2026-10-30",
    "due_date": "2026-11-14",
    "moved_days": 15,
    "invoiced_on": None,
    "received_on": None,
    "received_amount": None,
    "status": "planned",
    "notes": "",
    "updated_at": "2026-11-02T09:30:00+08:00",
}


class PaymentFilter(UpdatedSinceFilterSet):
    due_condition = filters.ChoiceFilter(choices=DueCondition.choices)
    milestone = filters.NumberFilter(field_name="milestone_id")

    class Meta:
        model = PaymentMilestone
        fields = ["due_condition", "milestone", "updated_since"]


# ---------------------------------------------------------------- lookups


def _project(request, code: str):
    return get_object_or_404(visible_projects(request.user), code=code)


def _payment(request, code: str, pk: int) -> PaymentMilestone:
    project = _project(request, code)
    return get_object_or_404(project_payments(project), pk=pk)


def _render(payment: PaymentMilestone, code=status.HTTP_200_OK) -> Response:
    fresh = PaymentMilestone.objects.get(pk=payment.pk)
    return tagged(Response(PaymentSerializer(fresh).data, status=code), fresh)


# ---------------------------------------------------------------- views


class ProjectPaymentsView(APIView):
    """A project's payment milestones in due order; POST creates one (the project's PMs,
    business lead, finance, PMO; never a read-only role)."""

    @extend_schema(
        operation_id="project_payment_list",
        parameters=[
            OpenApiParameter("due_condition", str, enum=DueCondition.values),
            OpenApiParameter("milestone", int, description="delivery milestone id"),
            *SYNC_PARAMETERS,
        ],
        responses={200: PaginatedPayments, 400: BAD_REQUEST, 404: ApiErrorSerializer},
        examples=[
            OpenApiExample(
                "a page of payments",
                response_only=True,
                value={"count": 1, "next": None, "previous": None, "results": [PAYMENT_EXAMPLE]},
            )
        ],
    )
    def get(self, request, code: str):
        project = _project(request, code)
        rows = filtered(PaymentFilter(request.query_params, queryset=project_payments(project)))
        return paged_response(request, self, rows, PaymentSerializer)

    @extend_schema(
        operation_id="project_payment_create",
        parameters=[ETAG],
        request=PaymentSerializer,
        responses={201: PaymentSerializer, 400: BAD_REQUEST, **ERRORS},
        examples=[
            OpenApiExample(
                "30 days after acceptance",
                request_only=True,
                value={
                    "name": "到货验收款 30%",
                    "milestone": 12,
                    "amount": "300000.00",
                    "due_condition": "acceptance",
                    "days_after": 30,
                },
            ),
            OpenApiExample(
                "created", response_only=True, status_codes=["201"], value=PAYMENT_EXAMPLE
            ),
            OpenApiExample(
                "refused: above the contract value",
                response_only=True,
                status_codes=["400"],
                value={
                    "amount": [
                        "收款节点金额合计 1,200,000.00 CNY 超过合同金额 1,000,000.00 CNY"
                        "（超出 200,000.00 CNY；其他收款节点已有 900,000.00 CNY）。"
                    ]
                },
            ),
        ],
    )
    def post(self, request, code: str):
        project = _project(request, code)
        services.require_editor(request.user, project)
        data = validated_input(PaymentSerializer, request)
        payment = services.create_payment(project, by=request.user, data=_service_data(data))
        return _render(payment, status.HTTP_201_CREATED)


class PaymentDetailView(APIView):
    """One payment milestone of the project. PATCH changes its terms (the due date is
    recomputed; terms that decide it plan the baseline again) or records the invoice and the
    receipt (received needs invoiced, not before it). DELETE: not once received (409)."""

    @extend_schema(
        operation_id="project_payment_retrieve",
        parameters=[ETAG],
        responses={200: PaymentSerializer, 404: ApiErrorSerializer},
        examples=[OpenApiExample("a payment", response_only=True, value=PAYMENT_EXAMPLE)],
    )
    def get(self, request, code: str, pk: int):
        payment = _payment(request, code, pk)
        return tagged(Response(PaymentSerializer(payment).data), payment)

    @extend_schema(
        operation_id="project_payment_partial_update",
        parameters=[IF_MATCH, ETAG],
        request=PaymentSerializer,
        responses={200: PaymentSerializer, 400: BAD_REQUEST, **CONDITIONAL_ERRORS},
        examples=[
            OpenApiExample("invoiced", request_only=True, value={"invoiced_on": "2026-11-02"}),
            OpenApiExample("received", request_only=True, value={"received_on": "2026-11-20"}),
        ],
    )
    def patch(self, request, code: str, pk: int):
        payment = _payment(request, code, pk)
        services.require_editor(request.user, payment.project)
        data = validated_input(PaymentSerializer, request, partial=True)
        payment = services.update_payment(
            payment.pk,
            by=request.user,
            data=_service_data(data),
            expected_version=if_match(request),
        )
        return _render(payment)

    @extend_schema(
        operation_id="project_payment_destroy",
        parameters=[IF_MATCH],
        responses={204: None, **CONDITIONAL_ERRORS},
    )
    def delete(self, request, code: str, pk: int):
        payment = _payment(request, code, pk)
        services.delete_payment(payment.pk, by=request.user, expected_version=if_match(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
