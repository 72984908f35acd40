"""PostgreSQL: ANALYZE reads up to 3,000,000 rows of the contacts and their tag links, so that a plan does not
flip with the rows a sample happened to hold.

ANALYZE samples 300 × the largest statistics target of a table's columns. With 0019's 1,000 that was 300,000 of
1,000,000 contacts, and a statement whose plans cost about the same (the bounded count of `LIKE '%smith%'`: a
trigram bitmap, or a walk of the table until 501 matches) took one plan or the other from one ANALYZE to the
next: 11 of 298 statements of `make bench` changed shape over 5 ANALYZEs (benchmark plan-stability check).
A target of 10,000 on `sub_account_id` samples 3,000,000 rows: up to that size the sample is the whole table, the
statistics are the same after every ANALYZE, and so is each plan; above it the sample is ten times the old one.
The target itself also keeps up to 10,000 sub-accounts' exact row counts, which the planner reads for
`sub_account_id = …` in every statement. It costs ANALYZE time and memory (docs/performance.md: at 1,000,000
contacts ~24 s instead of ~7 s on a loaded 2-core host, its backend ~0.7 GB resident); autovacuum runs it in
the background.
"""

from django.db import migrations

TABLES = ("contacts_contact", "contacts_taggedcontact")


def statistics(target: int):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in TABLES:
                schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN sub_account_id SET STATISTICS {target}")

    return operation


class Migration(migrations.Migration):
    dependencies = [("contacts", "0020_postgresql_ascending_activity_and_tenant_search_walk")]

    operations = [migrations.RunPython(statistics(10_000), statistics(-1), elidable=False)]
