"""The SSRF guard: no deliveries to loopback, private or link-local addresses, checked after DNS."""

import socket

import pytest
from django.core.exceptions import ValidationError

from webhooks.delivery import delivery_attempt, delivery_claim, http_client
from webhooks.services import event_emit
from webhooks.targets import TargetRefused, is_public_address, resolve_public, validate_target_url
from webhooks.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guarded(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOKS_ALLOW_HTTP = False


@pytest.fixture
def fake_dns(monkeypatch):
    """Answers for made-up names, so no test depends on (or sends anything to) a real network."""
    answers: dict[str, list[str]] = {}
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [
                (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in answers[host]
            ]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
        # IPv4 addresses carried inside IPv6 ones: compatible, translated (SIIT), NAT64, 6to4.
        "::127.0.0.1",
        "::ffff:0:7f00:1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::",
    ],
)
def test_internal_addresses_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "64:ff9b::808:808", "2002:808:808::1"]
)
def test_internet_addresses_are_public(address):
    assert is_public_address(address)


def test_a_name_resolving_to_a_private_address_is_refused(guarded, fake_dns):
    fake_dns["hooks.evil.test"] = ["10.0.0.5"]

    with pytest.raises(TargetRefused, match="10.0.0.5"):
        resolve_public("hooks.evil.test", 443)


def test_a_name_resolving_to_a_public_and_a_private_address_is_refused(guarded, fake_dns):
    fake_dns["mixed.evil.test"] = ["93.184.215.14", "127.0.0.1"]

    with pytest.raises(TargetRefused, match="127.0.0.1"):
        resolve_public("mixed.evil.test", 443)


def test_a_name_resolving_to_public_addresses_is_allowed(guarded, fake_dns):
    fake_dns["hooks.example.test"] = ["93.184.215.14"]

    assert resolve_public("hooks.example.test", 443) == ["93.184.215.14"]


def test_private_addresses_are_allowed_when_the_setting_says_so(settings, fake_dns):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    fake_dns["dev.internal.test"] = ["192.168.1.10"]

    assert resolve_public("dev.internal.test", 443) == ["192.168.1.10"]


def test_a_delivery_to_a_name_that_resolves_to_loopback_is_refused_without_connecting(
    guarded, fake_dns, sub_account, receiver
):
    fake_dns["rebind.evil.test"] = ["127.0.0.1"]
    port = receiver.url.split(":")[2].split("/")[0]
    EndpointFactory(sub_account=sub_account, url=f"https://rebind.evil.test:{port}/hooks")
    event_emit(sub_account=sub_account, type="contact.created", data={})

    (delivery,) = delivery_claim()
    with http_client() as client:
        result = delivery_attempt(delivery, client=client)

    assert result.status_code is None
    assert "Refused" in result.error
    assert receiver.received == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "https://127.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://10.0.0.1/x",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/hooks",
        "https://api.localhost/hooks",
    ],
)
def test_saving_an_endpoint_on_a_literal_internal_address_is_refused(guarded, url):
    with pytest.raises(ValidationError):
        validate_target_url(url)


def test_http_urls_are_refused_unless_the_setting_allows_them(guarded, settings):
    with pytest.raises(ValidationError, match="https"):
        validate_target_url("http://hooks.example.com/x")

    settings.WEBHOOKS_ALLOW_HTTP = True
    validate_target_url("http://hooks.example.com/x")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/",
        "hooks.example.com",
        "https://",
        "https:///path",
        "https://hooks.example.com:99999/",
        "https://a b.com/",
        "javascript:alert(1)",
    ],
)
def test_malformed_urls_are_refused(guarded, url):
    with pytest.raises(ValidationError):
        validate_target_url(url)


LOOPBACK_SPELLINGS = [
    "http://127.1:8000/hooks",
    "http://0x7f.1/hooks",
    "http://0x7f000001/hooks",
    "http://2130706433/hooks",
    "http://0177.0.0.1/hooks",
    "http://127.000.000.001/hooks",
    "http://0/hooks",
    "https://0x0a.1/hooks",
]


@pytest.mark.parametrize("url", LOOPBACK_SPELLINGS)
def test_saving_an_endpoint_on_another_spelling_of_an_internal_address_is_refused(guarded, settings, url):
    settings.WEBHOOKS_ALLOW_HTTP = True

    with pytest.raises(ValidationError):
        validate_target_url(url)


def test_an_unusual_ipv4_spelling_is_refused_even_where_private_targets_are_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_ALLOW_HTTP = True

    with pytest.raises(ValidationError, match=r"usual dotted form \(127\.0\.0\.1\)"):
        validate_target_url("http://127.1:8000/hooks")


@pytest.mark.parametrize(
    "url", ["https://cafe.be/hooks", "https://123.example.com/hooks", "https://203.0.113.7.nip.io/"]
)
def test_names_that_look_numeric_in_part_are_still_names(guarded, url):
    validate_target_url(url)


def test_the_api_refuses_an_endpoint_on_an_integer_spelling_of_loopback(api_client, guarded, settings):
    settings.WEBHOOKS_ALLOW_HTTP = True

    response = api_client.post(
        "/api/v1/webhooks", {"url": "http://2130706433:8000/hooks", "events": ["*"]}, format="json"
    )

    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]


def test_a_stored_url_the_http_client_cannot_read_is_a_failed_attempt_not_a_crash(guarded, sub_account):
    endpoint = EndpointFactory(sub_account=sub_account, url="https://hooks.example.com/x")
    type(endpoint).objects.filter(sub_account=sub_account, pk=endpoint.pk).update(url="https://0177.0.0.1/hooks")
    event_emit(sub_account=sub_account, type="contact.created", data={})

    (delivery,) = delivery_claim()
    with http_client() as client:
        result = delivery_attempt(delivery, client=client)

    assert result.status_code is None
    assert result.error.startswith("InvalidURL")
