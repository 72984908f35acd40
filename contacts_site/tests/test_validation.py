"""The text rules every door shares (contacts_site.validation) and the partial-update helper: no HTTP."""

import pytest
from django.core.exceptions import ValidationError

from contacts_site.updates import UNSET, given, model_update
from contacts_site.validation import (
    CONTROL_CHARACTERS_MESSAGE,
    INVALID_UNICODE_MESSAGE,
    normalize_text,
    text_problem,
    validate_single_line_text,
    validate_text,
)


def test_decomposed_text_is_normalized_to_its_composed_form():
    assert normalize_text("e\u0301cole") == "école"


def test_normalizing_leaves_what_is_not_text_for_the_validators():
    assert normalize_text(42) == 42


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "new\nline", "tab\tbed", "del\x7f", "c1\x85"])
def test_control_characters_are_refused_in_single_line_text_with_one_message(text):
    with pytest.raises(ValidationError) as error:
        validate_single_line_text(text)

    assert error.value.messages == [CONTROL_CHARACTERS_MESSAGE]


@pytest.mark.parametrize("text", ["\u202egnp.exe", "a\u2066b"])
def test_bidirectional_overrides_are_refused_in_single_line_text(text):
    assert text_problem(text) == CONTROL_CHARACTERS_MESSAGE


def test_multi_line_text_keeps_tabs_and_line_breaks():
    validate_text("line one\r\n\tline two")


def test_multi_line_text_still_refuses_nul():
    assert text_problem("a\x00b", single_line=False) == CONTROL_CHARACTERS_MESSAGE


def test_an_unpaired_surrogate_is_refused_as_invalid_unicode():
    assert text_problem("k\ud800") == INVALID_UNICODE_MESSAGE


def test_ordinary_text_in_any_script_has_no_problem():
    assert text_problem("Zoë 李 👩‍💻 café") is None


class _Thing:
    def __init__(self, **fields):
        self.__dict__.update(fields)


def test_given_keeps_only_the_arguments_that_were_passed():
    assert given(name="Ada", email=UNSET, phone=None) == {"name": "Ada", "phone": None}


def test_model_update_reports_only_fields_whose_cleaned_value_changed():
    thing = _Thing(name="Ada", email="ada@example.com")

    def clean(instance):
        instance.email = instance.email.lower()

    changed = model_update(thing, {"name": "Ada L.", "email": "ADA@example.com"}, clean=clean)

    assert changed == ["name"]


def test_model_update_leaves_the_instance_cleaned():
    thing = _Thing(email="ada@example.com")

    model_update(
        thing, {"email": "NEW@example.com"}, clean=lambda instance: setattr(instance, "email", "new@example.com")
    )

    assert thing.email == "new@example.com"
