"""Typed custom fields: a sub-account's optional definitions of its custom-field keys (docs/workspace.md).

A definition gives a key a label, a type (validators.FIELD_TYPES), options for the select types, whether
the contact list offers it as a column, and a position (the order of the contact page and the column
chooser). Keys without a definition stay free-form, as the API has always promised.
"""

from django.core.exceptions import ValidationError
from django.db import models

from accounts.models import SubAccount, TenantModel, TenantQuerySet
from contacts.validators import (
    FIELD_TYPES,
    MAX_CUSTOM_FIELD_KEY_LENGTH,
    MAX_FIELD_OPTION_LENGTH,
    MAX_FIELD_OPTIONS,
    SELECT_TYPES,
    typed_value_problem,
    validate_custom_fields,
)
from contacts_site.ids import prefixed_id
from contacts_site.validation import validate_single_line_text

MAX_DEFINITIONS = 100
MAX_LABEL_LENGTH = 100


def new_definition_id() -> str:
    return prefixed_id("cf")


def validate_options(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("Expected a list of options.", code="invalid")
    if len(value) > MAX_FIELD_OPTIONS:
        raise ValidationError(f"At most {MAX_FIELD_OPTIONS} options.", code="max_options")
    for option in value:
        if not isinstance(option, str) or not option.strip() or len(option) > MAX_FIELD_OPTION_LENGTH:
            raise ValidationError(
                f"Each option must be text of 1–{MAX_FIELD_OPTION_LENGTH} characters.", code="invalid"
            )
        validate_single_line_text(option)
    if len(set(value)) != len(value):
        raise ValidationError("Options must be distinct.", code="duplicate")


def validate_definition_key(value) -> None:
    # A key is valid here exactly when it is valid in a contact's custom fields: the one rule.
    validate_custom_fields({value: ""})


class CustomFieldDefinitionQuerySet(TenantQuerySet):
    def in_order(self):
        return self.order_by("position", "key")

    def by_key(self) -> dict[str, "CustomFieldDefinition"]:
        return {definition.key: definition for definition in self}


class CustomFieldDefinition(TenantModel):
    id = models.CharField(primary_key=True, max_length=32, default=new_definition_id, editable=False)
    sub_account = models.ForeignKey(SubAccount, on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=MAX_CUSTOM_FIELD_KEY_LENGTH, validators=[validate_definition_key])
    label = models.CharField(max_length=MAX_LABEL_LENGTH, validators=[validate_single_line_text])
    type = models.CharField(max_length=16, choices=list(FIELD_TYPES.items()))
    options = models.JSONField(default=list, blank=True, validators=[validate_options])
    show_as_column = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomFieldDefinitionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sub_account", "key"],
                name="customfielddefinition_unique_key",
                violation_error_message="This sub-account already defines a field with this key.",
            )
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        if self.type in SELECT_TYPES and not self.options:
            raise ValidationError({"options": ["A select field needs at least one option."]})
        if self.type not in SELECT_TYPES and self.options:
            raise ValidationError({"options": ["Only select fields have options."]})

    def value_problem(self, value) -> str | None:
        """Why a stored value does not fit this definition (one stored before it was defined or changed)."""
        return typed_value_problem(value, self.type, self.options)
