"""PostgreSQL sessions run with OLTP settings: no parallel workers, no JIT (see DATABASE_SESSION_SETTINGS)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL session settings")


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_queries_run_without_parallel_workers():
    assert _setting("max_parallel_workers_per_gather") == "0"


@pytest.mark.django_db
def test_queries_run_without_jit_compilation():
    assert _setting("jit") == "off"
