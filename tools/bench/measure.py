"""Timing over HTTP: a gunicorn server under test and a keep-alive client."""

import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Self

BASE_DIR = Path(__file__).resolve().parent.parent.parent


@dataclass
class Request:
    method: str
    path: str  # with its (already encoded) query string
    body: dict | None = None


@dataclass
class Scenario:
    key: str
    label: str
    make: Callable[[int], Request]  # the i-th request (ids and emails vary with i)
    account: str = "big"  # which sub-account's key
    expect: int = 200
    matches: int | None = None  # rows the filter matches, when that says something
    naive: Callable[[int], Request] | None = None  # the same operation on the naive baseline
    # A GET that also writes (the stored duplicates list brings itself up to date): replayed in a transaction.
    writes_on_read: bool = False
    # At most this many measured requests, below the run's `--requests` (a family's many scenarios).
    requests: int | None = None

    def warmup(self, requested: int) -> int:
        """Unmeasured requests before this scenario: a family's scenario, capped to fewer requests, warms up
        with a tenth of them (at least 2), so that a deep page of a second does not spend 20 s warming up."""
        return requested if self.requests is None else min(requested, max(2, self.requests // 10))

    @property
    def writes(self) -> bool:
        return self.writes_on_read or self.make(0).method != "GET"


@dataclass
class Timing:
    n: int
    p50: float
    p95: float
    p99: float
    mean: float
    requests_per_second: float
    samples_ms: list[float] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("samples_ms")
        return data


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(samples_ms: list[float], wall_seconds: float) -> Timing:
    ordered = sorted(samples_ms)
    return Timing(
        n=len(ordered),
        p50=percentile(ordered, 0.50),
        p95=percentile(ordered, 0.95),
        p99=percentile(ordered, 0.99),
        mean=sum(ordered) / len(ordered),
        requests_per_second=len(ordered) / wall_seconds if wall_seconds else math.nan,
        samples_ms=ordered,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class UnexpectedResponse(RuntimeError):
    pass


class Client:
    """One persistent HTTP/1.1 connection (keep-alive), requests one after another."""

    def __init__(self, port: int, headers_by_account: dict[str, dict[str, str]]):
        self.port = port
        self.headers_by_account = headers_by_account
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def send(self, request: Request, account: str) -> tuple[int, bytes, float]:
        headers = dict(self.headers_by_account[account])
        body = None
        if request.body is not None:
            body = json.dumps(request.body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.connection.request(request.method, request.path, body=body, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - started
        if response.will_close:  # the server refused keep-alive: say so rather than time reconnects
            raise UnexpectedResponse("The server closed the connection; keep-alive is required.")
        return response.status, payload, elapsed

    def json(self, request: Request, account: str = "big", expect: int = 200) -> dict:
        status, payload, _ = self.send(request, account)
        if status != expect:
            raise UnexpectedResponse(f"{request.method} {request.path} → {status}: {payload[:300]!r}")
        return json.loads(payload)

    def run(
        self,
        make: Callable[[int], Request],
        *,
        account: str,
        expect: int,
        warmup: int,
        requests: int,
        max_seconds: float,
    ) -> Timing:
        """`warmup` unmeasured requests, then up to `requests` measured ones (fewer if `max_seconds` runs out)."""
        index = 0
        for _ in range(warmup):
            self._checked(make(index), account, expect)
            index += 1
        samples = []
        started = time.perf_counter()
        while len(samples) < requests and (len(samples) < 10 or time.perf_counter() - started < max_seconds):
            samples.append(self._checked(make(index), account, expect) * 1000)
            index += 1
        return summarize(samples, time.perf_counter() - started)

    def _checked(self, request: Request, account: str, expect: int) -> float:
        status, payload, elapsed = self.send(request, account)
        if status != expect:
            raise UnexpectedResponse(
                f"{request.method} {request.path} → {status} (expected {expect}): {payload[:300]!r}"
            )
        return elapsed


class Server:
    """gunicorn serving the app with the benchmark settings, DEBUG off, gthread workers (keep-alive)."""

    def __init__(self, env: dict[str, str], *, workers: int, port: int | None = None):
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [
            str(gunicorn),
            "contacts_site.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            # The sync worker closes every connection; gthread keeps it alive like a real deployment's.
            "--worker-class=gthread",
            "--threads=1",
            "--keep-alive=75",
            "--log-level=warning",
        ]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/api/v1/contacts")
                connection.getresponse().read()
                connection.close()
                if len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def peak_worker_rss_mb(self) -> float:
        """The largest VmHWM (peak resident set) among the workers, in MB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks) if peaks else math.nan


def server_env(database_url: str, secret_key: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tools.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secret_key,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "ERROR",  # not a warning line per 401 of the readiness probe; 500s still show
        }
    )
    return env


def alternating_rounds(clients: dict[str, Client], scenario: Scenario, args, *, rounds: int) -> dict[str, list[Timing]]:
    """`scenario` measured on each of `clients` (two servers to compare) in `rounds` rounds, the order swapped each
    round, so that a burst of load on the machine does not land on one side only. Each side's timings, in order."""
    names = list(clients)
    measured: dict[str, list[Timing]] = {name: [] for name in names}
    for round_number in range(rounds):
        for name in names if round_number % 2 == 0 else reversed(names):
            measured[name].append(
                clients[name].run(
                    scenario.make,
                    account=scenario.account,
                    expect=scenario.expect,
                    warmup=args.warmup,
                    requests=args.requests,
                    max_seconds=args.max_seconds,
                )
            )
    return measured
