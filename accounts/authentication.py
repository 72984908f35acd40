from rest_framework import authentication, exceptions, permissions

from accounts.models import APIKey
from accounts.throttling import failed_authentication_wait, record_failed_authentication


class APIKeyPrincipal:
    """The caller of an API request: an integration holding one sub-account's key, not a staff user."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, api_key: APIKey):
        self.api_key = api_key
        self.sub_account = api_key.sub_account

    def __str__(self) -> str:
        return f"API key {self.api_key.display_prefix}"


class APIKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer ck_…`. Missing, malformed, unknown, revoked or expired keys all answer 401."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        address = request.META.get("REMOTE_ADDR") or "unknown"
        wait = failed_authentication_wait(address)
        if wait is not None:
            raise exceptions.Throttled(
                wait=wait, detail="Too many failed authentication attempts from this address; retry later."
            )
        scheme, _, raw_key = header.partition(" ")
        raw_key = raw_key.strip()
        if scheme.lower() != self.keyword.lower() or not raw_key or " " in raw_key:
            record_failed_authentication(address)
            raise exceptions.AuthenticationFailed("Malformed Authorization header; expected `Bearer ck_…`.")
        api_key = APIKey.objects.authenticate(raw_key)
        if api_key is None:
            record_failed_authentication(address)
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        api_key.touch()
        return APIKeyPrincipal(api_key), api_key

    def authenticate_header(self, request):
        # Its presence makes DRF answer 401 (with WWW-Authenticate) rather than 403 for a missing key.
        return self.keyword


class HasAPIKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, APIKey)
