"""Through a real gunicorn: chunked bodies are read or refused, never acknowledged unread; header limits answer
in our shape.

Django's test client cannot send a chunked body or raw headers, so these go through a real gunicorn (the
last test pins one answer that gunicorn gives itself, as gunicorn.conf.py documents).
"""

import http.client
import json
from http import HTTPStatus

import pytest

from tests.live_gunicorn import running_gunicorn


def _send(port: int, key: str, method: str, path: str, chunks: list[bytes]) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            method,
            path,
            body=iter(chunks),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server per module: starting it costs seconds."""
    with running_gunicorn(tmp_path_factory.mktemp("gunicorn")) as port_and_key:
        yield port_and_key


def test_a_chunked_post_is_read(server):
    port, key = server

    status, body = _send(port, key, "POST", "/api/v1/contacts", [b'{"name": ', b'"Ada"}'])

    assert status == HTTPStatus.CREATED
    assert body["name"] == "Ada"


def test_a_chunked_patch_changes_what_it_says(server):
    port, key = server
    _, created = _send(port, key, "POST", "/api/v1/contacts", [b'{"name": "Ada"}'])

    status, body = _send(port, key, "PATCH", f"/api/v1/contacts/{created['id']}", [b'{"name": "changed"}'])

    assert status == HTTPStatus.OK
    assert body["name"] == "changed"


def test_a_chunked_body_over_the_size_limit_answers_413(server):
    port, key = server
    chunk = b" " * 64 * 1024

    status, body = _send(port, key, "POST", "/api/v1/contacts", [b'{"name": "Ada"', *[chunk] * 20, b"}"])

    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert body["error"]["code"] == "payload_too_large"


def _raw(port: int, request: bytes) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_header_over_8_kb_answers_431_from_the_app_in_the_error_shape(server):
    port, key = server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/api/v1/contacts", headers={"Authorization": f"Bearer {key}", "X-Big": "x" * 9000})
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()

    assert response.status == HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
    assert body["error"]["code"] == "headers_too_large"
    assert response.getheader("X-Request-Id") == body["error"]["request_id"]


def test_a_negative_content_length_is_refused_by_the_server_with_400(server):
    port, key = server
    request = (
        f"POST /api/v1/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        "Content-Type: application/json\r\nContent-Length: -5\r\nConnection: close\r\n\r\n"
    ).encode()

    assert _raw(port, request).startswith(b"HTTP/1.1 400 ")
