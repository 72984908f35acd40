"""A path holding NUL or another control character is a 404 before any view or the database sees it.

PostgreSQL refuses NUL in text with an error, so a view that looked such an id up answered 500; on SQLite
the same request quietly ran a query. Checking that no query runs catches the class on either database.
"""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db

STAFF_PATHS = [
    "/contacts/a%00b/",
    "/contacts/a%00b/edit/",
    "/contacts/a%00b/delete/",
    "/conversations/a%00b/",
    "/conversations/a%00b/reply/",
    "/webhooks/a%00b/",
    "/contacts/a%01b/",
]
ADMIN_PATHS = [
    "/admin/contacts/contact/a%00b/change/",
    "/admin/contacts/contact/a%00b/delete/",
    "/admin/contacts/contact/a%00b/history/",
    "/admin/conversations/conversation/a%00b/change/",
]


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_a_staff_page_path_with_a_control_character_is_a_404_page_without_a_query(
    staff_client, django_assert_num_queries, path
):
    with django_assert_num_queries(0):
        response = staff_client.get(path)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"].startswith("text/html")
    assert "X-Request-Id" in response


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_an_admin_page_path_with_a_nul_byte_is_a_404_without_a_query(admin_client, django_assert_num_queries, path):
    with django_assert_num_queries(0):
        response = admin_client.get(path)

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_an_api_path_with_a_nul_byte_is_a_404_in_the_error_shape(api_client):
    response = api_client.get("/api/v1/conversations/cv_a%00b/messages")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"


def test_a_nul_byte_in_the_staff_lists_tag_is_ignored_like_any_unusable_value(staff_client):
    response = staff_client.get("/", {"tag": "\x00"})

    assert response.status_code == HTTPStatus.OK
