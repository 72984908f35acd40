"""The delivery loop run by `manage.py webhook_worker`.

One thread talks to the database (claims and records); a pool of `threads` sends the HTTP requests.
The main thread keeps the pool full: each free slot is filled by claiming one more due delivery, so
a lease only ever covers a single attempt (≤ the timeout), and a slow endpoint ties up one slot,
not the worker. Keeping database writes on one connection per process also keeps SQLite's single
writer lock uncontended.
"""

import logging
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from django.db import close_old_connections, connection, transaction
from django.db.models import Min
from django.utils import timezone

from webhooks.delivery import AttemptResult, attempt_record, delivery_attempt, delivery_claim, http_client
from webhooks.models import Delivery

logger = logging.getLogger(__name__)


class Worker:
    """Modes: forever (looking for due work every `poll_interval` s when idle), `once` (deliver what is
    due now, then stop) and `burst` (keep going, sleeping until the next retry, until nothing is left)."""

    def __init__(self, *, threads: int = 4, poll_interval: float = 1.0, once: bool = False, burst: bool = False):
        self.threads = max(1, threads)
        self.poll_interval = poll_interval
        self.once = once
        self.burst = burst
        self.stopping = threading.Event()
        self.attempts = 0

    def stop(self) -> None:
        """Claim nothing more; finish and record the attempts in flight, then return from `run()`."""
        self.stopping.set()

    def run(self) -> int:
        """Run until stopped (or done, with `once`/`burst`); returns the number of attempts made."""
        in_flight: dict[Future, Delivery] = {}
        with http_client() as client, ThreadPoolExecutor(self.threads, thread_name_prefix="webhooks") as pool:
            while True:
                if not self.stopping.is_set():
                    self._fill(pool, client, in_flight)
                if not in_flight:
                    if self.stopping.is_set() or not self._wait_for_work():
                        return self.attempts
                    continue
                done, _ = wait(in_flight, timeout=self.poll_interval, return_when=FIRST_COMPLETED)
                try:
                    self._record(done, in_flight)
                except Exception:
                    if self.once or self.burst:
                        raise
                    # Not recorded: those deliveries fall due again when their leases run out.
                    logger.exception("Could not record webhook attempts")
                    close_old_connections()

    def _fill(self, pool, client, in_flight) -> None:
        free = self.threads - len(in_flight)
        if free <= 0:
            return
        try:
            claimed = delivery_claim(limit=free)
        except Exception:
            if self.once or self.burst:
                raise
            # The database went away or similar: log, back off, keep the long-running worker alive.
            logger.exception("Could not claim webhook deliveries")
            close_old_connections()
            self.stopping.wait(self.poll_interval)
            return
        for delivery in claimed:
            in_flight[pool.submit(delivery_attempt, delivery, client=client)] = delivery

    def _record(self, done, in_flight) -> None:
        with transaction.atomic():
            for future in done:
                delivery = in_flight.pop(future)
                try:
                    result = future.result()
                except Exception as error:  # a bug, not the network: delivery_attempt reports those itself
                    logger.exception("Delivery attempt %s crashed", delivery.pk)
                    result = AttemptResult(
                        attempted_at=timezone.now(),
                        duration_ms=0,
                        error=f"Internal error ({error.__class__.__name__}).",
                    )
                attempt_record(delivery=delivery, result=result)
                self.attempts += 1
                logger.debug(
                    "Delivery %s of %s to %s: %s",
                    delivery.pk,
                    delivery.event_id,
                    delivery.endpoint.url,
                    result.status_code or result.error,
                )

    def _wait_for_work(self) -> bool:
        """Nothing in flight and nothing claimable: False to stop, True after waiting a little."""
        if self.once:
            return False
        # Only when idle: with health checks on, each call costs a round trip on the next query.
        if not connection.in_atomic_block:  # a test's wrapping transaction is not "old"
            close_old_connections()
        wait_seconds = self.poll_interval
        if self.burst:
            next_due = Delivery.objects.unscoped().waiting().aggregate(next_due=Min("next_attempt_at"))["next_due"]
            if next_due is None:
                return False
            wait_seconds = min(wait_seconds, max(0.0, (next_due - timezone.now()).total_seconds()))
        self.stopping.wait(wait_seconds)
        return True
