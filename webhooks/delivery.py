"""Sending deliveries: claim what is due under a lease, make one signed HTTP attempt, record it.

Claiming is `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of workers on any number of
machines take disjoint deliveries without waiting on each other. SQLite has no row locks, but our
SQLite connections open every transaction with `BEGIN IMMEDIATE` (see settings), which serializes the
claiming transactions; the conditional UPDATE below makes a claim safe on any engine anyway.

A claim moves `next_attempt_at` to the end of the lease. If the worker dies mid-attempt, the delivery
simply falls due again when the lease runs out: nothing is lost, and the receiver sees the same
`webhook-id` again (at-least-once delivery).
"""

import logging
import random
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from webhooks.models import Delivery, DeliveryAttempt, Endpoint
from webhooks.signing import signed_headers
from webhooks.targets import GuardedBackend, TargetRefused

logger = logging.getLogger(__name__)

EXCERPT_BYTES = 1024
USER_AGENT = "contacts-webhooks/1.0"
JITTER = 0.1  # ±10 %, so endpoints that failed together do not all retry in the same second


@dataclass(frozen=True)
class AttemptResult:
    attempted_at: datetime
    duration_ms: int
    status_code: int | None = None
    response_excerpt: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_delay(attempt_number: int) -> timedelta | None:
    """How long to wait after the `attempt_number`-th failed attempt (1-based); None when none are left."""
    schedule = settings.WEBHOOKS_RETRY_SCHEDULE
    if attempt_number > len(schedule):
        return None
    base = schedule[attempt_number - 1]
    return timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


def delivery_claim(*, limit: int = 1, now: datetime | None = None) -> list[Delivery]:
    """Lease up to `limit` due deliveries to the caller; returns them with their event and endpoint."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    lease_end = now + timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS)
    # The worker serves every sub-account: its claim is the one read that crosses tenants (unscoped()).
    # The statements after it name the tenants of the rows it claimed.
    with transaction.atomic():
        claimed = dict(
            Delivery.objects.unscoped()
            .due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at")
            .values_list("id", "sub_account_id")[:limit]
        )
        if not claimed:
            return []
        leased = Delivery.objects.unscoped().filter(sub_account_id__in=set(claimed.values()), id__in=list(claimed))
        # Conditional, so a row another claimer leased between our SELECT and UPDATE is not taken twice.
        leased.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now).update(
            lease_token=token, next_attempt_at=lease_end, attempt_count=F("attempt_count") + 1
        )
    return list(leased.filter(lease_token=token).select_related("event", "endpoint"))


def http_client() -> httpx.Client:
    """A client that only connects to vetted addresses, never follows redirects and ignores proxy env vars."""
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    transport = httpx.HTTPTransport(retries=0)
    # httpx has no public hook for the network backend; the pool is rebuilt around ours (see targets.py).
    transport._pool = transport._pool.__class__(
        ssl_context=httpx.create_ssl_context(),
        max_connections=20,
        max_keepalive_connections=10,
        keepalive_expiry=5.0,
        network_backend=GuardedBackend(),
        # Headers and body go out in separate writes; without NODELAY, Nagle's algorithm meets the
        # receiver's delayed ACK and every request waits ~40 ms.
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
    )
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False)


def _read_excerpt(response: httpx.Response, deadline: float) -> str:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= EXCERPT_BYTES or time.monotonic() > deadline:
            break
    return b"".join(chunks)[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def delivery_attempt(delivery: Delivery, *, client: httpx.Client) -> AttemptResult:
    """POST the event to the endpoint once, signed with every live secret. Never raises for network trouble."""
    endpoint, event = delivery.endpoint, delivery.event
    attempted_at = timezone.now()
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signed_headers(
            live_secrets=endpoint.live_secrets(attempted_at),
            msg_id=event.id,
            timestamp=int(attempted_at.timestamp()),
            body=event.payload,
        ),
    }
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    started = time.monotonic()

    def result(**kwargs) -> AttemptResult:
        duration_ms = round((time.monotonic() - started) * 1000)
        return AttemptResult(attempted_at=attempted_at, duration_ms=duration_ms, **kwargs)

    try:
        with client.stream("POST", endpoint.url, content=event.payload.encode(), headers=headers) as response:
            excerpt = _read_excerpt(response, deadline=started + timeout)
            if time.monotonic() - started > timeout:
                return result(status_code=None, error=f"Timed out after {timeout:g} s reading the answer.")
            return result(status_code=response.status_code, response_excerpt=excerpt)
    except TargetRefused as error:
        return result(error=str(error))
    except httpx.TimeoutException:
        return result(error=f"Timed out after {timeout:g} s.")
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        # InvalidURL is not an HTTPError: a URL the client cannot read (saved before the rules refused it) is a
        # failed attempt like any other, not a crash of the worker.
        return result(error=f"{error.__class__.__name__}: {error}"[:500] or "Connection failed.")


def _disable(endpoints, reason: str, now: datetime) -> None:
    endpoints.filter(enabled=True).update(enabled=False, disabled_reason=reason[:500], disabled_at=now, updated_at=now)


def _failure_summary(result: AttemptResult) -> str:
    return f"HTTP {result.status_code}" if result.status_code is not None else result.error


@transaction.atomic
def attempt_record(*, delivery: Delivery, result: AttemptResult) -> Delivery.Status:
    """Log the attempt and move the delivery on: done, retry later, or failed; maybe disable the endpoint."""
    now = timezone.now()
    # Every statement names the tenant (see accounts.models.TenantModel), so it routes to one shard.
    endpoint = Endpoint.objects.filter(sub_account_id=delivery.sub_account_id, pk=delivery.endpoint_id)
    next_retry_at = None
    if result.succeeded:
        status = Delivery.Status.SUCCEEDED
    elif result.status_code == 410:
        status = Delivery.Status.FAILED
        _disable(endpoint, f"The endpoint answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC.", now)
    else:
        delay = retry_delay(delivery.attempt_count)
        status = Delivery.Status.PENDING if delay is not None else Delivery.Status.FAILED
        next_retry_at = now + delay if delay is not None else None

    DeliveryAttempt.objects.create(
        sub_account_id=delivery.sub_account_id,
        delivery_id=delivery.pk,
        attempted_at=result.attempted_at,
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        response_excerpt=result.response_excerpt,
        error=result.error[:500],
        next_retry_at=next_retry_at,
    )
    recorded = Delivery.objects.filter(
        sub_account_id=delivery.sub_account_id, pk=delivery.pk, lease_token=delivery.lease_token
    ).update(status=status, next_attempt_at=next_retry_at, lease_token="", last_attempt_at=result.attempted_at)
    if not recorded:
        # Our lease ran out and another worker took the delivery over (or it was redelivered): its
        # outcome will be recorded by that attempt, ours stays in the log only.
        logger.warning("Lease of delivery %s lost before its attempt was recorded", delivery.pk)

    if result.succeeded:
        endpoint.filter(failing_since__isnull=False).update(failing_since=None)
    else:
        endpoint.filter(failing_since__isnull=True).update(failing_since=now)
        days = settings.WEBHOOKS_DISABLE_AFTER_DAYS
        if endpoint.filter(enabled=True, failing_since__lt=now - timedelta(days=days)).exists():
            _disable(
                endpoint,
                f"Every delivery failed for more than {days:g} days (last: {_failure_summary(result)}).",
                now,
            )
    return status
