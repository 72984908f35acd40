"""PostgreSQL: the GIN index on each contact's tag ids (0016), which a tag filter's containment uses."""

from django.db import migrations

from contacts_site.migration_operations import postgresql_indexes

INDEXES = {"contact_tag_ids": "USING gin (tag_ids jsonb_path_ops)"}


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("contacts", "0016_contact_tag_ids")]

    operations = [postgresql_indexes("contacts_contact", INDEXES)]
