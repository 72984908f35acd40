"""The comparison itself: it must catch each kind of drift, or the per-app tests prove nothing."""

from rest_framework import serializers

from contacts_site.tests.json_shapes import shape_mismatches


class ItemSchema(serializers.Serializer):
    label = serializers.CharField()


class ThingSchema(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()
    seen_at = serializers.DateTimeField(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    kind = serializers.ChoiceField(choices=[("a", "A")])
    items = ItemSchema(many=True)


GOOD = {"name": "x", "count": 1, "seen_at": None, "tags": ["t"], "kind": "a", "items": [{"label": "l"}]}


def test_an_answer_matching_its_schema_has_no_mismatch():
    assert shape_mismatches(GOOD, ThingSchema()) == []


def test_a_key_missing_from_the_schema_is_reported():
    assert shape_mismatches({**GOOD, "extra": 1}, ThingSchema()) == ["extra: in the answer, not documented"]


def test_a_key_missing_from_the_answer_is_reported():
    answer = {key: value for key, value in GOOD.items() if key != "count"}

    assert shape_mismatches(answer, ThingSchema()) == ["count: documented, not in the answer"]


def test_a_value_of_another_type_is_reported():
    assert shape_mismatches({**GOOD, "count": "1"}, ThingSchema()) == ["count: '1', documented as an integer"]


def test_a_null_where_the_schema_allows_none_is_reported():
    assert shape_mismatches({**GOOD, "name": None}, ThingSchema()) == ["name: null, but the field does not allow null"]


def test_a_list_item_of_another_type_is_reported():
    assert shape_mismatches({**GOOD, "tags": ["t", 2]}, ThingSchema()) == ["tags[1]: 2, documented as a string"]


def test_a_nested_object_is_compared_too():
    assert shape_mismatches({**GOOD, "items": [{"label": "l", "more": 1}]}, ThingSchema()) == [
        "items[0].more: in the answer, not documented"
    ]


def test_a_value_outside_the_documented_choices_is_reported():
    assert shape_mismatches({**GOOD, "kind": "b"}, ThingSchema()) == ["kind: 'b', not one of the documented choices"]


def test_a_timestamp_that_does_not_parse_is_reported():
    assert shape_mismatches({**GOOD, "seen_at": "yesterday"}, ThingSchema()) == [
        "seen_at: 'yesterday', documented as a date-time"
    ]
