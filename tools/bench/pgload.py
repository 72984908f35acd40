"""PostgreSQL bulk-load helpers: load without secondary indexes, rebuild them, copy the naive baseline.

Bulk loading into a table with trigram GIN indexes is many times slower than building the indexes
once afterwards, so the loader drops the tables' non-constraint indexes, COPYs, and recreates them
from their recorded definitions (`pg_get_indexdef`) — the schema ends exactly as the migrations
made it, which `rebuild_indexes` checks. Foreign-key triggers are skipped during the load
(`session_replication_role = replica`); `orphan_counts` checks the result afterwards instead.
"""

import time
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style

TABLES = [
    "contacts_contacttag",
    "contacts_contact",
    "contacts_taggedcontact",
    "conversations_conversation",
    "conversations_message",
    "contacts_contactmatchkey",
]
NAIVE_TABLES = ["bench_naivecontact", "taggit_tag", "taggit_taggeditem"]

# Every foreign key the generator fills, as (child table, column, parent table, parent column).
FOREIGN_KEYS = [
    ("contacts_contact", "sub_account_id", "accounts_subaccount", "id"),
    ("contacts_taggedcontact", "content_object_id", "contacts_contact", "id"),
    ("contacts_taggedcontact", "tag_id", "contacts_contacttag", "id"),
    ("conversations_conversation", "contact_id", "contacts_contact", "id"),
    ("conversations_message", "conversation_id", "conversations_conversation", "id"),
    ("contacts_contactmatchkey", "contact_id", "contacts_contact", "id"),
    ("contacts_contactmatchkey", "sub_account_id", "accounts_subaccount", "id"),
]


def secondary_indexes(cursor, tables: list[str]) -> dict[str, str]:
    """name → definition of the indexes on `tables` that do not back a constraint (primary key, unique)."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    )
    return dict(cursor.fetchall())


@contextmanager
def bulk_load(connection, tables: list[str], timings: dict):
    """Drop the secondary indexes of `tables` and skip FK triggers for the block; rebuild afterwards."""
    with connection.cursor() as cursor:
        indexes = secondary_indexes(cursor, tables)
        for name in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
    started = time.perf_counter()
    try:
        yield
    finally:
        timings["write_seconds"] = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET synchronous_commit = DEFAULT")
    started = time.perf_counter()
    rebuild_indexes(connection, tables, indexes)
    timings["index_seconds"] = time.perf_counter() - started


def rebuild_indexes(connection, tables: list[str], indexes: dict[str, str]) -> None:
    with connection.cursor() as cursor:
        # Sorting and trigram extraction for a million rows: give the builds memory and both cores.
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for definition in indexes.values():
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("RESET max_parallel_maintenance_workers")
        rebuilt = secondary_indexes(cursor, tables)
    if rebuilt != indexes:
        raise RuntimeError(f"Index rebuild changed the schema: {sorted(set(indexes) ^ set(rebuilt))}")


def orphan_counts(connection) -> dict[str, int]:
    """Rows whose foreign key points nowhere (must all be 0: the load skipped the FK triggers)."""
    counts = {}
    with connection.cursor() as cursor:
        for child, column, parent, parent_column in FOREIGN_KEYS:
            cursor.execute(
                f"SELECT count(*) FROM {child} c WHERE NOT EXISTS "
                f"(SELECT 1 FROM {parent} p WHERE p.{parent_column} = c.{column})"
            )
            counts[f"{child}.{column}"] = cursor.fetchone()[0]
    return counts


def copy_to_naive(connection) -> dict[str, int]:
    """Copy contacts and their tags into the naive baseline: `bench_naivecontact` with taggit's own
    generic `Tag`/`TaggedItem` (tag names are global there, as taggit's default model has them)."""
    from tools.bench.models import NaiveContact

    content_type = ContentType.objects.get_for_model(NaiveContact)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE naive_ids ON COMMIT DROP AS
            SELECT id AS contact_id, row_number() OVER (ORDER BY created_at, id) AS naive_id
            FROM contacts_contact
            """
        )
        cursor.execute("CREATE UNIQUE INDEX ON naive_ids (contact_id)")
        cursor.execute(
            """
            INSERT INTO bench_naivecontact (id, sub_account_id, name, email, phone, custom_fields,
                                            created_at, updated_at, last_conversation, conversation_count)
            SELECT m.naive_id, c.sub_account_id, c.name, c.email, c.phone, c.custom_fields,
                   c.created_at, c.updated_at, c.last_conversation, c.conversation_count
            FROM contacts_contact c JOIN naive_ids m ON m.contact_id = c.id
            ORDER BY m.naive_id
            """
        )
        contacts = cursor.rowcount
        cursor.execute(
            "INSERT INTO taggit_tag (name, slug) SELECT name, min(slug) FROM contacts_contacttag GROUP BY name"
        )
        cursor.execute(
            """
            INSERT INTO taggit_taggeditem (tag_id, content_type_id, object_id)
            SELECT tt.id, %s, m.naive_id
            FROM contacts_taggedcontact tc
            JOIN contacts_contacttag t ON t.id = tc.tag_id
            JOIN taggit_tag tt ON tt.name = t.name
            JOIN naive_ids m ON m.contact_id = tc.content_object_id
            ORDER BY m.naive_id
            """,
            [content_type.pk],
        )
        tagged = cursor.rowcount
        for statement in connection.ops.sequence_reset_sql(no_style(), [NaiveContact]):
            cursor.execute(statement)
    return {"bench.NaiveContact": contacts, "taggit.TaggedItem": tagged}


def vacuum_analyze(connection) -> None:
    """Fresh statistics and a visibility map, so the planner sees the real sizes and index-only scans work."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
