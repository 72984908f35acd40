"""PostgreSQL-only index for `sort=last_message`.

The sort puts conversations without a message last (`last_message_at DESC NULLS LAST`). A plain
descending index puts NULLs first, so PostgreSQL would sort the whole sub-account's conversations to
return 25; this one matches the ORDER BY. SQLite cannot declare NULLS LAST in an index (and sorts NULLs
last in a descending order by itself), so the index stays out of Model.Meta, as in contacts' 0002.
Built CONCURRENTLY so a deploy does not lock the table against writes.
"""

from django.db import migrations

from contacts_site.migration_operations import postgresql_indexes

INDEXES = {
    "conv_account_last_message": "(sub_account_id, last_message_at DESC NULLS LAST, id DESC)",
}


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("conversations", "0001_initial")]

    operations = [postgresql_indexes("conversations_conversation", INDEXES)]
