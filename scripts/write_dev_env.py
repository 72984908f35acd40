"""Writes the development `.env` that `make setup` creates once per clone (git-ignored).

Settings read it for every `manage.py` command, so the README's commands work as printed; values
already in the environment win, and the tests never read it (contacts_site/settings_test.py).
Usage: python scripts/write_dev_env.py .env   (refuses to overwrite an existing file)
"""

import secrets
import sys
from pathlib import Path

TEMPLATE = """\
# Development settings for this clone, written by `make setup`; git ignores this file.
# Production has no .env: it sets DJANGO_SECRET_KEY, DATABASE_URL, ... in its real environment.
DJANGO_DEBUG=1
DJANGO_SECRET_KEY={secret_key}
"""


def main(path: Path) -> None:
    if path.exists():
        sys.exit(f"{path} exists already; delete it first to write a new one.")
    path.write_text(TEMPLATE.format(secret_key=secrets.token_urlsafe(50)))
    path.chmod(0o600)
    print(f"Wrote {path} (development settings, git-ignored).")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".env"))
