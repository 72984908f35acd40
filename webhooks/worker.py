"""The delivery loop run by `manage.py webhook_worker`: threads that claim, attempt and record."""

import logging
import threading

from django.db import close_old_connections, connection
from django.db.models import Min
from django.utils import timezone

from webhooks.delivery import attempt_record, delivery_attempt, delivery_claim, http_client
from webhooks.models import Delivery

logger = logging.getLogger(__name__)


class Worker:
    """`threads` loops in one process. Each claims one delivery at a time, so a lease only ever has to
    cover one attempt (≤ the timeout), and a slow endpoint holds up one thread, not the whole worker.

    Modes: forever (polling every `poll_interval` s), `once` (deliver what is due now, then stop) and
    `burst` (keep going, sleeping until the next retry is due, until nothing is left to deliver).
    """

    def __init__(self, *, threads: int = 4, poll_interval: float = 1.0, once: bool = False, burst: bool = False):
        self.threads = threads
        self.poll_interval = poll_interval
        self.once = once
        self.burst = burst
        self.stopping = threading.Event()
        self.delivered = 0
        self._count_lock = threading.Lock()

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> int:
        """Run until stopped (or done, with `once`/`burst`); returns the number of attempts made."""
        if self.threads <= 1:
            self._loop()
        else:
            workers = [threading.Thread(target=self._thread, name=f"webhooks-{n}") for n in range(self.threads)]
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join()
        return self.delivered

    def _thread(self) -> None:
        try:
            self._loop()
        finally:
            connection.close()  # each thread has its own connection; do not leak it

    def _loop(self) -> None:
        with http_client() as client:
            while not self.stopping.is_set():
                try:
                    close_old_connections()
                    worked = self._step(client)
                except Exception:
                    # The database went away or similar: log, back off, keep the worker alive.
                    logger.exception("Webhook worker step failed")
                    worked = False
                    self.stopping.wait(self.poll_interval)
                    continue
                if worked:
                    continue
                if self.once:
                    return
                wait = self.poll_interval
                if self.burst:
                    next_due = self._next_due()
                    if next_due is None:
                        return
                    wait = min(wait, max(0.0, (next_due - timezone.now()).total_seconds()))
                self.stopping.wait(wait)

    def _step(self, client) -> bool:
        claimed = delivery_claim(limit=1)
        for delivery in claimed:
            result = delivery_attempt(delivery, client=client)
            attempt_record(delivery=delivery, result=result)
            with self._count_lock:
                self.delivered += 1
            logger.info(
                "Delivery %s of %s to %s: %s",
                delivery.pk,
                delivery.event_id,
                delivery.endpoint.url,
                result.status_code or result.error,
            )
        return bool(claimed)

    @staticmethod
    def _next_due():
        return Delivery.objects.waiting().aggregate(next_due=Min("next_attempt_at"))["next_due"]
