import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.utils import timezone

from accounts.tenancy import TenantModel, TenantQuerySet, tenant_delete  # noqa: F401 (imported from here)

API_KEY_PREFIX = "ck_"
# The visible part of a key, stored in clear to find the row; the rest is only ever stored hashed.
API_KEY_LOOKUP_LENGTH = 8
# Writing last_used_at on every request would turn every read into a write; a minute's precision is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


def validate_phone_region(value: str) -> None:
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(f"“{value}” is not a known phone region (ISO 3166 code such as US, GB, DE).")


class SubAccount(models.Model):
    """One business: the tenant. Every contact, conversation and key belongs to exactly one."""

    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=64, unique=True)
    default_phone_region = models.CharField(
        max_length=2,
        default="US",
        validators=[validate_phone_region],
        help_text="Region used to read phone numbers typed without a country code.",
    )
    api_rate_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="API requests allowed per key and window; empty for the service default.",
    )
    api_rate_window_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
        help_text="Length of the rate-limit window in seconds; empty for the service default.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Exact, maintained by contacts.services in the transaction of each create/delete: an unfiltered
    # list's total without counting 500k rows.
    contact_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def rate_limit(self) -> tuple[int, int]:
        """(requests, window in seconds) allowed to each of this sub-account's API keys."""
        return (
            self.api_rate_limit or settings.API_RATE_LIMIT_REQUESTS,
            self.api_rate_window_seconds or settings.API_RATE_LIMIT_WINDOW_SECONDS,
        )


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        AGENT = "agent", "Agent"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sub_account"], name="membership_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.sub_account} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


def hash_api_key(raw_key: str) -> str:
    # Keys carry 256 bits of randomness, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


class APIKeyQuerySet(models.QuerySet):
    def active(self):
        """Not revoked and not expired: the keys that open the API right now."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


@dataclass(frozen=True)
class _KeyLookup:
    """The statement that finds the keys of a prefix with their sub-account, and how to read its rows."""

    sql: str
    key_names: list[str]
    account_names: list[str]
    # (position in the row, column, converters): what the ORM would apply to each value (SQLite's datetimes).
    converters: list[tuple[int, Any, list]]


@functools.cache
def _key_lookup(alias: str) -> _KeyLookup:
    connection = connections[alias]
    quote = connection.ops.quote_name
    keys, accounts = quote(APIKey._meta.db_table), quote(SubAccount._meta.db_table)
    fields = [(APIKey._meta.db_table, field) for field in APIKey._meta.concrete_fields]
    fields += [(SubAccount._meta.db_table, field) for field in SubAccount._meta.concrete_fields]
    columns = [field.get_col(table) for table, field in fields]
    sql = (
        f"SELECT {', '.join(f'{quote(table)}.{quote(field.column)}' for table, field in fields)} "
        f"FROM {keys} INNER JOIN {accounts} ON ({keys}.{quote('sub_account_id')} = {accounts}.{quote('id')}) "
        f"WHERE {keys}.{quote('prefix')} = %s"
    )
    converters = []
    for position, column in enumerate(columns):
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((position, column, found))
    return _KeyLookup(
        sql=sql,
        key_names=[field.attname for field in APIKey._meta.concrete_fields],
        account_names=[field.attname for field in SubAccount._meta.concrete_fields],
        converters=converters,
    )


class APIKeyManager(models.Manager.from_queryset(APIKeyQuerySet)):
    def authenticate(self, raw_key: str) -> "APIKey | None":
        """The active key matching `raw_key`, with its sub-account, or None. Found by its prefix, compared in
        constant time.

        This runs on every API request, so its statement is written once per process rather than built by the
        ORM each time: building and compiling `filter(prefix=…).select_related("sub_account")` cost more than
        running it (benchmark scenarios `get` and `list`: 0.8–1.2 → 0.3–0.5 ms a request, in-process, see
        docs/performance.md "Request overhead"). Active is checked in Python for the same reason. On the
        manager, not the QuerySet: it reads the whole table by prefix, and a queryset's filters would be lost.
        """
        if not raw_key.startswith(API_KEY_PREFIX) or len(raw_key) < len(API_KEY_PREFIX) + 32:
            return None
        lookup = raw_key[len(API_KEY_PREFIX) : len(API_KEY_PREFIX) + API_KEY_LOOKUP_LENGTH]
        digest = hash_api_key(raw_key)
        alias = self.db
        connection = connections[alias]
        statement = _key_lookup(alias)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, [lookup])
            rows = cursor.fetchall()
        split = len(statement.key_names)
        for values in rows:
            values = list(values)
            for position, column, converters in statement.converters:
                for converter in converters:
                    values[position] = converter(values[position], column, connection)
            candidate = APIKey.from_db(alias, statement.key_names, values[:split])
            if hmac.compare_digest(candidate.secret_hash, digest) and candidate.is_active:
                candidate.sub_account = SubAccount.from_db(alias, statement.account_names, values[split:])
                return candidate
        return None


class APIKey(models.Model):
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, default="API key")
    prefix = models.CharField(max_length=API_KEY_LOOKUP_LENGTH, db_index=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Optional: the key stops working at this time.")

    objects = APIKeyManager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix}…)"

    @property
    def display_prefix(self) -> str:
        return f"{API_KEY_PREFIX}{self.prefix}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    def set_new_secret(self) -> str:
        """Give this key a fresh secret; returns it. The caller shows it once: only its hash is kept."""
        raw_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        self.prefix = raw_key[len(API_KEY_PREFIX) : len(API_KEY_PREFIX) + API_KEY_LOOKUP_LENGTH]
        self.secret_hash = hash_api_key(raw_key)
        return raw_key

    def touch(self) -> None:
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > LAST_USED_PRECISION:
            APIKey.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class IdempotencyKeyQuerySet(models.QuerySet):
    def expired(self):
        return self.filter(created_at__lte=timezone.now() - settings.IDEMPOTENCY_KEY_TTL)


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a sub-account sent with a POST, and the answer to replay for it.

    `response_status` is null while the first request is still running (others get 409); once set,
    a repeat of the same request replays status, body and headers without doing the work again.
    """

    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=255)
    # sha256 of method, path and canonical JSON body: the same key with another request is a mistake (422).
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(help_text="When the request now running took the key.")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)

    objects = IdempotencyKeyQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sub_account", "key"], name="idempotencykey_unique_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotencykey_created")]

    def __str__(self) -> str:
        return f"{self.key} ({self.sub_account_id})"

    @property
    def is_complete(self) -> bool:
        return self.response_status is not None
