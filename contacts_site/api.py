"""What every API endpoint shares: one error shape, the list envelope, strict query parameters."""

import logging
from http import HTTPStatus

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    """409: the write would duplicate something unique; `conflicts` says what and where."""

    status_code = HTTPStatus.CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with an existing object."

    def __init__(self, detail=None, *, conflicts: list[dict] | None = None):
        super().__init__(detail)
        self.conflicts = conflicts or []


ERROR_CODES = {
    400: "validation_error",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    429: "rate_limited",
    500: "server_error",
}


def error_body(status: int, message: str, *, code: str | None = None, **extra) -> dict:
    return {"error": {"status": status, "code": code or ERROR_CODES.get(status, "error"), "message": message, **extra}}


def _flatten(detail) -> list[str] | dict:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [str(item) for item in detail]
        return {str(index): _flatten(item) for index, item in enumerate(detail) if item}
    return [str(detail)]


def _validation_body(detail) -> dict:
    if not isinstance(detail, dict):
        messages = _flatten(detail)
        return error_body(400, " ".join(messages) if isinstance(messages, list) else "Invalid input.")
    fields = _flatten(detail)
    general = fields.pop("non_field_errors", None) or fields.pop("__all__", None)
    message = " ".join(general) if general else "Some fields are invalid."
    return error_body(400, message, **({"fields": fields} if fields else {}))


def exception_handler(exc, context):
    """The one place that turns an exception into the API's error shape (`{"error": {...}}`)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(serializers.as_serializer_error(exc))

    if isinstance(exc, exceptions.ValidationError):
        return Response(_validation_body(exc.detail), status=400)
    if isinstance(exc, exceptions.ParseError):
        return Response(error_body(400, str(exc.detail), code="malformed_json"), status=400)
    if isinstance(exc, Conflict):
        return Response(error_body(409, str(exc.detail), conflicts=exc.conflicts), status=409)
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))
        status = exc.status_code
        if status == 401:
            view = context.get("view")
            request = context.get("request")
            if view is not None and request is not None:
                headers["WWW-Authenticate"] = view.get_authenticate_header(request) or "Bearer"
        code = ERROR_CODES.get(status) or (exc.get_codes() if isinstance(exc.get_codes(), str) else "error")
        return Response(error_body(status, str(exc.detail), code=code), status=status, headers=headers)

    logger.exception("Unhandled error in API view", exc_info=exc)
    return Response(error_body(500, "Something went wrong on our side."), status=500)


def json_error_view(status: int, message: str):
    def view(request, exception=None):
        return JsonResponse(error_body(status, message), status=status)

    return view


class StrictIntegerField(serializers.IntegerField):
    """An integer query parameter: digits only (no `1.0`, no blanks), so bad paging is a 400, not a guess."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip().lstrip("-").isdigit():
            self.fail("invalid")
        return super().to_internal_value(data)


class PageParams(serializers.Serializer):
    limit = StrictIntegerField(min_value=1, max_value=100, default=25)
    offset = StrictIntegerField(min_value=0, default=0)


def parse_query(serializer_class, request, **kwargs) -> dict:
    """Validate query parameters with a serializer; a bad value answers 400 naming the parameter."""
    serializer = serializer_class(data=request.query_params, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def page_params(request, *, default_limit: int = 25) -> tuple[int, int]:
    params = PageParams(data=request.query_params)
    params.fields["limit"].default = default_limit
    params.is_valid(raise_exception=True)
    return params.validated_data["limit"], params.validated_data["offset"]


def paginated_response(request, queryset, serialize, *, default_limit: int = 25) -> Response:
    """The list envelope: `{"data", "total", "limit", "offset", "has_more"}`, in two queries."""
    limit, offset = page_params(request, default_limit=default_limit)
    total = queryset.count()
    page = list(queryset[offset : offset + limit]) if offset < total else []
    return Response(
        {
            "data": [serialize(item) for item in page],
            "total": total,
            "limit": limit,
            "offset": offset,
            "has_more": offset + len(page) < total,
        }
    )


class ErrorDetailSchema(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    conflicts = serializers.ListField(child=serializers.DictField(), required=False)


class ErrorSchema(serializers.Serializer):
    """The one error shape of the API, for the OpenAPI schema."""

    error = ErrorDetailSchema()


def error_responses(*statuses: int) -> dict:
    """`responses=` entries for extend_schema: every listed status answers the error shape."""
    return {status: ErrorSchema for status in statuses}


def list_envelope_schema(name: str, item_serializer) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "data": item_serializer(many=True),
            "total": serializers.IntegerField(),
            "limit": serializers.IntegerField(),
            "offset": serializers.IntegerField(),
            "has_more": serializers.BooleanField(),
        },
    )


def filterset_parameters(filterset_class) -> list[OpenApiParameter]:
    """The query parameters of a django-filter FilterSet for extend_schema (it cannot read a FilterSet itself)."""
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        choices = filter_.extra.get("choices")
        parameters.append(
            OpenApiParameter(
                name,
                str,
                description=str(filter_.extra.get("help_text") or ""),
                enum=[value for value, _ in choices] if choices and not callable(choices) else None,
                many=isinstance(filter_, django_filters.MultipleChoiceFilter),
                explode=True if isinstance(filter_, django_filters.MultipleChoiceFilter) else None,
            )
        )
    return parameters
