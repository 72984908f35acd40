"""Schemathesis hooks for `make fuzz`: how to generate the formats our schema names that it does not know.

`phone` is a number that exists in its numbering plan (what `normalize_phone` accepts), in the forms a
partner sends: E.164, international with spaces/dashes, or national in the sub-account's region (US).
"""

import re
import uuid

import phonenumbers
import schemathesis
from hypothesis import strategies as st

VALID_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
]


@st.composite
def phone_numbers(draw):
    region = draw(st.sampled_from(REGIONS))
    kind = draw(st.sampled_from([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]))
    number = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
    if number is None:
        number = phonenumbers.parse("+14155552671")
    if region == "US" and draw(st.booleans()):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, draw(st.sampled_from(FORMATS)))


schemathesis.openapi.format("phone", phone_numbers())


@schemathesis.hook("map_headers")
def unique_idempotency_keys(ctx, headers):
    """A client sends a fresh Idempotency-Key for every write it means (the schema says so): a generated key
    that is valid is made unique, so that a generated POST is never taken for a retry of an earlier one and
    answered with that one's replay. Keys the schema refuses (negative cases) are sent as generated.
    Reuse of a key — replays, 422, 409 — is tested in accounts/tests/test_idempotency.py."""
    key = (headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and VALID_IDEMPOTENCY_KEY.fullmatch(key):
        headers["Idempotency-Key"] = f"{key[:200]}-{uuid.uuid4()}"
    return headers


@st.composite
def webhook_urls(draw):
    """https URLs on public names (resolved only at delivery time): what `validate_target_url` accepts."""
    label = draw(st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True))
    path = draw(st.from_regex(r"(/[A-Za-z0-9._~-]{1,12}){0,3}", fullmatch=True))
    port = draw(st.sampled_from(["", ":443", ":8443"]))
    return f"https://{label}.example.com{port}{path}"


schemathesis.openapi.format("webhook-url", webhook_urls())
