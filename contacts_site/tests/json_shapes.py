"""Compare an answer's JSON with the schema serializer that documents it, field by field.

The API writes its JSON with plain functions (`contact_to_dict`, …) and documents it with schema
serializers; these helpers keep the two from drifting apart: same keys, each value of the documented
JSON type, null only where the field allows it.
"""

from django.utils.dateparse import parse_datetime
from rest_framework import serializers


def _value_mismatches(value, field: serializers.Field, path: str) -> list[str]:
    if isinstance(field, serializers.JSONField):
        return []  # documented as any JSON value, null included
    if value is None:
        return [] if field.allow_null else [f"{path}: null, but the field does not allow null"]
    if isinstance(field, serializers.Serializer):
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, documented as an object"]
        return shape_mismatches(value, field, path=f"{path}.")
    if isinstance(field, (serializers.ListSerializer, serializers.ListField)):
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__}, documented as a list"]
        return [
            problem
            for index, item in enumerate(value)
            for problem in _value_mismatches(item, field.child, f"{path}[{index}]")
        ]
    if isinstance(field, serializers.DictField):
        return [] if isinstance(value, dict) else [f"{path}: {type(value).__name__}, documented as an object"]
    if isinstance(field, serializers.BooleanField):
        return [] if isinstance(value, bool) else [f"{path}: {value!r}, documented as a boolean"]
    if isinstance(field, serializers.IntegerField):
        is_integer = isinstance(value, int) and not isinstance(value, bool)
        return [] if is_integer else [f"{path}: {value!r}, documented as an integer"]
    if isinstance(field, serializers.FloatField):
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if is_number else [f"{path}: {value!r}, documented as a number"]
    if isinstance(field, serializers.DateTimeField):
        is_timestamp = isinstance(value, str) and parse_datetime(value) is not None
        return [] if is_timestamp else [f"{path}: {value!r}, documented as a date-time"]
    if isinstance(field, serializers.ChoiceField):
        return [] if value in field.choices else [f"{path}: {value!r}, not one of the documented choices"]
    if isinstance(field, serializers.CharField):
        return [] if isinstance(value, str) else [f"{path}: {value!r}, documented as a string"]
    return [f"{path}: {type(field).__name__} is a field type this comparison does not know"]


def shape_mismatches(data: dict, serializer: serializers.Serializer, *, path: str = "") -> list[str]:
    """Every difference between `data` and what `serializer` documents; [] when they agree."""
    documented = serializer.fields
    problems = [f"{path}{key}: in the answer, not documented" for key in data.keys() - documented.keys()]
    # A field documented as not required (`required=False`) may be left out: an item's `error` or its `result`.
    problems += [
        f"{path}{key}: documented, not in the answer"
        for key in documented.keys() - data.keys()
        if documented[key].required
    ]
    for key in data.keys() & documented.keys():
        problems += _value_mismatches(data[key], documented[key], f"{path}{key}")
    return sorted(problems)
