"""The tenant wall of the data layer: a tenant table is read only by naming its sub-account.

Every model owned by a sub-account inherits `TenantModel`; its QuerySet inherits `TenantQuerySet`.
Such a queryset refuses to run (raises `TenantNotNamed`) until it has named one sub-account, with
`for_account(sub_account)` or a `filter()` on `sub_account`/`sub_account_id` by a single value (the
spelling Django's own unique checks use). It then remembers that sub-account, so the QuerySet methods
built on it (`with_tags()`, `search()`, …) need not be told again.

The one way across tenants is `unscoped()`, named to be grepped: the webhook worker (it claims any
sub-account's due deliveries), the admin (superusers see every tenant), migrations and maintenance
commands, and tests that inspect the whole database. Nothing a request of a sub-account runs uses it.

Django's public API has no hook for three things this module needs, so its private one is used here
and nowhere else: `_clone()` (a queryset's attributes do not survive chaining otherwise) and
`_fetch_all()` (the one place every evaluation of a queryset passes through, unlike `__iter__`, which
`qs[0]` and prefetching bypass); `Model._do_update()` (the only way to add the sub-account to the
`WHERE` of the UPDATE that `save()` runs); and `QuerySet._raw_delete()` (a DELETE without the deletion
collector, whose child lookups name the parent ids only). `read_compiled_once()` also reads what the ORM's own
row reader (ModelIterable) reads from the SQL compiler: the columns, converters and annotations of a
statement it compiled, to build the same instances from the same statement without compiling it again.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connections, models
from django.db.models.query import ModelIterable


class TenantNotNamed(RuntimeError):
    """A query on a tenant table ran without naming its sub-account: a bug, never a user's error."""


# The keyword arguments of filter() that name one tenant.
TENANT_LOOKUPS = ("sub_account", "sub_account_id", "sub_account__pk", "sub_account__id")


def _one_tenant(value) -> bool:
    """A sub-account or its id: not a list, a subquery or an outer reference."""
    from accounts.models import SubAccount

    if isinstance(value, bool):
        return False
    return isinstance(value, (SubAccount, int)) or (isinstance(value, str) and value.isdigit())


@dataclass(frozen=True)
class _Statement:
    """A queryset's SQL compiled once, and how to read its rows back as the ORM would (see read_compiled_once)."""

    sql: str
    tenant_params: int  # how many parameters it takes: every one is the sub-account's id
    names: list[str]  # the model's attribute of each column of the model's, in the row's order
    model_columns: slice
    annotations: list[tuple[str, int]]  # (attribute, position in the row)
    converters: list[tuple[int, list, Any]]  # (position, the ORM's converters of its value, its expression)


# Statements compiled by read_compiled_once: (shape, database, order, slice) → _Statement, or None when the
# queryset's SQL holds more than its tenant. Bounded: the shapes are a few lists, their slices a few pages.
_STATEMENTS: dict[tuple, _Statement | None] = {}
MAX_STATEMENTS = 512


class TenantQuerySet(models.QuerySet):
    """A QuerySet of a tenant table that runs only once it has named its sub-account (see the module)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tenant = None  # the SubAccount, or its id, that every statement names
        self._crosses_tenants = False  # set by unscoped() only

    def _clone(self):
        clone = super()._clone()
        clone._tenant = self._tenant
        clone._crosses_tenants = self._crosses_tenants
        return clone

    @classmethod
    def as_manager(cls):
        """A TenantManager for this QuerySet, so related managers name their parent's tenant too."""
        manager = TenantManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    as_manager.queryset_only = True

    def for_account(self, sub_account):
        """The rows of one sub-account (a SubAccount or its id): the one spelling of the tenant filter."""
        if not _one_tenant(sub_account):
            raise TypeError(f"for_account() takes a SubAccount or its id, not {sub_account!r}.")
        return self.filter(sub_account=sub_account)

    def naming(self, sub_account):
        """A copy of this queryset that remembers `sub_account`, the SubAccount whose id it already names, so that
        `tenant` answers without a read (a queryset built once for the id: accounts.api's `scope_built_once`)."""
        if self._tenant is None or int(getattr(self._tenant, "pk", self._tenant)) != sub_account.pk:
            raise TenantNotNamed(f"{self.model._meta.label}: naming() a sub-account this queryset does not name.")
        clone = self._chain()
        clone._tenant = sub_account
        return clone

    def unscoped(self):
        """Rows of every sub-account. The escape hatch: only for the webhook worker, the admin,
        migrations, maintenance commands and tests that inspect the whole database."""
        clone = self._chain()
        clone._crosses_tenants = True
        return clone

    def filter(self, *args, **kwargs):
        clone = super().filter(*args, **kwargs)
        for lookup in TENANT_LOOKUPS:
            if lookup in kwargs and _one_tenant(kwargs[lookup]):
                clone._tenant = kwargs[lookup]
        return clone

    def none(self):
        clone = super().none()
        # It reads nothing, so it reads no other tenant's rows (a viewset's schema generation uses it).
        clone._crosses_tenants = True
        return clone

    @property
    def tenant_id(self) -> int:
        """The id of the sub-account this queryset named; TenantNotNamed if none."""
        self._require_tenant("tenant_id")
        return int(getattr(self._tenant, "pk", self._tenant))

    @property
    def tenant(self):
        """The SubAccount this queryset named (read once if only its id was given); TenantNotNamed if none."""
        from accounts.models import SubAccount

        self._require_tenant("tenant")
        if not isinstance(self._tenant, SubAccount):
            self._tenant = SubAccount.objects.get(pk=self._tenant)
        return self._tenant

    def _require_tenant(self, action: str) -> None:
        if self._tenant is None and not self._crosses_tenants:
            raise TenantNotNamed(
                f"{self.model._meta.label}: {action} without a sub-account. Name it with for_account(), "
                "or call unscoped() where crossing tenants is the point (worker, admin, migrations)."
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._require_tenant("a read")
        super()._fetch_all()

    def read_compiled_once(self, shape: str) -> list:
        """This queryset's rows, its SQL compiled once per process and shape rather than on every read.

        `shape` is the caller's word that every queryset it reads under that name compiles to the same SQL
        but for its sub-account, order and slice, which are added to it here (a list with no filter: the
        statement is then the same for every tenant and page). Checked where it can be: a statement whose
        parameters are anything but the sub-account's id is never reused, and such a queryset, one with
        related rows (select_related, prefetch) or one that does not read model instances is read the
        usual way. Its rows are the ORM's: the same columns, converters and model instances.

        Benchmark scenario `list`: building and compiling the page's statement cost ~0.5 ms of the 25-contact
        page's ~3.5 ms above SQL (docs/performance.md, "Request overhead"), as for the API key
        (accounts.models.APIKeyManager.authenticate).
        """
        self._require_tenant("a read")
        if (
            self._tenant is None  # unscoped(): no one tenant to give the statement
            or self._result_cache is not None
            or self._iterable_class is not ModelIterable
            or self._prefetch_related_lookups
            or self._known_related_objects
        ):
            return list(self)
        query = self.query
        key = (shape, self.db, query.order_by, query.standard_ordering, query.low_mark, query.high_mark)
        try:
            statement = _STATEMENTS[key]
        except KeyError:
            statement = self._compile_for_reuse()
            if len(_STATEMENTS) < MAX_STATEMENTS:
                _STATEMENTS[key] = statement
        if statement is None:
            return list(self)
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, [self.tenant_id] * statement.tenant_params)
            rows = cursor.fetchall()
        objects = []
        for row in rows:
            if statement.converters:
                row = list(row)
                for position, converters, expression in statement.converters:
                    for converter in converters:
                        row[position] = converter(row[position], expression, connection)
            obj = self.model.from_db(self.db, statement.names, row[statement.model_columns])
            for name, position in statement.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def _compile_for_reuse(self) -> _Statement | None:
        """This queryset's statement for read_compiled_once, or None when it must not be reused."""
        compiler = self.query.get_compiler(using=self.db)
        sql, params = compiler.as_sql()  # also fills compiler.select, klass_info and annotation_col_map
        tenant_id = self.tenant_id
        if (
            not all(type(param) is int and param == tenant_id for param in params)
            or compiler.klass_info is None
            or compiler.klass_info.get("related_klass_infos")
            or compiler.has_extra_select
        ):
            return None
        select_fields = compiler.klass_info["select_fields"]
        model_columns = slice(select_fields[0], select_fields[-1] + 1)
        converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
        return _Statement(
            sql=sql,
            tenant_params=len(params),
            names=[column[0].target.attname for column in compiler.select[model_columns]],
            model_columns=model_columns,
            annotations=list(compiler.annotation_col_map.items()),
            converters=[(position, found, expression) for position, (found, expression) in converters.items()],
        )

    def iterator(self, *args, **kwargs):
        self._require_tenant("iterator()")
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            self._require_tenant("count()")
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._require_tenant("exists()")
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._require_tenant("aggregate()")
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._require_tenant("update()")
        return super().update(**kwargs)

    def delete(self):
        self._require_tenant("delete()")
        return super().delete()

    def explain(self, *args, **kwargs):
        self._require_tenant("explain()")
        return super().explain(*args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """The default manager of a tenant model.

    A related manager (`contact.conversations`) is a subclass of this one bound to its parent: its
    rows are the parent's sub-account's, so it names that sub-account, and its statements carry the
    tenant like every other.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        parent = getattr(self, "instance", None)
        parent_tenant = getattr(parent, "sub_account_id", None)
        if parent_tenant is not None:
            return queryset.for_account(parent_tenant)
        return queryset


class TenantModel(models.Model):
    """Base of every model owned by a sub-account (each declares its own `sub_account` foreign key).

    Its default manager refuses to read without a sub-account (TenantQuerySet). Django updates a saved
    row with `WHERE id = …`; here the sub-account is added to that WHERE, so that every statement on a
    tenant table names its tenant: a second wall behind the querysets, and what lets a sharded
    PostgreSQL (Citus, distributed by sub_account_id) route the statement to one shard.
    """

    objects = TenantManager()

    class Meta:
        abstract = True

    def _do_update(self, base_qs, *args, **kwargs):
        return super()._do_update(base_qs.filter(sub_account_id=self.sub_account_id), *args, **kwargs)

    def validate_unique(self, exclude=None):
        # Ids are random and generated in Python; the primary key constraint is their uniqueness check.
        # Django's own would look the id up without a tenant. Rules per sub-account are constraints
        # that name it (validate_constraints).
        super().validate_unique(exclude={*(exclude or ()), self._meta.pk.name})


def tenant_delete(queryset, *, sub_account_id: int) -> int:
    """Delete `queryset`'s rows of one sub-account, and first every tenant row that cascades from them;
    returns how many of `queryset`'s rows went.

    Django's deletion collector deletes children by parent id only (`WHERE contact_id IN (…)`); here
    each DELETE names the sub-account too, like every other statement on a tenant table. Relations to
    non-tenant models fall back to Django's own handling. Run it inside the caller's transaction.
    """
    model = queryset.model
    # The ids are read once, before any child goes: a queryset filtered through a child (contacts by tag)
    # would match nothing once the children are deleted, and the parents would survive.
    ids = list(queryset.filter(sub_account_id=sub_account_id).values_list("pk", flat=True))
    doomed = model._base_manager.filter(sub_account_id=sub_account_id, pk__in=ids)
    for relation in model._meta.related_objects:
        children = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": ids})
        if relation.on_delete is models.CASCADE and issubclass(relation.related_model, TenantModel):
            tenant_delete(children, sub_account_id=sub_account_id)
        elif relation.on_delete is models.CASCADE:
            children.delete()
        elif relation.on_delete is models.SET_NULL:
            children.update(**{relation.field.name: None})
    return doomed._raw_delete(doomed.db)
