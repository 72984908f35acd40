"""The folded search copy of each contact (contacts.search): the column, filled for existing contacts in
batches, and on SQLite the full-text index moved from name and email (0007) onto it.

PostgreSQL's trigram index on it is built CONCURRENTLY by 0011, outside this migration's transaction.
"""

from django.db import migrations, models

from contacts.search import search_text_of

BATCH = 2000
TABLE = "contacts_contact_search"
FORGET_OLD = f"""DELETE FROM {TABLE} WHERE rowid IN (
        SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH 'contact_id : "' || replace(old.id, '"', '""') || '"'
        AND contact_id = old.id
    );"""
ADD_NEW = f"INSERT INTO {TABLE} (contact_id, search_text) VALUES (new.id, new.search_text);"
OLD_ADD_NEW = f"INSERT INTO {TABLE} (contact_id, name, email) VALUES (new.id, new.name, new.email);"
DROP_INDEX = [
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete",
    f"DROP TABLE IF EXISTS {TABLE}",
]
FOLDED_INDEX = [
    *DROP_INDEX,
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(contact_id, search_text, tokenize = 'trigram')",
    f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON contacts_contact BEGIN {ADD_NEW} END",
    f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF search_text ON contacts_contact BEGIN {FORGET_OLD} {ADD_NEW} END",
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON contacts_contact BEGIN {FORGET_OLD} END",
    f"INSERT INTO {TABLE} (contact_id, search_text) SELECT id, search_text FROM contacts_contact",
]
NAME_EMAIL_INDEX = [  # 0007's, for going back
    *DROP_INDEX,
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(contact_id, name, email, tokenize = 'trigram')",
    f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON contacts_contact BEGIN {OLD_ADD_NEW} END",
    f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF name, email ON contacts_contact "
    f"BEGIN {FORGET_OLD} {OLD_ADD_NEW} END",
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON contacts_contact BEGIN {FORGET_OLD} END",
    f"INSERT INTO {TABLE} (contact_id, name, email) SELECT id, name, email FROM contacts_contact",
]


def fill(apps, schema_editor):
    """Every existing contact's copy, BATCH contacts at a time in id order (bounded memory and statements)."""
    Contact = apps.get_model("contacts", "Contact")
    contacts = Contact._base_manager.using(schema_editor.connection.alias).order_by("pk")
    last = ""
    while True:
        batch = list(contacts.filter(pk__gt=last).only("id", "name", "email", "phone")[:BATCH])
        if not batch:
            return
        for contact in batch:
            contact.search_text = search_text_of(contact.name, contact.email, contact.phone)
        Contact._base_manager.using(schema_editor.connection.alias).bulk_update(batch, ["search_text"])
        last = batch[-1].pk


def sqlite(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("contacts", "0011_identity_backfill_match_keys")]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="search_text",
            field=models.TextField(blank=True, default="", db_default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(sqlite(FOLDED_INDEX), sqlite(NAME_EMAIL_INDEX), elidable=False),
    ]
