"""PostgreSQL-only index for the contacts list's `sort=last_conversation` ("recently active customers").

The sort puts contacts never in a conversation last (`last_conversation DESC NULLS LAST`), which a plain
descending index (NULLs first) cannot serve: without this, PostgreSQL sorts the whole sub-account's
contacts to return 25. SQLite cannot declare NULLS LAST in an index, so it stays out of Model.Meta, like
0002. Built CONCURRENTLY so a deploy does not lock the contacts table against writes.
"""

from django.db import migrations

INDEXES = {
    "contact_account_last_conversation": "(sub_account_id, last_conversation DESC NULLS LAST, id DESC)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON contacts_contact {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("contacts", "0002_postgresql_search_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
