"""SQLite: the contacts that had a conversation, most recent first: a *partial* index (`WHERE last_conversation
IS NOT NULL`), read by the list sorted by last conversation to find its first page among the most recent
contacts (contacts.filters.ContactFilter.leading_ids).

Partial on purpose: SQLite uses such an index only for a query whose WHERE implies its condition. A full index
on `(sub_account_id, last_conversation …)` (an earlier 0020, removed) was chosen by SQLite's planner for the
ranked search's "starts with" tier, which then read the whole sub-account through it in random order
(docs/performance.md, "After the run"); no query but the one asking `last_conversation IS NOT NULL` can use this one.
"""

from django.db import migrations

INDEX = "contact_account_recent_conversation"


def sqlite(statement: str):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("contacts", "0021_postgresql_whole_table_statistics")]

    operations = [
        migrations.RunPython(
            sqlite(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON contacts_contact (sub_account_id, last_conversation DESC, id DESC)"
                " WHERE last_conversation IS NOT NULL"
            ),
            sqlite(f"DROP INDEX IF EXISTS {INDEX}"),
            elidable=False,
        )
    ]
