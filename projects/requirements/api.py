"""API of the requirement parser (API.md): `POST /api/v1/requirements/parse/` `{"text"}`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.api.schema import ApiErrorSerializer

from .parser import MAX_TEXT, parse


class ParseInput(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_TEXT, trim_whitespace=True)


Quantity = inline_serializer(
    "RequirementQuantity",
    {"value": serializers.CharField(), "unit": serializers.CharField()},
    many=True,
)
Amount = inline_serializer(
    "RequirementAmount",
    {"value": serializers.CharField(), "currency": serializers.CharField()},
    many=True,
)
ItemSerializer = inline_serializer(
    "RequirementItem",
    {
        "text": serializers.CharField(),
        "start": serializers.IntegerField(),
        "end": serializers.IntegerField(),
        "category": serializers.CharField(),
        "quantities": Quantity,
        "dates": serializers.ListField(child=serializers.CharField()),
        "amounts": Amount,
        "standards": serializers.ListField(child=serializers.CharField()),
        "responsible": serializers.CharField(),
        "vague_terms": serializers.ListField(child=serializers.CharField()),
    },
    many=True,
)
ParseOutput = inline_serializer("RequirementParse", {"items": ItemSerializer})


class ParseRequirementsView(APIView):
    """Split a customer's requirement text (Chinese or English, up to 20,000 characters) into
    items and read each: handover category, quantities with units, dates (ISO, or the
    relative phrase as written), money amounts (in the currency's unit: 120万元 is 1200000),
    standards cited, the responsible side where stated (customer, business, engineering,
    contractor) and the vague terms that make it unmeasurable. Stores nothing."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="requirements_parse",
        request=ParseInput,
        responses={200: ParseOutput, 400: ApiErrorSerializer},
        tags=["requirements"],
        examples=[
            OpenApiExample(
                "requirement text",
                request_only=True,
                value={"text": "签约后30天内完成20台水泵的安装，尽快提交调试报告。"},
            )
        ],
    )
    def post(self, request):
        data = ParseInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"items": [item.as_dict() for item in parse(data.validated_data["text"])]})
