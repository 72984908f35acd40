"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

The secret is `whsec_` + base64 of random bytes; the HMAC key is those bytes, *not* the text.
`webhook-signature` lists one `v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>` per live secret,
space-separated, so a receiver holding either the old or the new secret verifies during a rotation.
"""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
# 32 bytes: inside the spec's 24–64 byte range, and the HMAC-SHA256 block size's sweet spot.
SECRET_BYTES = 32


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("A webhook secret starts with whsec_.")
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(*, secret: str, msg_id: str, timestamp: int, body: str) -> str:
    digest = hmac.new(_key(secret), f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(*, live_secrets: list[str], msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt; `live_secrets` newest first."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in live_secrets
        ),
    }
