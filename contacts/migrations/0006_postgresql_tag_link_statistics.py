"""Tell PostgreSQL's planner that a tag belongs to one sub-account (extended statistics; PostgreSQL only).

Every statement on the tag links names both the sub-account and the tag. Taken as independent, the two
conditions multiply into an estimate of about one row for a tag with a thousand links, and the planner
then picks plans that are fine for one row and dreadful for a thousand (a two-tag count in a 5,000-contact
sub-account: 50 ms instead of 0.5). A functional-dependency statistic fixes the estimate.
"""

from django.db import migrations

STATISTIC = "taggedcontact_account_tag"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTIC} (dependencies) "
            "ON sub_account_id, tag_id FROM contacts_taggedcontact"
        )
        schema_editor.execute("ANALYZE contacts_taggedcontact")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTIC}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_postgresql_tenant_keyed_trigram_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
