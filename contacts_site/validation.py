"""Rules for any text the service stores or searches for, used by every model field and query parameter.

One rule, one message, on every door:
- A contact's text is stored, and search terms are read, in Unicode NFC (`normalize_text`): "e\u0301cole"
  and "école" are one word, stored and searched alike.
- No NUL, no other C0/C1 control character and no unpaired surrogate anywhere: PostgreSQL refuses NUL
  and unpaired surrogates cannot be encoded (both were 500s), and the others are invisible garbage.
  Multi-line text (a message body, a custom field value) keeps tab and line breaks.
- Single-line text (names, tags, subjects, keys) also refuses line breaks, tabs and the bidirectional
  overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make a name display as something else.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

CONTROL_CHARACTERS_MESSAGE = "Cannot contain control characters."
INVALID_UNICODE_MESSAGE = "Must be valid Unicode text."

_MULTI_LINE_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SINGLE_LINE_CONTROLS = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_MULTI_LINE_FORBIDDEN = re.compile(f"[{_MULTI_LINE_CONTROLS}]")
_SINGLE_LINE_FORBIDDEN = re.compile(f"[{_SINGLE_LINE_CONTROLS}]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _not_blank_pattern(controls: str) -> str:
    return f"^[^{controls}]*[^\\s{controls}][^{controls}]*$"


# The same rules as JSON Schema patterns (ECMAScript and Python read them alike), for the OpenAPI schema.
SINGLE_LINE_PATTERN = f"^[^{_SINGLE_LINE_CONTROLS}]*$"
NOT_BLANK_SINGLE_LINE_PATTERN = _not_blank_pattern(_SINGLE_LINE_CONTROLS)
MULTI_LINE_PATTERN = f"^[^{_MULTI_LINE_CONTROLS}]*$"
# What single-line text must not contain, for a schema's `not: {pattern: …}` (a blankable field).
SINGLE_LINE_FORBIDDEN_PATTERN = f"[{_SINGLE_LINE_CONTROLS}]"
NOT_BLANK_MULTI_LINE_PATTERN = _not_blank_pattern(_MULTI_LINE_CONTROLS)


def normalize_text(value):
    """`value` in NFC if it is a string (anything else is returned as it is, for the validators to refuse)."""
    if isinstance(value, str) and not value.isascii() and not _SURROGATE.search(value):
        return unicodedata.normalize("NFC", value)
    return value


def _validate(value, forbidden: re.Pattern) -> None:
    if not isinstance(value, str) or not value:
        return
    if _SURROGATE.search(value):
        raise ValidationError(INVALID_UNICODE_MESSAGE, code="invalid_unicode")
    if forbidden.search(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")


def validate_single_line_text(value) -> None:
    _validate(value, _SINGLE_LINE_FORBIDDEN)


def validate_text(value) -> None:
    """Multi-line text: tab, LF and CR allowed."""
    _validate(value, _MULTI_LINE_FORBIDDEN)


def validate_not_blank(value: str) -> None:
    # A text of spaces and newlines says nothing; refuse it like an empty one (it is stored unstripped).
    if isinstance(value, str) and value and not value.strip():
        raise ValidationError("This field cannot be blank.", code="blank")


def text_problem(value: str, *, single_line: bool = True) -> str | None:
    """The message `value` would be refused with, or None: for query parameters, which report, not raise."""
    try:
        (validate_single_line_text if single_line else validate_text)(value)
    except ValidationError as error:
        return error.messages[0]
    return None
