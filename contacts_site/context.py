"""The id of the request being served, reachable from anywhere on its thread (error bodies, logs)."""

import logging
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served on this thread, or None outside a request."""
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Gives every log record a `request_id` attribute ("-" outside a request), for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True
