"""`python -m tools.bench run …`: create the database, load, serve with gunicorn, measure, write the report.

Steps (each timed and reported): recreate the PostgreSQL database, migrate, generate and COPY the
data without secondary indexes, rebuild them, copy the naive baseline, VACUUM ANALYZE; serve the
app with gunicorn (DEBUG off, bench settings) and time every scenario over one keep-alive
connection, product then naive; capture each scenario's SQL in-process and time it with psycopg;
time serialization; repeat the list and search at a smaller size on SQLite (a subprocess, since
Django's settings are per process); write the Markdown report.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from tools.bench.families import DEFAULT_COMBINATION_SEED, DEFAULT_COMBINATIONS, DEFAULT_FAMILY_REQUESTS

BASE_DIR = Path(__file__).resolve().parent.parent.parent
RESULTS_DIR = BASE_DIR / "bench-results"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def configure_django(database_url: str) -> str:
    """Point this process at `database_url` with the benchmark settings, DEBUG off; returns the secret."""
    secret = secrets.token_urlsafe(48)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tools.settings",
            "DJANGO_DEBUG": "0",  # DEBUG would also keep every query in memory during the load
            "DJANGO_SECRET_KEY": secret,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "ERROR",
            # A loopback server over plain http: production's HTTPS redirect and secure cookies off.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            # The benchmark measures latency, not the per-key limiter (which has its own tests).
            "API_RATE_LIMIT_REQUESTS": "100000000",
        }
    )
    import django

    django.setup()
    return secret


def recreate_postgres_database(database_url: str) -> None:
    import psycopg

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"Refusing an unusual database name: {name!r}")
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_postgres_database(database_url: str) -> None:
    import psycopg

    parsed = urlparse(database_url)
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


# ---- loading -----------------------------------------------------------------------------------------


def load_postgres(contacts: int, seed: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from tools.bench import pgload
    from tools.bench.generate import Plan, load

    timings: dict = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate_seconds"] = time.perf_counter() - started
    plan = Plan(contacts=contacts, seed=seed)

    def progress(done, total):
        if done % 100_000 < 20_000:
            log(f"  {done:,}/{total:,} contacts written")

    with pgload.bulk_load(connection, pgload.TABLES + pgload.NAIVE_TABLES, timings):
        result = load(plan, progress=progress)
        started = time.perf_counter()
        with transaction.atomic():
            naive_rows = pgload.copy_to_naive(connection)
        timings["naive_copy_seconds"] = time.perf_counter() - started
    orphans = pgload.orphan_counts(connection)
    if any(orphans.values()):
        raise RuntimeError(f"Generated rows with dangling foreign keys: {orphans}")
    started = time.perf_counter()
    pgload.vacuum_analyze(connection)
    timings["vacuum_analyze_seconds"] = time.perf_counter() - started
    timings["generate_and_copy_seconds"] = timings["write_seconds"] - timings["naive_copy_seconds"]
    return {
        "timings": timings,
        "rows": {**result.rows, **naive_rows},
        "accounts": {"big": result.accounts[0].pk, "small": result.accounts[1].pk},
        "sizes": [account.size for account in result.accounts],
        "seed": seed,
    }


# ---- measuring ---------------------------------------------------------------------------------------


def api_headers(keys: dict[str, str]) -> dict[str, dict[str, str]]:
    return {account: {"Authorization": f"Bearer {key}"} for account, key in keys.items()}


def staff_session_headers(sub_account_id: int) -> dict[str, str]:
    """A logged-in staff session (an agent of the sub-account) for the page scenarios: its Cookie header.
    The session is made directly, as the login form would leave it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    from accounts.models import Membership

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

    user, _ = get_user_model().objects.get_or_create(username="bench-agent", defaults={"first_name": "Bench"})
    Membership.objects.get_or_create(user=user, sub_account_id=sub_account_id, defaults={"role": "agent"})
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; tz=UTC"}


def measure(server, scenarios, credentials, args) -> tuple[dict, dict]:
    """Each scenario over HTTP, then at once its SQL replayed (so both see the same machine load);
    the product first, then the naive baseline. Returns the results and the captured statements.
    `credentials`: the headers of each account a scenario names (API keys, and the staff session)."""
    from tools.bench.measure import Client
    from tools.bench.sqltiming import capture, time_statements

    client = Client(server.port, credentials)
    results: dict = {scenario.key: {} for scenario in scenarios}
    captured = {}
    for side in ("api", "naive"):
        for scenario in scenarios:
            make = scenario.make if side == "api" else scenario.naive
            if make is None:
                continue
            timing = client.run(
                make,
                account=scenario.account,
                expect=scenario.expect,
                warmup=scenario.warmup(args.warmup if side == "api" else max(2, args.warmup // 4)),
                requests=min(args.requests, scenario.requests or args.requests),
                max_seconds=args.max_seconds,
            )
            statements = capture(make(10_000_000), credentials[scenario.account], scenario.expect)
            sql = time_statements(
                statements, writes=scenario.writes, repeats=args.sql_repeats, max_seconds=args.sql_max_seconds
            )
            captured[(scenario.key, side)] = sql
            results[scenario.key][side] = timing.as_dict()
            # The workers' peak so far: which scenario raised it is what a memory regression needs to know.
            results[scenario.key][f"{side}_peak_worker_rss_mb"] = server.peak_worker_rss_mb()
            results[scenario.key][f"{side}_sql"] = {
                "p50": sql.p50,
                "queries": len(statements),
                "count_p50": sql.count_p50,
                "runs": sql.runs,
            }
            log(
                f"  {'naive ' if side == 'naive' else ''}{scenario.key:<28} p50 {timing.p50:8.2f} ms  "
                f"p99 {timing.p99:8.2f} ms  n={timing.n:<4} SQL p50 {sql.p50:8.2f} ms  "
                f"worker peak RSS {results[scenario.key][f'{side}_peak_worker_rss_mb']:.0f} MB"
            )
    return results, captured


HISTORY_COST_ROUNDS = 3


def measure_history_cost(scenario, keys, env: dict, args) -> dict:
    """The PATCH scenario against two servers side by side, one recording the contact history and one not
    (CONTACT_HISTORY_ENABLED=0: the webhook events are still written), on the same data: what recording
    costs a write (docs/timeline.md). Measured in alternating rounds (the order swapped each round), each
    side's p50 and p95 the median of its rounds', so a burst of load on the machine does not land on one
    side only."""
    from tools.bench.measure import Client, Server, alternating_rounds

    headers = api_headers(keys)
    with (
        Server({**env, "CONTACT_HISTORY_ENABLED": "1"}, workers=args.workers) as with_history,
        Server({**env, "CONTACT_HISTORY_ENABLED": "0"}, workers=args.workers) as without_history,
    ):
        clients = {"without": Client(without_history.port, headers), "with": Client(with_history.port, headers)}
        rounds = alternating_rounds(clients, scenario, args, rounds=HISTORY_COST_ROUNDS)
    timings = {}
    for name, measured in rounds.items():
        timings[name] = {
            "p50": statistics.median(timing.p50 for timing in measured),
            "p95": statistics.median(timing.p95 for timing in measured),
            "n": sum(timing.n for timing in measured),
            "rounds": [timing.as_dict() for timing in measured],
        }
        log(
            f"  {'patch ' + name + ' history':<28} p50 {timings[name]['p50']:8.2f} ms  p95 {timings[name]['p95']:8.2f} ms"
        )
    return timings


def measure_system(scenario_list, credentials, env, loaded, args) -> dict:
    """The small sub-account alone and concurrency (each skipped by its --no-… flag)."""
    from tools.bench import alone, concurrency

    return {
        "alone": alone.run(scenario_list, credentials, env, loaded, args),
        "concurrency": concurrency.run(scenario_list, credentials, env, args),
    }


def explain_slow_statements(captured: dict, *, threshold_ms: float) -> dict[str, str]:
    """EXPLAIN ANALYZE of every product statement slower than `threshold_ms` (p50), once per distinct SQL."""
    from tools.bench.sqltiming import explain

    explained, seen = {}, set()
    for (key, side), timing in captured.items():
        if side != "api":
            continue
        for statement, p50 in zip(timing.statements, timing.statement_p50, strict=True):
            is_read = statement.sql.lstrip().upper().startswith("SELECT")
            if p50 > threshold_ms and is_read and statement.sql not in seen:
                seen.add(statement.sql)
                explained[f"{key} ({p50:.1f} ms)"] = explain(statement)
    return explained


def serialization_cost(big: int, naive: bool) -> dict:
    from accounts.models import SubAccount
    from contacts.models import Contact
    from contacts.representation import contact_to_dict

    sub_account = SubAccount.objects.get(pk=big)
    contacts = list(Contact.objects.for_account(sub_account).with_tags().order_by("-created_at", "-id")[:2000])

    def per_object(function, objects) -> float:
        # CPU time of this process: a pure-Python loop, so being descheduled by other work does not count.
        runs = []
        for _ in range(15):
            started = time.process_time()
            function(objects)
            runs.append((time.process_time() - started) / len(objects) * 1e6)
        return statistics.median(runs)

    result = {
        "contacts": len(contacts),
        "lean_us": per_object(lambda rows: [contact_to_dict(c) for c in rows], contacts),
    }
    if naive:
        from tools.bench.models import NaiveContact
        from tools.bench.naive import NaiveContactSerializer

        naive_contacts = list(
            NaiveContact.objects.filter(sub_account_id=big).prefetch_related("tags").order_by("-created_at")[:2000]
        )
        result["model_serializer_us"] = per_object(
            lambda rows: NaiveContactSerializer(rows, many=True).data, naive_contacts
        )
    return result


def machine_info() -> dict:
    import platform
    from importlib.metadata import version

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {
            name: version(name)
            for name in ("Django", "djangorestframework", "django-taggit", "psycopg", "gunicorn", "phonenumberslite")
        },
    }


def postgres_info() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        info = {"version": cursor.fetchone()[0]}
        for setting in (
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "random_page_cost",
            "max_parallel_workers_per_gather",
            "jit",
        ):
            cursor.execute(f"SHOW {setting}")
            info[setting] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        info["database_size"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relname IN ('contacts_contact', 'contacts_taggedcontact', 'conversations_conversation', "
            "'conversations_message', 'bench_naivecontact', 'taggit_taggeditem') ORDER BY relname"
        )
        info["table_sizes"] = dict(cursor.fetchall())
    return info


def cursor_at_depth(server, keys, depth: int) -> tuple[str, bool]:
    """The cursor that continues after row `depth` of the default order: `next_cursor` of the page that
    ends there (one offset request). Checked against the offset page at the same depth."""
    from tools.bench.measure import Client, Request
    from tools.bench.scenarios import API

    client = Client(server.port, {"big": {"Authorization": f"Bearer {keys['big']}"}})
    before = client.json(Request("GET", f"{API}?offset={depth - 25}&limit=25"))
    cursor = before["next_cursor"]
    by_cursor = client.json(Request("GET", f"{API}?cursor={cursor}"))
    by_offset = client.json(Request("GET", f"{API}?offset={depth}"))
    same = [row["id"] for row in by_cursor["data"]] == [row["id"] for row in by_offset["data"]]
    return cursor, same


def run(args) -> None:
    total_started = time.perf_counter()
    RESULTS_DIR.mkdir(exist_ok=True)
    database_name = urlparse(args.database_url).path.lstrip("/")
    load_file = RESULTS_DIR / f"load-{database_name}.json"
    if not args.reuse_database:
        log(f"recreating database {database_name}")
        recreate_postgres_database(args.database_url)
    secret = configure_django(args.database_url)

    from accounts.models import SubAccount
    from accounts.services import api_key_create
    from tools.bench import report, scenarios
    from tools.bench.measure import Server, server_env

    if args.reuse_database:
        from django.db import connection

        from tools.bench import pgload

        loaded = json.loads(load_file.read_text())
        log(f"reusing the data loaded in {database_name}")
        pgload.vacuum_analyze(connection)  # earlier runs' creates and patches left dead rows behind
    else:
        log(f"loading {args.contacts:,} contacts")
        started = time.perf_counter()
        loaded = load_postgres(args.contacts, args.seed)
        loaded["timings"]["total_seconds"] = time.perf_counter() - started
        load_file.write_text(json.dumps(loaded, indent=2))
        log(f"loaded in {loaded['timings']['total_seconds']:.0f} s: {loaded['rows']}")

    big, small = loaded["accounts"]["big"], loaded["accounts"]["small"]
    keys = {
        "big": api_key_create(sub_account=SubAccount.objects.get(pk=big), name="benchmark")[1],
        "small": api_key_create(sub_account=SubAccount.objects.get(pk=small), name="benchmark")[1],
    }
    samples = scenarios.gather(
        big, small, naive=True, combinations=args.combinations, combination_seed=args.combination_seed
    )
    # The page scenarios render templates with hashed static files (DEBUG off): the manifest must exist,
    # as `make setup` leaves it.
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    env = server_env(args.database_url, secret)
    with Server(env, workers=args.workers) as server:
        cursor, cursor_matches_offset = cursor_at_depth(server, keys, samples.depth)
        scenario_list = scenarios.build(samples, cursor, naive=not args.only, family_requests=args.family_requests)
        if args.only:
            scenario_list = [s for s in scenario_list if any(part in s.key for part in args.only.split(","))]
        log(f"measuring {len(scenario_list)} scenarios over HTTP ({args.workers} gunicorn workers)")
        load_before = os.getloadavg()
        credentials = {**api_headers(keys), "staff": staff_session_headers(big)}
        results, captured = measure(server, scenario_list, credentials, args)
        peak_rss = server.peak_worker_rss_mb()
        load_after = os.getloadavg()
    patch = next((scenario for scenario in scenario_list if scenario.key == "patch"), None)
    history_cost = measure_history_cost(patch, keys, env, args) if patch else None
    system = measure_system(scenario_list, credentials, env, loaded, args)
    if args.only:
        log("--only: a partial run, no report written")
        return
    from django.db import connection

    serialization = serialization_cost(big, naive=True)
    data = {
        "machine": machine_info(),
        "postgres": postgres_info(),
        "load": loaded,
        "samples": {
            "depth": samples.depth,
            "big_size": samples.big_size,
            "cursor_matches_offset": cursor_matches_offset,
        },
        "scenarios": [
            {"key": s.key, "label": s.label, "matches": s.matches, "account": s.account, "path": s.make(0).path}
            for s in scenario_list
        ],
        "results": results,
        "serialization": serialization,
        "peak_worker_rss_mb": peak_rss,
        "history_cost": history_cost,
        **system,
        "load_average": {"before": load_before, "after": load_after},
        "settings": {
            "workers": args.workers,
            "requests": args.requests,
            "warmup": args.warmup,
            "max_seconds": args.max_seconds,
            "sql_repeats": args.sql_repeats,
            "contacts": args.contacts,
            "command": args.command_line,
        },
    }
    data["explains"] = explain_slow_statements(captured, threshold_ms=args.explain_above_ms)
    from tools.bench import plans

    # Re-runs ANALYZE on the contact and tag tables: after every measurement and EXPLAIN of the loaded statistics.
    data["plans"] = plans.run(results, captured, args)
    connection.close()
    if args.sqlite_contacts:
        log(f"SQLite: {args.sqlite_contacts:,} contacts")
        data["sqlite"] = run_sqlite_subprocess(args)
    data["total_seconds"] = time.perf_counter() - total_started
    (RESULTS_DIR / f"results-{database_name}.json").write_text(json.dumps(data, indent=2, default=str))
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(report.markdown(data, report.evaluate(data)))
    log(f"wrote {args.output} in {data['total_seconds']:.0f} s")
    if not (args.keep_database or args.reuse_database):
        drop_postgres_database(args.database_url)


# ---- SQLite ------------------------------------------------------------------------------------------


def run_sqlite_subprocess(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as directory:
        output = Path(directory) / "result.json"
        command = [
            sys.executable,
            "-m",
            "tools.bench",
            "sqlite",
            f"--contacts={args.sqlite_contacts}",
            f"--requests={args.requests}",
            f"--warmup={args.warmup}",
            f"--max-seconds={args.max_seconds}",
            f"--workers={args.workers}",
            f"--combinations={args.combinations}",
            f"--combination-seed={args.combination_seed}",
            f"--family-requests={args.family_requests}",
            f"--json={output}",
            f"--directory={directory}",
        ]
        subprocess.run(command, check=True, cwd=BASE_DIR)
        return json.loads(output.read_text())


def sqlite(args) -> None:
    database = Path(args.directory) / "bench.sqlite3"
    database_url = f"sqlite:///{database}"
    secret = configure_django(database_url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import SubAccount
    from accounts.services import api_key_create
    from contacts.models import Contact
    from tools.bench import families
    from tools.bench.generate import Plan, load
    from tools.bench.measure import Client, Request, Scenario, Server, server_env
    from tools.bench.scenarios import API, _get, list_size, with_query
    from tools.bench.vocabulary import SEARCH_TERMS

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with transaction.atomic():
        result = load(Plan(contacts=args.contacts, accounts=1, seed=7))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - started
    account = SubAccount.objects.get(pk=result.accounts[0].pk)
    key = api_key_create(sub_account=account, name="benchmark")[1]
    contacts = Contact.objects.for_account(account)
    ids = list(contacts.order_by("?").values_list("id", flat=True)[:200])
    requests = [("list", "List, default order", _get(API), None)]
    for kind, term in SEARCH_TERMS.items():
        if kind == "two_characters":
            continue
        matches = contacts.search(term).count()
        requests.append((f"list_search:{kind}", f"List `search={term}` ({kind})", _get(API, search=term), matches))
        requests.append(
            (f"search:{kind}", f"`/contacts/search?q={term}` ({kind})", _get(f"{API}/search", q=term), matches)
        )
    requests.append(("tag_one", "One tag (`vip`)", _get(API, tag="vip"), contacts.tagged(["vip"]).count()))
    # The combinations family, the same parameters as on PostgreSQL (fewer requests each, like there).
    family = [
        (
            families.combination_key(index),
            families.readable(params),
            with_query(API, params),
            list_size(account, params),
        )
        for index, params in enumerate(families.combinations(args.combinations, args.combination_seed))
    ]
    connection.close()
    timings = {}
    with Server(server_env(database_url, secret), workers=args.workers) as server:
        client = Client(server.port, {"big": {"Authorization": f"Bearer {key}"}})
        measured = [
            Scenario(name, label, lambda index, r=request: r, matches=matches)
            for name, label, request, matches in requests
        ]
        measured += [
            Scenario(name, label, lambda index, r=request: r, matches=matches, requests=args.family_requests)
            for name, label, request, matches in family
        ]
        for scenario in measured:
            timing = client.run(
                scenario.make,
                account="big",
                expect=200,
                warmup=scenario.warmup(args.warmup),
                requests=min(args.requests, scenario.requests or args.requests),
                max_seconds=args.max_seconds,
            )
            name = scenario.key
            timings[name] = {
                "label": scenario.label,
                "matches": scenario.matches,
                "path": scenario.make(0).path,
                **timing.as_dict(),
            }
            log(f"  sqlite {name:<24} p50 {timing.p50:8.2f} ms")
        timing = client.run(
            lambda index: Request("GET", f"{API}/{ids[index % len(ids)]}"),
            account="big",
            expect=200,
            warmup=args.warmup,
            requests=args.requests,
            max_seconds=args.max_seconds,
        )
        timings["get"] = {"label": "Get one contact", "matches": None, **timing.as_dict()}
    Path(args.json).write_text(
        json.dumps(
            {
                "contacts": args.contacts,
                "rows": result.rows,
                "load_seconds": load_seconds,
                "database_mb": round(database.stat().st_size / 1024 / 1024, 1),
                "timings": timings,
            }
        )
    )


# ---- command line ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub):
        sub.add_argument("--requests", type=int, default=300, help="measured requests per scenario")
        sub.add_argument("--warmup", type=int, default=20, help="unmeasured requests before each scenario")
        sub.add_argument("--max-seconds", type=float, default=30, help="time cap per scenario (slow baselines)")
        sub.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        sub.add_argument(
            "--combinations", type=int, default=DEFAULT_COMBINATIONS, help="scenarios of the combinations family"
        )
        sub.add_argument("--combination-seed", type=int, default=DEFAULT_COMBINATION_SEED)
        sub.add_argument(
            "--family-requests",
            type=int,
            default=DEFAULT_FAMILY_REQUESTS,
            help="measured requests per scenario of a family (combinations, depth, exact lookups), at most --requests",
        )

    run_parser = commands.add_parser("run", help="the whole benchmark")
    run_parser.add_argument("--contacts", type=int, default=1_000_000)
    run_parser.add_argument("--database-url", required=True, help="PostgreSQL URL; the database is recreated")
    run_parser.add_argument("--output", required=True, help="Markdown report to write")
    run_parser.add_argument("--sqlite-contacts", type=int, default=100_000, help="0 skips the SQLite run")
    run_parser.add_argument("--sql-repeats", type=int, default=30)
    run_parser.add_argument("--sql-max-seconds", type=float, default=10)
    run_parser.add_argument("--seed", type=int, default=5)
    run_parser.add_argument("--explain-above-ms", type=float, default=2, help="EXPLAIN statements slower than this")
    run_parser.add_argument("--keep-database", action="store_true", help="do not drop the database afterwards")
    run_parser.add_argument("--reuse-database", action="store_true", help="skip the load (a kept database); keeps it")
    run_parser.add_argument(
        "--only", default="", help="comma-separated parts of scenario keys: measure just those (no baseline, no report)"
    )
    common(run_parser)
    from tools.bench import alone, concurrency, plans

    for part in (alone, concurrency, plans):
        part.add_arguments(run_parser)

    sqlite_parser = commands.add_parser("sqlite", help="(internal) the SQLite part, in its own process")
    sqlite_parser.add_argument("--contacts", type=int, required=True)
    sqlite_parser.add_argument("--json", required=True)
    sqlite_parser.add_argument("--directory", required=True)
    common(sqlite_parser)

    args = parser.parse_args(argv)
    args.command_line = "python -m tools.bench " + " ".join(argv)
    if args.command == "run":
        run(args)
    else:
        sqlite(args)


if __name__ == "__main__":
    main()
