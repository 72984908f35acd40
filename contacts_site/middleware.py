"""Request-wide guards that sit in front of every view: request ids, the request log line, body size.

`RequestIdMiddleware` goes first in MIDDLEWARE, so every answer, whichever layer produced it (a 413
below, Django's 404, a DRF error, a page), carries `X-Request-Id`.
"""

import io
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.wsgi import LimitedStream
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import Http404, HttpResponse, JsonResponse
from django.views import defaults

from contacts_site.actions import act, action_scope
from contacts_site.api import error_body
from contacts_site.context import request_id_var
from contacts_site.errors import NotFound, NotYours

REQUEST_ID_HEADER = "X-Request-Id"
# A caller's id is kept only if it is short and plain: it ends up in logs and headers, so no spaces,
# quotes, control characters or anything that could forge a log line.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

request_logger = logging.getLogger("contacts_site.request")


def _request_id_from(request) -> str:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    if SANE_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Tags the request with an id (the caller's `X-Request-Id` if sane, else a new one), echoes it in
    the answer, and writes one log line per request: method, path, status, duration, request id.

    The line never holds the query string or any header: the API key travels in `Authorization`
    and must never reach a log in clear.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _request_id_from(request)
        request.request_id = request_id
        # Cleared on request_finished, not here: Django logs a 4xx/5xx ("Not Found: …") after the
        # middleware has returned, and that line belongs to this request too.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        request_logger.info(
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
            extra={"request_id": request_id, "status_code": response.status_code},
        )
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs):
    request_id_var.set(None)


# A path that holds a control character names nothing we serve (ids are printable), and NUL in particular
# would reach PostgreSQL, which refuses it in text with an error (a 500) rather than "no such row".
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


# Per request: how many header fields, and how long one "Name: value" line may be (gunicorn's defaults).
MAX_HEADER_FIELDS = 100
MAX_HEADER_BYTES = 8190


class RequestSizeLimitMiddleware:
    """Refuses a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (413) or a URL longer than MAX_URL_BYTES (414)
    before anything reads them, in the API's error shape under /api/ and as plain text elsewhere.

    Django enforces the body limit only when `request.body` is read; DRF's parsers read the stream
    directly, so without this an API request could make the server buffer any size it is sent.

    Also: too many or too long headers answer 431; a path holding a control character (`/contacts/a%00b/`, an
    admin change page, …) is a 404 before any view looks it up; a chunked body is read here (within the limit)
    since Django only reads a body of a declared Content-Length and would otherwise see an empty one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        body_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # File uploads (an import's CSV) stream to a temporary file, not memory: they get their own limit.
        if request.path.startswith(settings.FILE_UPLOAD_PATHS) and request.META.get("CONTENT_TYPE", "").startswith(
            "multipart/form-data"
        ):
            body_limit = settings.FILE_UPLOAD_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        url_length = len(request.META.get("PATH_INFO", "").encode()) + len(request.META.get("QUERY_STRING", ""))
        if body_limit is not None and length > body_limit:
            return self._refuse(request, 413, f"The request body is larger than {body_limit} bytes.")
        if url_length > settings.MAX_URL_BYTES:
            return self._refuse(request, 414, f"The URL is longer than {settings.MAX_URL_BYTES} bytes.")
        if oversized_header := self._oversized_header(request.META):
            return self._refuse(request, 431, oversized_header)
        if CONTROL_CHARACTER.search(request.path_info):
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(404, "No such endpoint or object."), status=404)
            return defaults.page_not_found(request, Http404())
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            refusal = self._read_chunked_body(request, body_limit)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def _oversized_header(meta) -> str | None:
        """Why the headers are too large, or None. These are gunicorn's default limits, enforced here so that the
        answer has our shape and X-Request-Id; gunicorn.conf.py raises gunicorn's own above them."""
        headers = [(name, value) for name, value in meta.items() if name.startswith("HTTP_")]
        if len(headers) > MAX_HEADER_FIELDS:
            return f"More than {MAX_HEADER_FIELDS} request headers."
        for name, value in headers:
            if len(name) - len("HTTP_") + 2 + len(str(value).encode("latin-1", "replace")) > MAX_HEADER_BYTES:
                return f"A request header is longer than {MAX_HEADER_BYTES} bytes."
        return None

    def _read_chunked_body(self, request, body_limit: int | None):
        """Reads a `Transfer-Encoding: chunked` body into memory and declares its length, so that Django and
        DRF read it like any other. A server that does not de-chunk (`wsgi.input_terminated` unset, such as
        runserver) cannot give us the body: 411 rather than acknowledging a write we never read."""
        if not request.META.get("wsgi.input_terminated"):
            return self._refuse(request, 411, "Send the body with a Content-Length; chunked bodies are not read here.")
        stream = request.META["wsgi.input"]
        body = stream.read() if body_limit is None else stream.read(body_limit + 1)
        if body_limit is not None and len(body) > body_limit:
            return self._refuse(request, 413, f"The request body is larger than {body_limit} bytes.")
        request.META["CONTENT_LENGTH"] = str(len(body))
        request._stream = LimitedStream(io.BytesIO(body), len(body))
        return None

    @staticmethod
    def _refuse(request, status: int, message: str):
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(status, message), status=status)
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RateLimitHeadersMiddleware:
    """Copies the caller's rate-limit state (set by the API throttle) onto the answer as X-RateLimit-*."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = getattr(request, "rate_limit", None)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        return response


class DomainErrorMiddleware:
    """A page whose object a concurrent request deleted answers the not-found page, as it would a moment
    later: the service's NotFound becomes Django's Http404, NotYours its 403 (the API's exception handler maps
    them itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, NotYours):
            raise PermissionDenied(exception.message) from exception


class ActingMiddleware:
    """Who acts, for the recorded changes of a contact (contacts_site.actions): each request runs in a fresh
    action scope, so nothing one request set survives into the next one the worker thread serves.

    A staff page acts as its signed-in user (source `ui`), the Django admin as its user (`admin`). The API's
    actor is its key, known only after DRF's authentication: `accounts.api.TenantScopedViewSet` sets it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with action_scope():
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The API reads no session: asking for request.user there would cost a session read per request.
        if request.path_info.startswith("/api/") or not request.user.is_authenticated:
            return
        user = request.user
        namespace = request.resolver_match.namespace if request.resolver_match else ""
        act(
            source="admin" if namespace.split(":")[0] == "admin" else "ui",
            user_id=user.pk,
            actor_label=user.get_full_name() or user.get_username(),
        )
