"""gunicorn reads ./gunicorn.conf.py by itself: settings every deployment of this app needs.

The application enforces the request limits itself, so that their answers have the API's error shape and
an X-Request-Id (contacts_site.middleware.RequestSizeLimitMiddleware): a URL over MAX_URL_BYTES → 414, a
header line over 8190 bytes or more than 100 headers → 431, a body over DATA_UPLOAD_MAX_MEMORY_SIZE → 413.
gunicorn's own caps are raised above those (its answers are bare HTML pages without X-Request-Id), and
stay as a backstop against a header section that would fill the worker's memory.

What gunicorn still answers itself, before the application sees a request (see docs/reliability.md):
a request it cannot parse as HTTP (a negative or non-numeric Content-Length, both Content-Length and
Transfer-Encoding, a malformed request line or header name) → 400; a header line over 64 KB or more
than 1000 headers → 431/400. A reverse proxy in front should refuse these first with its own error page
and log them (nginx: large_client_header_buffers 4 16k; it rejects a bad Content-Length with 400).
"""

limit_request_line = 0
limit_request_field_size = 64 * 1024
limit_request_fields = 1000
