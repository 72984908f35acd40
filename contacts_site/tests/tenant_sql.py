"""The check behind the tenant-SQL tests: does each statement on a tenant table name its sub-account?"""

import re

TENANT_TABLES = re.compile(r'"(contacts_contact|contacts_contacttag|contacts_taggedcontact|conversations_\w+)"')
NAMES_TENANT = re.compile(r'"sub_account_id"\s*(=|IN\b)', re.IGNORECASE)
INSERT = re.compile(r"INSERT (OR IGNORE )?INTO")  # SQLite's spelling of ON CONFLICT DO NOTHING


def statements_without_tenant(statements: list[str]) -> list[str]:
    missing = []
    for sql in statements:
        if not TENANT_TABLES.search(sql):
            continue
        if INSERT.match(sql) and '"sub_account_id"' in sql.split(") VALUES", 1)[0]:
            continue
        where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""
        if not NAMES_TENANT.search(where):
            missing.append(sql)
    return missing
