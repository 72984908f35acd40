"""Set-based writes of many contacts at once (the import and its revert): never one ORM save per row.

PostgreSQL: the chunk is COPYed into a temporary staging table, then one INSERT … ON CONFLICT (id) DO
UPDATE … WHERE … IS DISTINCT FROM moves it into contacts. SQLite: the same upsert, as one executemany.
Every statement names the sub-account (the tenant wall): the upsert's update only touches a row of the
same sub-account, and the tag-link statements filter by it.
"""

import json

from django.db import connection

from contacts.models import Contact, ContactTag, TaggedContact
from contacts.search import search_text_of
from contacts.services import tag_ids_ensure
from contacts_site.batching import chunks

CONTACT_COLUMNS = (
    "id",
    "sub_account_id",
    "name",
    "email",
    "phone",
    "custom_fields",
    "created_at",
    "updated_at",
    "search_text",
)
# What an import sets; created_at and the derived fields (conversation_count, last_conversation) are kept.
# search_text is the folded copy search reads (contacts.search.search_text_of), kept with name, email, phone.
UPDATED_COLUMNS = ("name", "email", "phone", "custom_fields", "updated_at", "search_text")


def _contact_row(contact: Contact) -> tuple:
    return (
        contact.pk,
        contact.sub_account_id,
        contact.name,
        contact.email,
        contact.phone,
        json.dumps(contact.custom_fields, ensure_ascii=False),
        contact.created_at,
        contact.updated_at,
        search_text_of(contact.name, contact.email, contact.phone),
    )


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _upsert_sql(source: str) -> str:
    table = quote(Contact._meta.db_table)
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(f"{table}.{column} {distinct} excluded.{column}" for column in UPDATED_COLUMNS)
    return (
        f"INSERT INTO {table} ({', '.join(quote(column) for column in CONTACT_COLUMNS)}, "
        f'"conversation_count", "last_conversation") '
        f"{source} "
        f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{column} = excluded.{column}' for column in UPDATED_COLUMNS)} "
        f"WHERE {table}.sub_account_id = excluded.sub_account_id AND ({changed})"
    )


def copy_rows(table: str, columns: tuple[str, ...], rows) -> None:
    """Append rows to `table`: COPY on PostgreSQL, one executemany elsewhere."""
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("%s" for _ in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", list(rows))


def contacts_upsert(contacts: list[Contact]) -> None:
    """Insert the new contacts and update the changed ones, in one set-based statement. Call inside the
    transaction that locked the updated rows."""
    if not contacts:
        return
    rows = [_contact_row(contact) for contact in contacts]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS import_staging "
                "(id varchar(32), sub_account_id bigint, name varchar(255), email varchar(254), phone varchar(32), "
                "custom_fields jsonb, created_at timestamptz, updated_at timestamptz, search_text text) ON COMMIT DELETE ROWS"
            )
            copy_rows("import_staging", CONTACT_COLUMNS, rows)
            cursor.execute(_upsert_sql(f"SELECT {', '.join(CONTACT_COLUMNS)}, 0, NULL FROM import_staging"))
            cursor.execute("TRUNCATE import_staging")
        return
    placeholders = ", ".join("%s" for _ in CONTACT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(f"VALUES ({placeholders}, 0, NULL)"), rows)


def tags_rewrite(*, sub_account_id: int, changes: list[tuple[str, list[str], list[str]]]) -> None:
    """Apply (contact id, tags before, tags after) for many contacts: links added and removed in bulk."""
    wanted_names = sorted({name for _, before, after in changes for name in (*before, *after)})
    if not wanted_names:
        return
    tag_ids_ensure(sub_account_id=sub_account_id, names=sorted({name for _, _, after in changes for name in after}))
    ids = dict(ContactTag.objects.for_account(sub_account_id).filter(name__in=wanted_names).values_list("name", "id"))
    removed_by_tag: dict[int, list[str]] = {}
    added = []
    for contact_id, before, after in changes:
        for name in set(before) - set(after):
            removed_by_tag.setdefault(ids[name], []).append(contact_id)
        added.extend((sub_account_id, contact_id, ids[name]) for name in set(after) - set(before))
    links = TaggedContact.objects.for_account(sub_account_id)
    for tag_id, contact_ids in removed_by_tag.items():
        for chunk in chunks(contact_ids, 900):
            links.filter(tag_id=tag_id, content_object_id__in=chunk).delete()
    copy_rows(TaggedContact._meta.db_table, ("sub_account_id", "content_object_id", "tag_id"), added)
