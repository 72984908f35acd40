"""PostgreSQL-only index for `sort=last_message`.

The sort puts conversations without a message last (`last_message_at DESC NULLS LAST`). A plain
descending index puts NULLs first, so PostgreSQL would sort the whole sub-account's conversations to
return 25; this one matches the ORDER BY. SQLite cannot declare NULLS LAST in an index (and sorts NULLs
last in a descending order by itself), so the index stays out of Model.Meta, as in contacts' 0002.
Built CONCURRENTLY so a deploy does not lock the table against writes.
"""

from django.db import migrations

INDEXES = {
    "conv_account_last_message": "(sub_account_id, last_message_at DESC NULLS LAST, id DESC)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON conversations_conversation {definition}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("conversations", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
