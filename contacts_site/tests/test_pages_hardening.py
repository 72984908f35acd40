"""The staff pages hold against a targeted support team: the same walls as the API, for every page.

The pages are found in the URL configuration (everything outside /admin/ and /api/), so a page added
later is checked without anyone remembering to; a page that shows one object must say, in
`PAGE_OBJECTS`, what kind of object its `pk` is, or the matrix fails.
"""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.html import escape

from accounts.tests.factories import MembershipFactory, UserFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_site.tests.tenant_rows import rows_of


def _pages(patterns=None, prefix: str = "", namespace: str = "") -> list[tuple[str, str, object]]:
    """(url name, route, view class) of every named page outside the admin and the API."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(("admin/", "api/", "^api/", "static/")):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _pages(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((namespace + entry.name, route, getattr(entry.callback, "view_class", None)))
    return found


PAGES = _pages()
# The kind of object behind `<pk>` of each page that shows or changes one object.
PAGE_OBJECTS = {
    "contacts:detail": "contact",
    "contacts:edit": "contact",
    "contacts:delete": "contact",
    "contacts:timeline": "contact",
    "contacts:note-create": "contact",
    "contacts:revert": "contact",
    "contacts:note-change": "note",
    "contacts:view-change": "saved_view",
    "contacts:custom-field-edit": "custom_field",
    "conversations:start": "contact",
    "conversations:detail": "conversation",
    "conversations:reply": "conversation",
    "conversations:update": "conversation",
    "api-key-revoke": "api_key",
    "webhooks:detail": "webhook",
    "webhooks:edit": "webhook",
    "webhooks:rotate": "webhook",
    "webhooks:delete": "webhook",
    "webhooks:test": "webhook",
    "webhooks:redeliver": "delivery",
    "identity:merge": "contact",
    "identity:undo": "merge",
    "identity:merge-detail": "merge",
    "imports:detail": "import",
    "imports:commit": "import",
    "imports:cancel": "import",
    "imports:revert": "import",
    "imports:failed-rows": "import",
    "imports:export-detail": "export",
    "imports:export-download": "export",
}
OBJECT_PAGES = [(name, route, view) for name, route, view in PAGES if "<" in route]
PLAIN_PAGES = [(name, route, view) for name, route, view in PAGES if "<" not in route]
HOSTILE = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "'; DROP TABLE contacts_contact; --",
]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not PAGES, reason="this build has no staff pages yet (they come with the staff UI)"),
]


def _methods(view) -> list[str]:
    allowed = getattr(view, "http_method_names", ["get", "post"])
    return [method for method in ("get", "post") if method in allowed and hasattr(view, method)]


def _object_of(kind: str, sub_account) -> str:
    """The id of an object of `kind` of `sub_account`; for a page with two ids in its path, both, joined by "/"."""
    contact = ContactFactory(sub_account=sub_account, name="Bea of B", email="bea@b.example", tags=["b-only"])
    if kind == "contact":
        return contact.pk
    if kind == "note":
        from contacts.services import note_create

        return f"{contact.pk}/{note_create(contact=contact, body='B of Bea: private').pk}"
    if kind == "conversation":
        from conversations.tests.factories import ConversationFactory

        return ConversationFactory(contact=contact, subject="B's thread").pk
    if kind in {"webhook", "delivery"}:
        from webhooks.models import Delivery, Event
        from webhooks.tests.factories import EndpointFactory

        endpoint = EndpointFactory(sub_account=sub_account, url="https://b.example.com/hook")
        if kind == "webhook":
            return endpoint.pk
        event = Event.objects.create(sub_account=sub_account, type="contact.created", payload="{}")
        return Delivery.objects.create(sub_account=sub_account, event=event, endpoint=endpoint).pk
    if kind == "saved_view":
        from contacts.workspace_services import saved_view_create

        return saved_view_create(sub_account=sub_account, owner_id=None, name="B's view", query="tag=b-only").pk
    if kind == "custom_field":
        from contacts.workspace_services import custom_field_definition_create

        return custom_field_definition_create(sub_account=sub_account, key="b_key", label="B", type="text").pk
    if kind == "merge":
        from identity.services import contact_merge

        other = ContactFactory(sub_account=sub_account, name="Bea again", email="bea.again@b.example")
        return contact_merge(sub_account=sub_account, target_id=contact.pk, source_ids=[other.pk])[1].pk
    if kind == "api_key":
        from accounts.services import api_key_create

        return str(api_key_create(sub_account=sub_account, name="B's key")[0].pk)
    if kind in {"import", "export"}:
        from imports.models import ExportJob, ImportJob

        if kind == "export":
            return ExportJob.objects.create(sub_account=sub_account, format="csv").pk
        return ImportJob.objects.create(
            sub_account=sub_account, file="imports/b.csv", file_sha256="0" * 64, encoding="utf-8", delimiter=","
        ).pk
    raise AssertionError(f"no builder for {kind}")


def _url(route: str, pk: str) -> str:
    """`route` with its ids filled in: `pk`'s parts in order ("ct_1/nt_2"), the last one repeated."""
    path = "/" + route
    parts = pk.split("/")
    for index in range(path.count("<")):
        start = path.index("<")
        path = path[:start] + parts[min(index, len(parts) - 1)] + path[path.index(">", start) + 1 :]
    return path


@pytest.fixture
def a_staff(sub_account):
    """An admin of A: admin-only pages (API keys) are inside the matrix too."""
    user = UserFactory(username="a-admin")
    MembershipFactory(user=user, sub_account=sub_account, role="admin")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "route", "view"), PLAIN_PAGES, ids=[name for name, _, _ in PLAIN_PAGES])
def test_every_page_sends_a_strict_csp_and_refuses_framing(a_staff, name, route, view):
    response = a_staff.get(reverse("contacts:list") + route)

    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(("name", "route", "view"), OBJECT_PAGES, ids=[name for name, _, _ in OBJECT_PAGES])
def test_a_staff_user_of_a_never_reaches_an_object_of_b(a_staff, other_sub_account, name, route, view):
    assert name in PAGE_OBJECTS, f"say in PAGE_OBJECTS what kind of object the page {name} shows"
    pk = _object_of(PAGE_OBJECTS[name], other_sub_account)
    before = rows_of(other_sub_account)

    for method in _methods(view):
        response = getattr(a_staff, method)(_url(route, pk))
        missing = getattr(a_staff, method)(_url(route, "does_not_exist_anywhere"))

        assert response.status_code == HTTPStatus.NOT_FOUND, (method, response.status_code)
        assert missing.status_code == HTTPStatus.NOT_FOUND
        assert "Bea of B" not in response.content.decode()
    assert rows_of(other_sub_account) == before


@pytest.mark.parametrize(("name", "route", "view"), PLAIN_PAGES, ids=[name for name, _, _ in PLAIN_PAGES])
def test_no_page_of_a_shows_anything_of_b(a_staff, other_sub_account, name, route, view):
    ContactFactory(sub_account=other_sub_account, name="Bea of B", email="bea@b.example", tags=["b-only"])

    if "get" in _methods(view):
        response = a_staff.get(reverse("contacts:list") + route, {"q": "bea"})
        html = (b"".join(response.streaming_content) if response.streaming else response.content).decode()

        assert "Bea of B" not in html
        assert "bea@b.example" not in html
        assert "b-only" not in html


@pytest.mark.parametrize(("name", "route", "view"), PAGES, ids=[name for name, _, _ in PAGES])
def test_every_page_refuses_a_post_without_a_csrf_token(sub_account, name, route, view):
    user = UserFactory(username="csrf-admin")
    MembershipFactory(user=user, sub_account=sub_account, role="admin")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = _url(route, _object_of(PAGE_OBJECTS[name], sub_account)) if "<" in route else "/" + route

    response = client.post(url, {"name": "Ada"})

    assert response.status_code in {HTTPStatus.FORBIDDEN, HTTPStatus.METHOD_NOT_ALLOWED}
    if "post" in _methods(view):
        assert response.status_code == HTTPStatus.FORBIDDEN
    assert Contact.objects.unscoped().filter(name="Ada").count() == 0


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_shown_as_text_on_every_page_of_its_contact(a_staff, sub_account, payload):
    contact = ContactFactory(
        sub_account=sub_account, name=payload, tags=[payload.lower()[:50]], custom_fields={"note": payload}
    )
    pages = [route for name, route, view in OBJECT_PAGES if PAGE_OBJECTS.get(name) == "contact"]
    pages = [_url(route, contact.pk) for route in pages] + ["/"]

    for url in pages:
        response = a_staff.get(url)
        if response.status_code != HTTPStatus.OK:
            continue
        html = response.content.decode()
        assert escape(payload) in html, url
        assert "<script>alert" not in html
        assert "<img src=x" not in html


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_typed_into_the_contact_form_is_saved_as_typed(a_staff, sub_account, payload):
    create = next((route for name, route, view in PAGES if name == "contacts:create"), None)
    assert create is not None

    response = a_staff.post(
        reverse("contacts:list") + create, {"name": payload, "email": "", "phone": "", "phone_region": "US"}
    )

    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[-2000:]
    assert Contact.objects.for_account(sub_account).get().name == payload.strip()


def test_the_staff_login_is_throttled_too(sub_account, settings):
    login = next((route for name, route, view in PAGES if name == "login"), None)
    assert login is not None
    user = UserFactory(username="grace")
    MembershipFactory(user=user, sub_account=sub_account)
    attempt = Client(REMOTE_ADDR="203.0.113.9")

    statuses = [
        attempt.post(reverse("contacts:list") + login, {"username": "grace", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert statuses[-1] == HTTPStatus.TOO_MANY_REQUESTS
