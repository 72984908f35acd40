"""gunicorn reads ./gunicorn.conf.py by itself: settings every deployment of this app needs.

The application answers an overlong URL with 414 in the API's error shape (contacts_site.middleware,
MAX_URL_BYTES); gunicorn's own cap (at most 8190 bytes) would answer first, with an HTML page. Keep a
proxy's request-line cap in front in production as usual (nginx: large_client_header_buffers).
"""

limit_request_line = 0
