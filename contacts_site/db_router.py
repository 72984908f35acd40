"""Read replicas, when `DATABASE_REPLICA_URL` is set: safe requests (GET, HEAD, OPTIONS) read from
the replica; every write, every read inside a transaction and every read of an unsafe request goes
to the primary, so a client never reads older data than it has just written through the same call.
(A replica lags by its replication delay: a GET right after a POST may briefly miss the new row;
clients that need read-your-writes across calls use the object returned by the write.)
"""

from contextvars import ContextVar

from django.db import transaction

REPLICA = "replica"
_reads_may_use_replica: ContextVar[bool] = ContextVar("reads_may_use_replica", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reads_may_use_replica.get() and not transaction.get_connection("default").in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same data as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Marks safe requests so that ReplicaRouter may send their reads to the replica."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _reads_may_use_replica.set(request.method in self.SAFE_METHODS)
        try:
            return self.get_response(request)
        finally:
            _reads_may_use_replica.reset(token)
