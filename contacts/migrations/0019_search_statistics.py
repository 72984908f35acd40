"""PostgreSQL: larger statistics samples for the columns the list's filters estimate from.

A substring (`LIKE '%son%'`) or JSON condition is estimated by trying it on ANALYZE's sample; with the default
sample (histogram of 100 values) the estimate of a mid-frequency term moved from one ANALYZE to the next, and
the plan with it (a trigram bitmap and a sort, or a walk of the sort's index: benchmark plan-stability check,
`big:list_search:mid`, `big:search:name_and_domain`). 1,000 values make the estimate steady; ANALYZE reads
more rows for these three columns only.
"""

from django.db import migrations

COLUMNS = ("search_text", "custom_fields", "tag_ids")


def statistics(target: int):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for column in COLUMNS:
                schema_editor.execute(f"ALTER TABLE contacts_contact ALTER COLUMN {column} SET STATISTICS {target}")

    return operation


class Migration(migrations.Migration):
    dependencies = [("contacts", "0018_custom_fields_text_index")]

    operations = [migrations.RunPython(statistics(1000), statistics(-1), elidable=False)]
