"""The OpenAPI schema states what the middleware and base classes add to every operation.

The schema is the promise partners code against (and what `make fuzz` holds the server to), so
answers that any operation can give — 401, 406, 413, 429, 500, 503, replays of an Idempotency-Key, X-Request-Id —
are written into every operation here, once, instead of in each view.
"""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import force_instance

ERROR_REF = {"$ref": "#/components/schemas/Error"}
STRING = {"type": "string"}
INTEGER = {"type": "integer"}

REQUEST_ID_HEADER = {
    "X-Request-Id": {
        "schema": STRING,
        "required": True,
        "description": "This request's id (the one sent, if it was 1–128 plain characters, else a new one).",
    }
}
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": {"schema": INTEGER, "description": "Requests allowed per window for this key."},
    "X-RateLimit-Remaining": {"schema": INTEGER, "description": "Requests left in the current window."},
    "X-RateLimit-Reset": {"schema": INTEGER, "description": "Seconds until the window resets."},
}
IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e]+$"},
    "description": "Optional, recommended: a unique value (a UUID) per intended write. A retry with the same "
    "key and body replays the first answer (`Idempotent-Replayed: true`) instead of writing again; with "
    "another body it answers 422; while the first is still running, 409. Kept 24 hours per sub-account.",
}

COMMON_ERRORS = {
    "400": "Invalid request: a parameter, header or the body does not match this schema.",
    "401": "Missing, malformed, unknown, revoked or expired API key.",
    "406": "The Accept header names no type this API answers (it answers `application/json`).",
    "409": "Conflict (duplicate), or a request with the same Idempotency-Key is still running.",
    "411": "A chunked body sent to a server that cannot read one; send a Content-Length.",
    "412": "If-Match does not match the current ETag.",
    "413": "The request body is too large.",
    "414": "The URL is too long.",
    "415": "The body is not `application/json`.",
    "422": "This Idempotency-Key was used with a different request.",
    "429": "Rate limit exceeded for this API key, or too many failed authentications from this address; "
    "retry after `Retry-After` seconds.",
    "431": "A request header is too long, or there are too many.",
    "500": "An unexpected error on our side; quote the `request_id` when reporting it.",
    "503": "Temporarily unavailable (the database cannot be reached); retry after `Retry-After` seconds.",
}
RETRY_AFTER_HEADER = {"Retry-After": {"schema": INTEGER, "required": True, "description": "Seconds to wait."}}
STANDARD_ACTIONS = {"list", "create", "retrieve", "update", "partial_update", "destroy"}


class AutoSchema(openapi.AutoSchema):
    def _is_list_view(self, serializer=None) -> bool:
        # Every list answers the envelope ({"data": [...], ...}) described by its own serializer, never
        # a bare array, so no response is wrapped in `type: array`.
        return False

    def get_operation_id(self):
        """Names that read well in a generated client. drf-spectacular names every GET "retrieve" unless it is a
        list view, and every POST "create": a GET of an extra route here answers a list (`…_messages_list`,
        not `…_messages_retrieve`), and a POST-only extra route is a verb on its own (`deliveries_redeliver`,
        not `deliveries_redeliver_create`)."""
        operation_id = super().get_operation_id()
        action = getattr(self.view, "action", None)
        if action == "list" and operation_id.endswith("_retrieve"):
            return operation_id.removesuffix("_retrieve") + "_list"
        if action is None or action in STANDARD_ACTIONS:
            return operation_id
        methods = set(getattr(getattr(self.view, action, None), "mapping", {}) or {})
        if self.method == "GET" and operation_id.endswith("_retrieve"):
            return operation_id.removesuffix("_retrieve") + "_list"
        if self.method == "POST" and methods == {"post"} and operation_id.endswith("_create"):
            return operation_id.removesuffix("_create")
        return operation_id


class StrictSerializerExtension(OpenApiSerializerExtension):
    """Request bodies that refuse unknown keys say so: `additionalProperties: false`."""

    target_class = "contacts_site.api.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(force_instance(self.target), direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


def _error_response(status: str) -> dict:
    return {"description": COMMON_ERRORS[status], "content": {"application/json": {"schema": ERROR_REF}}}


def _add_error(responses: dict, status: str) -> None:
    responses.setdefault(status, _error_response(status))


def add_common_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: the answers every API operation can give."""
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in ("400", "406", "414", "431", "500", "503"):
                _add_error(responses, status)
            responses["503"]["headers"] = dict(RETRY_AFTER_HEADER)
            authenticated = bool(operation.get("security"))
            if authenticated:
                _add_error(responses, "401")
                _add_error(responses, "429")
                responses["429"]["headers"] = dict(RETRY_AFTER_HEADER)
            if "requestBody" in operation:
                for status in ("400", "411", "413", "415"):
                    _add_error(responses, status)
            if method == "post":
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                    parameters.append(IDEMPOTENCY_KEY_PARAMETER)
                for status in ("400", "409", "422"):
                    _add_error(responses, status)
            for status, response in responses.items():
                headers = response.setdefault("headers", {})
                headers.update(REQUEST_ID_HEADER)
                if authenticated and status != "401":
                    headers.update({name: value for name, value in RATE_LIMIT_HEADERS.items() if name not in headers})
    return result
