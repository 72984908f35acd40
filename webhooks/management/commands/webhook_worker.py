import logging
import signal

from django.core.management.base import BaseCommand

from webhooks.worker import Worker


class Command(BaseCommand):
    help = "Deliver webhooks: claim due deliveries, send them signed, retry on failure. Run as many as you like."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=4, help="Concurrent deliveries in this process (4)")
        parser.add_argument("--poll-interval", type=float, default=1.0, help="Seconds between looks when idle (1)")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="Deliver what is due now, then exit")
        mode.add_argument(
            "--burst", action="store_true", help="Exit once nothing is left to deliver (waits for retries)"
        )

    def handle(self, *args, threads, poll_interval, once, burst, **options):
        logging.getLogger("webhooks").setLevel(logging.DEBUG if options["verbosity"] > 1 else logging.WARNING)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the log
        worker = Worker(threads=threads, poll_interval=poll_interval, once=once, burst=burst)

        def stop(signum, frame):
            # Finish the attempts in flight (≤ the timeout), record them, then exit: nothing half-done.
            worker.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        attempts = worker.run()
        if options["verbosity"] > 0:
            self.stdout.write(f"webhook_worker: {attempts} attempts made")
