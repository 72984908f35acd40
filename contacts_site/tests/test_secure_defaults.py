"""Production settings are secure by default: Django's deploy checks pass, headers lock pages down."""

import os
import secrets
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**overrides) -> dict:
    """The environment of a production deployment: nothing but what a deployment must set."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "LOGIN_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "contacts_site.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "contacts.example.com",
            **overrides,
        }
    )
    return env


def _manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_checks_pass_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_checks_fail_when_https_is_switched_off():
    env = _production_env(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_COOKIES="0", DJANGO_SECURE_HSTS_SECONDS="0")

    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    env.pop("DJANGO_SECRET_KEY")

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_default_to_https_only_cookies_and_hsts():
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.X_FRAME_OPTIONS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=_production_env(), cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["True", "True", "True", "True", "True", "DENY"]


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_code(client):
    response = client.get("/admin/login/")

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_pages_refuse_to_be_framed(client):
    assert client.get("/admin/login/")["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    response = client.get("/admin/login/", secure=True)

    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_when_the_redirect_is_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(reverse("contact-list"))

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_the_api_docs_page_loads_its_script_from_a_file_not_inline(client):
    response = client.get("/api/docs/")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<script>" not in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
