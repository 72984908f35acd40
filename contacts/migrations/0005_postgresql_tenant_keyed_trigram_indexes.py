"""The search trigram indexes gain the sub-account as their first key (btree_gin), replacing 0002's.

With the tenant inside the index, searching a small sub-account intersects its key with the term's
trigrams in the index, instead of collecting the whole table's matches and discarding other tenants'
on the heap (counting a common term in a 5,000-contact sub-account beside a 500,000-contact one:
15 ms → 3 ms). The key is the sub-account id *as text*: an expression of its own, which PostgreSQL
uses only when a query names it, so ContactQuerySet.search decides per sub-account whether it helps
(see there, and docs/performance.md). A query without it searches these indexes by trigrams alone.
"""

from django.db import migrations

from contacts_site.migration_operations import postgresql_indexes

INDEXES = {
    "contact_name_tenant_trgm": "USING gin ((sub_account_id::text), UPPER(name) gin_trgm_ops)",
    "contact_email_tenant_trgm": "USING gin ((sub_account_id::text), UPPER(email) gin_trgm_ops)",
}
REPLACED = {
    "contact_name_trgm": "USING gin (UPPER(name) gin_trgm_ops)",
    "contact_email_trgm": "USING gin (UPPER(email) gin_trgm_ops)",
}


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("contacts", "0004_taggedcontact_tenant_indexes")]

    operations = [postgresql_indexes("contacts_contact", INDEXES, extensions=("btree_gin",), replaces=REPLACED)]
