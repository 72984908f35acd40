"""The app under a real gunicorn, for what Django's test client cannot show: chunked bodies, raw headers,
several worker processes sharing a cache. Production settings (DEBUG off), a throwaway SQLite database."""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_gunicorn(database_dir: Path, *, workers: int = 1, env: dict | None = None) -> Iterator[tuple[int, str]]:
    """Migrate a database in `database_dir`, create an API key, serve with `workers` gunicorn workers;
    yields (port, raw API key). `env` adds to (or overrides) the settings' environment."""
    port = _free_port()
    server_env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    server_env.pop("DATABASE_REPLICA_URL", None)
    server_env.pop("REDIS_URL", None)
    server_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "contacts_site.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{database_dir / 'server.sqlite3'}",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=server_env, cwd=ROOT, check=True, timeout=120)
    created = subprocess.run(
        [*manage, "create_api_key", "live"], env=server_env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    key = created.stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "contacts_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        env=server_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port, key
    finally:
        server.terminate()
        server.wait(timeout=30)
