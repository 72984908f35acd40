"""Where a webhook may be sent: the URL rules, and the SSRF guard applied at connection time.

The guard sits in the HTTP client's network backend (see `GuardedBackend`): the host name is resolved
once, every address it resolves to is checked, and the socket connects to a checked address. A
receiver's DNS can therefore not answer "public" to a check and "127.0.0.1" to the connection
(DNS rebinding), and a redirect is never followed (see `delivery.py`), so it cannot bounce us inward.
"""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

import httpcore
from django.conf import settings
from django.core.exceptions import ValidationError

MAX_URL_LENGTH = 2048
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class TargetRefused(Exception):
    """The destination is not one we send to (a private address, a refused scheme, an unresolvable name)."""


def private_targets_allowed() -> bool:
    return settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS


# IPv6 ranges that carry an IPv4 address in their last 32 bits: IPv4-compatible (deprecated), SIIT, NAT64.
IPV4_EMBEDDING_NETWORKS = [
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT)
    ipaddress.IPv6Network("64:ff9b::/96"),
]


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, compatible, translated, NAT64, 6to4), if any. (Teredo,
    2001::/32, is refused as a whole: `is_global` is False for it.)"""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped  # ::ffff:127.0.0.1
    if ip.sixtofour:
        return ip.sixtofour  # 2002:7f00:1::
    if any(ip in network for network in IPV4_EMBEDDING_NETWORKS) and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)  # ::127.0.0.1, 64:ff9b::127.0.0.1
    return None


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id such as fe80::1%eth0
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    # is_global is False for loopback, RFC 1918, link-local (169.254/16, the cloud metadata range),
    # carrier-grade NAT, unique-local IPv6, documentation and reserved ranges.
    return ip.is_global and not ip.is_multicast


def allowed_schemes() -> set[str]:
    return {"https", "http"} if settings.WEBHOOKS_ALLOW_HTTP else {"https"}


def validate_target_url(value: str) -> None:
    """The shape of an endpoint URL, checked when it is saved. Names are resolved only at delivery time."""
    if not isinstance(value, str) or not value:
        raise ValidationError("Enter a URL.")
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"At most {MAX_URL_LENGTH} characters.")
    if any(char.isspace() or ord(char) < 32 for char in value):
        raise ValidationError("A URL cannot contain spaces or control characters.")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValidationError("Enter a valid URL.") from None
    schemes = allowed_schemes()
    if parts.scheme not in {"http", "https"}:
        raise ValidationError("Enter an http(s) URL.")
    if parts.scheme not in schemes:
        raise ValidationError("Webhook URLs must use https.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValidationError("The URL needs a host name.")
    if parts.fragment:
        raise ValidationError("A URL with a #fragment cannot be delivered to.")
    if port == 0:
        raise ValidationError("Enter a valid port.")
    literal = ipv4_as_resolved(host)
    if literal is not None and str(literal) != host:
        # `127.1`, `0x7f.1`, `2130706433`, `0177.0.0.1`, `0`: the resolver reads them as IPv4 addresses, the
        # HTTP client does not always (httpx refuses leading zeros), and a reader of the URL seldom does.
        raise ValidationError(f"Write the IPv4 address in its usual dotted form ({literal}).")
    if private_targets_allowed():
        return
    if host.lower() in LOCAL_NAMES or host.lower().endswith(".localhost"):
        raise ValidationError("Webhooks cannot be sent to this machine.")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return
    if not is_public_address(str(literal)):
        raise ValidationError("Webhooks cannot be sent to private, loopback or link-local addresses.")


NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")


def ipv4_as_resolved(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address the system resolver reads `host` as, or None for a name. The resolver (inet_aton)
    also accepts shortened (`127.1`), hexadecimal (`0x7f.1`), octal (`0177.0.0.1`) and single-integer
    (`2130706433`, `0`) spellings, which `ipaddress` does not recognise as addresses at all."""
    if not NUMERIC_HOST.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def resolve_public(host: str, port: int) -> list[str]:
    """The addresses to connect to for `host`, all of them checked; raises TargetRefused if any is private.

    Refusing when *any* address is private (not just skipping it) keeps a name that mixes a public and
    an internal address from reaching inside on a retry that happens to pick the other one.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"Could not resolve {host}: {error}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise TargetRefused(f"{host} resolves to no address.")
    if not private_targets_allowed():
        refused = [address for address in addresses if not is_public_address(address)]
        if refused:
            raise TargetRefused(
                f"Refused: {host} resolves to a private, loopback or link-local address ({refused[0]})."
            )
    return addresses


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, connecting only to addresses that `resolve_public` accepted."""

    def __init__(self):
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last_error = None
        for address in resolve_public(host, port):
            try:
                return self._backend.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last_error = error
        raise last_error

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise TargetRefused("Unix sockets are not webhook destinations.")

    def sleep(self, seconds):
        self._backend.sleep(seconds)
