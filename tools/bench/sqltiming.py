"""The SQL a request issues, captured in-process and timed directly with psycopg.

`capture()` runs one request through Django's full stack (test client, same settings and database
as the server) with `connection.execute_wrapper` recording every statement and its parameters.
`time_statements()` then replays them on the raw psycopg connection with a client-side-binding
cursor — the same SQL text Django sends — so API p50 minus SQL p50 is what Django, DRF and the
serializer add on top of the database. Writes are replayed inside a transaction that is rolled
back: their SQL time excludes the commit's WAL flush.
"""

import json
import time
from dataclasses import dataclass, field

import psycopg
from django.db import connection, transaction
from django.test import Client

from tools.bench.measure import Request, percentile


@dataclass
class Statement:
    sql: str
    params: object
    many: bool

    @property
    def is_count(self) -> bool:
        return self.sql.lstrip().upper().startswith("SELECT COUNT(")


@dataclass
class SQLTiming:
    statements: list[Statement]
    p50: float  # ms, all statements of the request
    statement_p50: list[float] = field(default_factory=list)
    runs: int = 0

    @property
    def count_p50(self) -> float:
        return sum(
            p50 for statement, p50 in zip(self.statements, self.statement_p50, strict=True) if statement.is_count
        )

    def slowest(self) -> Statement | None:
        if not self.statements:
            return None
        return max(zip(self.statement_p50, self.statements, strict=True), key=lambda pair: pair[0])[1]


class Capture:
    def __init__(self):
        self.statements: list[Statement] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(Statement(sql, params, many))
        return execute(sql, params, many, context)


def capture(request: Request, headers: dict[str, str], expect: int) -> list[Statement]:
    """The statements one request issues (after a warm-up request, so per-connection set-up is excluded),
    sent with `headers`: an API key's Authorization, or a staff session's Cookie for the page scenarios."""
    client = Client(HTTP_HOST="127.0.0.1")

    def send():
        body = json.dumps(request.body) if request.body is not None else ""
        return client.generic(request.method, request.path, body, content_type="application/json", headers=headers)

    if request.method == "GET":
        send()
    recorder = Capture()
    # Writes are captured in a transaction that is rolled back, so that the replay can insert the same rows
    # (they add one SAVEPOINT/RELEASE pair to what is replayed, as the outer transaction is ours).
    with transaction.atomic(), connection.execute_wrapper(recorder):
        response = send()
        transaction.set_rollback(True)
    if response.status_code != expect:
        raise RuntimeError(f"{request.method} {request.path} → {response.status_code}: {response.content[:300]!r}")
    return recorder.statements


def time_statements(statements: list[Statement], *, writes: bool, repeats: int, max_seconds: float) -> SQLTiming:
    connection.ensure_connection()
    raw = connection.connection
    per_statement: list[list[float]] = [[] for _ in statements]
    totals: list[float] = []
    started = time.perf_counter()
    with psycopg.ClientCursor(raw) as cursor:
        while len(totals) < repeats and (len(totals) < 5 or time.perf_counter() - started < max_seconds):
            if writes:
                cursor.execute("BEGIN")
            total = 0.0
            for index, statement in enumerate(statements):
                began = time.perf_counter()
                if statement.many:
                    cursor.executemany(statement.sql, statement.params)
                else:
                    cursor.execute(statement.sql, statement.params)
                    if cursor.description is not None:
                        cursor.fetchall()
                elapsed = (time.perf_counter() - began) * 1000
                per_statement[index].append(elapsed)
                total += elapsed
            if writes:
                cursor.execute("ROLLBACK")
            totals.append(total)
    return SQLTiming(
        statements=statements,
        p50=percentile(sorted(totals), 0.5),
        statement_p50=[percentile(sorted(values), 0.5) for values in per_statement],
        runs=len(totals),
    )


def explain(statement: Statement) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured read statement."""
    connection.ensure_connection()
    with psycopg.ClientCursor(connection.connection) as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, statement.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        query = cursor.mogrify(statement.sql, statement.params)
    return f"{query}\n\n{plan}"
