"""Shared OpenAPI pieces: the error shapes of API.md, ready for @extend_schema(responses=...).

Use these instead of declaring per-app "Error"/"Conflict" serializers: components with the
same name and different classes make drf-spectacular warn and produce a wrong schema.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers

from coordination.api.pagination import (
    COUNT_DESCRIPTION,
    CURSOR,
    CURSOR_DESCRIPTION,
    NEXT_DESCRIPTION,
    SINCE,
    SINCE_DESCRIPTION,
)


class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ApiConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    unmet = serializers.ListField(child=serializers.CharField(), help_text="unmet conditions")


BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Bad input: `{"field": ["message"]}` (`non_field_errors` for the whole body).',
    examples=[OpenApiExample("bad input", value={"business_pm": ["未知的用户名：nobody"]})],
)
UNAUTHORIZED = OpenApiResponse(ApiErrorSerializer, description="No or invalid credentials.")
FORBIDDEN = OpenApiResponse(
    ApiErrorSerializer, description="Known object, action not allowed to you."
)
NOT_FOUND = OpenApiResponse(
    ApiErrorSerializer, description="No such object, or outside what you may see."
)
CONFLICT = OpenApiResponse(
    ApiConflictSerializer,
    description="State conflict or unmet gate: `unmet` lists every unmet condition.",
    examples=[
        OpenApiExample(
            "gate refused",
            value={"detail": "阶段门禁条件未满足。", "unmet": ["里程碑未完成：竣工验收"]},
        )
    ],
)
TOO_LARGE = OpenApiResponse(ApiErrorSerializer, description="Request body too large.")


@extend_schema_serializer(many=False)
class WholeArraySerializer(serializers.ListSerializer):
    """A JSON array body (not paginated) whose OpenAPI examples are the whole array.

    drf-spectacular reads an example of a `many=True` serializer as one item and wraps it in
    an array, so an example written as the array became an array inside an array."""


def whole_array(
    child: serializers.Serializer, max_items: int | None = None
) -> serializers.ListSerializer:
    """`child` many times, as a request body documented with array examples (at most
    `max_items` entries: the view refuses more with a 400)."""
    if max_items is not None:
        _WHOLE_ARRAY_MAX_ITEMS[type(child).__name__.removesuffix("Serializer")] = max_items
    return WholeArraySerializer(child=child, max_length=max_items)


# component name of the row (without "Request") -> the most rows a body may have
_WHOLE_ARRAY_MAX_ITEMS: dict[str, int] = {}


def postprocess_whole_array_bounds(result, generator, request, public):
    """A request body that is a whole array states its `maxItems` (drf-spectacular does not
    carry a top-level ListSerializer's `max_length` into the schema)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for content in operation.get("requestBody", {}).get("content", {}).values():
                schema = content.get("schema", {})
                ref = (
                    schema.get("items", {}).get("$ref", "") if schema.get("type") == "array" else ""
                )
                name = ref.rsplit("/", 1)[-1].removesuffix("Request")
                if name in _WHOLE_ARRAY_MAX_ITEMS:
                    schema.setdefault("maxItems", _WHOLE_ARRAY_MAX_ITEMS[name])
    return result


# `?updated_since=` of a list paged by SyncPagination (which documents `cursor` itself) ...
SINCE_PARAMETER = OpenApiParameter(SINCE, OpenApiTypes.DATETIME, description=SINCE_DESCRIPTION)
# ... and of one paged by SyncPagination by hand (an APIView): its parameters and envelope.
SYNC_PARAMETERS = [
    SINCE_PARAMETER,
    OpenApiParameter(CURSOR, str, description=CURSOR_DESCRIPTION),
    OpenApiParameter("page", int, description="A page number (not with `updated_since`)."),
    OpenApiParameter("page_size", int, description="Rows per page (at most 200)."),
]


def sync_page(name: str, results: serializers.Serializer) -> serializers.Serializer:
    """`{"count", "next", "previous", "results"}`, `count` absent with `updated_since`."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(required=False, help_text=COUNT_DESCRIPTION),
            "next": serializers.URLField(allow_null=True, help_text=NEXT_DESCRIPTION),
            "previous": serializers.URLField(allow_null=True),
            "results": results,
        },
    )


def postprocess_page_not_found(result, generator, request, public):
    """Paginated lists answer 404 for a page past the end (DRF): document it on each of them."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict):
                continue
            params = operation.get("parameters", [])
            if any(p.get("name") == "page" and p.get("in") == "query" for p in params):
                operation.setdefault("responses", {}).setdefault(
                    "404",
                    {
                        "description": "Invalid page (past the last one).",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"detail": {"type": "string"}},
                                    "required": ["detail"],
                                }
                            }
                        },
                    },
                )
    return result


TIME_PATTERN = r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"


def postprocess_local_time(result, generator, request, public):
    """Times of day are local ("09:00:00", no offset); JSON Schema's `format: time` demands an
    offset (RFC 3339), so validators reject what we send. Describe them by a pattern instead."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                node.pop("format")
                node["pattern"] = TIME_PATTERN
                node.setdefault("example", "09:00:00")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result.get("components", {}))
    walk(result.get("paths", {}))
    return result


# ------------------------------------------------------------------ every status, documented
IF_MATCH_DESCRIPTION = (
    '可选。上次读取该记录时得到的 ETag（如 `"v3"`）。记录在此之后已被修改时返回 412，'
    "不做任何更改；不带此头的写入照常接受。"
)
_ERROR_REF = {"$ref": "#/components/schemas/ApiError"}
_ANY_OBJECT = {"type": "object", "additionalProperties": {}}
_WRITES = ("post", "put", "patch")
# status: (description, body schema), added where an operation can answer it
_CENTRAL = {
    "400": (
        'Bad input: `{"field": ["message"]}` naming the field or query parameter '
        "(`non_field_errors` for the whole body); also a control character in any query "
        "parameter.",
        _ANY_OBJECT,
    ),
    "401": ("No or invalid credentials.", _ERROR_REF),
    "403": (
        "Known object, action not allowed to you (or an API client's missing scope).",
        _ERROR_REF,
    ),
    "404": ("No such object, or outside what you may see (also a malformed id).", _ERROR_REF),
    "412": (
        "If-Match is stale: the record changed since it was read. Nothing was changed; the "
        "`ETag` header carries the current version.",
        _ERROR_REF,
    ),
    "413": ("Request body too large (over DATA_UPLOAD_MAX_MEMORY_SIZE).", _ERROR_REF),
    "415": ("The body is not of a type this operation accepts (JSON).", _ERROR_REF),
    "429": ("Throttled (per ERP API client or per user); see the Retry-After header.", _ERROR_REF),
}


RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}


WWW_AUTHENTICATE_HEADER = {
    "description": "`Token`: the scheme to authenticate with (`Authorization: Token <key>`).",
    "schema": {"type": "string", "enum": ["Token"]},
}
# the header every response of that status carries, documented on each of them
_HEADERS = {
    "401": ("WWW-Authenticate", WWW_AUTHENTICATE_HEADER),
    "429": ("Retry-After", RETRY_AFTER_HEADER),
}


def _error_response(status: str) -> dict:
    description, body = _CENTRAL[status]
    response = {"description": description, "content": {"application/json": {"schema": body}}}
    if status in _HEADERS:
        name, header = _HEADERS[status]
        response["headers"] = {name: header}
    return response


def _authenticated(operation) -> bool:
    security = operation.get("security")
    return bool(security) and any(requirement for requirement in security)


def statuses_for(method: str, operation: dict) -> list[str]:
    """The error statuses the shared machinery can answer on this operation (API.md)."""
    parameters = operation.get("parameters", [])
    statuses = ["400", "429"]  # any query parameter; every route is throttled
    if _authenticated(operation):
        statuses += ["401", "403"]  # IsAuthenticated, ApiClientScopes, WritesNeedWriter
    if any(p.get("in") == "path" for p in parameters):
        statuses.append("404")
    if method in _WRITES or "requestBody" in operation:
        # coordination.api.authentication.BodyIsParsed parses any body a write is sent,
        # also where none is declared: not JSON is 415, past DATA_UPLOAD_MAX_MEMORY_SIZE 413
        statuses += ["413", "415"]
    if any(p.get("in") == "header" and p.get("name") == "If-Match" for p in parameters):
        statuses.append("412")
    return statuses


def postprocess_error_statuses(result, generator, request, public):
    """drf-spectacular hook: every operation under /api/v1/ documents each status the shared
    machinery can answer, as a JSON object; an operation answering 412 declares If-Match.

    401 on every operation needing authentication (with `WWW-Authenticate`), 413 and 415 on
    every write and every operation with a body, 429 everywhere (with `Retry-After`).

    Views document what their own services answer (409 of a gate, 403 of a rule); what every
    route gets from the doors in front (authentication, scopes, the query check, parsers,
    throttles, URL matching) is added here once, so new endpoints inherit it."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "ApiError",
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    )
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "412" in responses:
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "If-Match" for p in parameters):
                    parameters.append(
                        {
                            "in": "header",
                            "name": "If-Match",
                            "schema": {"type": "string"},
                            "required": False,
                            "description": IF_MATCH_DESCRIPTION,
                        }
                    )
            for status in statuses_for(method, operation):
                response = responses.setdefault(status, _error_response(status))
                response.setdefault("content", _error_response(status)["content"])
            # also where a view documented its own (e.g. the token endpoint's 401)
            for status, response in responses.items():
                if status in _HEADERS:
                    name, header = _HEADERS[status]
                    response.setdefault("headers", {}).setdefault(name, header)
                if status in _CENTRAL and not response.get("description"):
                    response["description"] = _CENTRAL[status][0]
    return result


# ------------------------------------------------------------------ what the linter reads
def postprocess_integer_format(result, generator, request, public):
    """Every integer states its width: ids are bigints and no number we store or count is
    wider, so an integer without a format is `int64` (OWASP API4: unrestricted resources)."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "integer":
                node.setdefault("format", "int64")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result.get("components", {}))
    walk(result.get("paths", {}))
    return result


TAG_DESCRIPTIONS = {"erp": "ERP integration: upserts keyed by ERP id, bulk upserts."}


def postprocess_tags(result, generator, request, public):
    """Declare each tag the operations use, once, in the document's `tags` (sorted)."""
    used = sorted(
        {
            tag
            for operations in result.get("paths", {}).values()
            for operation in operations.values()
            if isinstance(operation, dict)
            for tag in operation.get("tags", [])
        }
    )
    declared = {t["name"]: t for t in result.get("tags", [])}
    result["tags"] = [
        declared.get(name)
        or {"name": name, "description": TAG_DESCRIPTIONS.get(name, f"`/api/v1/{name}…`")}
        for name in used
    ]
    return result
