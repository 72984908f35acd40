import hashlib
import hmac
import secrets
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

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
    created_at = models.DateTimeField(auto_now_add=True)
    # Exact, maintained by contacts.services in the transaction of each create/delete: an unfiltered
    # list's total without counting 500k rows.
    contact_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """Base of every model owned by a sub-account (each declares its own `sub_account` foreign key).

    Django updates a saved row with `WHERE id = …`; here the sub-account is added to that WHERE, so
    that every statement on a tenant table names its tenant: a second wall behind the querysets, and
    what lets a sharded PostgreSQL (Citus, distributed by sub_account_id) route the statement to one
    shard.
    """

    class Meta:
        abstract = True

    def _do_update(self, base_qs, *args, **kwargs):
        return super()._do_update(base_qs.filter(sub_account_id=self.sub_account_id), *args, **kwargs)


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
        return self.filter(revoked_at__isnull=True)

    def authenticate(self, raw_key: str) -> "APIKey | None":
        """The active key matching `raw_key`, or None. Found by its prefix, compared in constant time."""
        if not raw_key.startswith(API_KEY_PREFIX) or len(raw_key) < len(API_KEY_PREFIX) + 32:
            return None
        lookup = raw_key[len(API_KEY_PREFIX) : len(API_KEY_PREFIX) + API_KEY_LOOKUP_LENGTH]
        digest = hash_api_key(raw_key)
        for candidate in self.active().filter(prefix=lookup).select_related("sub_account"):
            if hmac.compare_digest(candidate.secret_hash, digest):
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

    objects = APIKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix}…)"

    @property
    def display_prefix(self) -> str:
        return f"{API_KEY_PREFIX}{self.prefix}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

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
