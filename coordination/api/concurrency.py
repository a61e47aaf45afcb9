"""ETag and If-Match on the records two people may edit (API.md: `412` on a stale If-Match).

A record's ETag is `"v<edit_version>"` (coordination.core.concurrency). It comes with every
read of the record and with the answer of every write to it. A write may send it back in
`If-Match`; the service compares it under the row lock and, when the record has changed
since, refuses with StaleWrite, which coordination.api.exceptions answers with
`412 {"detail"}` and the current ETag, having changed nothing. A write without If-Match is
accepted as before; `If-Match: *` matches any version.
"""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from coordination.api.schema import IF_MATCH_DESCRIPTION, ApiErrorSerializer

TAG = re.compile(r'^"v(\d{1,9})"$')


def etag(record) -> str:
    return f'"v{record.edit_version}"'


def tagged(response, record):
    """`response` with the ETag of `record` as saved (read it again after a write)."""
    response["ETag"] = etag(record)
    return response


def if_match(request) -> frozenset[int] | None:
    """The versions the request's If-Match names; None: no header, or `*` (no check).

    A tag that is not one of ours (a weak tag, another server's, garbage) names no version,
    so it matches nothing and the write is refused with 412, as HTTP's strong comparison
    asks; it never reaches the database as a number."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    versions = set()
    for part in raw.split(","):
        found = TAG.match(part.strip())
        if found:
            versions.add(int(found.group(1)))
    return frozenset(versions)


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=IF_MATCH_DESCRIPTION,
)
ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201, 412],
    description='记录当前版本的标签（如 `"v4"`），修改时放在 If-Match 中发回；412 时为最新版本。',
)
PRECONDITION_FAILED = OpenApiResponse(
    ApiErrorSerializer,
    description=(
        "If-Match is stale: the record changed since it was read. Nothing was changed; the "
        "`ETag` header carries the current version."
    ),
    examples=[
        OpenApiExample(
            "stale If-Match",
            value={"detail": "这条记录在你读取之后已被别人修改，本次保存未生效。"},
        )
    ],
)
