"""PostgreSQL: the trigram index on the folded search copy, keyed by the sub-account as 0005's are.

Each word of a search is a `search_text LIKE '%word%'`, which this one index serves (0005's name and
email indexes still serve the prefix tier of the ranked search, `/contacts/search`).
"""

from django.db import migrations

from contacts_site.migration_operations import postgresql_indexes

INDEXES = {"contact_search_text_tenant_trgm": "USING gin ((sub_account_id::text), search_text gin_trgm_ops)"}


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("contacts", "0012_workspace_search_text")]

    operations = [postgresql_indexes("contacts_contact", INDEXES, extensions=("btree_gin", "pg_trgm"))]
