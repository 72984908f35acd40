"""`Idempotency-Key` for POSTs, with Stripe's semantics, scoped to the sub-account and kept 24 hours.

The first request with a key inserts its row (committed at once: the unique constraint is the lock
that concurrent duplicates meet), runs, and stores its answer in the same transaction as its work.
A repeat with the same request replays that answer; with another request → 422; while the first
is still running → 409. An answer of 5xx is not stored (its work was rolled back): the key is freed
so the client's retry runs for real.
"""

import hashlib
import json
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.models import IdempotencyKey, SubAccount
from contacts_site.api import IdempotencyInProgress, IdempotencyMismatch

HEADER = "Idempotency-Key"
VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
# Headers of the first answer that a replay must repeat (the body says the rest).
REPLAYED_HEADERS = ("Location", "ETag")


def parse_key(request) -> str | None:
    """The request's Idempotency-Key, None if absent; 400 if it is not 1–255 visible ASCII characters."""
    if HEADER not in request.headers:
        return None
    key = request.headers[HEADER]
    if not VALID_KEY.fullmatch(key):
        raise exceptions.ValidationError({HEADER: ["Must be 1–255 visible ASCII characters (a UUID is ideal)."]})
    return key


def _uploaded(value) -> str:
    """An uploaded file (a multipart POST, such as an import) stands in the fingerprint by its content's hash."""
    if not hasattr(value, "chunks"):
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    digest = hashlib.sha256()
    for block in value.chunks():
        digest.update(block)
    value.seek(0)
    return f"file:{value.name}:{digest.hexdigest()}"


def request_fingerprint(request) -> str:
    """What makes two requests "the same": method, path (trailing slash ignored) and the JSON body."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_uploaded)
    material = f"{request.method}\n{request.path.rstrip('/')}\n{body}"
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def _free_if_abandoned(record: IdempotencyKey) -> bool:
    """Delete a key kept past its 24 h, or held by a request that died; True if it was freed."""
    now = timezone.now()
    expired = record.created_at <= now - settings.IDEMPOTENCY_KEY_TTL
    abandoned = not record.is_complete and record.locked_at <= now - settings.IDEMPOTENCY_LOCK_TIMEOUT
    if expired or abandoned:
        # Conditional on the lock time, so two requests that both saw it abandoned free it only once.
        IdempotencyKey.objects.filter(pk=record.pk, locked_at=record.locked_at).delete()
        return True
    return False


def idempotency_begin(*, sub_account: SubAccount, key: str, fingerprint: str) -> IdempotencyKey:
    """Take `key` for a new request, or return the finished record to replay.

    Raises IdempotencyMismatch (422) or IdempotencyInProgress (409). Must not run inside a
    transaction that stays open for the request: the row is what the concurrent duplicates meet.
    """
    for _ in range(3):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    sub_account=sub_account, key=key, fingerprint=fingerprint, locked_at=timezone.now()
                )
        except IntegrityError:
            pass
        record = IdempotencyKey.objects.filter(sub_account=sub_account, key=key).first()
        if record is None or _free_if_abandoned(record):
            continue
        if record.fingerprint != fingerprint:
            raise IdempotencyMismatch()
        if not record.is_complete:
            raise IdempotencyInProgress()
        return record
    raise IdempotencyInProgress()


def idempotency_complete(*, record: IdempotencyKey, response: Response) -> None:
    """Store the answer to replay (inside the request's transaction when it has one)."""
    record.response_status = response.status_code
    data = getattr(response, "data", None)
    record.response_body = JSONRenderer().render(data).decode() if data is not None else ""
    record.response_headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    record.save(update_fields=["response_status", "response_body", "response_headers"])


def idempotency_release(*, record: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=record.pk, response_status__isnull=True).delete()


def replay(record: IdempotencyKey) -> Response:
    data = json.loads(record.response_body) if record.response_body else None
    headers = {**record.response_headers, "Idempotent-Replayed": "true"}
    return Response(data, status=record.response_status, headers=headers)


def run_idempotently(view, handler, request, *args, **kwargs) -> Response:
    """Run `handler` for a POST carrying an Idempotency-Key: replay, refuse, or run and remember."""
    key = parse_key(request)
    if key is None:
        return handler(request, *args, **kwargs)
    record = idempotency_begin(sub_account=request.auth.sub_account, key=key, fingerprint=request_fingerprint(request))
    if record.is_complete:
        return replay(record)
    try:
        with transaction.atomic():
            response = handler(request, *args, **kwargs)
            if response.status_code < 500:
                idempotency_complete(record=record, response=response)
                return response
    except Exception as exc:  # noqa: BLE001 — any error: handled below like DRF would, then remembered
        # The work was rolled back; the view's exception handler shapes the error as for any request.
        try:
            response = view.handle_exception(exc)
        except BaseException:
            idempotency_release(record=record)
            raise
    if response.status_code < 500:
        # A refused request (400, 409…) is remembered too, as Stripe does; its work was rolled back.
        idempotency_complete(record=record, response=response)
    else:
        idempotency_release(record=record)
    return response
