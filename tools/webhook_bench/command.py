"""`make bench-webhooks`: how many deliveries per second N workers push to a receiver on loopback.

Runs against the configured database (so `DATABASE_URL=postgres://… make bench-webhooks` measures PostgreSQL),
in a throwaway sub-account that is deleted afterwards. Workers are real `webhook_worker`
processes; the receiver is a threaded `http.server` on 127.0.0.1 that checks every signature.
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import override_settings

from accounts.models import SubAccount
from webhooks.models import Delivery, Endpoint
from webhooks.services import event_emit

BENCH_TIMEOUT = 600


class Command(BaseCommand):
    help = "Measure webhook deliveries per second: real worker processes, a local receiver, signatures checked."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=2000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4, help="Threads per worker (4)")

    def handle(self, *args, events, workers, threads, **options):
        # The receiver and signature checks live with the tests (standardwebhooks is a dev dependency).
        from webhooks.tests.receiver import Receiver

        with Receiver() as receiver, override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=True, WEBHOOKS_ALLOW_HTTP=True):
            sub_account = SubAccount.objects.create(name="Webhook bench", slug=f"bench-{secrets.token_hex(4)}")
            try:
                self._run(sub_account, receiver, events=events, workers=workers, threads=threads)
            finally:
                sub_account.delete()

    def _run(self, sub_account, receiver, *, events, workers, threads):
        endpoint = Endpoint.objects.create(sub_account=sub_account, url=receiver.url, events=["*"])
        started = time.monotonic()
        with transaction.atomic():
            ids = {event_emit(sub_account=sub_account, type="contact.updated", data={"n": n}).id for n in range(events)}
        emit_seconds = time.monotonic() - started

        env = {**os.environ, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1", "WEBHOOKS_ALLOW_HTTP": "1"}
        command = [
            sys.executable,
            "manage.py",
            "webhook_worker",
            "--threads",
            str(threads),
            "--poll-interval",
            "0.1",
            "-v",
            "0",
        ]
        mine = Delivery.objects.for_account(sub_account).filter(endpoint=endpoint)
        started = time.monotonic()
        # Not --burst: that would also wait on other deliveries in this database (a dead demo receiver's
        # retries). The workers run until this bench's deliveries are done, then are stopped.
        processes = [subprocess.Popen(command, cwd=settings.BASE_DIR, env=env) for _ in range(workers)]
        try:
            while mine.exclude(status=Delivery.Status.SUCCEEDED).exists():
                if time.monotonic() - started > BENCH_TIMEOUT or any(p.poll() is not None for p in processes):
                    raise CommandError("The workers stopped or took too long; see their output above.")
                time.sleep(0.05)
            wall_seconds = time.monotonic() - started
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(30)

        received = Counter(request.webhook_id for request in receiver.received)
        verified = len(receiver.verified(endpoint.secret))
        first, last = receiver.first_at, receiver.last_at
        delivering_seconds = (last - first) if first and last else float("nan")
        succeeded = mine.filter(status=Delivery.Status.SUCCEEDED).count()
        rate = events / delivering_seconds if delivering_seconds else float("nan")
        self.stdout.write(
            f"database: {connection.vendor}\n"
            f"events: {events} (emitted in {emit_seconds:.2f} s, {events / emit_seconds:.0f}/s, one transaction)\n"
            f"workers: {workers} × {threads} threads\n"
            f"delivered: {succeeded} succeeded, {len(set(received) & ids)} distinct ids received, "
            f"{sum(received.values()) - len(received)} duplicates, {verified} signatures verified\n"
            f"first to last delivery: {delivering_seconds:.2f} s → {rate:.0f} deliveries/s\n"
            f"wall time incl. worker start-up: {wall_seconds:.2f} s → {events / wall_seconds:.0f} deliveries/s"
        )
