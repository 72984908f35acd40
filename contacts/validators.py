"""The rules for a contact's fields: one copy, used by the model (and so by the API, the pages and the admin)."""

import json
import math

import phonenumbers
from django.core.exceptions import ValidationError

MAX_TAGS = 50
MAX_TAG_LENGTH = 50
MAX_CUSTOM_FIELDS = 100
MAX_CUSTOM_FIELD_KEY_LENGTH = 64
MAX_CUSTOM_FIELDS_BYTES = 16 * 1024


def normalize_phone(raw: str, region: str) -> str:
    """`raw` as E.164 (`+14155552671`), reading national formats in `region`; ValidationError if not a real number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError("Enter a valid phone number, e.g. +14155552671.", code="invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Enter a valid phone number, e.g. +14155552671.", code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_forms(query: str, region: str) -> tuple[str | None, str]:
    """For a search box: the E.164 form of `query` if it reads as a phone number, and its bare digits."""
    digits = "".join(ch for ch in query if ch.isdigit())
    try:
        e164 = normalize_phone(query, region)
    except ValidationError:
        e164 = None
    return e164, digits


def lower_keeping_length(text: str) -> str:
    """Lowercase, except the rare characters whose lowercase is longer ("İ" → "i̇"), kept as they are:
    a tag checked at 50 characters must still be 50 characters when stored."""
    return "".join(lowered if len(lowered := char.lower()) == 1 else char for char in text)


def normalize_tags(tags) -> list[str]:
    """Tags as stored: trimmed, lowercased, unique, sorted. Raises ValidationError for a bad list."""
    if not isinstance(tags, (list, tuple)):
        raise ValidationError("Expected a list of strings.", code="invalid")
    names = set()
    for tag in tags:
        if not isinstance(tag, str):
            raise ValidationError("Each tag must be a string.", code="invalid")
        name = lower_keeping_length(tag.strip())
        if not name or len(name) > MAX_TAG_LENGTH:
            raise ValidationError(f"Each tag must be 1–{MAX_TAG_LENGTH} characters.", code="invalid")
        if "\x00" in name:
            raise ValidationError("Tags cannot contain NUL characters.", code="invalid")
        names.add(name)
    if len(names) > MAX_TAGS:
        raise ValidationError(f"A contact can have at most {MAX_TAGS} tags.", code="max_tags")
    return sorted(names)


def validate_custom_fields(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Expected an object of key/value pairs.", code="invalid")
    if len(value) > MAX_CUSTOM_FIELDS:
        raise ValidationError(f"At most {MAX_CUSTOM_FIELDS} custom fields.", code="max_fields")
    for key, item in value.items():
        if not key or len(key) > MAX_CUSTOM_FIELD_KEY_LENGTH or "\x00" in key:
            raise ValidationError(
                f"Custom field keys must be 1–{MAX_CUSTOM_FIELD_KEY_LENGTH} characters.", code="invalid_key"
            )
        if item is not None and not isinstance(item, (str, int, float, bool)):
            raise ValidationError(
                f"“{key}” must be a string, number, boolean or null, not a list or object.", code="invalid_value"
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise ValidationError(f"“{key}” must be a finite number.", code="invalid_value")
        if isinstance(item, str) and "\x00" in item:
            raise ValidationError(f"“{key}” cannot contain NUL characters.", code="invalid_value")
    if len(json.dumps(value, ensure_ascii=False).encode()) > MAX_CUSTOM_FIELDS_BYTES:
        raise ValidationError("Custom fields may hold at most 16 KB in all.", code="too_large")


def validate_no_nul(value: str) -> None:
    # PostgreSQL text cannot hold NUL bytes; refuse them everywhere so both engines agree.
    if value and "\x00" in value:
        raise ValidationError("This field cannot contain NUL characters.", code="null_characters_not_allowed")
