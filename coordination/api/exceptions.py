"""Map domain and Django errors onto the API's error contract (API.md)."""

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from coordination.api.concurrency import tagged
from coordination.core.exceptions import Conflict, StaleWrite


def validation_error_dict(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    response = _error_response(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        # errors are JSON whatever was negotiated (`?format=csv`, the browsable API): the
        # CSV or HTML rendering of an error dict is no answer an ERP can read (API.md)
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def _error_response(exc, context):
    if isinstance(exc, StaleWrite):  # a Conflict too: the more precise answer first
        response = Response({"detail": exc.detail}, status=status.HTTP_412_PRECONDITION_FAILED)
        return tagged(response, exc.record) if exc.record is not None else response
    if isinstance(exc, Conflict):
        return Response({"detail": exc.detail, "unmet": exc.unmet}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": _("请求体过大。")}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        )
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_dict(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # ValidationError(["…"]) (DRF's search filter raises one): API.md promises an object
        response.data = {"non_field_errors": response.data}
    return response
