"""Password guessing is throttled: after 5 failures one username from one address waits out a cool-off."""

from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/"


@pytest.fixture
def staff(db):
    user = UserFactory(username="grace", is_staff=True)
    user.set_password("the-right-password")
    user.save()
    return user


def _login(password: str, *, username: str = "grace", address: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(LOGIN_URL, {"username": username, "password": password})


def _fail(times: int, **kwargs) -> list[int]:
    return [_login("wrong", **kwargs).status_code for _ in range(times)]


def test_the_failure_that_reaches_the_limit_is_already_answered_429(staff, settings):
    statuses = _fail(settings.AXES_FAILURE_LIMIT)

    assert statuses == [HTTPStatus.OK] * (settings.AXES_FAILURE_LIMIT - 1) + [HTTPStatus.TOO_MANY_REQUESTS]


def test_a_few_wrong_passwords_do_not_lock_anyone_out(staff, settings):
    _fail(settings.AXES_FAILURE_LIMIT - 1)

    assert _login("the-right-password").status_code == HTTPStatus.FOUND


def test_after_the_failure_limit_even_the_right_password_is_refused(staff, settings):
    _fail(settings.AXES_FAILURE_LIMIT)

    response = _login("the-right-password")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in response.wsgi_request.session


def test_the_lock_lifts_after_the_cool_off(staff, settings):
    _fail(settings.AXES_FAILURE_LIMIT)
    assert _login("the-right-password").status_code == HTTPStatus.TOO_MANY_REQUESTS

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)

    assert _login("the-right-password").status_code == HTTPStatus.FOUND


def test_the_lock_is_for_that_username_from_that_address_only(staff, settings):
    UserFactory(username="ada", is_staff=True).set_password("ada-password")
    _fail(settings.AXES_FAILURE_LIMIT)

    assert _login("the-right-password", address="198.51.100.9").status_code == HTTPStatus.FOUND
    assert _login("wrong", username="ada").status_code == HTTPStatus.OK


def test_a_successful_login_resets_the_count(staff, settings):
    _fail(settings.AXES_FAILURE_LIMIT - 1)
    assert _login("the-right-password").status_code == HTTPStatus.FOUND

    _fail(settings.AXES_FAILURE_LIMIT - 1)

    assert _login("the-right-password").status_code == HTTPStatus.FOUND


def test_the_cool_off_is_minutes_not_forever(settings):
    assert 0 < settings.AXES_COOLOFF_TIME.total_seconds() <= 3600
    assert settings.AXES_FAILURE_LIMIT == 5
