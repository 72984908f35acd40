"""How contact values read on the staff pages: phones in international format, custom fields by their
definition's type (dates, numbers, yes/no), a value that no longer fits its definition flagged."""

import datetime

import phonenumbers
from django import template
from django.utils.formats import date_format, number_format

from contacts.validators import parse_iso_date

register = template.Library()


@register.filter
def phone_international(e164: str | None) -> str:
    """`+16175550142` as people write it: `+1 617-555-0142` (the stored E.164 when it cannot be read)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def display(value, definition=None) -> str:
    """One custom-field value as text: by its definition's type when it fits, else as stored."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, (int, float)):
        return number_format(value, force_grouping=True)
    if definition is not None and definition.type == "date" and (date := parse_iso_date(value)):
        return date_format(datetime.datetime.combine(date, datetime.time()), "M j, Y")
    return str(value)


@register.simple_tag
def custom_cell(contact, column_key: str, definitions: dict) -> dict:
    """The list's cell of a custom-field column (`cf:<key>`): its text and whether it no longer fits."""
    key = column_key.removeprefix("cf:")
    definition = definitions.get(key)
    value = (contact.custom_fields or {}).get(key)
    problem = definition.value_problem(value) if definition is not None and value is not None else None
    return {"text": display(value, definition), "problem": problem}


@register.simple_tag
def custom_field_rows(contact, definitions: list) -> list[dict]:
    """The contact page's custom fields: the defined ones with their labels in definition order, then the
    free ones by key. A stored value that no longer fits its definition is flagged with the reason."""
    values = contact.custom_fields or {}
    rows = []
    for definition in definitions:
        if definition.key in values:
            value = values[definition.key]
            rows.append(
                {
                    "label": definition.label,
                    "key": definition.key,
                    "text": display(value, definition),
                    "problem": definition.value_problem(value),
                }
            )
    defined = {definition.key for definition in definitions}
    rows += [
        {"label": key, "key": key, "text": display(value), "problem": None}
        for key, value in values.items()
        if key not in defined
    ]
    return rows
