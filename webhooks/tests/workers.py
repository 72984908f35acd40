"""Real `manage.py webhook_worker` processes pointed at the test database, for the end-to-end tests."""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from webhooks.models import Delivery


def test_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(*args: str, lease_seconds: float = 60) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contacts_site.settings",
        "DJANGO_SECRET_KEY": "test-worker-secret-key",
        "DATABASE_URL": test_database_url(),
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1",
        "WEBHOOKS_ALLOW_HTTP": "1",
        "WEBHOOKS_LEASE_SECONDS": str(lease_seconds),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "webhook_worker", "--poll-interval", "0.1", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    process.wait(timeout)


def wait_until_all_succeeded(total: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while Delivery.objects.unscoped().filter(status=Delivery.Status.SUCCEEDED).count() < total:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"Only {Delivery.objects.unscoped().filter(status='succeeded').count()} of {total} delivered"
            )
        time.sleep(0.1)
