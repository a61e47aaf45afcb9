"""Request bodies checked by a serializer, handed to a service as a plain dict."""

from rest_framework.exceptions import ValidationError


def validated_input(serializer_class, request, *, partial: bool = False) -> dict:
    """The body's validated data (400 with the serializer's errors otherwise).

    Serializers check shape only; the service called with this dict decides the rules.
    """
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["expected a JSON object"]})
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
