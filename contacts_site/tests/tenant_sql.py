"""The check behind the tenant-SQL tests: does each statement on a tenant table name its sub-account in
its own WHERE?

Tenant tables are those of every subclass of accounts.tenancy.TenantModel, webhooks included, found at
import time: a model added later is covered without anyone listing it. A statement passes when

- it is an INSERT into a tenant table whose columns include `sub_account_id`, or
- each query in it (the statement and every subquery) whose FROM, UPDATE or DELETE target is a tenant
  table has, in its own WHERE, a condition `"sub_account_id" = <value>` (or `IN (<values>)`) that is
  ANDed with the rest: not inside an OR, not in a subquery, not in the SELECT list.

Good enough for the SQL Django writes (it is not a general SQL parser): strings and quoted names are
skipped, parentheses are matched, and conditions are split on AND at each level of grouping.
"""

import re
from dataclasses import dataclass, field

from django.apps import apps

from accounts.tenancy import TenantModel


def tenant_tables() -> frozenset[str]:
    return frozenset(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.proxy and model._meta.managed
    )


TENANT_TABLE_NAMES = tenant_tables()
TENANT_TABLES = re.compile(r'"(' + "|".join(sorted(TENANT_TABLE_NAMES)) + r')"')
INSERT = re.compile(r'^\s*INSERT (?:OR IGNORE )?INTO "(\w+)"', re.IGNORECASE)  # OR IGNORE: SQLite's DO NOTHING
# The table a query reads or writes: UPDATE "t", DELETE FROM "t", or the first FROM of a SELECT at its own level.
TARGET = re.compile(
    r'^\s*(?:UPDATE|DELETE FROM) "(\w+)"|^\s*SELECT\b(?:(?!\bFROM\b).)*\bFROM "(\w+)"', re.IGNORECASE | re.DOTALL
)
WHERE_END = re.compile(r"\b(GROUP BY|ORDER BY|HAVING|LIMIT|OFFSET|RETURNING|FOR UPDATE|FOR NO KEY|WINDOW)\b")
NAMES_TENANT = re.compile(
    r'^\s*(?:"?\w+"?\.)?"sub_account_id"\s*(?:=\s*(?:-?\d+|\'\d+\'|%s|\?)\s*$|IN\s*$)', re.IGNORECASE
)


@dataclass
class Group:
    """A parenthesized part of a statement: its text pieces and nested groups, in order."""

    parts: list = field(default_factory=list)

    @property
    def text(self) -> str:
        """This level's text, each nested group shown as `(…)`."""
        return "".join(part if isinstance(part, str) else "(…)" for part in self.parts)

    @property
    def is_query(self) -> bool:
        return bool(re.match(r"\s*(SELECT|WITH)\b", self.text, re.IGNORECASE))


def parse(sql: str) -> Group:
    """The statement as nested groups; text inside quotes is kept whole."""
    root = Group()
    stack = [root]
    buffer = []
    index = 0
    while index < len(sql):
        char = sql[index]
        if char in "'\"":
            end = index + 1
            while end < len(sql):
                if sql[end] == char and sql[end + 1 : end + 2] == char:
                    end += 2
                elif sql[end] == char:
                    break
                else:
                    end += 1
            buffer.append(sql[index : end + 1])
            index = end + 1
            continue
        if char == "(":
            stack[-1].parts.append("".join(buffer))
            buffer = []
            child = Group()
            stack[-1].parts.append(child)
            stack.append(child)
        elif char == ")" and len(stack) > 1:
            stack[-1].parts.append("".join(buffer))
            buffer = []
            stack.pop()
        else:
            buffer.append(char)
        index += 1
    stack[-1].parts.append("".join(buffer))
    return root


def _split(parts: list, separator: str) -> list[list]:
    """`parts` split where their text (at this level) holds `separator` (a keyword, matched as a word)."""
    pieces: list[list] = [[]]
    for part in parts:
        if isinstance(part, Group):
            pieces[-1].append(part)
            continue
        chunks = re.split(rf"\b{separator}\b", part, flags=re.IGNORECASE)
        pieces[-1].append(chunks[0])
        for chunk in chunks[1:]:
            pieces.append([chunk])
    return pieces


def _where(query: Group) -> list:
    """The parts of `query`'s own WHERE clause (empty without one)."""
    found, clause = False, []
    for part in query.parts:
        if isinstance(part, Group):
            if found:
                clause.append(part)
            continue
        if not found:
            pieces = re.split(r"\bWHERE\b", part, maxsplit=1, flags=re.IGNORECASE)
            if len(pieces) == 1:
                continue
            found, part = True, pieces[1]
        end = WHERE_END.search(part)
        if end:
            clause.append(part[: end.start()])
            break
        clause.append(part)
    return clause


def _names_tenant(condition: list) -> bool:
    """Whether the conjunction `condition` has, as one of its terms, the tenant compared to values."""
    for term in _split(condition, "AND"):
        meaningful = [part for part in term if isinstance(part, Group) or part.strip()]
        if len(meaningful) == 1 and isinstance(meaningful[0], Group):
            group = meaningful[0]
            if not group.is_query and not _split(group.parts, "OR")[1:] and _names_tenant(group.parts):
                return True
            continue
        if meaningful and isinstance(meaningful[0], str) and NAMES_TENANT.match(meaningful[0]):
            rest = meaningful[1:]
            if not rest or (len(rest) == 1 and isinstance(rest[0], Group) and not rest[0].is_query):
                return True
    return False


def _queries(group: Group):
    """`group` (when it is a query) and every query nested in it."""
    if group.is_query or TARGET.match(group.text):
        yield group
    for part in group.parts:
        if isinstance(part, Group):
            yield from _queries(part)


def statement_names_tenant(sql: str) -> bool:
    insert = INSERT.match(sql)
    if insert:
        columns = sql.split(") VALUES", 1)[0] if ") VALUES" in sql else sql
        return insert.group(1) not in TENANT_TABLE_NAMES or '"sub_account_id"' in columns
    for query in _queries(parse(sql)):
        target = TARGET.match(query.text)
        table = target and (target.group(1) or target.group(2))
        if table in TENANT_TABLE_NAMES and not _names_tenant(_where(query)):
            return False
    return True


def statements_without_tenant(statements: list[str]) -> list[str]:
    return [sql for sql in statements if TENANT_TABLES.search(sql) and not statement_names_tenant(sql)]
