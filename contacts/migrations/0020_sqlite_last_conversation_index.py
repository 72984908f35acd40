"""SQLite: the index of the list's `sort=last_conversation`, which PostgreSQL has had since 0003.

SQLite puts NULLs last in a descending order, so `(sub_account_id, last_conversation DESC, id DESC)` serves
`ORDER BY last_conversation DESC NULLS LAST, id DESC` as it is, and the ascending sort by reading it backwards.
Without it every page sorted so sorted the whole sub-account (benchmark SQLite `combo:16`).
"""

from django.db import migrations

INDEX = "contact_account_last_conversation"


def sqlite(statement: str):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("contacts", "0019_search_statistics")]

    operations = [
        migrations.RunPython(
            sqlite(f"CREATE INDEX IF NOT EXISTS {INDEX} ON contacts_contact (sub_account_id, last_conversation DESC, id DESC)"),
            sqlite(f"DROP INDEX IF EXISTS {INDEX}"),
            elidable=False,
        )
    ]
