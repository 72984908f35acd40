"""What Django, DRF and the middleware add above SQL, per request, measured in this process.

    python -m tools.request_overhead --database-url postgres://…/bench_db [--requests 300] [--profile 30]

Runs against a database the benchmark loaded (`python -m tools.bench run … --keep-database`): it takes the
largest sub-account, gives it a throwaway API key (deleted at the end) and calls the WSGI application directly,
as gunicorn would, for the benchmark's `get` and `list` scenarios (and any `--path`). Each request's SQL time is
summed by a database execute wrapper; the rest is the app's overhead. No HTTP server or client is in the way,
so the figures sit below the benchmark's *API − SQL* column by the cost of gunicorn and the socket. *CPU* is
this process's CPU time per request (time.process_time): the app's own work, which other load on a shared host
disturbs far less than wall-clock time (it still includes the database driver's side of each round trip).

`--profile N` runs the requests again under cProfile and prints the N functions of most cumulative time.
"""

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time


def build_environ(path: str, query: str, headers: dict[str, str]) -> dict:
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "application/json",
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def call(application, url: str, headers: dict[str, str]) -> tuple[str, bytes]:
    path, _, query = url.partition("?")
    status = []
    body = application(build_environ(path, query, headers), lambda s, h, exc_info=None: status.append(s))
    try:
        content = b"".join(body)
    finally:
        body.close()  # fires request_finished, as a WSGI server does
    return status[0], content


class SQLClock:
    """Sums the wall time of every statement the connection runs while installed."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def measure(application, url: str, headers: dict[str, str], requests: int, warmup: int) -> dict:
    from django.db import connection

    for _ in range(warmup):
        status, content = call(application, url, headers)
        if not status.startswith("200"):
            raise SystemExit(f"{url}: {status} {content[:300]!r}")
    totals, sqls, cpus = [], [], []
    for _ in range(requests):
        clock = SQLClock()
        with connection.execute_wrapper(clock):
            started, started_cpu = time.perf_counter(), time.process_time()
            call(application, url, headers)
            totals.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - started_cpu) * 1000)
        sqls.append(clock.seconds * 1000)
    overheads = [total - sql for total, sql in zip(totals, sqls, strict=True)]
    return {
        "total_p50": statistics.median(totals),
        "sql_p50": statistics.median(sqls),
        "overhead_p50": statistics.median(overheads),
        "overhead_p90": statistics.quantiles(overheads, n=10)[-1],
        "cpu_p50": statistics.median(cpus),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.request_overhead", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="a database the benchmark loaded (read, one key added)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--path", action="append", default=[], help="another URL to measure (repeatable)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's top N functions")
    args = parser.parse_args(argv)

    from tools.bench.runner import configure_django

    configure_django(args.database_url)
    from django.core.wsgi import get_wsgi_application

    from accounts.models import APIKey, SubAccount
    from accounts.services import api_key_create
    from contacts.models import Contact

    application = get_wsgi_application()
    big = SubAccount.objects.order_by("-contact_count").first()
    api_key, raw_key = api_key_create(sub_account=big, name="request overhead")
    try:
        contact_id = Contact.objects.for_account(big).order_by("-created_at").values_list("pk", flat=True)[500]
        headers = {"Authorization": f"Bearer {raw_key}"}
        urls = {"get": f"/api/v1/contacts/{contact_id}", "list": "/api/v1/contacts", **dict.fromkeys(args.path)}
        for name, url in urls.items():
            result = measure(application, url, headers, args.requests, args.warmup)
            print(
                f"{name or url:<6} total p50 {result['total_p50']:6.2f} ms  SQL p50 {result['sql_p50']:5.2f} ms  "
                f"overhead p50 {result['overhead_p50']:5.2f} ms  p90 {result['overhead_p90']:5.2f} ms  "
                f"CPU p50 {result['cpu_p50']:5.2f} ms"
            )
        if args.profile:
            for name, url in urls.items():
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.requests):
                    call(application, url, headers)
                profiler.disable()
                print(f"\n== {name or url}: {args.requests} requests, by cumulative time")
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    finally:
        APIKey.objects.filter(pk=api_key.pk).delete()


if __name__ == "__main__":
    main()
