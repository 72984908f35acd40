"""Writes of the webhooks app: the outbox (`event_emit`), endpoint management, redelivery."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import SubAccount, tenant_delete
from contacts_site.api import iso_datetime
from contacts_site.errors import Conflict
from contacts_site.updates import UNSET, given, locked_row, model_update
from webhooks.events import EVENT_TYPES, PING
from webhooks.models import ROTATION_OVERLAP, Delivery, Endpoint, Event
from webhooks.signing import secret_generate


def _envelope(event: Event, *, sub_account: SubAccount, data: dict, changes: dict | None) -> str:
    envelope = {
        "id": event.id,
        "type": event.type,
        "created_at": iso_datetime(event.created_at),
        "sub_account": sub_account.slug,
        "data": data,
    }
    if changes is not None:
        envelope["changes"] = changes
    return json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _event_create(*, sub_account: SubAccount, type: str, data: dict, changes: dict | None) -> Event:
    event = Event(sub_account=sub_account, type=type)
    event.payload = _envelope(event, sub_account=sub_account, data=data, changes=changes)
    event.save()
    return event


def _subscribers(sub_account: SubAccount, type: str) -> list[Endpoint]:
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}.")
    return [
        endpoint
        for endpoint in Endpoint.objects.for_account(sub_account).enabled().only("id", "events")
        if endpoint.wants(type)
    ]


def _queue(events: list[Event], endpoints: list[Endpoint]) -> None:
    Delivery.objects.bulk_create(
        [
            Delivery(
                sub_account_id=event.sub_account_id, event=event, endpoint=endpoint, next_attempt_at=event.created_at
            )
            for event in events
            for endpoint in endpoints
        ],
        batch_size=500,
    )


# savepoint=False: called inside the write's transaction, whose fate it shares; a savepoint would only
# add two round trips to every write.
@transaction.atomic(savepoint=False)
def event_emit(*, sub_account: SubAccount, type: str, data: dict, changes: dict | None = None) -> Event:
    """Record that something changed, and queue it for every enabled endpoint that wants `type`.

    Call it inside the transaction that makes the change (the services do): the event and its
    deliveries commit with the change or roll back with it. Nothing is sent here; the worker sends.
    """
    endpoints = _subscribers(sub_account, type)
    event = _event_create(sub_account=sub_account, type=type, data=data, changes=changes)
    _queue([event], endpoints)
    return event


@transaction.atomic(savepoint=False)
def events_emit(
    *, sub_account: SubAccount, type: str, data: list[dict], changes: list[dict] | None = None
) -> list[Event]:
    """`event_emit` for many objects at once (bulk actions): one event each, in a few queries.
    `changes`, when given, pairs up with `data` item by item."""
    endpoints = _subscribers(sub_account, type)
    events = []
    for index, item in enumerate(data):
        event = Event(sub_account=sub_account, type=type)
        event.payload = _envelope(
            event, sub_account=sub_account, data=item, changes=changes[index] if changes is not None else None
        )
        events.append(event)
    Event.objects.bulk_create(events, batch_size=500)
    _queue(events, endpoints)
    return events


def _locked(model, instance):
    return locked_row(model.objects.for_account(instance.sub_account_id), instance.pk)


def _validated(endpoint: Endpoint) -> Endpoint:
    endpoint.full_clean(exclude=["sub_account"], validate_unique=False, validate_constraints=False)
    return endpoint


@transaction.atomic
def endpoint_create(
    *, sub_account: SubAccount, url: str, events: list[str], description: str = "", enabled: bool = True
) -> Endpoint:
    """Create an endpoint with a fresh `whsec_` secret (the caller shows it once)."""
    endpoint = _validated(
        Endpoint(sub_account=sub_account, url=url, events=events, description=description, enabled=enabled)
    )
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(
    *,
    endpoint: Endpoint,
    url: str = UNSET,
    events: list[str] = UNSET,
    description: str = UNSET,
    enabled: bool = UNSET,
) -> Endpoint:
    """Change the fields given. Turning an endpoint back on clears why it was off and its failure streak.
    Nothing is written when nothing changes."""
    endpoint = _locked(Endpoint, endpoint)
    changed = model_update(
        endpoint, given(url=url, events=events, description=description, enabled=enabled), clean=_validated
    )
    if "enabled" in changed:
        endpoint.disabled_reason = "" if endpoint.enabled else "Disabled by a user."
        endpoint.disabled_at = None if endpoint.enabled else timezone.now()
        endpoint.failing_since = None
        changed += ["disabled_reason", "disabled_at", "failing_since"]
    if changed:
        endpoint.save(update_fields=[*changed, "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint) -> None:
    """Delete the endpoint and its delivery log; the events stay (other endpoints may have them)."""
    locked = _locked(Endpoint, endpoint)
    # Not locked.delete(): the deletion collector finds the deliveries and attempts by parent id only.
    tenant_delete(Endpoint.objects.filter(pk=locked.pk), sub_account_id=locked.sub_account_id)


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: Endpoint) -> Endpoint:
    """A new secret signs from now on; the current one keeps signing too for 24 hours."""
    endpoint = _locked(Endpoint, endpoint)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret = secret_generate()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return endpoint


def _require_enabled(endpoint: Endpoint) -> None:
    if not endpoint.enabled:
        raise Conflict("This endpoint is disabled; enable it first.")


@transaction.atomic
def endpoint_send_test(*, endpoint: Endpoint) -> Delivery:
    """Queue a `ping` event to this endpoint alone, whatever event types it subscribes to."""
    endpoint = _locked(Endpoint, endpoint)
    _require_enabled(endpoint)
    event = _event_create(
        sub_account=endpoint.sub_account,
        type=PING,
        data={"webhook_id": endpoint.pk, "message": "Test event sent from the contacts service."},
        changes=None,
    )
    return Delivery.objects.create(
        sub_account=endpoint.sub_account, event=event, endpoint=endpoint, next_attempt_at=event.created_at
    )


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Send the delivery again now, as a new round of attempts with the same `webhook-id`."""
    delivery = _locked(Delivery, delivery)
    # Not delivery.endpoint: a foreign key reads its target by id alone (Django's base manager).
    _require_enabled(Endpoint.objects.for_account(delivery.sub_account_id).get(pk=delivery.endpoint_id))
    if delivery.in_flight:
        raise Conflict("An attempt of this delivery is in progress; try again in a minute.")
    delivery.status = Delivery.Status.PENDING
    delivery.attempt_count = 0
    delivery.next_attempt_at = timezone.now()
    delivery.lease_token = ""
    delivery.save(update_fields=["status", "attempt_count", "next_attempt_at", "lease_token"])
    return delivery
