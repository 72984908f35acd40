"""A fresh clone's `manage.py` commands: the development .env that `make setup` writes is enough, and
without it (production) the settings still demand a real secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env_file: Path, **variables: str) -> subprocess.CompletedProcess:
    # A shell with no DJANGO_* variables, as a newcomer's is: only the env file (and `variables`) speak.
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env.update(variables)
    env.update({"DJANGO_ENV_FILE": str(env_file), "DATABASE_URL": f"sqlite:///{env_file.parent / 'db.sqlite3'}"})
    env.pop("DATABASE_REPLICA_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _write_dev_env(env_file: Path) -> Path:
    subprocess.run([sys.executable, "scripts/write_dev_env.py", str(env_file)], cwd=ROOT, check=True, timeout=60)
    return env_file


@pytest.fixture(scope="module")
def checked_with_dev_env(tmp_path_factory):
    return _manage("check", env_file=_write_dev_env(tmp_path_factory.mktemp("clone") / ".env"))


def test_a_manage_py_command_runs_with_the_env_file_that_make_setup_writes(checked_with_dev_env):
    assert checked_with_dev_env.returncode == 0, checked_with_dev_env.stderr[-2000:]
    assert "System check identified no issues" in checked_with_dev_env.stdout


def test_a_manage_py_command_prints_no_login_throttling_banner(checked_with_dev_env):
    assert "AXES" not in checked_with_dev_env.stderr


def test_the_dev_env_file_holds_a_generated_key_and_debug(tmp_path):
    env_file = _write_dev_env(tmp_path / ".env")
    settings = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if not line.startswith("#"))

    assert settings["DJANGO_DEBUG"] == "1"
    assert len(settings["DJANGO_SECRET_KEY"]) >= 50
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"


def test_an_existing_env_file_is_never_overwritten(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_SECRET_KEY=mine\n")
    result = subprocess.run(
        [sys.executable, "scripts/write_dev_env.py", str(env_file)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert env_file.read_text() == "DJANGO_SECRET_KEY=mine\n"


def test_without_an_env_file_or_a_key_the_settings_refuse_to_start(tmp_path):
    result = _manage("check", env_file=tmp_path / "absent.env")

    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_a_process_started_with_debug_off_ignores_the_env_file_and_its_development_key(tmp_path):
    result = _manage("check", env_file=_write_dev_env(tmp_path / ".env"), DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr
