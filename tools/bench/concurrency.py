"""Concurrency: a mix of the read scenarios from several keep-alive clients at once.

The sequential measurement (one client, requests one after another) says how fast a request is; this
one says what happens when requests queue: with 8 clients on 2 gunicorn workers each scenario of the
mix must keep its p99 within 4× its p50 (no request starved behind slow ones), and the same mix's
throughput is reported for 1, 2 and 4 workers beside the machine's core count. Each client is a thread
with its own `http.client` connection (the GIL is released while it waits on the socket); each
configuration runs for a fixed number of seconds after an unmeasured warm-up.
"""

import os
import threading
import time

from tools.bench.measure import Client, percentile
from tools.bench.report import _ms, _ratio, _target

# The read scenarios of the mix (those present in the run): what an integration and the staff search send all
# day, one contact, the list, search, tags, a custom field. The combined-filter family is measured on its own:
# it is built to hold the slowest combinations, which would make the mix's tail theirs.
MIX_KEYS = (
    "get",
    "list",
    "big:list_search:common",
    "big:list_search:mid",
    "big:search:rare",
    "tag_one",
    "tag_two",
    "custom_field",
)
TAIL_RATIO_LIMIT = 4
LATENCY_WORKERS = 2


def add_arguments(parser) -> None:
    parser.add_argument("--no-concurrency", action="store_true", help="skip the concurrent-clients measurement")
    parser.add_argument("--concurrency-clients", type=int, default=8, help="concurrent keep-alive clients")
    parser.add_argument(
        "--concurrency-seconds",
        type=float,
        default=None,
        help="measured seconds per worker count (default 20, or 3 with --max-seconds ≤ 1 as in bench-small)",
    )
    parser.add_argument("--concurrency-workers", default="1,2,4", help="gunicorn worker counts to compare")


def seconds_for(args) -> float:
    if args.concurrency_seconds is not None:
        return args.concurrency_seconds
    return 3.0 if args.max_seconds <= 1 else 20.0


def mix_of(scenarios) -> list:
    return [
        scenario
        for scenario in scenarios
        if scenario.key in MIX_KEYS and not scenario.writes and scenario.account == "big"
    ]


def drive(port: int, credentials: dict, mix: list, *, clients: int, seconds: float, warmup_seconds: float) -> dict:
    """`clients` threads, each on its own keep-alive connection, sending the mix round-robin (each starting at a
    different scenario) for `warmup_seconds` unmeasured, then `seconds` measured. Returns the latencies (ms)
    per scenario key and the measured wall time."""
    samples: dict[str, list[float]] = {scenario.key: [] for scenario in mix}
    lock = threading.Lock()
    errors: list[BaseException] = []
    start_barrier = threading.Barrier(clients)
    timing: dict[str, float] = {}

    def client_loop(number: int) -> None:
        try:
            client = Client(port, credentials)
            mine: list[tuple[str, float]] = []
            start_barrier.wait()
            warm_until = time.perf_counter() + warmup_seconds
            index = number
            while True:
                now = time.perf_counter()
                if now >= warm_until:
                    break
                scenario = mix[index % len(mix)]
                client._checked(scenario.make(index), scenario.account, scenario.expect)
                index += 1
            start_barrier.wait()
            if number == 0:
                timing["started"] = time.perf_counter()
            stop_at = time.perf_counter() + seconds
            while time.perf_counter() < stop_at:
                scenario = mix[index % len(mix)]
                elapsed = client._checked(scenario.make(index), scenario.account, scenario.expect)
                mine.append((scenario.key, elapsed * 1000))
                index += 1
            with lock:
                for key, elapsed in mine:
                    samples[key].append(elapsed)
        except Exception as error:  # noqa: BLE001 (re-raised in the calling thread, after the join)
            start_barrier.abort()
            errors.append(error)

    threads = [threading.Thread(target=client_loop, args=(number,)) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        # The first thread's own error, not the BrokenBarrierError its abort() gave the others.
        raise next((error for error in errors if not isinstance(error, threading.BrokenBarrierError)), errors[0])
    return {"samples": samples, "wall_seconds": time.perf_counter() - timing["started"]}


def _latency(values: list[float]) -> dict:
    ordered = sorted(values)
    p50, p99 = percentile(ordered, 0.5), percentile(ordered, 0.99)
    return {"n": len(ordered), "p50": p50, "p99": p99, "tail_ratio": p99 / p50}


def summarize(driven: dict) -> dict:
    """The whole mix's n, p50, p99 and p99/p50, the same per scenario, and the requests per second."""
    every = [value for values in driven["samples"].values() for value in values]
    return {
        "requests": len(every),
        "requests_per_second": len(every) / driven["wall_seconds"],
        "mix": _latency(every),
        "scenarios": {key: _latency(values) for key, values in driven["samples"].items() if values},
    }


def run(scenarios, credentials: dict, env: dict, args) -> dict | None:
    from tools.bench.measure import Server
    from tools.bench.runner import log

    mix = mix_of(scenarios)
    if args.no_concurrency or not mix:
        return None
    seconds = seconds_for(args)
    warmup_seconds = max(1.0, seconds / 5)
    worker_counts = [int(part) for part in args.concurrency_workers.split(",") if part.strip()]
    if LATENCY_WORKERS not in worker_counts:
        worker_counts.append(LATENCY_WORKERS)
    by_workers = {}
    for workers in worker_counts:
        with Server(env, workers=workers) as server:
            driven = drive(
                server.port,
                credentials,
                mix,
                clients=args.concurrency_clients,
                seconds=seconds,
                warmup_seconds=warmup_seconds,
            )
        measured = by_workers[str(workers)] = summarize(driven)
        log(
            f"  {args.concurrency_clients} clients, {workers} workers: {measured['requests_per_second']:.0f} req/s, "
            f"p50 {measured['mix']['p50']:.1f} ms, p99 {measured['mix']['p99']:.1f} ms"
        )
    return {
        "clients": args.concurrency_clients,
        "seconds": seconds,
        "warmup_seconds": warmup_seconds,
        "cores": os.cpu_count(),
        "mix": [scenario.key for scenario in mix],
        "by_workers": by_workers,
    }


# ---- report ------------------------------------------------------------------------------------------


def targets(data: dict) -> list[dict]:
    """The issue's target reads "a mix of the read scenarios keeps its p99 ≤ 4× its p50": the mix's requests
    taken together. Each scenario's own ratio is in the section's table and the worst is named here."""
    concurrency = data.get("concurrency")
    measured = (concurrency or {}).get("by_workers", {}).get(str(LATENCY_WORKERS))
    if not measured or not measured["scenarios"]:
        return []
    mix, scenarios = measured["mix"], measured["scenarios"]
    worst = max(scenarios, key=lambda key: scenarios[key]["tail_ratio"])
    return [
        _target(
            f"{concurrency['clients']} concurrent clients on {LATENCY_WORKERS} workers, read mix",
            f"the mix's p99 ≤ {TAIL_RATIO_LIMIT}× its p50",
            (
                f"{_ratio(mix['tail_ratio'])} (p50 {_ms(mix['p50'])}, p99 {_ms(mix['p99'])} ms; "
                f"{measured['requests_per_second']:.0f} req/s); worst scenario {worst} {_ratio(scenarios[worst]['tail_ratio'])}"
            ),
            mix["tail_ratio"] <= TAIL_RATIO_LIMIT,
            [] if mix["tail_ratio"] <= TAIL_RATIO_LIMIT else list(concurrency["mix"]),
        )
    ]


def markdown(data: dict) -> list[str]:
    concurrency = data.get("concurrency")
    if not concurrency:
        return []
    lines = [
        "## Concurrency",
        "",
        (
            f"{concurrency['clients']} client threads, each on its own keep-alive connection, send the mix "
            f"({', '.join(f'`{key}`' for key in concurrency['mix'])}) round-robin for "
            f"{concurrency['seconds']:.0f} s after {concurrency['warmup_seconds']:.0f} s of warm-up, per gunicorn "
            f"worker count. The machine has {concurrency['cores']} cores, shared by the clients, gunicorn and "
            "PostgreSQL."
        ),
        "",
        "| Workers | Requests | req/s |",
        "|---:|---:|---:|",
        *(
            f"| {workers} | {measured['requests']:,} | {measured['requests_per_second']:.0f} |"
            for workers, measured in concurrency["by_workers"].items()
        ),
        "",
    ]
    measured = concurrency["by_workers"].get(str(LATENCY_WORKERS))
    if measured:
        fewest = min(value["n"] for value in measured["scenarios"].values())
        lines += [
            f"Latency under load, {LATENCY_WORKERS} workers"
            + (f" (with {fewest} requests of a scenario, its p99 is its slowest one)" if fewest < 100 else "")
            + ":",
            "",
            "| Requests | n | p50 ms | p99 ms | p99 / p50 |",
            "|---|---:|---:|---:|---:|",
            *(
                f"| {name} | {value['n']} | {_ms(value['p50'])} | {_ms(value['p99'])} | {_ratio(value['tail_ratio'])} |"
                for name, value in [
                    (f"**the whole mix** (target ≤ {TAIL_RATIO_LIMIT}×)", measured["mix"]),
                    *((f"`{key}`", value) for key, value in measured["scenarios"].items()),
                ]
            ),
            "",
        ]
    return lines
