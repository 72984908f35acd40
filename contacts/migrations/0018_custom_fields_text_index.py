"""PostgreSQL: a trigram index over each contact's custom fields as text, which a custom-field "contains"
filter asks first (contacts.models.CustomFieldsTextContains): one index serves the filter on every key."""

from django.db import migrations

from contacts_site.migration_operations import postgresql_indexes

INDEXES = {"contact_custom_fields_text_trgm": "USING gin ((upper(custom_fields::text)) gin_trgm_ops)"}


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("contacts", "0017_contact_tag_ids_index")]

    operations = [postgresql_indexes("contacts_contact", INDEXES, extensions=("pg_trgm",))]
