"""PostgreSQL-only indexes for search and filters (SQLite has no trigram or GIN indexes, and needs none
at its scale). Kept out of Model.Meta so the migration state stays portable; listed in
docs/performance.md with the query each one serves.

The expressions match what the ORM emits: `icontains`/`istartswith` compile to
`UPPER("name"::text) LIKE UPPER(…)`, so the indexes are on `UPPER(name)`, not on `name`.
Built CONCURRENTLY so a deploy does not lock a large contacts table against writes.
"""

from django.db import migrations

from contacts_site.migration_operations import postgresql_indexes

INDEXES = {
    # search: substring of name / email (3+ characters)
    "contact_name_trgm": "USING gin (UPPER(name) gin_trgm_ops)",
    "contact_email_trgm": "USING gin (UPPER(email) gin_trgm_ops)",
    # search: part of a phone number ("555-2671" → phone LIKE '%5552671%')
    "contact_phone_trgm": "USING gin (phone gin_trgm_ops)",
    # search: 1–2 character terms match prefixes, within the sub-account
    "contact_name_prefix": "(sub_account_id, UPPER(name) text_pattern_ops)",
    "contact_email_prefix": "(sub_account_id, UPPER(email) text_pattern_ops)",
    # ?custom_field.<key>=<value> → custom_fields @> '{"key": value}'
    "contact_custom_fields": "USING gin (custom_fields jsonb_path_ops)",
}


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("contacts", "0001_initial")]

    operations = [postgresql_indexes("contacts_contact", INDEXES, extensions=("pg_trgm",))]
