"""The 5k sub-account alone: its scenarios on a database that holds nothing else, beside the shared run.

Target: a small tenant is not taxed by a big one — each of its scenarios' p50 on the shared database
(1M contacts, a 500k neighbour) is at most 1.5× the same scenario's p50 on a database holding that
sub-account alone. The alone database is `<name>_alone`: migrated by the same migrations, then every
row of the sub-account copied table by table (`COPY (SELECT … WHERE sub_account_id = X) TO STDOUT` into
`COPY … FROM STDIN`, parents before children), then VACUUM ANALYZE. The API key the shared run created
is one of the copied rows, so the same Authorization header works on both servers.

Both servers run side by side and are measured in alternating rounds (the order swapped each round,
each side's p50 the median of its rounds'), so a burst of load on the machine lands on both.
"""

import statistics
import subprocess
import sys
import time
from urllib.parse import urlparse, urlunparse

from tools.bench.report import _ms, _ratio, _target

LIMIT_RATIO = 1.5
ROUNDS = 3  # as the history cost's: an odd count, so each side's median is one round's p50
# Rows that are not the sub-account's own but that its rows point at, copied first: the users of its
# memberships, saved views, list preferences, conversations and jobs.
SHARED_PARENT_TABLES = ("auth_user",)
# The naive baseline's copy is not part of the product the target is about.
SKIPPED_TABLE_PREFIXES = ("bench_",)


def add_arguments(parser) -> None:
    parser.add_argument("--no-alone", action="store_true", help="skip the small sub-account alone comparison")


def is_small_scenario(scenario) -> bool:
    return scenario.key.startswith("small:") or scenario.account == "small"


def alone_database_url(database_url: str) -> str:
    parsed = urlparse(database_url)
    return urlunparse(parsed._replace(path=f"{parsed.path.rstrip('/')}_alone"))


def dependency_order(tables: list[str], references: list[tuple[str, str]]) -> list[str]:
    """`tables` with every table after the ones it references ((child, parent) pairs); self-references and
    references to tables outside the list are ignored. Ties keep alphabetical order, so the order is stable."""
    remaining = sorted(set(tables))
    parents = {table: set() for table in remaining}
    for child, parent in references:
        if child in parents and parent in parents and child != parent:
            parents[child].add(parent)
    ordered: list[str] = []
    while remaining:
        ready = [table for table in remaining if parents[table] <= set(ordered)]
        if not ready:
            raise ValueError(f"Cyclic foreign keys among {remaining}")
        ordered += ready
        remaining = [table for table in remaining if table not in ready]
    return ordered


def _copy_plan(cursor, sub_account_id: int) -> list[tuple[str, str]]:
    """(table, SELECT of the sub-account's rows) in dependency order: the SubAccount row, the users its rows
    point at, then every table with a `sub_account_id` column."""
    cursor.execute(
        "SELECT table_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_name = 'sub_account_id'"
    )
    scoped = [row[0] for row in cursor.fetchall() if not row[0].startswith(SKIPPED_TABLE_PREFIXES)]
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f'
        """
    )
    foreign_keys = cursor.fetchall()
    selects = {"accounts_subaccount": f"SELECT * FROM accounts_subaccount WHERE id = {int(sub_account_id)}"}
    for table in scoped:
        selects[table] = f"SELECT * FROM {table} WHERE sub_account_id = {int(sub_account_id)}"
    for parent in SHARED_PARENT_TABLES:
        pointing = [(child, column) for child, column, target in foreign_keys if target == parent and child in scoped]
        if pointing:
            referenced = " UNION ".join(
                f"SELECT {column} FROM {child} WHERE sub_account_id = {int(sub_account_id)}"
                for child, column in pointing
            )
            selects[parent] = f"SELECT * FROM {parent} WHERE id IN ({referenced})"
    order = dependency_order(list(selects), [(child, parent) for child, _, parent in foreign_keys])
    return [(table, selects[table]) for table in order]


def _reset_sequences(cursor, tables: list[str]) -> None:
    """Integer ids were copied as they were: move each table's sequence past them, so that a write on the
    alone database cannot collide."""
    cursor.execute(
        "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) "
        "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY(%s) "
        "AND (is_identity = 'YES' OR column_default LIKE 'nextval%%')",
        [tables],
    )
    for table, column, sequence in cursor.fetchall():
        cursor.execute(f'SELECT setval(%s, COALESCE((SELECT max("{column}") FROM {table}), 0) + 1, false)', [sequence])


def build_alone_database(database_url: str, sub_account_id: int, env: dict[str, str]) -> dict:
    """Recreate `<name>_alone`, migrate it, copy the sub-account's rows, VACUUM ANALYZE. Returns the rows copied
    per table and the seconds taken."""
    import psycopg

    from tools.bench.runner import BASE_DIR, recreate_postgres_database

    alone_url = alone_database_url(database_url)
    started = time.perf_counter()
    recreate_postgres_database(alone_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=BASE_DIR,
        env={**env, "DATABASE_URL": alone_url},
        check=True,
    )
    rows = {}
    with psycopg.connect(database_url) as source, psycopg.connect(alone_url) as target:
        plan = _copy_plan(source.cursor(), sub_account_id)
        for table, select in plan:
            columns = ", ".join(f'"{name}"' for name in _columns(source, table))
            select = select.replace("SELECT *", f"SELECT {columns}", 1)
            with (
                source.cursor().copy(f"COPY ({select}) TO STDOUT (FORMAT BINARY)") as out,
                target.cursor().copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as into,
            ):
                for block in out:
                    into.write(block)
            rows[table] = target.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            expected = source.execute(f"SELECT count(*) FROM ({select}) AS copied").fetchone()[0]
            if rows[table] != expected:
                raise RuntimeError(f"{table}: {rows[table]} rows in the alone database, {expected} to copy")
        _reset_sequences(target.cursor(), [table for table, _ in plan])
    with psycopg.connect(alone_url, autocommit=True) as target:
        target.execute("VACUUM ANALYZE")
    return {"rows": {table: count for table, count in rows.items() if count}, "seconds": time.perf_counter() - started}


def _columns(connection, table: str) -> list[str]:
    return [
        row[0]
        for row in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
            "ORDER BY ordinal_position",
            [table],
        )
    ]


def measure_side_by_side(scenarios, credentials: dict, env: dict, alone_env: dict, args) -> dict:
    """Each small scenario against the shared server and the alone one, in alternating rounds."""
    from tools.bench.measure import Client, Server, alternating_rounds
    from tools.bench.runner import log

    results = {}
    with Server(env, workers=args.workers) as shared, Server(alone_env, workers=args.workers) as alone:
        clients = {"shared": Client(shared.port, credentials), "alone": Client(alone.port, credentials)}
        for scenario in scenarios:
            rounds = alternating_rounds(clients, scenario, args, rounds=ROUNDS)
            shared_p50, alone_p50 = (
                statistics.median(timing.p50 for timing in rounds[side]) for side in ("shared", "alone")
            )
            results[scenario.key] = {"label": scenario.label, "shared_p50": shared_p50, "alone_p50": alone_p50}
            log(f"  {scenario.key:<28} p50 shared {shared_p50:8.2f} ms  alone {alone_p50:8.2f} ms")
    return results


def run(scenarios, credentials: dict, env: dict, loaded: dict, args) -> dict | None:
    """The whole comparison; the alone database is dropped afterwards unless --keep-database."""
    from tools.bench.runner import drop_postgres_database, log

    small = [scenario for scenario in scenarios if is_small_scenario(scenario) and not scenario.writes]
    if args.no_alone or not small:
        return None
    alone_url = alone_database_url(args.database_url)
    log(f"building {urlparse(alone_url).path.lstrip('/')}: the small sub-account alone")
    built = build_alone_database(args.database_url, loaded["accounts"]["small"], env)
    log(f"  copied in {built['seconds']:.1f} s: {built['rows']}")
    alone_env = {**env, "DATABASE_URL": alone_url, "CACHE_KEY_PREFIX": "bench-alone"}
    try:
        results = measure_side_by_side(small, credentials, env, alone_env, args)
    finally:
        if not args.keep_database:
            drop_postgres_database(alone_url)
    return {"copied": built, "rounds": ROUNDS, "results": results}


# ---- report ------------------------------------------------------------------------------------------


def ratios(alone: dict) -> dict[str, float]:
    return {key: result["shared_p50"] / result["alone_p50"] for key, result in alone["results"].items()}


def targets(data: dict) -> list[dict]:
    alone = data.get("alone")
    if not alone or not alone["results"]:
        return []
    by_key = ratios(alone)
    worst = max(by_key, key=by_key.get)
    return [
        _target(
            "5k sub-account beside the big one vs alone on its own database",
            f"every scenario p50 ≤ {LIMIT_RATIO}× alone",
            f"worst {_ratio(by_key[worst])} ({worst})",
            by_key[worst] <= LIMIT_RATIO,
            [key for key, value in by_key.items() if value > LIMIT_RATIO],
        )
    ]


def markdown(data: dict) -> list[str]:
    alone = data.get("alone")
    if not alone:
        return []
    by_key = ratios(alone)
    copied = alone["copied"]
    lines = [
        "## The 5k sub-account alone",
        "",
        (
            f"Its scenarios against the shared database and against one holding only its rows (migrated, then "
            f"copied table by table in {copied['seconds']:.1f} s: "
            + ", ".join(f"{table} {count:,}" for table, count in copied["rows"].items())
            + f"; VACUUM ANALYZE), two servers side by side, {alone['rounds']} alternating rounds, "
            "each p50 the median of its rounds'."
        ),
        "",
        f"| Scenario | p50 shared ms | p50 alone ms | Ratio | Target ≤ {LIMIT_RATIO}× |",
        "|---|---:|---:|---:|---|",
    ]
    for key, result in alone["results"].items():
        met = "yes" if by_key[key] <= LIMIT_RATIO else "**no**"
        lines.append(
            f"| {result['label']} | {_ms(result['shared_p50'])} | {_ms(result['alone_p50'])} "
            f"| {_ratio(by_key[key])} | {met} |"
        )
    return [*lines, ""]
