"""A real HTTP receiver on loopback, in a thread, for the delivery tests."""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


class Receiver:
    """Records every POST. `statuses` scripts the answers in order (then 200); `delay` slows each answer."""

    def __init__(self, *, statuses=(), delay: float = 0.0, body: bytes = b"thanks"):
        self.received: list[Received] = []
        self.cut_off = 0  # requests whose body never fully arrived, so never received
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.statuses = list(statuses)
        self.delay = delay
        self.body = body
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = -1  # one write per answer, flushed by the server at the end of each request

            def do_POST(self):
                expected_length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(expected_length)
                if len(body) < expected_length:
                    # The sender died between its headers and the end of its body (a worker killed
                    # mid-send). A real server drops such a request unanswered; so does this one.
                    with receiver._lock:
                        receiver.cut_off += 1
                    self.close_connection = True
                    return
                with receiver._lock:
                    receiver.first_at = receiver.first_at or time.monotonic()
                    receiver.last_at = time.monotonic()
                    receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body, self.path))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("content-length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            def log_message(self, format, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a worker killed mid-request resets its connection; that is the test, not a failure

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def verified(self, secret: str) -> list[dict]:
        """Every request's body, each checked with the independent `standardwebhooks` library."""
        return [Webhook(secret).verify(request.body, request.headers) for request in self.received]

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"Received {len(self.received)} requests, expected {count}")
            time.sleep(0.01)
