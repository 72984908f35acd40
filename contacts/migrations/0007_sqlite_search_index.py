"""SQLite only: a trigram full-text index (FTS5) for substring search of names and emails, and prefix indexes.

PostgreSQL has trigram GIN indexes (0002, 0005); SQLite's LIKE '%term%' reads every row, and at 100,000
contacts a search reading them twice (the page, then the count) took ~45 ms, the ranked search ~250 ms.
FTS5's trigram tokenizer answers the same substring question from an index (case-insensitive, 3+
characters), so ContactQuerySet.search asks it instead on SQLite.

The index keeps its own copy of each contact's name and email beside the contact's id, kept current by
triggers in the same transaction as the write. Rows are found by the id column (a MATCH on it), not by
rowid: SQLite may renumber the rowids of a table without an INTEGER PRIMARY KEY on VACUUM.
"""

from django.db import migrations

TABLE = "contacts_contact_search"
FORGET_OLD = f"""DELETE FROM {TABLE} WHERE rowid IN (
        SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH 'contact_id : "' || replace(old.id, '"', '""') || '"'
        AND contact_id = old.id
    );"""
ADD_NEW = f"INSERT INTO {TABLE} (contact_id, name, email) VALUES (new.id, new.name, new.email);"
CREATE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(contact_id, name, email, tokenize = 'trigram')",
    f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON contacts_contact BEGIN {ADD_NEW} END",
    f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF name, email ON contacts_contact BEGIN {FORGET_OLD} {ADD_NEW} END",
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON contacts_contact BEGIN {FORGET_OLD} END",
    f"INSERT INTO {TABLE} (contact_id, name, email) SELECT id, name, email FROM contacts_contact",
    # Prefix search (1–2 character terms, and the ranked search's "starts with" tier): SQLite serves a
    # case-insensitive LIKE 'term%' from an index only if the index compares NOCASE.
    "CREATE INDEX contact_name_prefix ON contacts_contact (sub_account_id, name COLLATE NOCASE)",
    "CREATE INDEX contact_email_prefix ON contacts_contact (sub_account_id, email COLLATE NOCASE)",
]
DROP = [
    "DROP INDEX IF EXISTS contact_name_prefix",
    "DROP INDEX IF EXISTS contact_email_prefix",
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("contacts", "0006_postgresql_tag_link_statistics")]

    operations = [migrations.RunPython(run(CREATE), run(DROP), elidable=False)]
