"""The rules for a contact's fields: one copy, used by the model (and so by the API, the pages and the admin)."""

import datetime
import json
import math

import phonenumbers
from django.core.exceptions import ValidationError

from contacts_site.validation import normalize_text, validate_single_line_text, validate_text

MAX_TAGS = 50
MAX_TAG_LENGTH = 50
MAX_CUSTOM_FIELDS = 100
MAX_CUSTOM_FIELD_KEY_LENGTH = 64
MAX_CUSTOM_FIELDS_BYTES = 16 * 1024


INVALID_PHONE_MESSAGE = "Enter a valid phone number, e.g. +14155552671."
PHONE_EXTENSION_MESSAGE = "Enter the number without an extension (extensions are not stored)."
TAG_LENGTH_MESSAGE = f"Each tag must be 1–{MAX_TAG_LENGTH} characters."
TOO_MANY_TAGS_MESSAGE = f"A contact can have at most {MAX_TAGS} tags."


def normalize_phone(raw: str, region: str) -> str:
    """`raw` as E.164 (`+14155552671`), reading national formats in `region`; ValidationError if not a real
    number. A number with an extension is refused rather than stored without it: E.164 cannot hold one,
    and dropping it silently would lose what the caller typed."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID_PHONE_MESSAGE, code="invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_PHONE_MESSAGE, code="invalid")
    if number.extension:
        raise ValidationError(PHONE_EXTENSION_MESSAGE, code="extension")
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


def normalize_tag(tag) -> str:
    """One tag as stored: NFC, trimmed, lowercased. Its length is checked as given (before trimming), as the
    API schema states it."""
    if not isinstance(tag, str):
        raise ValidationError("Each tag must be a string.", code="invalid")
    validate_single_line_text(tag)
    name = lower_keeping_length(normalize_text(tag).strip())
    if not name or len(tag) > MAX_TAG_LENGTH:
        raise ValidationError(TAG_LENGTH_MESSAGE, code="invalid")
    return name


def normalize_tags(tags) -> list[str]:
    """Tags as stored: unique and sorted, each as `normalize_tag` gives it. Counted once de-duplicated:
    sixty copies of one tag are one tag."""
    if not isinstance(tags, (list, tuple)):
        raise ValidationError("Expected a list of strings.", code="invalid")
    names = sorted({normalize_tag(tag) for tag in tags})
    if len(names) > MAX_TAGS:
        raise ValidationError(TOO_MANY_TAGS_MESSAGE, code="max_tags")
    return names


def _text_rule(validator, value, *, label: str, code: str) -> None:
    """The text rule's own message, saying which part of the custom fields it is about."""
    try:
        validator(value)
    except ValidationError as error:
        raise ValidationError(f"{label}: {error.messages[0]}", code=code) from None


# The types a sub-account may give a custom field (contacts.definitions.CustomFieldDefinition).
FIELD_TYPES = {
    "text": "Text",
    "number": "Number",
    "date": "Date",
    "boolean": "Yes / no",
    "select": "Single select",
    "multiselect": "Multi-select",
}
SELECT_TYPES = {"select", "multiselect"}
MAX_FIELD_OPTIONS = 100
MAX_FIELD_OPTION_LENGTH = 100


def parse_iso_date(value) -> datetime.date | None:
    """`value` as a date if it is a string written YYYY-MM-DD, else None."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def typed_value_problem(item, field_type: str, options) -> str | None:
    """What is wrong with `item` as a value of a custom field of `field_type`, or None if it fits."""
    if field_type == "text":
        return None if isinstance(item, str) else "must be text"
    if field_type == "number":
        fits = isinstance(item, (int, float)) and not isinstance(item, bool)
        return None if fits else "must be a number"
    if field_type == "date":
        return None if parse_iso_date(item) else "must be a date written YYYY-MM-DD"
    if field_type == "boolean":
        return None if isinstance(item, bool) else "must be true or false"
    choices = ", ".join(options)
    if field_type == "select":
        return None if isinstance(item, str) and item in options else f"must be one of: {choices}"
    if field_type == "multiselect":
        fits = isinstance(item, list) and all(isinstance(one, str) and one in options for one in item)
        return None if fits and len(set(item)) == len(item) else f"must be a list of distinct values among: {choices}"
    return None


def validate_custom_fields(value, definitions: dict | None = None, *, checked_keys=None) -> None:
    """The custom-fields rule of every door. `definitions` (key → an object with `type` and `options`, the
    sub-account's CustomFieldDefinitions, passed in by the model when it has any) type the keys they
    define; of those, only `checked_keys` (default: all) are checked against their type, so that a value
    stored before its definition changed is refused only when that key is written again."""
    definitions = definitions or {}
    if not isinstance(value, dict):
        raise ValidationError("Expected an object of key/value pairs.", code="invalid")
    if len(value) > MAX_CUSTOM_FIELDS:
        raise ValidationError(f"At most {MAX_CUSTOM_FIELDS} custom fields.", code="max_fields")
    for key, item in value.items():
        if not key or len(key) > MAX_CUSTOM_FIELD_KEY_LENGTH:
            raise ValidationError(
                f"Custom field keys must be 1–{MAX_CUSTOM_FIELD_KEY_LENGTH} characters.", code="invalid_key"
            )
        _text_rule(validate_single_line_text, key, label="A custom field key", code="invalid_key")
        definition = definitions.get(key)
        checked = definition is not None and (checked_keys is None or key in checked_keys)
        if checked and (problem := typed_value_problem(item, definition.type, definition.options)):
            raise ValidationError(f"“{key}” {problem}.", code="invalid_type")
        if definition is not None and definition.type == "multiselect" and isinstance(item, list):
            for one in item:
                _text_rule(validate_single_line_text, one, label=f"“{key}”", code="invalid_value")
            continue
        if item is not None and not isinstance(item, (str, int, float, bool)):
            raise ValidationError(
                f"“{key}” must be a string, number, boolean or null, not a list or object.", code="invalid_value"
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise ValidationError(f"“{key}” must be a finite number.", code="invalid_value")
        _text_rule(validate_text, item, label=f"“{key}”", code="invalid_value")
    if len(json.dumps(value, ensure_ascii=False).encode()) > MAX_CUSTOM_FIELDS_BYTES:
        raise ValidationError("Custom fields may hold at most 16 KB in all.", code="too_large")


def normalize_custom_fields(value):
    """Keys and string values in NFC (anything that is not a dict is left for the validator to refuse)."""
    if not isinstance(value, dict):
        return value
    return {
        normalize_text(key): [normalize_text(one) for one in item] if isinstance(item, list) else normalize_text(item)
        for key, item in value.items()
    }
