"""PostgreSQL-only index for the contacts list's `sort=last_conversation` ("recently active customers").

The sort puts contacts never in a conversation last (`last_conversation DESC NULLS LAST`), which a plain
descending index (NULLs first) cannot serve: without this, PostgreSQL sorts the whole sub-account's
contacts to return 25. SQLite cannot declare NULLS LAST in an index, so it stays out of Model.Meta, like
0002. Built CONCURRENTLY so a deploy does not lock the contacts table against writes.
"""

from django.db import migrations

from contacts_site.migration_operations import postgresql_indexes

INDEXES = {
    "contact_account_last_conversation": "(sub_account_id, last_conversation DESC NULLS LAST, id DESC)",
}


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("contacts", "0002_postgresql_search_indexes")]

    operations = [postgresql_indexes("contacts_contact", INDEXES)]
