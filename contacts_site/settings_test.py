"""The test run: production settings, with only what makes tests fast changed."""

import os

# The tests run production settings, the same in CI, `make test` and a bare `pytest`: never the developer's
# .env (DEBUG on). Set in the environment so the worker processes some tests start skip it too.
os.environ["DJANGO_ENV_FILE"] = ""
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
# The test client speaks plain http: with DEBUG off, production would redirect it to https.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from contacts_site.settings import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file rather than memory: the webhook tests start real worker processes, which must see the
    # test database (and SQLite's file locking is what those workers meet in production).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
