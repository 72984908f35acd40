"""PostgreSQL: each contact's tag ids as a JSON array in its own row (`tag_ids`), kept by triggers.

A tag filter beside a search or a custom-field condition was a probe of the tag links per candidate
row; with the tag ids in the row, PostgreSQL combines the three indexes on the contacts table itself
(a BitmapAnd), so a combination costs what its rarest condition costs (docs/performance.md, benchmark
family `combo:*`). The column is written only by these triggers, from the links, whichever door
wrote them (services, imports, merges, the admin, raw SQL): it is not a model field, so no save()
can write a stale copy back. SQLite keeps filtering through the links (EXISTS): it has no index that
would serve the array.

Its GIN index is built CONCURRENTLY by 0017, outside this migration's transaction.
"""

from django.db import migrations

WRITE_FUNCTION = """
CREATE OR REPLACE FUNCTION contacts_contact_tag_ids_write(accounts bigint[], contact_ids text[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE contacts_contact c SET tag_ids = fresh.ids
    FROM (
        SELECT changed.account, changed.contact_id, coalesce((
            SELECT jsonb_agg(link.tag_id ORDER BY link.tag_id) FROM contacts_taggedcontact link
            WHERE link.sub_account_id = changed.account AND link.content_object_id = changed.contact_id
        ), '[]'::jsonb) AS ids
        FROM (SELECT DISTINCT account, contact_id FROM unnest(accounts, contact_ids) AS u(account, contact_id)) changed
    ) fresh
    WHERE c.sub_account_id = fresh.account AND c.id = fresh.contact_id AND c.tag_ids <> fresh.ids
$$
"""
TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION contacts_taggedcontact_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    accounts bigint[];
    contact_ids text[];
BEGIN
    -- One UPDATE per statement, whatever it changed: a bulk tagging of 10,000 contacts is one statement here.
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(sub_account_id), array_agg(content_object_id) INTO accounts, contact_ids FROM links_new;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(sub_account_id), array_agg(content_object_id) INTO accounts, contact_ids FROM links_old;
    ELSE
        SELECT array_agg(sub_account_id), array_agg(content_object_id) INTO accounts, contact_ids
        FROM (SELECT sub_account_id, content_object_id FROM links_new
              UNION SELECT sub_account_id, content_object_id FROM links_old) changed;
    END IF;
    IF accounts IS NOT NULL THEN
        PERFORM contacts_contact_tag_ids_write(accounts, contact_ids);
    END IF;
    RETURN NULL;
END
$$
"""
# The transition tables each trigger hands its function (one statement's changed links).
TRIGGERS = {
    "INSERT": "NEW TABLE AS links_new",
    "DELETE": "OLD TABLE AS links_old",
    "UPDATE": "OLD TABLE AS links_old NEW TABLE AS links_new",
}
FORWARD = [
    "ALTER TABLE contacts_contact ADD COLUMN IF NOT EXISTS tag_ids jsonb NOT NULL DEFAULT '[]'::jsonb",
    WRITE_FUNCTION,
    TRIGGER_FUNCTION,
    *(
        f"CREATE TRIGGER contacts_taggedcontact_after_{event.lower()} AFTER {event} ON contacts_taggedcontact "
        f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION contacts_taggedcontact_changed()"
        for event, tables in TRIGGERS.items()
    ),
    # The existing links, once.
    """UPDATE contacts_contact c SET tag_ids = t.ids
       FROM (SELECT sub_account_id, content_object_id, jsonb_agg(tag_id ORDER BY tag_id) AS ids
             FROM contacts_taggedcontact GROUP BY sub_account_id, content_object_id) t
       WHERE c.sub_account_id = t.sub_account_id AND c.id = t.content_object_id""",
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS contacts_taggedcontact_after_{event.lower()} ON contacts_taggedcontact" for event in TRIGGERS),
    "DROP FUNCTION IF EXISTS contacts_taggedcontact_changed()",
    "DROP FUNCTION IF EXISTS contacts_contact_tag_ids_write(bigint[], text[])",
    "ALTER TABLE contacts_contact DROP COLUMN IF EXISTS tag_ids",
]


def postgresql(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("contacts", "0015_workspace_saved_views")]

    operations = [migrations.RunPython(postgresql(FORWARD), postgresql(BACKWARD), elidable=False)]
