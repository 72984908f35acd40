"""The embedded default (SQLite) runs in WAL mode with a busy timeout, so concurrent writers wait, not fail.

Checked in a fresh process on a file database configured by contacts_site/settings.py from a
DATABASE_URL, as `make run` would be: the test suite's own SQLite database lives in memory.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import json, sys, threading
import django
django.setup()
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper

with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy_timeout = cursor.fetchone()[0]
    cursor.execute("CREATE TABLE counter (writer INTEGER, n INTEGER)")

errors, writers, rows_each = [], 8, 25

def write(writer):
    # One connection per thread, as one per worker process in production.
    own = DatabaseWrapper(connections.settings["default"], alias=f"writer{writer}")
    try:
        for n in range(rows_each):
            with own.cursor() as cursor:
                cursor.execute("INSERT INTO counter VALUES (%s, %s)", [writer, n])
    except Exception as error:
        errors.append(repr(error))
    finally:
        own.close()

threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
for thread in threads: thread.start()
for thread in threads: thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM counter")
    rows = cursor.fetchone()[0]
print(json.dumps({
    "journal_mode": journal_mode,
    "busy_timeout_ms": busy_timeout,
    "transaction_mode": connection.settings_dict["OPTIONS"].get("transaction_mode"),
    "errors": errors,
    "rows": rows,
    "expected_rows": writers * rows_each,
}))
"""


def _probe(tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contacts_site.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=root, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_immediate_transactions(tmp_path):
    probe = _probe(tmp_path)

    assert probe["journal_mode"] == "wal"
    assert probe["busy_timeout_ms"] >= 5000
    assert probe["transaction_mode"] == "IMMEDIATE"


def test_concurrent_sqlite_writers_all_succeed(tmp_path):
    probe = _probe(tmp_path)

    assert probe["errors"] == []
    assert probe["rows"] == probe["expected_rows"]
