"""PostgreSQL: two B-tree indexes for the contacts list (docs/performance.md, "Each trick and the scenario
that earns it").

- `contact_account_last_conversation_asc`: `sort=last_conversation&direction=asc` keeps contacts never in a
  conversation last (`ASC NULLS LAST`). 0003's index (`DESC NULLS LAST`), read backwards, gives `ASC NULLS
  FIRST`, so this direction sorted the whole sub-account to return 25 rows (benchmark `combo:12`; the
  unfiltered list of 500,000 contacts in this direction: ~310 ms of SQL).
- `contact_account_created_search`: each sub-account's contacts in list order, carrying what a small
  sub-account's list reads to search, sort and filter by tag (the folded search copy, name, updated, last
  conversation, tag ids). Such a sub-account's rows lie scattered among its neighbours' on thousands of heap
  pages; its entries here lie side by side, and its list is found on them alone (benchmark `alone`: the 5k
  sub-account beside a 500k one; contacts.search.TENANT_WALKED_SEARCH_MAX_CONTACTS).
"""

from django.db import migrations

from contacts_site.migration_operations import postgresql_indexes

INDEXES = {
    "contact_account_last_conversation_asc": "(sub_account_id, last_conversation ASC NULLS LAST, id ASC)",
    "contact_account_created_search": (
        "(sub_account_id, created_at, id) INCLUDE (search_text, name, updated_at, last_conversation, tag_ids)"
    ),
}


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("contacts", "0019_search_statistics")]

    operations = [postgresql_indexes("contacts_contact", INDEXES)]
