"""`/api/v1/views` and `GET /api/v1/contacts?view=<id>`: saved views of the contact list."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from contacts.tests.factories import ContactFactory
from contacts.workspace_services import saved_view_create

pytestmark = pytest.mark.django_db

VIEWS_URL = "/api/v1/views"
LIST_URL = reverse("contact-list")


def _names(response) -> list[str]:
    assert response.status_code == HTTPStatus.OK, response.content
    return [contact["name"] for contact in response.json()["data"]]


@pytest.fixture
def berlin(sub_account):
    ContactFactory(sub_account=sub_account, name="Ada", tags=["vip", "berlin"])
    ContactFactory(sub_account=sub_account, name="Bob", tags=["berlin"])
    ContactFactory(sub_account=sub_account, name="Cy", tags=["vip"])


def test_a_view_is_saved_keeping_only_list_parameters(api_client):
    response = api_client.post(
        VIEWS_URL, {"name": "VIP in Berlin", "query": "tag=vip&tag=berlin&offset=50&sort=name"}, format="json"
    )

    assert response.status_code == HTTPStatus.CREATED, response.content
    assert response.json()["query"] == "tag=vip&tag=berlin&sort=name"
    assert response.json()["shared"] is True


def test_the_list_of_a_view_is_the_list_of_its_query(api_client, sub_account, berlin):
    view = saved_view_create(sub_account=sub_account, owner_id=None, name="Berlin", query="tag=berlin&sort=name")

    assert _names(api_client.get(LIST_URL, {"view": view.pk})) == _names(
        api_client.get(LIST_URL, {"tag": "berlin", "sort": "name"})
    )
    assert _names(api_client.get(LIST_URL, {"view": view.pk})) == ["Ada", "Bob"]


def test_a_parameter_beside_the_view_replaces_the_views_own(api_client, sub_account, berlin):
    view = saved_view_create(sub_account=sub_account, owner_id=None, name="Berlin", query="tag=berlin&sort=name")

    assert _names(api_client.get(LIST_URL, {"view": view.pk, "direction": "desc"})) == ["Bob", "Ada"]
    assert _names(api_client.get(LIST_URL, {"view": view.pk, "tag": "vip"})) == ["Ada", "Cy"]


def test_an_unknown_or_private_view_is_a_400(api_client, sub_account, staff_user):
    private = saved_view_create(sub_account=sub_account, owner_id=staff_user.pk, name="Mine", query="tag=x")

    for view_id in ("sv_nope", private.pk):
        response = api_client.get(LIST_URL, {"view": view_id})
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert response.json()["error"]["fields"]["view"] == ["No such view."]


def test_a_private_view_is_not_listed_or_reachable_by_a_key(api_client, sub_account, staff_user):
    private = saved_view_create(sub_account=sub_account, owner_id=staff_user.pk, name="Mine", query="tag=x")
    shared = saved_view_create(sub_account=sub_account, owner_id=staff_user.pk, name="Team", shared=True)

    assert [view["id"] for view in api_client.get(VIEWS_URL).json()["data"]] == [shared.pk]
    assert api_client.get(f"{VIEWS_URL}/{private.pk}").status_code == HTTPStatus.NOT_FOUND


def test_a_view_is_renamed_moved_and_deleted(api_client, sub_account):
    view = saved_view_create(sub_account=sub_account, owner_id=None, name="Old")

    renamed = api_client.patch(f"{VIEWS_URL}/{view.pk}", {"name": "New", "position": 7}, format="json")
    deleted = api_client.delete(f"{VIEWS_URL}/{view.pk}")

    assert (renamed.json()["name"], renamed.json()["position"]) == ("New", 7)
    assert deleted.status_code == HTTPStatus.NO_CONTENT
    assert api_client.get(f"{VIEWS_URL}/{view.pk}").status_code == HTTPStatus.NOT_FOUND


def test_a_blank_name_is_refused(api_client):
    response = api_client.post(VIEWS_URL, {"name": ""}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "name" in response.json()["error"]["fields"]
