from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import SubAccount, TenantModel
from contacts_site.ids import prefixed_id
from contacts_site.validation import validate_single_line_text
from webhooks.events import ALL_EVENTS, EVENT_TYPES
from webhooks.signing import secret_generate
from webhooks.targets import validate_target_url

# How long the previous secret keeps signing after a rotation, so receivers can switch without a gap.
ROTATION_OVERLAP = timedelta(hours=24)


def new_endpoint_id() -> str:
    return prefixed_id("wh")


def new_event_id() -> str:
    return prefixed_id("evt")


def new_delivery_id() -> str:
    return prefixed_id("dlv")


def validate_event_types(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError('Pick at least one event type (or "*" for all).')
    unknown = [item for item in value if item not in EVENT_TYPES and item != ALL_EVENTS]
    if unknown:
        raise ValidationError(f'Unknown event type “{unknown[0]}”. Known types: {", ".join(EVENT_TYPES)}, or "*".')


class EndpointQuerySet(models.QuerySet):
    def for_account(self, sub_account: SubAccount):
        return self.filter(sub_account=sub_account)

    def enabled(self):
        return self.filter(enabled=True)


class Endpoint(TenantModel):
    """A URL of one sub-account's that wants some event types, and the secret that signs what it gets."""

    id = models.CharField(primary_key=True, max_length=32, default=new_endpoint_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField("URL", max_length=2048, validators=[validate_target_url])
    # No NUL: PostgreSQL text cannot hold it (a 500 there, a stored NUL on SQLite).
    description = models.CharField(max_length=255, blank=True, default="", validators=[validate_single_line_text])
    events = models.JSONField(default=list, validators=[validate_event_types])
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True, default="", editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Start of the current run of failed attempts (no success since); reset by any success.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    # Kept in clear because signing needs it; see docs/webhooks.md on what that means for backups.
    secret = models.CharField(max_length=128, default=secret_generate, editable=False)
    previous_secret = models.CharField(max_length=128, blank=True, default="", editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        verbose_name = "webhook endpoint"
        indexes = [models.Index(fields=["sub_account", "-created_at", "-id"], name="endpoint_account_created")]

    def __str__(self) -> str:
        return self.url

    def clean_fields(self, exclude=None):
        """Normalize the event list (unique, catalogue order) so equal subscriptions compare equal."""
        known = {*EVENT_TYPES, ALL_EVENTS}
        # Unknown types are left in place for the validator to refuse: "*" must not swallow a typo.
        if isinstance(self.events, list) and all(isinstance(item, str) and item in known for item in self.events):
            chosen = set(self.events)
            self.events = (
                [ALL_EVENTS]
                if ALL_EVENTS in chosen
                else [t for t in EVENT_TYPES if t in chosen] + sorted(chosen - set(EVENT_TYPES))
            )
        elif self.events is not None and not isinstance(self.events, list):
            raise ValidationError({"events": ["Expected a list of event types."]})
        if isinstance(self.url, str):
            self.url = self.url.strip()
        super().clean_fields(exclude=exclude)

    def wants(self, event_type: str) -> bool:
        return ALL_EVENTS in self.events or event_type in self.events

    def live_secrets(self, now=None) -> list[str]:
        """The secrets that sign a delivery now: the current one, plus the previous during its overlap."""
        now = now or timezone.now()
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class Event(TenantModel):
    """The outbox: one row per change, written in the transaction that makes the change.

    `payload` is the exact JSON body sent to receivers, frozen at emit time: every retry and every
    endpoint gets the same bytes, whatever happens to the object afterwards.
    """

    id = models.CharField(primary_key=True, max_length=32, default=new_event_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=64)
    payload = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["sub_account", "-created_at", "-id"], name="event_account_created")]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class DeliveryQuerySet(models.QuerySet):
    def for_account(self, sub_account: SubAccount):
        return self.filter(sub_account=sub_account)

    def due(self, now):
        """Pending deliveries whose time has come, to endpoints that are on. A claimed delivery's
        `next_attempt_at` is its lease expiry, so one whose worker died becomes due again by itself."""
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__enabled=True)

    def waiting(self):
        return self.filter(status=Delivery.Status.PENDING, endpoint__enabled=True)

    def newest_first(self):
        return self.order_by("-created_at", "-id")


class Delivery(TenantModel):
    """One event to one endpoint, attempted until it succeeds or the retry schedule runs out."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    id = models.CharField(primary_key=True, max_length=32, default=new_delivery_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Attempts started in the current round (a redelivery starts a new round); counted at claim time,
    # so an attempt whose worker was killed still moves the delivery along its schedule.
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set by the worker that holds the lease; its result is only recorded while the token still matches.
    lease_token = models.CharField(max_length=32, blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="delivery_unique_event_endpoint")]
        indexes = [
            # The worker's claim query: only pending rows are indexed, so the index stays small.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_due"),
            models.Index(fields=["endpoint", "-created_at", "-id"], name="delivery_endpoint_created"),
        ]

    def __str__(self) -> str:
        return self.id

    @property
    def in_flight(self) -> bool:
        return bool(self.lease_token) and self.next_attempt_at is not None and self.next_attempt_at > timezone.now()


class DeliveryAttempt(TenantModel):
    """One HTTP request of a delivery, as the delivery log shows it."""

    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True, default="")
    error = models.CharField(max_length=500, blank=True, default="")
    next_retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["delivery", "attempted_at"], name="attempt_delivery_time")]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
