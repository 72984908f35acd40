"""What every API endpoint shares: one error shape, the list envelope, strict query parameters and bodies."""

import logging
import math
import re
from datetime import datetime
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.http import parse_etags
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.metadata import SimpleMetadata
from rest_framework.response import Response

from contacts_site.context import current_request_id
from contacts_site.errors import Conflict, DomainError, NotFound, NotYours, StaleVersion
from contacts_site.validation import validate_text

logger = logging.getLogger(__name__)

INTEGER_TEXT = re.compile(r"-?[0-9]{1,18}")
DIGITS_TEXT = re.compile(r"-?[0-9]+")


class IdempotencyMismatch(exceptions.APIException):
    """422: an Idempotency-Key reused with a different request."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    api_code = "idempotency_mismatch"
    default_detail = "This Idempotency-Key was already used with a different request."


class IdempotencyInProgress(exceptions.APIException):
    """409: the first request with this Idempotency-Key has not finished yet."""

    status_code = HTTPStatus.CONFLICT
    api_code = "idempotency_in_progress"
    default_detail = "A request with this Idempotency-Key is still being processed; retry later."


ERROR_CODES = {
    400: "validation_error",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    411: "length_required",
    412: "precondition_failed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    429: "rate_limited",
    431: "headers_too_large",
    500: "server_error",
    503: "service_unavailable",
}

# What a client waits before retrying when a backing service (the database, the shared cache) cannot be
# reached: long enough for a failover or a restart to finish, short enough that a load balancer does not give
# up on the instance.
SERVICE_UNAVAILABLE_RETRY_AFTER = 5
SERVICE_UNAVAILABLE_MESSAGE = "The service is temporarily unavailable; retry shortly."
SERVICE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
try:  # Redis is the shared cache (rate limits) where REDIS_URL is set; its outage is transient too.
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    SERVICE_UNAVAILABLE_ERRORS += (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover - redis is in requirements.txt
    pass


def error_body(status: int, message: str, *, code: str | None = None, **extra) -> dict:
    """The API's error shape. `request_id` (also the answer's X-Request-Id) lets a caller quote the failure."""
    return {
        "error": {
            "status": status,
            "code": code or ERROR_CODES.get(status, "error"),
            "message": message,
            **extra,
            "request_id": current_request_id(),
        }
    }


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


# Each domain error's answer: (status, code). The most specific class that matches wins.
DOMAIN_ERROR_STATUSES: list[tuple[type[DomainError], int]] = [
    (NotFound, HTTPStatus.NOT_FOUND),
    (Conflict, HTTPStatus.CONFLICT),
    (StaleVersion, HTTPStatus.PRECONDITION_FAILED),
    (NotYours, HTTPStatus.FORBIDDEN),
    (DomainError, HTTPStatus.BAD_REQUEST),
]


def _domain_error_response(exc: DomainError) -> Response:
    status = next(status for error_class, status in DOMAIN_ERROR_STATUSES if isinstance(exc, error_class))
    extra = {"conflicts": exc.conflicts} if isinstance(exc, Conflict) and exc.conflicts else {}
    return Response(error_body(status, exc.message, **extra), status=status)


def service_unavailable_response(response_class=JsonResponse):
    """503 + Retry-After: a transient outage of the database or the cache, not a bug, so that clients and load
    balancers retry."""
    response = response_class(error_body(503, SERVICE_UNAVAILABLE_MESSAGE), status=503)
    response["Retry-After"] = str(SERVICE_UNAVAILABLE_RETRY_AFTER)
    return response


def suspicious_request_response(exc: SuspiciousOperation, response_class=JsonResponse):
    """A request Django refuses to parse (too many parameters, a body too large, …) as a 4xx in the error shape."""
    if isinstance(exc, TooManyFieldsSent):
        status, message = 400, f"Too many parameters: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} are read."
    elif isinstance(exc, RequestDataTooBig):
        status, message = 413, f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    else:
        status, message = 400, "Bad request."
    return response_class(error_body(status, message), status=status)


def exception_handler(exc, context):
    """The one place that turns an exception into the API's error shape (`{"error": {...}}`)."""
    if isinstance(exc, DomainError):
        return _domain_error_response(exc)
    if isinstance(exc, SERVICE_UNAVAILABLE_ERRORS):
        logger.error("Backing service unavailable in API view", exc_info=exc)
        return service_unavailable_response(Response)
    if isinstance(exc, SuspiciousOperation):
        # Django's request-parsing limits: the caller's request, not our code, is at fault.
        return suspicious_request_response(exc, Response)
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
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            # Rounded up: retrying after the floor of the wait would be refused again.
            headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))
        status = exc.status_code
        if status == 401:
            view = context.get("view")
            request = context.get("request")
            if view is not None and request is not None:
                headers["WWW-Authenticate"] = view.get_authenticate_header(request) or "Bearer"
        code = (
            getattr(exc, "api_code", None)
            or ERROR_CODES.get(status)
            or (exc.get_codes() if isinstance(exc.get_codes(), str) else "error")
        )
        return Response(error_body(status, str(exc.detail), code=code), status=status, headers=headers)

    logger.exception("Unhandled error in API view", exc_info=exc)
    return Response(error_body(500, "Something went wrong on our side."), status=500)


def if_match_etags(request) -> list[str] | None:
    """The entity tags of the request's `If-Match` header, or None when it has none (unconditional write)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    return parse_etags(header)


def json_error_view(status: int, message: str):
    def view(request, exception=None):
        return JsonResponse(error_body(status, message), status=status)

    return view


class APIMetadata(SimpleMetadata):
    """OPTIONS answers name, description and media types; the OpenAPI schema is where fields are described
    (DRF's default introspects a `serializer_class`, which our viewsets do not have)."""

    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "schema": "/api/schema/",
        }


class BlankIsAValueMixin:
    """DRF reads a blank query value (`?limit=`) as "absent, use the default"; we report it instead."""

    def get_value(self, dictionary):
        if self.field_name in dictionary and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


class TextCharField(serializers.CharField):
    """DRF's CharField with the service's text rule (contacts_site.validation) in place of DRF's own NUL check,
    so that one problem gets one message on every door."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            validate_text if isinstance(validator, ProhibitNullCharactersValidator) else validator
            for validator in self.validators
        ]


class QueryCharField(BlankIsAValueMixin, TextCharField):
    pass


class QueryChoiceField(BlankIsAValueMixin, serializers.ChoiceField):
    """A choice query parameter: `?bom=` is not one of the choices, rather than "absent, use the default"."""


class StrictIntegerField(BlankIsAValueMixin, serializers.IntegerField):
    """An integer query parameter: digits only (no `1.0`, no blanks), so bad paging is a 400, not a guess."""

    def to_internal_value(self, data):
        # ASCII digits only: str.isdigit() would also let "٣" or "²" through.
        if isinstance(data, str) and not INTEGER_TEXT.fullmatch(data):
            # An integer, only too long to read: say the bound it is past, not that it is no integer.
            if DIGITS_TEXT.fullmatch(data):
                if data.startswith("-") and self.min_value is not None:
                    self.fail("min_value", min_value=self.min_value)
                if not data.startswith("-") and self.max_value is not None:
                    self.fail("max_value", max_value=self.max_value)
            self.fail("invalid")
        return super().to_internal_value(data)


def iso_datetime(value: datetime | None) -> str | None:
    """A timestamp as every API answer writes it: ISO 8601, UTC as `Z`."""
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


class StrictCharField(TextCharField):
    """A JSON string and nothing else: numbers and booleans are not silently turned into text."""

    # The model layer's words for the same rule (DRF's own say "may not be blank").
    default_error_messages = {"blank": "This field cannot be blank."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, naming read-only ones as such, instead of silently ignoring them."""

    read_only_names: tuple[str, ...] = ()

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        unknown = {}
        for key in data:
            if key not in self.fields:
                unknown[key] = ["This field is read-only." if key in self.read_only_names else "Unknown field."]
        if unknown:
            raise serializers.ValidationError(unknown)
        return super().to_internal_value(data)


class ModelCheckedTextField(StrictCharField):
    """A string that must not be blank, where the model says so: "" goes through to the model layer, which
    reports it together with every other problem of the request (DRF would stop at the first)."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            return data
        return super().run_validation(data)


@extend_schema_field(
    {
        "type": "object",
        "description": "Messages by field name; a list's or object's items nest by index or key.",
        "additionalProperties": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]},
    }
)
class FieldErrorsField(serializers.DictField):
    pass


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = FieldErrorsField(required=False)
    conflicts = serializers.ListField(child=serializers.DictField(), required=False)
    request_id = serializers.CharField(help_text="The answer's X-Request-Id: quote it when reporting a problem.")


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API, for the OpenAPI schema."""

    error = ErrorDetailSerializer()


def error_responses(*statuses: int) -> dict:
    """`responses=` entries for extend_schema: every listed status answers the error shape."""
    return {status: ErrorSerializer for status in statuses}


def list_envelope_schema(name: str, item_serializer) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "data": item_serializer(many=True),
            "total": serializers.IntegerField(help_text="Exact, or a lower bound when total_exact is false"),
            "total_exact": serializers.BooleanField(),
            "limit": serializers.IntegerField(),
            "offset": serializers.IntegerField(allow_null=True, help_text="null on a cursor page"),
            "has_more": serializers.BooleanField(),
            "next_cursor": serializers.CharField(allow_null=True, help_text="Pass as ?cursor= for the next page"),
        },
    )


def strip_optional_trailing_slash(endpoints, **kwargs):
    """drf-spectacular hook: document `/api/v1/contacts`, not the router's `/api/v1/contacts/` regex form."""
    return [(path.rstrip("/") if path != "/" else path, *rest) for path, *rest in endpoints]
