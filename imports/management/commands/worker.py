import logging
import signal
import threading

from django.core.management.base import BaseCommand

from imports.worker import JobWorker
from webhooks.worker import Worker as WebhookWorker


class Command(BaseCommand):
    help = (
        "The one background worker: webhook deliveries, and import and export jobs. Run as many as you like; "
        "a job left by a worker that died resumes in another after its lease runs out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=4, help="Concurrent webhook deliveries (4)")
        parser.add_argument("--poll-interval", type=float, default=1.0, help="Seconds between looks when idle (1)")
        parser.add_argument("--no-webhooks", action="store_true", help="Run import and export jobs only")
        parser.add_argument("--burst", action="store_true", help="Exit once no job or delivery is left")

    def handle(self, *args, threads, poll_interval, no_webhooks, burst, **options):
        logging.getLogger("httpx").setLevel(logging.WARNING)
        jobs = JobWorker(poll_interval=poll_interval, burst=burst)
        webhooks = None if no_webhooks else WebhookWorker(threads=threads, poll_interval=poll_interval, burst=burst)

        def stop(signum, frame):
            # The chunk and the deliveries in flight finish and are recorded; a job left midway resumes later.
            jobs.stop()
            if webhooks:
                webhooks.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        thread = None
        if webhooks:
            # Its own thread (and so its own database connection): a long import does not delay deliveries.
            thread = threading.Thread(target=webhooks.run, name="webhooks", daemon=True)
            thread.start()
        jobs.run()
        if thread:
            webhooks.stop()
            thread.join()
